"""Read queries behind the operator's ticket lists: recent tickets and the event journal.

The functions take a session and return frozen dataclasses, never ORM objects, so the results can
cross from the database worker thread to the GUI thread. A ticket row names the patient by
surname and initials only: a list of tickets never needs a document, so it never holds one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, select
from sqlalchemy.orm import Session, contains_eager

from workstation.models import Appointment, AppointmentState, Doctor, JournalEvent, Patient
from workstation.models.text import normalise_name, prefix_upper_bound
from workstation.services.tickets.dates import long_date

DEFAULT_TICKET_LIMIT = 200
DEFAULT_JOURNAL_LIMIT = 500

STATE_LABELS = {
    AppointmentState.HELD: "удерживается",
    AppointmentState.PENDING_CONFIRMATION: "ожидает кода из СМС",
    AppointmentState.BOOKED: "активен",
    AppointmentState.CANCELLED: "отменён",
    AppointmentState.ANNULLED: "аннулирован",
    AppointmentState.VISITED: "приём состоялся",
    AppointmentState.NO_SHOW: "неявка",
    AppointmentState.RELEASED: "не оформлен",
}
"""A ticket's state as a list shows it."""

# «Талон №100000001», «Талон №z13215428:» — the number ends at a space or punctuation.
_TICKET_IN_ACTION = re.compile(r"Талон\s*№\s*([0-9A-Za-z][0-9A-Za-z_/-]*)")
_NUMBER_PREFIX = re.compile(r"^(?:талон\s*)?№\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One ticket as the «Талоны» list shows it; no documents, the patient by initials."""

    id: int
    ticket_number: str
    state: AppointmentState
    state_label: str
    visit_start: dt.datetime
    """Naive local wall-clock time of the visit, as the hub gives it."""
    visit_label: str
    """«14.08.2015 10:30»."""
    doctor: str
    specialty: str
    institution: str
    patient: str
    """«Фамилия И. О.»."""

    @property
    def visit_long_label(self) -> str:
        """«Пятница, 14 августа 2015, 10:30»."""
        return f"{long_date(self.visit_start.date())}, {self.visit_start:%H:%M}"


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One journal line; ``ticket_number`` is the ticket its action names, if any."""

    id: int
    at: dt.datetime
    operator: str
    workstation_address: str
    action: str
    details: str
    ticket_number: str | None


def ticket_number_in(action: str) -> str | None:
    """The ticket number a journal action names («… Талон №100000001, …»), or None."""
    match = _TICKET_IN_ACTION.search(action)
    return match.group(1) if match else None


def _number_condition(number: str) -> ColumnElement[bool]:
    # The range serves the unique index on every engine; LIKE keeps the match exact where the
    # column's collation is not binary (the range alone is then only close).
    column = Appointment.ticket_number
    return and_(
        column >= number,
        column < prefix_upper_bound(number),
        column.startswith(number, autoescape=True),
    )


def _surname_condition(words: list[str]) -> ColumnElement[bool]:
    surname = normalise_name(words[0])
    condition = and_(
        Patient.last_name_norm >= surname,
        Patient.last_name_norm < prefix_upper_bound(surname),
    )
    if len(words) > 1:  # «Ёлкин П» narrows by the rest of the name
        whole = normalise_name(" ".join(words))
        condition = and_(
            condition,
            Patient.search_name >= whole,
            Patient.search_name < prefix_upper_bound(whole),
        )
    return condition


def recent_tickets(
    session: Session, *, query: str = "", limit: int = DEFAULT_TICKET_LIMIT
) -> list[TicketRow]:
    """The newest tickets, or those matching ``query``, newest first.

    A query with a digit is a ticket number, matched exactly or as a prefix (a barcode scanner
    types the whole number); an exact match comes first. Any other query is the beginning of the
    patient's surname, optionally followed by the beginning of the first name and patronymic.
    """
    statement = (
        select(Appointment)
        .join(Appointment.patient)
        .join(Appointment.doctor)
        .join(Doctor.specialty)
        .join(Appointment.institution)
        .options(
            contains_eager(Appointment.patient),
            contains_eager(Appointment.doctor).contains_eager(Doctor.specialty),
            contains_eager(Appointment.institution),
        )
    )
    text = _NUMBER_PREFIX.sub("", query.strip())
    if any(char.isdigit() for char in text):
        number = "".join(text.split())
        statement = statement.where(_number_condition(number)).order_by(
            case((Appointment.ticket_number == number, 0), else_=1)
        )
    elif text:
        statement = statement.where(_surname_condition(text.split()))
    statement = statement.order_by(Appointment.id.desc()).limit(limit)
    return [
        TicketRow(
            id=appointment.id,
            ticket_number=appointment.ticket_number,
            state=appointment.state,
            state_label=STATE_LABELS[appointment.state],
            visit_start=appointment.visit_start,
            visit_label=appointment.visit_label,
            doctor=appointment.doctor.full_name,
            specialty=appointment.doctor.specialty.name,
            institution=appointment.institution.short_name or appointment.institution.full_name,
            patient=appointment.patient.short_name,
        )
        for appointment in session.scalars(statement)
    ]


def ticket_events(session: Session, limit: int = DEFAULT_JOURNAL_LIMIT) -> list[JournalRow]:
    """The newest ``limit`` journal lines, newest first, each with the ticket it names."""
    rows = session.execute(
        select(
            JournalEvent.id,
            JournalEvent.at,
            JournalEvent.operator,
            JournalEvent.workstation_address,
            JournalEvent.action,
            JournalEvent.details,
        )
        .order_by(JournalEvent.at.desc(), JournalEvent.id.desc())
        .limit(limit)
    )
    return [
        JournalRow(
            id=row.id,
            at=row.at,
            operator=row.operator,
            workstation_address=row.workstation_address,
            action=row.action,
            details=row.details,
            ticket_number=ticket_number_in(row.action),
        )
        for row in rows
    ]
