"""No booking without the patient's consent; «Перенести»: a booking moved to another time in one
step at the MIS (``idAppointmentPrev``), against the emulator on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from tests.helpers.booking_desk import (
    connector_for,
    fast_settings,
    hub_bookings,
    register_patient,
)
from tests.services.booking.conftest import Desk
from workstation.models import (
    Appointment,
    AppointmentSource,
    AppointmentState,
    HubIntent,
    Institution,
    IntentStatus,
    Patient,
    Slot,
    SlotState,
)
from workstation.services.booking import (
    BookingInProgress,
    BookingRefused,
    Bookings,
    BookingUnavailable,
    InvalidTransition,
    OutcomeUnknown,
)
from workstation.services.booking.errors import ConsentMissing
from workstation.services.booking.reconcile import reconcile

MOBILE = "+79123456789"


def _two_slots_of_one_doctor(desk: Desk) -> tuple[int, int]:
    """Two free slots of the same doctor (a reschedule within one specialty is the usual case,
    and the one the MIS refuses without ``idAppointmentPrev``)."""
    first = desk.slot()
    with desk.database.session() as session:
        doctor_id = session.get_one(Slot, first).doctor_id
        second = session.scalars(
            select(Slot.id)
            .where(Slot.doctor_id == doctor_id, Slot.state == SlotState.FREE, Slot.id != first)
            .order_by(Slot.start)
            .limit(1)
        ).one()
    return first, second


def _slot_state(desk: Desk, slot_id: int) -> SlotState:
    with desk.database.session() as session:
        return session.get_one(Slot, slot_id).state


def _hub_state(desk: Desk, appointment: Appointment) -> list[AppointmentState]:
    return [
        booking.state
        for booking in hub_bookings(
            desk.emulator, appointment.hub_appointment_id, appointment.hub_patient_id
        )
    ]


def _intents(desk: Desk) -> list[tuple[IntentStatus, str]]:
    with desk.database.session() as session:
        return [
            (status, purpose)
            for status, purpose in session.execute(
                select(HubIntent.status, HubIntent.purpose).order_by(HubIntent.id)
            )
        ]


# --- consent ----------------------------------------------------------------------------------


def test_no_hold_without_the_consent_to_personal_data_processing(desk: Desk) -> None:
    patient = register_patient(desk.database, desk.connector.for_lpu(None), consent=False)
    slot = desk.slot()

    with pytest.raises(ConsentMissing) as refused:
        desk.bookings.hold(slot, patient)

    assert refused.value.message == (
        "Нет согласия пациента на обработку персональных данных: отметьте согласие в "
        "карточке пациента, затем выберите время."
    )
    assert _slot_state(desk, slot) == SlotState.FREE
    with desk.database.session() as session:
        assert session.scalars(select(Appointment)).all() == []


def test_the_consent_recorded_lets_the_same_patient_book(desk: Desk) -> None:
    patient = register_patient(desk.database, desk.connector.for_lpu(None), consent=False)
    with pytest.raises(ConsentMissing):
        desk.bookings.hold(desk.slot(), patient)
    with desk.database.session() as session:
        session.get_one(Patient, patient).consent_given_at = desk.clock.now

    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), patient).appointment_id)
    assert ticket.state == AppointmentState.BOOKED


# --- reschedule -------------------------------------------------------------------------------


def test_a_reschedule_moves_the_booking_in_one_step(desk: Desk) -> None:
    patient = desk.patient()
    first_slot, second_slot = _two_slots_of_one_doctor(desk)
    old = desk.bookings.book(desk.bookings.hold(first_slot, patient).appointment_id)

    # Without naming the booking it replaces, the MIS refuses a second visit to the specialty.
    held = desk.bookings.hold(second_slot, patient)
    with pytest.raises(BookingRefused, match="уже записан"):
        desk.bookings.book(held.appointment_id)

    held = desk.bookings.hold(second_slot, patient)
    new = desk.bookings.book(held.appointment_id, reschedule_of=f" {old.ticket_number} ")

    assert new.state == AppointmentState.BOOKED and new.ticket_number != old.ticket_number
    previous = desk.appointment(old.ticket_number)
    current = desk.appointment(new.ticket_number)
    assert previous.state == AppointmentState.CANCELLED
    assert previous.closed_at == desk.clock.now
    assert _slot_state(desk, first_slot) == SlotState.FREE
    assert _slot_state(desk, second_slot) == SlotState.BOOKED
    assert _hub_state(desk, previous) == [AppointmentState.CANCELLED]
    assert _hub_state(desk, current) == [AppointmentState.BOOKED]
    assert desk.journal()[-1] == (
        f"Перенос записи Талон №{new.ticket_number}, {new.visit_label} "
        f"(вместо Талон №{old.ticket_number}, {old.visit_label})"
    )
    assert _intents(desk)[-1] == (IntentStatus.DONE, f"reschedule:{previous.id}")
    with pytest.raises(InvalidTransition, match="отменён: перенести можно только активный"):
        desk.bookings.book(
            desk.bookings.hold(first_slot, patient).appointment_id,
            reschedule_of=old.ticket_number,
        )


def test_a_reschedule_with_a_phone_waits_for_the_code(desk: Desk) -> None:
    patient = desk.patient(MOBILE)
    first_slot, second_slot = _two_slots_of_one_doctor(desk)
    old = desk.bookings.book(desk.bookings.hold(first_slot, patient).appointment_id)

    new = desk.bookings.book(
        desk.bookings.hold(second_slot, patient).appointment_id,
        phone=MOBILE,
        reschedule_of=old.ticket_number,
    )

    assert new.state == AppointmentState.PENDING_CONFIRMATION
    assert desk.appointment(old.ticket_number).state == AppointmentState.CANCELLED
    assert desk.journal()[-1].startswith(f"Перенос записи Талон №{new.ticket_number}")
    assert desk.journal()[-1].endswith("ожидает подтверждения кодом из СМС")


def test_only_an_active_ticket_of_the_same_patient_and_institution_moves(desk: Desk) -> None:
    patient, stranger = desk.patient(), desk.patient()
    first_slot, second_slot = _two_slots_of_one_doctor(desk)
    theirs = desk.bookings.book(desk.bookings.hold(first_slot, stranger).appointment_id)
    held = desk.bookings.hold(second_slot, patient)

    with pytest.raises(InvalidTransition, match="выдан другому пациенту"):
        desk.bookings.book(held.appointment_id, reschedule_of=theirs.ticket_number)

    with desk.database.session() as session:
        elsewhere = Institution(hub_id=987654, full_name="Другая больница", short_name="Другая")
        session.add(elsewhere)
        session.flush()
        mine = session.get_one(Appointment, held.appointment_id)
        session.add(
            Appointment(
                ticket_number="900000001",
                patient_id=patient,
                institution_id=elsewhere.id,
                doctor_id=mine.doctor_id,
                hub_appointment_id="elsewhere-1",
                visit_start=mine.visit_start,
                state=AppointmentState.BOOKED,
                source=AppointmentSource.REGISTRY,
            )
        )
    with pytest.raises(InvalidTransition, match="в другое учреждение"):
        desk.bookings.book(held.appointment_id, reschedule_of="900000001")

    # Nothing was sent: the hold is still the operator's, the stranger's ticket untouched.
    assert desk.appointment(held.ticket_number).state == AppointmentState.HELD
    assert desk.appointment(theirs.ticket_number).state == AppointmentState.BOOKED
    assert _intents(desk) == [(IntentStatus.DONE, "")]


def test_a_ticket_whose_visit_has_come_is_not_moved(desk: Desk) -> None:
    patient = desk.patient()
    first_slot, second_slot = _two_slots_of_one_doctor(desk)
    old = desk.bookings.book(desk.bookings.hold(first_slot, patient).appointment_id)
    held = desk.bookings.hold(second_slot, patient)
    visit = desk.appointment(old.ticket_number).visit_start
    desk.clock.now = visit.astimezone(dt.UTC) + dt.timedelta(minutes=1)  # (naive = local)
    with desk.database.session() as session:  # keep the hold alive at the later clock
        session.get_one(Appointment, held.appointment_id).hold_expires_at = (
            desk.clock.now + dt.timedelta(minutes=5)
        )
    with pytest.raises(InvalidTransition, match="уже наступило: перенести запись нельзя"):
        desk.bookings.book(held.appointment_id, reschedule_of=old.ticket_number)


def test_the_ticket_being_moved_cannot_be_cancelled_meanwhile(desk: Desk) -> None:
    patient = desk.patient()
    first_slot, second_slot = _two_slots_of_one_doctor(desk)
    old = desk.bookings.book(desk.bookings.hold(first_slot, patient).appointment_id)
    held = desk.bookings.hold(second_slot, patient)
    desk.emulator.faults.set("SetAppointment", "commit_then_drop", times=1)
    desk.emulator.faults.set("GetPatientHistory", "http500")

    with pytest.raises(OutcomeUnknown):
        desk.bookings.book(held.appointment_id, reschedule_of=old.ticket_number)
    with pytest.raises(BookingInProgress):
        desk.bookings.cancel(old.ticket_number)
    assert desk.appointment(old.ticket_number).state == AppointmentState.BOOKED

    # The reconciler learns the outcome and finishes both tickets together.
    desk.emulator.faults.clear()
    report = reconcile(desk.bookings, older_than=dt.timedelta())

    assert report.booked == 1
    assert desk.appointment(held.ticket_number).state == AppointmentState.BOOKED
    previous = desk.appointment(old.ticket_number)
    assert previous.state == AppointmentState.CANCELLED
    assert _hub_state(desk, previous) == [AppointmentState.CANCELLED]
    assert _slot_state(desk, first_slot) == SlotState.FREE
    assert desk.journal()[-1].startswith(f"Перенос записи Талон №{held.ticket_number}")


def test_a_lost_reschedule_the_mis_never_did_keeps_the_old_ticket(desk: Desk) -> None:
    patient = desk.patient()
    first_slot, second_slot = _two_slots_of_one_doctor(desk)
    old = desk.bookings.book(desk.bookings.hold(first_slot, patient).appointment_id)
    held = desk.bookings.hold(second_slot, patient)
    desk.emulator.faults.set("SetAppointment", "drop", times=1)

    with pytest.raises(BookingUnavailable):
        desk.bookings.book(held.appointment_id, reschedule_of=old.ticket_number)

    previous = desk.appointment(old.ticket_number)
    assert previous.state == AppointmentState.BOOKED
    assert _hub_state(desk, previous) == [AppointmentState.BOOKED]
    assert desk.appointment(held.ticket_number).state == AppointmentState.RELEASED
    # The old ticket is free to be cancelled or moved again.
    assert desk.bookings.cancel(old.ticket_number).state == AppointmentState.CANCELLED


def test_a_reschedule_the_mis_committed_too_late_leaves_both_sides_agreeing(desk: Desk) -> None:
    impatient = Bookings(
        desk.database,
        connector_for(desk.emulator, fast_settings(read_timeout=0.5)),
        actor=desk.bookings.actor,
        clock=desk.clock,
    )
    patient = desk.patient()
    first_slot, second_slot = _two_slots_of_one_doctor(desk)
    old = impatient.book(impatient.hold(first_slot, patient).appointment_id)
    held = impatient.hold(second_slot, patient)
    desk.emulator.faults.set("SetAppointment", "latency", latency=1.0, times=1)

    with pytest.raises(BookingUnavailable):
        impatient.book(held.appointment_id, reschedule_of=old.ticket_number)
    new = desk.appointment(held.ticket_number)
    deadline = time.monotonic() + 5
    while _hub_state(desk, new) != [AppointmentState.BOOKED]:
        assert time.monotonic() < deadline, "the emulator never committed the slow reschedule"
        time.sleep(0.05)

    report = reconcile(impatient)

    # The late booking is cancelled at the hub (nobody asked for it any more); the MIS had
    # cancelled the old one in the same step, so the workstation records that too.
    assert report.orphans_cancelled == 1
    assert _hub_state(desk, new) == [AppointmentState.CANCELLED]
    previous = desk.appointment(old.ticket_number)
    assert _hub_state(desk, previous) == [AppointmentState.CANCELLED]
    assert previous.state == AppointmentState.CANCELLED
    assert _slot_state(desk, first_slot) == SlotState.FREE
    assert desk.journal()[-1] == (
        f"Сверка с ЛПУ Талон №{old.ticket_number}: запись отменена ЛПУ при позднем переносе "
        "на другое время"
    )
