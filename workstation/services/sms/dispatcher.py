"""Sending the due SMS of the outbox through a gateway, and recording delivery reports.

Several workstations may share one PostgreSQL database and run the dispatcher at the same time.
Each message is therefore *claimed* before it is sent, by a conditional update in its own short
transaction (``WHERE id = :id AND status = 'queued' AND attempts = :seen``): of two dispatchers
that picked the same message only one updates the row, the other skips it. The claim also moves
``next_attempt_at`` forward by a lease, so a message whose dispatcher died mid-send is tried
again later rather than lost. No transaction is open during the HTTP call: a slow operator must
not hold row locks (PostgreSQL) or the write lock (SQLite) that the GUI needs.

The result is recorded with an update guarded the same way, and never read-then-written in one
transaction: on SQLite that upgrade fails at once (``SQLITE_BUSY``) when another writer
committed in between, whatever the busy timeout.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, or_, select, update

from workstation.models import SmsKind, SmsMessage, SmsStatus
from workstation.models.base import utc_now
from workstation.services.database import Database
from workstation.services.sms.gateway import (
    SendResult,
    SmsGateway,
    SmsGatewayError,
    SmsTemporaryError,
)

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

FIRST_RETRY_DELAY = dt.timedelta(seconds=30)
RETRY_GROWTH = 4  # 30 s, 2 min, 8 min, 32 min, ~2 h
MAX_RETRY_DELAY = dt.timedelta(hours=6)
CLAIM_LEASE = dt.timedelta(minutes=5)
"""How long a claimed message is left alone before it counts as abandoned (dispatcher died);
longer than any sensible HTTP timeout, so a slow send is never repeated by another dispatcher."""
DELIVERY_REPORT_WINDOW = dt.timedelta(days=2)
"""Delivery is asked about for this long after sending: a report that has not come by then is
not worth a request every round."""

# A one-time code is a run of digits; dates and times ("12.03 в 10:30") have shorter runs.
_CODE = re.compile(r"[0-9]{4,}")


def retry_delay(attempt: int) -> dt.timedelta:
    """The wait after the ``attempt``-th (1-based) temporary failure."""
    growth: int = RETRY_GROWTH ** min(max(attempt - 1, 0), 10)  # bounded: no overflow
    return min(FIRST_RETRY_DELAY * growth, MAX_RETRY_DELAY)


def redact_code(text: str) -> str:
    """``text`` with the digits of the confirmation code replaced by ``*``."""
    return _CODE.sub(lambda match: "*" * len(match.group()), text)


@dataclass
class DispatchReport:
    """What one ``dispatch_due`` round did."""

    sent: int = 0  # accepted by the operator, delivery not known yet
    delivered: int = 0
    retried: int = 0  # temporary failure, scheduled again
    failed: int = 0  # given up

    def summary(self) -> str:
        return (
            f"отправлено: {self.sent}, доставлено: {self.delivered}, "
            f"отложено до повтора: {self.retried}, не отправлено: {self.failed}"
        )


@dataclass
class PollReport:
    """What one ``poll_delivery`` round learned."""

    delivered: int = 0
    failed: int = 0
    pending: int = 0  # still not known (or the operator could not be asked)

    def summary(self) -> str:
        return (
            f"отчеты о доставке: доставлено {self.delivered}, не доставлено {self.failed}, "
            f"ожидают {self.pending}"
        )


@dataclass(frozen=True)
class _Due:
    id: int
    phone: str
    text: str
    kind: SmsKind
    attempts: int


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


def _due_messages(database: Database, now: dt.datetime, batch: int) -> list[_Due]:
    with database.session() as session:
        rows = session.execute(
            select(
                SmsMessage.id,
                SmsMessage.phone,
                SmsMessage.text,
                SmsMessage.kind,
                SmsMessage.attempts,
            )
            .where(
                SmsMessage.status == SmsStatus.QUEUED,
                or_(SmsMessage.next_attempt_at.is_(None), SmsMessage.next_attempt_at <= now),
            )
            .order_by(SmsMessage.id)
            .limit(batch)
        ).all()
    return [_Due(*row) for row in rows]


def _claim(database: Database, message: _Due, gateway: str, now: dt.datetime) -> bool:
    """Take ``message`` for one attempt; False when another dispatcher took it first."""
    attempt = message.attempts + 1
    with database.session() as session:
        result = session.execute(
            update(SmsMessage)
            .where(
                SmsMessage.id == message.id,
                SmsMessage.status == SmsStatus.QUEUED,
                SmsMessage.attempts == message.attempts,
            )
            .values(
                attempts=attempt,
                gateway=gateway,
                next_attempt_at=now + max(CLAIM_LEASE, retry_delay(attempt)),
            )
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1


def _record(database: Database, message: _Due, attempt: int, values: dict[str, Any]) -> None:
    with database.session() as session:
        result = session.execute(
            update(SmsMessage)
            .where(
                SmsMessage.id == message.id,
                SmsMessage.status == SmsStatus.QUEUED,
                SmsMessage.attempts == attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) != 1:
            # Our lease ran out and another dispatcher took the message over: its result counts.
            log.warning(
                "SMS %d: результат попытки %d не записан, сообщение уже в другой попытке",
                message.id,
                attempt,
            )


def _redacted(gateway: SmsGateway, message: _Due) -> dict[str, Any]:
    """The text update that hides a confirmation code once its message is done with.

    Sent: the patient has the code, a copy here would only be a leak. Given up: this message
    will never carry it to the patient, so the copy is of no use to anyone. The outbox gateway
    keeps it: its table is the patient's copy.
    """
    if gateway.external and message.kind == SmsKind.CONFIRMATION_CODE:
        return {"text": redact_code(message.text)}
    return {}


def _send(gateway: SmsGateway, message: _Due) -> SendResult:
    try:
        return gateway.send(message.id, message.phone, message.text)
    except SmsGatewayError:
        raise
    except Exception as error:
        # A bug in a gateway must not stop the round, nor retry the message for ever: it counts
        # as a temporary failure. Only the type is kept: an exception text may quote the SMS.
        log.error("SMS %d: сбой шлюза %s (%s)", message.id, gateway.name, type(error).__name__)
        raise SmsTemporaryError(
            f"Сбой шлюза {gateway.name} ({type(error).__name__}), повтор позже."
        ) from None


def _send_one(
    database: Database,
    gateway: SmsGateway,
    message: _Due,
    *,
    clock: Clock,
    max_attempts: int,
    report: DispatchReport,
) -> None:
    attempt = message.attempts + 1
    try:
        result = _send(gateway, message)
    except SmsGatewayError as error:
        now = clock()
        if isinstance(error, SmsTemporaryError) and attempt < max_attempts:
            retry_at = now + retry_delay(attempt)
            _record(
                database,
                message,
                attempt,
                {"last_error": error.message, "next_attempt_at": retry_at},
            )
            report.retried += 1
            log.info(
                "SMS %d: попытка %d не удалась, повтор в %s",
                message.id,
                attempt,
                retry_at.isoformat(timespec="seconds"),
            )
            return
        failed: dict[str, Any] = {
            "status": SmsStatus.FAILED,
            "last_error": error.message,
            "next_attempt_at": None,
        }
        _record(database, message, attempt, failed | _redacted(gateway, message))
        report.failed += 1
        log.warning("SMS %d не отправлено (попытка %d): %s", message.id, attempt, error.message)
        return
    now = clock()
    values: dict[str, Any] = {
        "status": result.status,
        "provider_message_id": result.provider_message_id,
        "gateway": gateway.name,
        "last_error": "",
        "next_attempt_at": None,
        "sent_at": now,
    }
    if result.status == SmsStatus.DELIVERED:
        values["delivered_at"] = now
        report.delivered += 1
    else:
        report.sent += 1
    _record(database, message, attempt, values | _redacted(gateway, message))
    log.info("SMS %d: %s через %s", message.id, result.status, gateway.name)


def dispatch_due(
    database: Database,
    gateway: SmsGateway,
    *,
    clock: Clock = utc_now,
    max_attempts: int = 5,
    batch: int = 100,
) -> DispatchReport:
    """Send up to ``batch`` queued messages that are due, oldest first, through ``gateway``.

    A temporary failure is retried after 30 s, 2 min, 8 min, ... until ``max_attempts``
    attempts, then the message is FAILED; a permanent failure fails it at once.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    report = DispatchReport()
    for message in _due_messages(database, clock(), batch):
        if not _claim(database, message, gateway.name, clock()):
            continue
        _send_one(database, gateway, message, clock=clock, max_attempts=max_attempts, report=report)
    return report


