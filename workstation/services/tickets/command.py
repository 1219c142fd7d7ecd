"""``workstation print-ticket NUMBER [--format a6|roll80|a4] --pdf FILE``: a ticket of the
database as a PDF file (for e-mail, a printer elsewhere, or a reprint)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from workstation.models.base import utc_now
from workstation.services.booking.errors import TicketNotFound
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.tickets.content import load_ticket_content
from workstation.services.tickets.pdf import TicketFormat, render_tickets


def run_print_ticket(
    database_url: str,
    ticket_number: str,
    *,
    fmt: str,
    pdf: Path,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """0 when written; 1 when there is no such ticket or the file cannot be written."""
    out, err = out or sys.stdout, err or sys.stderr
    database = Database(database_url)
    try:
        with database.session() as session:
            content = load_ticket_content(
                session, ticket_number, issued_at=utc_now(), issued_by=Actor.system().operator
            )
    except TicketNotFound as error:
        print(error.message, file=err)
        return 1
    finally:
        database.dispose()
    document = render_tickets([content], TicketFormat(fmt))
    try:
        pdf.write_bytes(document)
    except OSError as error:
        print(
            f"Не удалось записать {pdf}: {error.strerror or error}. Укажите другой файл.",
            file=err,
        )
        return 1
    print(
        f"Талон №{content.ticket_number} сохранён в {pdf} ({len(document) // 1024} КБ).", file=out
    )
    return 0
