"""The lifecycle's background job: run every minute in the workstation, or by a scheduler as
``workstation jobs run-once``.

One run releases expired holds, reconciles open intents with the hub, annuls bookings whose SMS
code was not entered within the hour (cancelled at the hub, annulment SMS sent), queues
reminders, and sends the queued SMS.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import exists, select, update

from workstation.models import (
    Appointment,
    AppointmentState,
    BookingConfirmation,
    HubIntent,
    IntentStatus,
    SmsKind,
)
from workstation.services.booking.errors import BookingError
from workstation.services.booking.holds import local_now, release_expired_holds
from workstation.services.booking.reconcile import ReconcileReport, reconcile
from workstation.services.booking.service import PURPOSE_ANNULMENT, Bookings
from workstation.services.hub.errors import HubError
from workstation.services.sms.dispatcher import DispatchReport, dispatch_due, poll_delivery
from workstation.services.sms.gateway import SmsGateway
from workstation.services.sms.queue import enqueue

log = logging.getLogger(__name__)


@dataclass
class JobReport:
    holds_released: int = 0
    annulled: int = 0
    annul_postponed: int = 0
    reminders: int = 0
    reconciled: ReconcileReport = field(default_factory=ReconcileReport)
    sms: DispatchReport | None = None

    def summary(self) -> str:
        parts = [
            f"удержаний снято: {self.holds_released}",
            f"аннулировано: {self.annulled}",
            f"напоминаний: {self.reminders}",
            f"сверка: {self.reconciled.summary()}",
        ]
        if self.annul_postponed:
            parts.append(f"аннулирование отложено (нет связи): {self.annul_postponed}")
        if self.sms is not None:
            parts.append(f"СМС: {self.sms.summary()}")
        return "; ".join(parts)


def annul_unconfirmed(bookings: Bookings, report: JobReport) -> None:
    """Cancel at the hub every booking whose confirmation hour has passed."""
    now = bookings.clock()
    with bookings.database.session() as session:
        tickets = session.scalars(
            select(Appointment.ticket_number)
            .join(BookingConfirmation, BookingConfirmation.appointment_id == Appointment.id)
            .where(
                Appointment.state == AppointmentState.PENDING_CONFIRMATION,
                BookingConfirmation.expires_at <= now,
                ~exists().where(
                    HubIntent.appointment_id == Appointment.id,
                    HubIntent.status == IntentStatus.PENDING,
                ),
            )
            .order_by(BookingConfirmation.expires_at)
        ).all()
    for ticket in tickets:
        try:
            bookings.cancel(ticket, purpose=PURPOSE_ANNULMENT)
            report.annulled += 1
        except (BookingError, HubError) as error:
            log.warning("annulment of ticket postponed: %s", error.message)
            report.annul_postponed += 1


def queue_reminders(bookings: Bookings, report: JobReport) -> None:
    """An SMS reminder once, ``remind_before`` the visit, to bookings with a mobile phone."""
    now = bookings.clock()
    today = local_now(now)
    with bookings.database.write_session() as session:
        due = session.scalars(
            select(Appointment)
            .where(
                Appointment.state == AppointmentState.BOOKED,
                Appointment.phone.is_not(None),
                Appointment.reminder_sent_at.is_(None),
                Appointment.visit_start > today,
                Appointment.visit_start <= today + bookings.policy.remind_before,
            )
            .with_for_update(skip_locked=True)
        ).all()
        for appointment in due:
            claimed = session.execute(
                update(Appointment)
                .where(Appointment.id == appointment.id, Appointment.reminder_sent_at.is_(None))
                .values(reminder_sent_at=now)
                .execution_options(synchronize_session=False)
            )
            if not getattr(claimed, "rowcount", 0) or appointment.phone is None:
                continue
            enqueue(
                session,
                appointment.phone,
                _reminder_text(appointment),
                SmsKind.REMINDER,
                appointment_id=appointment.id,
            )
            report.reminders += 1


def _reminder_text(appointment: Appointment) -> str:
    institution = appointment.institution.short_name or appointment.institution.full_name
    room = f", кабинет {appointment.room}" if appointment.room else ""
    return (
        f"Напоминаем: прием {appointment.visit_label}, {institution}{room}, "
        f"талон №{appointment.ticket_number}. Отменить запись: 8-800-100-86-03."
    )


def run_jobs_once(
    bookings: Bookings,
    gateway: SmsGateway | None = None,
    *,
    reconcile_older_than: dt.timedelta | None = None,
    own_intents_at_once: bool = False,
) -> JobReport:
    """One pass of every lifecycle job; each step survives the failure of the others' hubs."""
    report = JobReport()
    with bookings.database.write_session() as session:
        report.holds_released = release_expired_holds(session, bookings.clock())
    report.reconciled = reconcile(
        bookings, older_than=reconcile_older_than, own_at_once=own_intents_at_once
    )
    annul_unconfirmed(bookings, report)
    queue_reminders(bookings, report)
    if gateway is not None:
        report.sms = dispatch_due(bookings.database, gateway, clock=bookings.clock)
        poll_delivery(bookings.database, gateway, clock=bookings.clock)
    return report
