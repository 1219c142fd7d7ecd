"""Tickets and slips as PDF bytes, in memory, on the paper a registry desk has.

* ``a6`` — one document per A6 sheet (105 × 148 mm);
* ``roll80`` — an 80 mm receipt roll (72 mm printable on thermal printers), each page exactly
  as tall as its content, so the printer cuts right after it;
* ``a4`` — batch printing: four A6 quarters per A4 sheet with cut lines.

A single document is written without stream compression: its bytes are mostly the embedded font,
which compresses slowly and saves nothing that matters for one ticket; a batch is compressed.
"""

from __future__ import annotations

import enum
import io
import threading
from collections.abc import Sequence
from typing import Any

from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from workstation.services.tickets.content import TicketContent
from workstation.services.tickets.flow import Block, arrange, draw, draw_fitted
from workstation.services.tickets.fonts import claim_alphabet
from workstation.services.tickets.layout import ticket_blocks
from workstation.services.tickets.qr import QrDrawer, draw_qr

CREATOR = "АРМ «Электронная регистратура»"


class TicketFormat(enum.StrEnum):
    """The paper a document is printed on."""

    A6 = "a6"
    ROLL80 = "roll80"
    A4 = "a4"


SHEET_MARGIN = 6 * mm
ROLL_WIDTH = 80 * mm
ROLL_SIDE = 4 * mm + 1.5 * mm
"""The 4 mm a thermal head cannot reach on each side of an 80 mm roll, and some air."""
ROLL_TOP = 4 * mm
ROLL_BOTTOM = 8 * mm  # the cutter sits a few millimetres below the head
QUARTER_MARGIN = 8 * mm
QR_SIZES = {TicketFormat.A6: 22 * mm, TicketFormat.ROLL80: 20 * mm, TicketFormat.A4: 22 * mm}
PER_A4 = 4
FORM_MARGIN = 15 * mm
FORM_MARGIN_LEFT = 25 * mm  # a signed form is filed: room for the binding

# reportlab keeps a font's per-document state on the shared font object.
_render_lock = threading.Lock()


def _a6_pages(canvas: Any, flows: Sequence[Sequence[Block]]) -> None:
    width, height = A6
    for blocks in flows:
        canvas.setPageSize(A6)
        draw_fitted(
            canvas,
            blocks,
            SHEET_MARGIN,
            height - SHEET_MARGIN,
            width - 2 * SHEET_MARGIN,
            height - 2 * SHEET_MARGIN,
        )
        canvas.showPage()


def _roll_pages(canvas: Any, flows: Sequence[Sequence[Block]]) -> None:
    for blocks in flows:
        arrangement = arrange(blocks, ROLL_WIDTH - 2 * ROLL_SIDE)
        height = ROLL_TOP + arrangement.height + ROLL_BOTTOM
        canvas.setPageSize((ROLL_WIDTH, height))
        draw(canvas, arrangement, ROLL_SIDE, height - ROLL_TOP)
        canvas.showPage()


def _cut_lines(canvas: Any) -> None:
    width, height = A4
    canvas.saveState()
    canvas.setStrokeGray(0.55)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    canvas.line(width / 2, 0, width / 2, height)
    canvas.line(0, height / 2, width, height / 2)
    # A solid cross where the cuts meet, to line up the guillotine.
    canvas.setDash()
    canvas.setStrokeGray(0)
    arm = 4 * mm
    canvas.line(width / 2 - arm, height / 2, width / 2 + arm, height / 2)
    canvas.line(width / 2, height / 2 - arm, width / 2, height / 2 + arm)
    canvas.restoreState()


def _a4_pages(canvas: Any, flows: Sequence[Sequence[Block]]) -> None:
    width, height = A4
    quarter_width, quarter_height = width / 2, height / 2
    for first in range(0, len(flows), PER_A4):
        canvas.setPageSize(A4)
        for index, blocks in enumerate(flows[first : first + PER_A4]):
            column, row = index % 2, index // 2
            draw_fitted(
                canvas,
                blocks,
                column * quarter_width + QUARTER_MARGIN,
                height - row * quarter_height - QUARTER_MARGIN,
                quarter_width - 2 * QUARTER_MARGIN,
                quarter_height - 2 * QUARTER_MARGIN,
            )
        _cut_lines(canvas)
        canvas.showPage()


_PAGES = {TicketFormat.A6: _a6_pages, TicketFormat.ROLL80: _roll_pages, TicketFormat.A4: _a4_pages}


def render_flows(flows: Sequence[Sequence[Block]], fmt: TicketFormat | str, *, title: str) -> bytes:
    """Lay out each flow as one ticket-sized document of format ``fmt``; return the PDF."""
    if not flows:
        raise ValueError("nothing to print")
    paper = TicketFormat(fmt)
    buffer = io.BytesIO()
    with _render_lock:
        canvas = Canvas(buffer, pagesize=A6, pageCompression=int(len(flows) > 1))
        canvas.setTitle(title)
        canvas.setCreator(CREATOR)
        claim_alphabet(canvas)
        _PAGES[paper](canvas, flows)
        canvas.save()
    return buffer.getvalue()


def render_a4_page(blocks: Sequence[Block], *, title: str) -> bytes:
    """One full A4 page (a form), shrunk to fit if the text is too long."""
    width, height = A4
    buffer = io.BytesIO()
    with _render_lock:
        canvas = Canvas(buffer, pagesize=A4, pageCompression=0)
        canvas.setTitle(title)
        canvas.setCreator(CREATOR)
        claim_alphabet(canvas)
        draw_fitted(
            canvas,
            blocks,
            FORM_MARGIN_LEFT,
            height - FORM_MARGIN,
            width - FORM_MARGIN_LEFT - FORM_MARGIN,
            height - 2 * FORM_MARGIN,
        )
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def render_tickets(
    contents: Sequence[TicketContent], fmt: TicketFormat | str, *, qr: QrDrawer = draw_qr
) -> bytes:
    """The tickets as one PDF: a page each (``a6``, ``roll80``) or four to an A4 sheet."""
    if not contents:
        raise ValueError("nothing to print")
    paper = TicketFormat(fmt)
    qr_size = QR_SIZES[paper]
    flows = [ticket_blocks(content, qr_size=qr_size, qr=qr) for content in contents]
    title = contents[0].title if len(contents) == 1 else f"Талоны на приём ({len(contents)})"
    return render_flows(flows, paper, title=title)
