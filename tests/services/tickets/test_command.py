"""``workstation print-ticket``: a ticket of the database saved as a PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.services.tickets.conftest import SNILS, Booked
from tests.services.tickets.pdf_tools import decoded, page_sizes_mm, text
from workstation.cli import main


@pytest.mark.parametrize(("fmt", "width_mm"), [("a6", 105), ("roll80", 80), ("a4", 210)])
def test_print_ticket_saves_the_ticket_as_pdf(
    booked: Booked, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, width_mm: int
) -> None:
    target = tmp_path / f"ticket-{fmt}.pdf"
    code = main(
        [
            "print-ticket",
            "--db",
            booked.database.url,
            "100001",
            "--format",
            fmt,
            "--pdf",
            str(target),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "Талон №100001 сохранён" in capsys.readouterr().out
    data = target.read_bytes()
    assert "Талон №100001" in text(data) and SNILS not in text(data).replace("-", "")
    assert round(page_sizes_mm(data)[0][0]) == width_mm
    assert "100001" in [value for values in decoded(data).values() for value in values]


def test_print_ticket_explains_an_unknown_number_and_a_bad_path(
    booked: Booked, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", booked.database.url]
    assert main(["print-ticket", *db, "999", "--pdf", str(tmp_path / "x.pdf")]) == 1
    assert "Талон №999 не найден" in capsys.readouterr().err
    assert main(["print-ticket", *db, "100001", "--pdf", str(tmp_path / "no" / "x.pdf")]) == 1
    assert "Укажите другой файл" in capsys.readouterr().err
