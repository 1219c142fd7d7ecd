"""A small top-down flow layout on a reportlab canvas: wrapped text, rules, gaps and codes.

Tickets and slips are short columns of text of a few sizes; this is all the layout they need,
and it is fast enough to lay a ticket out in a fraction of a millisecond. A flow is measured for
a width first (``arrange``), so a receipt can be cut to its content's height and a sheet can
shrink a flow that would not fit its box (``fit_scale``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from workstation.services.tickets.barcode import (
    MAX_MODULE,
    MIN_MODULE,
    code128_modules,
    draw_code128,
)
from workstation.services.tickets.fonts import BOLD, REGULAR
from workstation.services.tickets.qr import QrDrawer, draw_qr

LEADING = 1.22
"""Line height as a multiple of the font size."""
BASELINE = 0.98
"""From the top of a line box to its baseline, in font sizes (DejaVu's descent is 0.24)."""


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped to the width; ``\\n`` starts a new line."""

    text: str
    size: float
    bold: bool = False
    centred: bool = False
    space_before: float = 0.0
    char_space: float = 0.0
    """Extra space between characters, for a password read aloud letter by letter."""


@dataclass(frozen=True)
class Rule:
    """A thin horizontal line with ``space`` above and below."""

    space: float = 1.6 * mm


@dataclass(frozen=True)
class Gap:
    """Empty vertical space."""

    height: float


@dataclass(frozen=True)
class Codes:
    """A QR code and a Code128 barcode of ``data``, side by side when the width allows."""

    data: str
    qr_size: float
    qr: QrDrawer = draw_qr
    caption_size: float = 8.0
    space: float = 1.5 * mm


@dataclass(frozen=True)
class Signature:
    """A line to sign on, a slash and a line for the name (printed when known), captioned."""

    name: str = ""
    size: float = 10.5
    space_before: float = 8 * mm


Block = Text | Rule | Gap | Codes | Signature

NBSP = "\u00a0"
"""A space that never breaks a line: «№ 152-ФЗ», a phone number, a date with its time."""

SIGNATURE_LINE = 45 * mm
NAME_LINE = 75 * mm
SLASH = 8 * mm
CAPTION_SIZE = 7.0

CODES_GAP = 3 * mm
BARCODE_HEIGHT = 0.5  # of the QR code's side


@dataclass(frozen=True)
class _CodesPlan:
    side_by_side: bool
    modules: int
    module: float
    height: float


@dataclass(frozen=True)
class Placed:
    """A block with what its measuring found: wrapped lines or the codes' arrangement."""

    block: Block
    height: float
    lines: tuple[str, ...] = ()
    codes: _CodesPlan | None = None


@dataclass(frozen=True)
class Arrangement:
    """A flow measured for one width."""

    width: float
    items: tuple[Placed, ...]

    @property
    def height(self) -> float:
        return sum(item.height for item in self.items)


def _font(block: Text) -> str:
    return BOLD if block.bold else REGULAR


# The same words come back on every ticket (institution, address, the cancel hint).
_word_width = lru_cache(maxsize=4096)(stringWidth)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines at ordinary spaces only (a no-break space holds a phone number
    together; reportlab's ``simpleSplit`` breaks at every kind of space). A word longer than
    the width gets a line of its own."""
    lines: list[str] = []
    space = _word_width(" ", font, size)
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            if not word:
                continue
            word_width = _word_width(word, font, size)
            if line and used + space + word_width > width:
                lines.append(" ".join(line))
                line, used = [], 0.0
            used += word_width + (space if line else 0.0)
            line.append(word)
        lines.append(" ".join(line))
    return lines


def _wrap(block: Text, width: float) -> tuple[str, ...]:
    return tuple(wrap(block.text, _font(block), block.size, width))


def _plan_codes(block: Codes, width: float) -> _CodesPlan:
    caption = block.caption_size * LEADING
    modules = code128_modules(block.data)
    beside = min(MAX_MODULE, (width - block.qr_size - CODES_GAP) / modules)
    if beside >= MIN_MODULE:
        return _CodesPlan(True, modules, beside, block.qr_size + 2 * block.space)
    # Too narrow: the barcode goes under the QR code, as wide as the column allows.
    module = min(MAX_MODULE, width / modules)
    bars = block.qr_size * BARCODE_HEIGHT
    return _CodesPlan(False, modules, module, block.qr_size + bars + caption + 3 * block.space)


def _place(block: Block, width: float) -> Placed:
    if isinstance(block, Text):
        lines = _wrap(block, width)
        return Placed(block, block.space_before + len(lines) * block.size * LEADING, lines)
    if isinstance(block, Rule):
        return Placed(block, 2 * block.space)
    if isinstance(block, Gap):
        return Placed(block, block.height)
    if isinstance(block, Signature):
        return Placed(block, block.space_before + CAPTION_SIZE * LEADING + 2)
    plan = _plan_codes(block, width)
    return Placed(block, plan.height, codes=plan)


def arrange(blocks: Sequence[Block], width: float) -> Arrangement:
    """Measure ``blocks`` for a column ``width`` points wide."""
    return Arrangement(width, tuple(_place(block, width) for block in blocks))


def fit_scale(blocks: Sequence[Block], width: float, height: float) -> tuple[float, Arrangement]:
    """The scale (at most 1) at which the flow fits ``width`` × ``height``, and its arrangement.

    A smaller scale lays the flow out on a wider column (fewer wrapped lines), so one retry
    after the first shrink always fits.
    """
    scale = 1.0
    arrangement = arrange(blocks, width)
    for _ in range(3):
        if arrangement.height * scale <= height:
            break
        scale = height / arrangement.height
        arrangement = arrange(blocks, width / scale)
    return scale, arrangement


def _draw_text(
    canvas: Any, placed: Placed, block: Text, x: float, top: float, width: float
) -> None:
    font = _font(block)
    canvas.setFont(font, block.size)
    baseline = top - block.space_before - BASELINE * block.size
    for line in placed.lines:
        if block.centred:
            line_width = stringWidth(line, font, block.size) + block.char_space * len(line)
            canvas.drawString(
                x + (width - line_width) / 2, baseline, line, charSpace=block.char_space
            )
        else:
            canvas.drawString(x, baseline, line, charSpace=block.char_space)
        baseline -= block.size * LEADING


def _draw_codes(
    canvas: Any, block: Codes, plan: _CodesPlan, x: float, top: float, width: float
) -> None:
    caption = block.caption_size * LEADING
    bars = block.qr_size * BARCODE_HEIGHT
    top -= block.space
    if plan.side_by_side:
        block.qr(canvas, block.data, x, top - block.qr_size, block.qr_size)
        left = x + block.qr_size + CODES_GAP
        region = width - block.qr_size - CODES_GAP
        bars_bottom = top - (block.qr_size - bars + caption) / 2 - bars
    else:
        block.qr(
            canvas, block.data, x + (width - block.qr_size) / 2, top - block.qr_size, block.qr_size
        )
        left, region = x, width
        bars_bottom = top - block.qr_size - block.space - bars
    width_of_bars = plan.modules * plan.module
    draw_code128(
        canvas, block.data, left + (region - width_of_bars) / 2, bars_bottom, plan.module, bars
    )
    canvas.setFont(REGULAR, block.caption_size)
    canvas.drawCentredString(
        left + region / 2, bars_bottom - BASELINE * block.caption_size, block.data
    )


def _draw_signature(canvas: Any, block: Signature, x: float, top: float) -> None:
    line_y = top - block.space_before
    name_x = x + SIGNATURE_LINE + SLASH
    canvas.setLineWidth(0.5)
    canvas.line(x, line_y, x + SIGNATURE_LINE, line_y)
    canvas.line(name_x, line_y, name_x + NAME_LINE, line_y)
    canvas.setFont(REGULAR, block.size)
    canvas.drawCentredString(x + SIGNATURE_LINE + SLASH / 2, line_y + 2, "/")
    if block.name:
        canvas.drawCentredString(name_x + NAME_LINE / 2, line_y + 2.5, block.name)
    canvas.setFont(REGULAR, CAPTION_SIZE)
    caption_y = line_y - 2 - BASELINE * CAPTION_SIZE
    canvas.drawCentredString(x + SIGNATURE_LINE / 2, caption_y, "(подпись)")
    canvas.drawCentredString(name_x + NAME_LINE / 2, caption_y, "(фамилия и инициалы)")


def draw(canvas: Any, arrangement: Arrangement, x: float, top: float) -> None:
    """Draw a measured flow with its top-left corner at (``x``, ``top``)."""
    width = arrangement.width
    for placed in arrangement.items:
        block = placed.block
        if isinstance(block, Text):
            _draw_text(canvas, placed, block, x, top, width)
        elif isinstance(block, Rule):
            canvas.setLineWidth(0.5)
            canvas.line(x, top - block.space, x + width, top - block.space)
        elif isinstance(block, Codes) and placed.codes is not None:
            _draw_codes(canvas, block, placed.codes, x, top, width)
        elif isinstance(block, Signature):
            _draw_signature(canvas, block, x, top)
        top -= placed.height


def draw_fitted(
    canvas: Any, blocks: Sequence[Block], x: float, top: float, width: float, height: float
) -> None:
    """Draw ``blocks`` in the box, shrunk uniformly if they would not fit it."""
    scale, arrangement = fit_scale(blocks, width, height)
    if scale >= 1.0:
        draw(canvas, arrangement, x, top)
        return
    canvas.saveState()
    canvas.translate(x, top)
    canvas.scale(scale, scale)
    draw(canvas, arrangement, 0, 0)
    canvas.restoreState()
