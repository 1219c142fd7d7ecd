"""The «ТАЛОНЫ ПАЦИЕНТА» column's data: the patient's tickets by section from the local database,
and past visits from every institution's MIS (``GetPatientHistory``), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from tests.helpers.booking_desk import LPU
from tests.services.booking.conftest import Desk
from workstation.models import (
    Appointment,
    AppointmentSource,
    AppointmentState,
    Doctor,
    Institution,
    PatientLpuLink,
)
from workstation.services.booking.patient_tickets import (
    HUB_VISIT_LABEL,
    PAST_BOOKED_LABEL,
    HubHistory,
    PatientTickets,
    hub_history,
    patient_tickets,
    visits_not_ticketed,
)
from workstation.services.hub.errors import UNAVAILABLE_MESSAGE

MOBILE = "+79123456789"


def _tickets(desk: Desk, patient: int) -> PatientTickets:
    with desk.database.session() as session:
        return patient_tickets(session, patient, desk.clock.now)


def _id_pat(desk: Desk, patient: int) -> str:
    with desk.database.session() as session:
        id_pat = session.scalar(
            select(PatientLpuLink.hub_patient_id).where(PatientLpuLink.patient_id == patient)
        )
    assert id_pat
    return id_pat


def _visit_at_the_mis(desk: Desk, id_pat: str, visit_start: dt.datetime) -> str:
    """A visit the MIS itself recorded (at its own registry): the workstation has no ticket."""
    with desk.emulator.database.session() as session:
        institution = session.scalars(select(Institution).where(Institution.hub_id == LPU)).one()
        link = session.scalars(
            select(PatientLpuLink).where(
                PatientLpuLink.institution_id == institution.id,
                PatientLpuLink.hub_patient_id == id_pat,
            )
        ).one()
        doctor = session.scalars(
            select(Doctor).where(Doctor.institution_id == institution.id).order_by(Doctor.id)
        ).first()
        assert doctor is not None
        hub_slot = f"{doctor.hub_id}-{visit_start:%Y%m%d%H%M}"
        session.add(
            Appointment(
                ticket_number=f"R-{uuid.uuid4().hex[:10]}",
                patient_id=link.patient_id,
                institution_id=institution.id,
                doctor_id=doctor.id,
                hub_appointment_id=hub_slot,
                visit_start=visit_start,
                state=AppointmentState.VISITED,
                source=AppointmentSource.REGISTRY,
            )
        )
        return hub_slot


def test_the_tickets_by_section(desk: Desk) -> None:
    patient, other = desk.patient(MOBILE), desk.patient()
    booked = [
        desk.bookings.book(desk.bookings.hold(desk.slot(), patient).appointment_id)
        for _ in range(2)
    ]
    pending = desk.bookings.book(
        desk.bookings.hold(desk.slot(), patient).appointment_id, phone=MOBILE
    )
    cancelled = desk.bookings.book(desk.bookings.hold(desk.slot(), patient).appointment_id)
    desk.bookings.cancel(cancelled.ticket_number)
    desk.bookings.hold(desk.slot(), patient)  # a hold is not a ticket
    desk.bookings.book(desk.bookings.hold(desk.slot(), other).appointment_id)
    desk.clock.advance(dt.timedelta(minutes=10))

    tickets = _tickets(desk, patient)

    assert [t.ticket_number for t in tickets.active] == [t.ticket_number for t in booked]
    assert tickets.active[0].visit_start <= tickets.active[1].visit_start
    first = tickets.active[0]
    assert (first.state, first.state_label) == (AppointmentState.BOOKED, "активен")
    assert (first.doctor, first.specialty, first.institution) == (
        booked[0].doctor,
        booked[0].specialty,
        booked[0].institution,
    )
    assert first.room == booked[0].room and first.confirm_by is None
    with desk.database.session() as session:
        lpu = session.scalars(select(Institution).where(Institution.hub_id == LPU)).one()
    assert first.institution_id == lpu.id

    (waiting,) = tickets.pending
    assert waiting.ticket_number == pending.ticket_number
    assert waiting.state_label == "ожидает кода из СМС"
    assert waiting.confirm_by == pending.confirm_by
    assert waiting.time_left(desk.clock.now) == dt.timedelta(minutes=50)
    assert waiting.time_left(desk.clock.now + dt.timedelta(hours=2)) == dt.timedelta(0)

    (closed,) = tickets.past
    assert (closed.ticket_number, closed.state_label) == (cancelled.ticket_number, "отменён")


def test_a_booked_ticket_whose_time_has_passed_is_a_past_visit(desk: Desk) -> None:
    patient = desk.patient()
    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), patient).appointment_id)
    desk.clock.now = ticket.visit_start.astimezone(dt.UTC) + dt.timedelta(minutes=1)

    tickets = _tickets(desk, patient)

    assert tickets.active == () and tickets.pending == ()
    (past,) = tickets.past
    assert (past.ticket_number, past.state_label) == (ticket.ticket_number, PAST_BOOKED_LABEL)
    desk.bookings.record_visit(ticket.ticket_number, visited=True)
    assert [t.state_label for t in _tickets(desk, patient).past] == ["приём состоялся"]


def test_a_patient_without_tickets_has_empty_sections(desk: Desk) -> None:
    tickets = _tickets(desk, desk.patient())
    assert (tickets.active, tickets.pending, tickets.past) == ((), (), ())


def test_the_mis_history_brings_the_visits_made_elsewhere(desk: Desk) -> None:
    patient = desk.patient()
    id_pat = _id_pat(desk, patient)
    wall_clock = dt.datetime.now().replace(second=0, microsecond=0)
    older = _visit_at_the_mis(desk, id_pat, wall_clock - dt.timedelta(days=30))
    newer = _visit_at_the_mis(desk, id_pat, wall_clock - dt.timedelta(days=3))
    upcoming = desk.bookings.book(desk.bookings.hold(desk.slot(), patient).appointment_id)

    history = hub_history(desk.connector, desk.database, patient, now=desk.clock.now)

    assert history.unreachable == () and history.asked == 1
    assert [visit.hub_appointment_id for visit in history.visits] == [newer, older]
    visit = history.visits[0]
    assert visit.visit_start == wall_clock - dt.timedelta(days=3)
    assert visit.doctor and visit.specialty and visit.institution == upcoming.institution
    # The upcoming booking is this desk's own ticket, shown among the active ones instead.
    tickets = _tickets(desk, patient)
    assert visits_not_ticketed(tickets, history) == history.visits
    assert HUB_VISIT_LABEL == "по данным ЛПУ"


def test_a_visit_the_desk_has_a_ticket_for_is_not_shown_twice(desk: Desk) -> None:
    patient = desk.patient()
    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), patient).appointment_id)
    desk.clock.now = ticket.visit_start.astimezone(dt.UTC) + dt.timedelta(hours=1)

    history = hub_history(desk.connector, desk.database, patient, now=desk.clock.now)
    tickets = _tickets(desk, patient)

    (visit,) = history.visits
    (past,) = tickets.past
    assert visit.hub_appointment_id == past.hub_appointment_id
    assert visits_not_ticketed(tickets, history) == ()


def test_an_institution_that_does_not_answer_is_reported_not_raised(desk: Desk) -> None:
    patient = desk.patient()
    _visit_at_the_mis(desk, _id_pat(desk, patient), dt.datetime.now() - dt.timedelta(days=1))
    with desk.database.session() as session:
        unknown = Institution(hub_id=987654, full_name="Больница без МИС", short_name="Без МИС")
        session.add(unknown)
        session.flush()
        session.add(
            PatientLpuLink(patient_id=patient, institution_id=unknown.id, hub_patient_id="X-1")
        )

    history = hub_history(desk.connector, desk.database, patient, now=desk.clock.now)

    assert history.asked == 2 and len(history.visits) == 1
    (failed,) = history.unreachable
    assert failed.institution == "Без МИС" and failed.reason

    desk.emulator.faults.set("GetPatientHistory", "http500")
    broken = hub_history(desk.connector, desk.database, patient, now=desk.clock.now)
    assert broken.visits == () and len(broken.unreachable) == 2
    assert {failure.reason for failure in broken.unreachable} == {UNAVAILABLE_MESSAGE}


def test_a_patient_known_to_no_mis_has_no_history_to_ask_for(desk: Desk) -> None:
    history = hub_history(desk.connector, desk.database, 10**9, now=desk.clock.now)
    assert history == HubHistory()
