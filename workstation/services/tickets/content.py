"""What a printed ticket says, taken from an appointment: plain values, nothing to render.

The ticket leaves the registry in the patient's hands, so it holds only what the visit needs:
the fact of seeking care is a medical secret (323-ФЗ ст. 13), and 152-ФЗ ст. 5 forbids excess
data. The patient is named by surname and initials; no policy, СНИЛС, passport, phone or
diagnosis is ever copied here, so no renderer can print them by mistake.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from workstation.models.appointments import Appointment, AppointmentState
from workstation.models.directory import Doctor, Institution
from workstation.services.tickets.contacts import CONTACT_CENTER_PHONE, PORTAL_ADDRESS
from workstation.services.tickets.dates import clock_time, local_moment, long_date

CANCEL_HINT = (
    f"Не сможете прийти — отмените запись: контакт-центр {CONTACT_CENTER_PHONE} "
    f"(звонок бесплатный) или личный кабинет на портале {PORTAL_ADDRESS}."
)

# A reprint of a ticket that is not (or no longer) a booking must say so on its face.
STATUS_NOTES = {
    AppointmentState.HELD: "Запись не завершена — талон недействителен",
    AppointmentState.PENDING_CONFIRMATION: "Запись не подтверждена кодом из СМС",
    AppointmentState.BOOKED: "",
    AppointmentState.CANCELLED: "Запись отменена — талон недействителен",
    AppointmentState.ANNULLED: "Запись аннулирована — талон недействителен",
    AppointmentState.VISITED: "Приём состоялся",
    AppointmentState.NO_SHOW: "Неявка на приём",
    AppointmentState.RELEASED: "Запись не оформлена — талон недействителен",
}


@dataclass(frozen=True)
class TicketContent:
    """Everything one ticket shows, as plain values."""

    ticket_number: str
    institution: str
    address: str
    registry_phone: str
    specialty: str
    doctor: str
    room: str
    visit_start: dt.datetime
    """Naive local wall-clock time of the visit, as the hub gives it."""
    patient: str
    """«Фамилия И. О.» and nothing more."""
    issued_at: dt.datetime
    issued_by: str
    status: str = ""
    """Empty for a valid booking; otherwise what the ticket must warn about."""
    cancel_hint: str = CANCEL_HINT

    @property
    def title(self) -> str:
        """«Талон №100001»."""
        return f"Талон №{self.ticket_number}"

    @property
    def visit_date(self) -> str:
        """«Пятница, 14 августа 2015»."""
        return long_date(self.visit_start.date())

    @property
    def visit_time(self) -> str:
        """«10:30»."""
        return clock_time(self.visit_start)

    @property
    def visit_label(self) -> str:
        """«Пятница, 14 августа 2015, 10:30»."""
        return f"{self.visit_date}, {self.visit_time}"

    @property
    def issued_label(self) -> str:
        """«Выдан: 14.08.2015 09:12. Выдал: Петрова А. А.»."""
        return issued_line(self.issued_at, self.issued_by)


def issued_line(issued_at: dt.datetime, issued_by: str) -> str:
    """«Выдан: 14.08.2015 09:12. Выдал: Петрова А. А.», the foot of every printed document."""
    line = f"Выдан: {local_moment(issued_at)}."
    if issued_by:
        line += f" Выдал: {issued_by}" + ("" if issued_by.endswith(".") else ".")
    return line


def _registry_phone(institution: Institution) -> str:
    # A subdivision (a ФАП, a polyclinic of a hospital) often has no registry of its own.
    if institution.registry_phones:
        return institution.registry_phones
    return institution.parent.registry_phones if institution.parent is not None else ""


def ticket_content(
    appointment: Appointment, *, issued_at: dt.datetime, issued_by: str
) -> TicketContent:
    """The ticket of ``appointment``, issued by ``issued_by`` (who prints it) at ``issued_at``."""
    institution = appointment.institution
    return TicketContent(
        ticket_number=appointment.ticket_number,
        institution=institution.full_name or institution.short_name,
        address=institution.address,
        registry_phone=_registry_phone(institution),
        specialty=appointment.doctor.specialty.name,
        doctor=appointment.doctor.full_name,
        room=appointment.room,
        visit_start=appointment.visit_start,
        patient=appointment.patient.short_name,
        issued_at=issued_at,
        issued_by=issued_by,
        status=STATUS_NOTES[appointment.state],
    )


def load_ticket_content(
    session: Session, ticket_number: str, *, issued_at: dt.datetime, issued_by: str
) -> TicketContent:
    """The ticket numbered ``ticket_number``; raises ``TicketNotFound`` when there is none."""
    statement = (
        select(Appointment)
        .where(Appointment.ticket_number == ticket_number.strip())
        .options(
            joinedload(Appointment.institution).joinedload(Institution.parent),
            joinedload(Appointment.doctor).joinedload(Doctor.specialty),
            joinedload(Appointment.patient),
        )
    )
    appointment = session.scalars(statement).first()
    if appointment is None:
        # Imported here: the booking package pulls in the hub client, which printing needs not.
        from workstation.services.booking.errors import TicketNotFound

        raise TicketNotFound(ticket_number)
    return ticket_content(appointment, issued_at=issued_at, issued_by=issued_by)
