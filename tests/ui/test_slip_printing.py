"""The cabinet-credentials slip and the consent form print through the same Qt path as tickets
(the cabinet-accounts screens call it): paper of the document's size, painted off the GUI thread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pytestqt.qtbot import QtBot

from tests.ui.test_ticket_printing import pdf_printer
from workstation.services.tickets.slips import (
    ConsentForm,
    credentials_slip,
    render_consent_form,
    render_credentials_slip,
)
from workstation.ui.document_printing import Document, DocumentPrinter

NOW = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)


def _slip() -> bytes:
    slip = credentials_slip(
        "112-233-445 95", "Kq7wRt3ZpX", patient="Ёлкин П. С.",
        valid_until=NOW + dt.timedelta(hours=72), issued_at=NOW, issued_by="Петрова А. А.",
    )
    return render_credentials_slip(slip, "a6")


@pytest.mark.parametrize(
    ("render", "width_mm"),
    [(_slip, 105), (lambda: render_consent_form(ConsentForm("Ёлкин Пётр Семёнович", NOW.date())),
                    210)],
    ids=["credentials-slip", "consent-form"],
)
def test_a_slip_prints_on_paper_of_its_own_size(
    qtbot: QtBot, tmp_path: Path, render: object, width_mm: int
) -> None:
    document = Document(render(), "Документ")  # type: ignore[operator]
    output = tmp_path / "printed.pdf"
    printer = DocumentPrinter()
    with qtbot.waitSignal(printer.printed, timeout=20_000):
        printer.print_now(document, pdf_printer(output))
    printer.wait()
    printed = pdfium.PdfDocument(output.read_bytes())
    try:
        width_pt, _height = printed[0].get_size()
        assert round(width_pt / 72 * 25.4) == width_mm
        assert len(printed) == 1
    finally:
        printed.close()
