"""Reconciliation with the hub: finishing intents whose answer was lost (or whose sender died).

For each intent still pending, the hub is asked (``GetPatientHistory``) and the local record is
finished or rolled back to match it; a cancel the hub has not done yet is sent again. A booking
rolled back after a lost answer is watched for a while longer: if the MIS committed it late, it
is cancelled at the hub so that no ticket exists on one side only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import or_, select, update

from workstation.models import HubIntent, IntentKind, IntentStatus
from workstation.services.booking import journal_text
from workstation.services.booking.errors import BookingError
from workstation.services.booking.service import PURPOSE_ORPHAN, Bookings, Target, booked_at_hub
from workstation.services.hub.errors import HubError
from workstation.services.journal import record

log = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    booked: int = 0  # the hub had the booking: finished locally
    rolled_back: int = 0  # the hub did not: the hold released
    cancelled: int = 0  # a cancel finished (found done at the hub, or sent again)
    orphans_cancelled: int = 0  # late bookings of the MIS cancelled at the hub
    unknown: int = 0  # the hub could not be asked: tried again next time

    @property
    def total(self) -> int:
        return self.booked + self.rolled_back + self.cancelled + self.orphans_cancelled

    def summary(self) -> str:
        return (
            f"записей подтверждено ЛПУ: {self.booked}, откатено: {self.rolled_back}, "
            f"отмен завершено: {self.cancelled}, поздних записей ЛПУ отменено: "
            f"{self.orphans_cancelled}, без ответа ЛПУ: {self.unknown}"
        )


def reconcile(
    bookings: Bookings,
    *,
    older_than: dt.timedelta | None = None,
    own_at_once: bool = False,
) -> ReconcileReport:
    """Reconcile every pending intent older than ``older_than`` (default: the policy's
    ``stale_intent``, so a request still in flight from another workstation is left alone).

    ``own_at_once``: at start-up, this workstation's own intents are reconciled whatever their
    age: the process that sent them is gone, so none of them can still be in flight.
    """
    report = ReconcileReport()
    now = bookings.clock()
    cutoff = now - (bookings.policy.stale_intent if older_than is None else older_than)
    eligible = HubIntent.created_at <= cutoff
    if own_at_once:
        eligible = or_(eligible, HubIntent.workstation == bookings.actor.workstation)
    with bookings.database.session() as session:
        pending = session.scalars(
            select(HubIntent.id)
            .where(HubIntent.status == IntentStatus.PENDING, eligible)
            .order_by(HubIntent.id)
        ).all()
        watched = session.scalars(
            select(HubIntent.id)
            .where(
                HubIntent.status == IntentStatus.ROLLED_BACK,
                HubIntent.kind == IntentKind.BOOK,
                HubIntent.recheck_until.is_not(None),
            )
            .order_by(HubIntent.id)
        ).all()
    for intent_id in pending:
        _reconcile_pending(bookings, intent_id, report)
    for intent_id in watched:
        _recheck_rolled_back(bookings, intent_id, report)
    return report


def _target(bookings: Bookings, intent_id: int) -> tuple[Target, IntentKind]:
    with bookings.database.session() as session:
        intent = session.get_one(HubIntent, intent_id)
        return bookings.target_of(session, intent), intent.kind


def _reconcile_pending(bookings: Bookings, intent_id: int, report: ReconcileReport) -> None:
    target, kind = _target(bookings, intent_id)
    try:
        client = bookings.connector.for_lpu(target.id_lpu)
        at_hub = booked_at_hub(client, target)
    except HubError as error:
        _count_attempt(bookings, intent_id, error)
        report.unknown += 1
        return
    try:
        if kind == IntentKind.BOOK:
            if at_hub:
                bookings.finish_booking(intent_id)
                report.booked += 1
            elif bookings.roll_back_booking(intent_id, "сверка: в ЛПУ записи нет"):
                report.rolled_back += 1
        elif at_hub:  # the cancel has not reached the MIS: send it again
            bookings.send_cancel(target)
            report.cancelled += 1
        else:
            bookings.finish_cancel(intent_id)
            report.cancelled += 1
    except (BookingError, HubError) as error:
        log.warning("reconciliation of intent %d: %s", intent_id, error.message)
        report.unknown += 1


def _count_attempt(bookings: Bookings, intent_id: int, error: HubError) -> None:
    with bookings.database.write_session() as session:
        intent = session.get_one(HubIntent, intent_id)
        intent.attempts += 1
        intent.last_error = f"сверка: {error.message}"


def _recheck_rolled_back(bookings: Bookings, intent_id: int, report: ReconcileReport) -> None:
    now = bookings.clock()
    target, _kind = _target(bookings, intent_id)
    with bookings.database.write_session() as session:
        intent = session.get_one(HubIntent, intent_id)
        seen = intent.recheck_until
        if seen is None:
            return
        if seen <= now:
            intent.recheck_until = None  # the watch is over
            return
    try:
        client = bookings.connector.for_lpu(target.id_lpu)
        late = booked_at_hub(client, target)
    except HubError:
        report.unknown += 1
        return
    if not late:
        return
    with bookings.database.write_session() as session:
        # Claim the watch, so that of several reconcilers only one cancels the late booking.
        result = session.execute(
            update(HubIntent)
            .where(HubIntent.id == intent_id, HubIntent.recheck_until == seen)
            .values(recheck_until=None)
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            return
        intent = session.get_one(HubIntent, intent_id)
        appointment = intent.appointment
        cancel = HubIntent(
            appointment_id=appointment.id,
            kind=IntentKind.CANCEL,
            status=IntentStatus.PENDING,
            purpose=PURPOSE_ORPHAN,
            endpoint_url=intent.endpoint_url,
            operator=bookings.actor.operator,
            workstation=bookings.actor.workstation,
            created_at=now,
        )
        session.add(cancel)
        record(
            session,
            bookings.actor,
            journal_text.reconciled(appointment, "ЛПУ записало пациента после обрыва связи"),
            patient_id=appointment.patient_id,
        )
        session.flush()
        cancel_target = bookings.target_of(session, cancel)
    try:
        bookings.send_cancel(cancel_target)
        report.orphans_cancelled += 1
    except (BookingError, HubError) as error:
        log.warning("late booking of intent %d not cancelled yet: %s", intent_id, error.message)
        report.unknown += 1
