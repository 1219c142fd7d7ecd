"""One patient's tickets as the booking screen's «ТАЛОНЫ ПАЦИЕНТА» column shows them.

``patient_tickets`` reads the local database (quick: the database worker): the active tickets,
those waiting for the SMS code, and the past ones. ``hub_history`` asks each institution's MIS
where the patient is known (``GetPatientHistory``) for the visits made elsewhere — at the
institution's own registry, on the portal — and is slow: a network call per institution, run
off the GUI thread and only when the operator asks for it. An institution that does not answer
is reported with the others' visits, never raised, so one broken MIS does not hide the rest.

The results are frozen dataclasses, never ORM objects: they cross to the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from workstation.models import (
    Appointment,
    AppointmentState,
    BookingConfirmation,
    Doctor,
    Institution,
    PatientLpuLink,
)
from workstation.models.base import utc_now
from workstation.services.booking.holds import local_now
from workstation.services.booking.tickets import TicketView
from workstation.services.database import Database
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.errors import HubError
from workstation.services.tickets.listing import STATE_LABELS

PAST_LIMIT = 100
"""Past tickets read at most (the newest): a long-time patient's whole history is not needed to
book the next visit."""

PAST_BOOKED_LABEL = "время приёма прошло"
"""A booked ticket whose time has passed and whose visit nobody has marked yet."""

HUB_VISIT_LABEL = "по данным ЛПУ"
"""A visit only the institution's MIS knows of (no ticket of this workstation)."""

_PAST_STATES = (
    AppointmentState.CANCELLED,
    AppointmentState.ANNULLED,
    AppointmentState.VISITED,
    AppointmentState.NO_SHOW,
)


@dataclass(frozen=True, slots=True)
class PatientTicket:
    """A ticket of the patient; the visit time is the institution's naive local wall clock."""

    id: int
    """The appointment's database id."""
    ticket_number: str
    state: AppointmentState
    state_label: str
    visit_start: dt.datetime
    doctor: str
    specialty: str
    institution: str
    institution_id: int
    room: str
    hub_appointment_id: str
    patient: str
    """«Фамилия И. О.»."""
    phone_given: bool
    confirm_by: dt.datetime | None = None
    """Until when the SMS code is accepted (UTC; tickets waiting for confirmation only)."""

    def view(self) -> TicketView:
        """The ticket as the booking dialogs take it (the code dialog of a waiting ticket)."""
        return TicketView(
            appointment_id=self.id,
            ticket_number=self.ticket_number,
            state=self.state,
            visit_start=self.visit_start,
            institution=self.institution,
            doctor=self.doctor,
            specialty=self.specialty,
            room=self.room,
            patient=self.patient,
            phone_given=self.phone_given,
            confirm_by=self.confirm_by,
        )

    @property
    def visit_label(self) -> str:
        """«14.08.2015 10:30»."""
        return self.visit_start.strftime("%d.%m.%Y %H:%M")

    def time_left(self, now: dt.datetime) -> dt.timedelta | None:
        """How long the SMS code is still accepted (never negative); None when not waiting."""
        if self.confirm_by is None:
            return None
        return max(self.confirm_by - now, dt.timedelta(0))


@dataclass(frozen=True, slots=True)
class PatientTickets:
    """The patient's tickets by section, each in the order the operator reads it."""

    active: tuple[PatientTicket, ...] = ()
    """Booked, the visit still ahead; nearest first."""
    pending: tuple[PatientTicket, ...] = ()
    """Waiting for the SMS code; the first to expire first."""
    past: tuple[PatientTicket, ...] = ()
    """Closed (visited, cancelled, annulled, no-show) or whose time has passed; newest first."""


@dataclass(frozen=True, slots=True)
class HubVisit:
    """A visit in an institution's MIS (``GetPatientHistory``), possibly made elsewhere."""

    institution_id: int
    institution: str
    hub_appointment_id: str
    visit_start: dt.datetime
    doctor: str
    specialty: str

    @property
    def visit_label(self) -> str:
        return self.visit_start.strftime("%d.%m.%Y %H:%M")


@dataclass(frozen=True, slots=True)
class UnreachableInstitution:
    """An institution whose MIS could not tell the patient's history; ``reason`` is for the
    operator."""

    institution_id: int
    institution: str
    reason: str


@dataclass(frozen=True, slots=True)
class HubHistory:
    """Past visits from the MIS of every institution where the patient has an ``IdPat``."""

    visits: tuple[HubVisit, ...] = ()
    """Newest first."""
    unreachable: tuple[UnreachableInstitution, ...] = ()
    asked: int = 0
    """How many institutions were asked (answered or not)."""


def _institution_name(institution: Institution) -> str:
    return institution.short_name or institution.full_name


def _ticket(appointment: Appointment, confirm_by: dt.datetime | None, label: str) -> PatientTicket:
    return PatientTicket(
        id=appointment.id,
        ticket_number=appointment.ticket_number,
        state=appointment.state,
        state_label=label,
        visit_start=appointment.visit_start,
        doctor=appointment.doctor.full_name,
        specialty=appointment.doctor.specialty.name,
        institution=_institution_name(appointment.institution),
        institution_id=appointment.institution_id,
        room=appointment.room,
        hub_appointment_id=appointment.hub_appointment_id,
        patient=appointment.patient.short_name,
        phone_given=bool(appointment.phone),
        confirm_by=confirm_by,
    )


