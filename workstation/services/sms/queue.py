"""Putting an SMS in the outbox, in the caller's transaction (sent later by the dispatcher)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from workstation.models import SmsKind, SmsMessage, SmsStatus
from workstation.models.base import utc_now


def enqueue(
    session: Session,
    phone: str,
    text: str,
    kind: SmsKind,
    *,
    appointment_id: int | None = None,
) -> SmsMessage:
    """Queue ``text`` to ``phone`` (E.164); committed with the change that caused it, so a
    booking and its SMS are written together or not at all."""
    message = SmsMessage(
        phone=phone,
        text=text,
        kind=kind,
        status=SmsStatus.QUEUED,
        appointment_id=appointment_id,
        next_attempt_at=utc_now(),
    )
    session.add(message)
    return message
