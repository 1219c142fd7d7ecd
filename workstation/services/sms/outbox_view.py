"""Read queries of the SMS outbox for the operator's «СМС-сообщения» list.

The functions take a session and return frozen dataclasses, never ORM objects, so the results can
cross from the database worker thread to the GUI thread. Phones leave here masked only: the list
never needs the full number, so it never holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workstation.models import SmsKind, SmsMessage, SmsStatus
from workstation.models.identity import InvalidDocument, Phone, mask_middle

DEFAULT_LIMIT = 500
"""How many of the newest messages the list shows."""


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One SMS as the outbox list shows it; the phone is already masked."""

    id: int
    masked_phone: str
    text: str
    kind: SmsKind
    status: SmsStatus
    appointment_id: int | None
    gateway: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    next_attempt_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    """How many messages of the whole outbox are in each state."""

    queued: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        """All messages."""
        return self.queued + self.sent + self.delivered + self.failed


@lru_cache(maxsize=4096)
def mask_phone(phone: str) -> str:
    """``+7 912 ***-**-89`` for a stored E.164 number; a plain middle mask for anything else."""
    try:
        return Phone(phone).masked
    except InvalidDocument:
        # A number the validator no longer accepts must still be listed, and still masked.
        return mask_middle(phone, 3, 2)


def load_outbox(session: Session, limit: int = DEFAULT_LIMIT) -> list[OutboxRow]:
    """The newest ``limit`` messages, newest first (by id: the order they were queued in)."""
    rows = session.execute(
        select(
            SmsMessage.id,
            SmsMessage.phone,
            SmsMessage.text,
            SmsMessage.kind,
            SmsMessage.status,
            SmsMessage.appointment_id,
            SmsMessage.gateway,
            SmsMessage.attempts,
            SmsMessage.last_error,
            SmsMessage.created_at,
            SmsMessage.sent_at,
            SmsMessage.delivered_at,
            SmsMessage.next_attempt_at,
        )
        .order_by(SmsMessage.id.desc())
        .limit(limit)
    )
    return [
        OutboxRow(
            id=row.id,
            masked_phone=mask_phone(row.phone),
            text=row.text,
            kind=row.kind,
            status=row.status,
            appointment_id=row.appointment_id,
            gateway=row.gateway,
            attempts=row.attempts,
            last_error=row.last_error,
            created_at=row.created_at,
            sent_at=row.sent_at,
            delivered_at=row.delivered_at,
            next_attempt_at=row.next_attempt_at,
        )
        for row in rows
    ]


def count_outbox(session: Session) -> OutboxCounts:
    """Messages per status over the whole outbox (not only the listed ones)."""
    counts: dict[SmsStatus, int] = {
        status: count
        for status, count in session.execute(
            select(SmsMessage.status, func.count(SmsMessage.id)).group_by(SmsMessage.status)
        )
    }
    return OutboxCounts(
        queued=counts.get(SmsStatus.QUEUED, 0),
        sent=counts.get(SmsStatus.SENT, 0),
        delivered=counts.get(SmsStatus.DELIVERED, 0),
        failed=counts.get(SmsStatus.FAILED, 0),
    )


@dataclass(frozen=True, slots=True)
class OutboxSnapshot:
    """The listed messages and the counts, read in one transaction."""

    rows: list[OutboxRow]
    counts: OutboxCounts


def load_outbox_snapshot(session: Session, limit: int = DEFAULT_LIMIT) -> OutboxSnapshot:
    """``load_outbox`` and ``count_outbox`` together (one database round trip for the UI)."""
    return OutboxSnapshot(load_outbox(session, limit), count_outbox(session))
