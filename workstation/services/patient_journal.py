"""«Журнал событий» of the personal cabinet: one patient's journal lines, a page at a time.

The manual's columns: «Дата», «IP-адрес», «Действие»; newest first. Who did it (the operator's
name) is not shown to the patient, and the details column stays in the operators' journal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workstation.models import JournalEvent

__all__ = ["DEFAULT_PAGE_SIZE", "JournalPage", "JournalRow", "journal_page", "shown_address"]

DEFAULT_PAGE_SIZE = 20

# «desk-3 (10.0.0.3)»: the journal stores the host and, when it resolves, its address.
_HOST_AND_ADDRESS = re.compile(r"^.*\(([^()]+)\)\s*$")


def shown_address(workstation_address: str) -> str:
    """The «IP-адрес» column: the address in brackets when there is one, else the host name."""
    match = _HOST_AND_ADDRESS.match(workstation_address)
    return match.group(1).strip() if match else workstation_address.strip()


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One line of the patient's journal."""

    at: dt.datetime
    """When, UTC."""
    address: str
    """Where from («IP-адрес»)."""
    action: str
    """What («Запись на прием Талон №21752, 14.08.2015 10:30»)."""

    @property
    def at_label(self) -> str:
        """«10.08.2015 17:46:07» in this computer's local time."""
        return self.at.astimezone().strftime("%d.%m.%Y %H:%M:%S")


@dataclass(frozen=True, slots=True)
class JournalPage:
    """A page of the journal: ``page`` of ``pages`` (1-based), ``total`` lines in all."""

    rows: tuple[JournalRow, ...]
    page: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def journal_page(
    session: Session, patient_id: int, page: int, page_size: int = DEFAULT_PAGE_SIZE
) -> JournalPage:
    """Page ``page`` (1-based; clamped to the pages there are) of the patient's journal lines,
    newest first. An empty journal has one empty page."""
    if page_size < 1:
        raise ValueError("page_size must be positive")
    total = session.scalar(
        select(func.count()).select_from(JournalEvent).where(JournalEvent.patient_id == patient_id)
    ) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = session.execute(
        select(JournalEvent.at, JournalEvent.workstation_address, JournalEvent.action)
        .where(JournalEvent.patient_id == patient_id)
        .order_by(JournalEvent.at.desc(), JournalEvent.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return JournalPage(
        rows=tuple(JournalRow(at, shown_address(address), action) for at, address, action in rows),
        page=page,
        pages=pages,
        total=total,
    )