def patient_tickets(session: Session, patient_id: int, now: dt.datetime) -> PatientTickets:
    """The tickets of patient ``patient_id`` at the UTC instant ``now``.

    Holds and released holds are not tickets: a hold is the operator's choice in progress (the
    booking screen shows it itself), a released one never became a booking.
    """
    wall_clock = local_now(now)
    base = (
        select(Appointment, BookingConfirmation.expires_at)
        .join(Appointment.doctor)
        .join(Doctor.specialty)
        .join(Appointment.institution)
        .join(Appointment.patient)
        .outerjoin(BookingConfirmation, BookingConfirmation.appointment_id == Appointment.id)
        .options(
            contains_eager(Appointment.doctor).contains_eager(Doctor.specialty),
            contains_eager(Appointment.institution),
            contains_eager(Appointment.patient),
        )
        .where(Appointment.patient_id == patient_id)
    )
    current = session.execute(
        base.where(
            Appointment.state.in_(
                (AppointmentState.BOOKED, AppointmentState.PENDING_CONFIRMATION)
            )
        ).order_by(Appointment.visit_start, Appointment.id)
    ).all()
    active: list[PatientTicket] = []
    pending: list[PatientTicket] = []
    past: list[PatientTicket] = []
    for appointment, expires_at in current:
        if appointment.state == AppointmentState.PENDING_CONFIRMATION:
            # Even past its deadline: it stays here until the annulment job closes it.
            pending.append(_ticket(appointment, expires_at, STATE_LABELS[appointment.state]))
        elif appointment.visit_start > wall_clock:
            active.append(_ticket(appointment, None, STATE_LABELS[appointment.state]))
        else:
            past.append(_ticket(appointment, None, PAST_BOOKED_LABEL))
    closed = session.execute(
        base.where(Appointment.state.in_(_PAST_STATES))
        .order_by(Appointment.visit_start.desc(), Appointment.id.desc())
        .limit(PAST_LIMIT)
    ).all()
    past.extend(
        _ticket(appointment, None, STATE_LABELS[appointment.state]) for appointment, _ in closed
    )
    pending.sort(key=lambda ticket: (ticket.confirm_by or now, ticket.id))
    past.sort(key=lambda ticket: (ticket.visit_start, ticket.id), reverse=True)
    return PatientTickets(tuple(active), tuple(pending), tuple(past[:PAST_LIMIT]))


@dataclass(frozen=True, slots=True)
class _Asked:
    institution_id: int
    institution: str
    hub_id: int
    id_pat: str


def hub_history(
    connector: HubConnector,
    database: Database,
    patient_id: int,
    *,
    now: dt.datetime | None = None,
) -> HubHistory:
    """Past visits (before ``now``, UTC) of the patient in every institution that knows the
    patient's ``IdPat``, newest first. Makes one network call per institution: run it off the
    GUI thread. The database is read once, before the calls, so no transaction waits on the
    network."""
    wall_clock = local_now(now or utc_now())
    with database.session() as session:
        rows = session.execute(
            select(Institution, PatientLpuLink.hub_patient_id)
            .join(PatientLpuLink, PatientLpuLink.institution_id == Institution.id)
            .where(PatientLpuLink.patient_id == patient_id, PatientLpuLink.hub_patient_id != "")
            .order_by(Institution.short_name, Institution.id)
        ).all()
        asked = [
            _Asked(institution.id, _institution_name(institution), institution.hub_id, id_pat)
            for institution, id_pat in rows
        ]
    visits: list[HubVisit] = []
    unreachable: list[UnreachableInstitution] = []
    for place in asked:
        try:
            history = connector.for_lpu(place.hub_id).get_patient_history(
                place.hub_id, place.id_pat
            )
        except HubError as error:
            unreachable.append(
                UnreachableInstitution(place.institution_id, place.institution, error.message)
            )
            continue
        for visit in history.visits:
            if visit.visit_start is None or visit.visit_start >= wall_clock:
                continue  # an upcoming visit: the local tickets show what this desk booked
            visits.append(
                HubVisit(
                    institution_id=place.institution_id,
                    institution=place.institution,
                    hub_appointment_id=visit.id_appointment or "",
                    visit_start=visit.visit_start,
                    doctor=visit.doctor.name if visit.doctor is not None else "",
                    specialty=visit.speciality.name if visit.speciality is not None else "",
                )
            )
    visits.sort(key=lambda visit: visit.visit_start, reverse=True)
    return HubHistory(tuple(visits), tuple(unreachable), len(asked))


def visits_not_ticketed(tickets: PatientTickets, history: HubHistory) -> tuple[HubVisit, ...]:
    """The MIS's visits that no local ticket of the patient already shows (the same slot of
    the same institution), newest first."""
    known = {
        (ticket.institution_id, ticket.hub_appointment_id)
        for ticket in (*tickets.active, *tickets.pending, *tickets.past)
    }
    return tuple(
        visit
        for visit in history.visits
        if (visit.institution_id, visit.hub_appointment_id) not in known
    )