def poll_delivery(
    database: Database,
    gateway: SmsGateway,
    *,
    clock: Clock = utc_now,
    batch: int = 100,
) -> PollReport:
    """Ask ``gateway`` about its SENT messages of the last two days and record final statuses.

    Stops at the first temporary error: the next messages would only wait for the same timeout.
    """
    report = PollReport()
    with database.session() as session:
        rows = session.execute(
            select(SmsMessage.id, SmsMessage.provider_message_id)
            .where(
                SmsMessage.status == SmsStatus.SENT,
                SmsMessage.gateway == gateway.name,
                SmsMessage.provider_message_id.is_not(None),
                SmsMessage.sent_at >= clock() - DELIVERY_REPORT_WINDOW,
            )
            .order_by(SmsMessage.id)
            .limit(batch)
        ).all()
        asked = [(message_id, provider_id) for message_id, provider_id in rows if provider_id]
    for index, (message_id, provider_id) in enumerate(asked):
        try:
            status = gateway.delivery_status(provider_id)
        except SmsTemporaryError as error:
            log.warning("Отчеты о доставке SMS не получены: %s", error.message)
            report.pending += len(asked) - index
            break
        except SmsGatewayError as error:
            log.warning("SMS %d: отчет о доставке не получен: %s", message_id, error.message)
            report.pending += 1
            continue
        if status not in (SmsStatus.DELIVERED, SmsStatus.FAILED):
            report.pending += 1
            continue
        _record_delivery(database, message_id, status, clock())
        if status == SmsStatus.DELIVERED:
            report.delivered += 1
        else:
            report.failed += 1
    return report


def _record_delivery(
    database: Database, message_id: int, status: SmsStatus, now: dt.datetime
) -> None:
    values: dict[str, Any] = {"status": status}
    if status == SmsStatus.DELIVERED:
        values["delivered_at"] = now
    else:
        values["last_error"] = "Оператор сообщил, что SMS не доставлено."
    with database.session() as session:
        session.execute(
            update(SmsMessage)
            .where(SmsMessage.id == message_id, SmsMessage.status == SmsStatus.SENT)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    log.info("SMS %d: %s (отчет оператора)", message_id, status)
