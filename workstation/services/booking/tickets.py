"""Ticket numbers and the read-only view of a ticket the services hand out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workstation.models import Appointment, AppointmentState, TicketCounter

SERIES = "ticket"
FIRST_NUMBER = 100000000


def next_ticket_number(session: Session) -> str:
    """The next number of the series, unique across every workstation of the database.

    ``UPDATE … RETURNING`` is atomic on both engines: PostgreSQL row-locks the counter until the
    transaction ends, SQLite takes its write lock. Callers keep that transaction short.
    """
    statement = (
        update(TicketCounter)
        .where(TicketCounter.name == SERIES)
        .values(value=TicketCounter.value + 1)
        .returning(TicketCounter.value)
    )
    value = session.scalar(statement)
    if value is None:  # a database created without the migration's seed row
        try:
            with session.begin_nested():
                session.execute(insert(TicketCounter).values(name=SERIES, value=FIRST_NUMBER))
        except IntegrityError:
            pass  # another workstation inserted it first
        value = session.scalar(statement)
        assert value is not None
    return str(value)


@dataclass(frozen=True)
class TicketView:
    """A ticket as the operator sees it: no documents, the patient by surname and initials."""

    appointment_id: int
    ticket_number: str
    state: AppointmentState
    visit_start: dt.datetime
    institution: str
    doctor: str
    specialty: str
    room: str
    patient: str
    phone_given: bool
    hold_expires_at: dt.datetime | None = None
    confirm_by: dt.datetime | None = None

    @property
    def visit_label(self) -> str:
        return self.visit_start.strftime("%d.%m.%Y %H:%M")


def ticket_view(appointment: Appointment, confirm_by: dt.datetime | None = None) -> TicketView:
    return TicketView(
        appointment_id=appointment.id,
        ticket_number=appointment.ticket_number,
        state=appointment.state,
        visit_start=appointment.visit_start,
        institution=appointment.institution.short_name or appointment.institution.full_name,
        doctor=appointment.doctor.full_name,
        specialty=appointment.doctor.specialty.name,
        room=appointment.room,
        patient=appointment.patient.short_name,
        phone_given=bool(appointment.phone),
        hold_expires_at=appointment.hold_expires_at,
        confirm_by=confirm_by,
    )


def find_ticket(session: Session, ticket_number: str, *, for_update: bool = False) -> Appointment:
    from workstation.services.booking.errors import TicketNotFound

    statement = select(Appointment).where(Appointment.ticket_number == ticket_number.strip())
    if for_update:
        statement = statement.with_for_update()
    appointment = session.scalar(statement)
    if appointment is None:
        raise TicketNotFound(ticket_number)
    return appointment
