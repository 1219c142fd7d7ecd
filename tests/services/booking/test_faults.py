"""Every fault of the emulator on a booking or a cancel: a clear message, a journal entry, and
both sides agreeing on what exists (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from sqlalchemy import select

from tests.helpers.booking_desk import (
    HubBooking,
    connector_for,
    connector_for_url,
    fast_settings,
    free_slots,
    hub_bookings,
)
from tests.services.booking.conftest import Desk
from workstation.models import AppointmentState, HubIntent, IntentStatus
from workstation.services.booking import (
    BookingRefused,
    Bookings,
    BookingUnavailable,
    CancelRefused,
    OutcomeUnknown,
)
from workstation.services.booking.reconcile import reconcile
from workstation.services.hub.errors import ERROR_CLASSES, UNAVAILABLE_MESSAGE, UnknownHubError


def _active_at_hub(desk: Desk, hub_slot: str) -> list[HubBooking]:
    return [b for b in hub_bookings(desk.emulator, hub_slot) if b.state == AppointmentState.BOOKED]


def _intents(desk: Desk) -> list[IntentStatus]:
    with desk.database.session() as session:
        return list(session.scalars(select(HubIntent.status).order_by(HubIntent.id)))


@pytest.mark.parametrize("fault", ["drop", "http500", "malformed", "soap_fault"])
def test_a_booking_without_an_answer_is_checked_at_the_hub_and_rolled_back(
    desk: Desk, fault: str
) -> None:
    held = desk.bookings.hold(desk.slot(), desk.patient())
    desk.emulator.faults.set("SetAppointment", fault, times=1)

    with pytest.raises(BookingUnavailable) as unavailable:
        desk.bookings.book(held.appointment_id)

    assert unavailable.value.message == UNAVAILABLE_MESSAGE
    appointment = desk.appointment(held.ticket_number)
    assert appointment.state == AppointmentState.RELEASED
    assert _active_at_hub(desk, appointment.hub_appointment_id) == []
    assert _intents(desk) == [IntentStatus.ROLLED_BACK]
    assert desk.journal()[-1] == f"Отказ в записи (нет связи) {desk.emulator.url}"


def test_a_booking_committed_but_unanswered_is_found_and_finished(desk: Desk) -> None:
    held = desk.bookings.hold(desk.slot(), desk.patient())
    desk.emulator.faults.set("SetAppointment", "commit_then_drop", times=1)

    ticket = desk.bookings.book(held.appointment_id)

    assert ticket.state == AppointmentState.BOOKED
    appointment = desk.appointment(held.ticket_number)
    assert [b.id_pat for b in _active_at_hub(desk, appointment.hub_appointment_id)] == [
        appointment.hub_patient_id
    ]
    assert _intents(desk) == [IntentStatus.DONE]


def test_a_late_commit_after_a_timeout_is_cancelled_at_the_hub(desk: Desk) -> None:
    impatient = Bookings(
        desk.database,
        connector_for(desk.emulator, fast_settings(read_timeout=0.5)),
        actor=desk.bookings.actor,
        clock=desk.clock,
    )
    held = impatient.hold(desk.slot(), desk.patient())
    desk.emulator.faults.set("SetAppointment", "latency", latency=1.0, times=1)

    with pytest.raises(BookingUnavailable):
        impatient.book(held.appointment_id)  # the MIS is still working on it

    appointment = desk.appointment(held.ticket_number)
    deadline = time.monotonic() + 5
    while not _active_at_hub(desk, appointment.hub_appointment_id):
        assert time.monotonic() < deadline, "the emulator never committed the slow booking"
        time.sleep(0.05)
    report = reconcile(impatient)

    assert report.orphans_cancelled == 1
    assert _active_at_hub(desk, appointment.hub_appointment_id) == []
    assert desk.appointment(held.ticket_number).state == AppointmentState.RELEASED
    assert "ЛПУ записало пациента после обрыва связи" in desk.journal()[-2]
    assert "отменена" in desk.journal()[-1]
    assert reconcile(impatient).orphans_cancelled == 0  # once


@pytest.mark.parametrize("fault", ["drop", "commit_then_drop"])
def test_when_the_hub_cannot_be_asked_the_intent_waits_for_the_reconciler(
    desk: Desk, fault: str
) -> None:
    held = desk.bookings.hold(desk.slot(), desk.patient())
    desk.emulator.faults.set("SetAppointment", fault, times=1)
    desk.emulator.faults.set("GetPatientHistory", "http500")

    with pytest.raises(OutcomeUnknown, match="результат записи пока неизвестен"):
        desk.bookings.book(held.appointment_id)
    assert desk.appointment(held.ticket_number).state == AppointmentState.HELD
    assert _intents(desk) == [IntentStatus.PENDING]
    assert reconcile(desk.bookings).total == 0  # too fresh: maybe still in flight elsewhere
    assert reconcile(desk.bookings, older_than=dt.timedelta()).unknown == 1

    desk.emulator.faults.clear()
    report = reconcile(desk.bookings, older_than=dt.timedelta())

    appointment = desk.appointment(held.ticket_number)
    at_hub = _active_at_hub(desk, appointment.hub_appointment_id)
    if fault == "drop":
        assert report.rolled_back == 1 and appointment.state == AppointmentState.RELEASED
        assert at_hub == []
    else:
        assert report.booked == 1 and appointment.state == AppointmentState.BOOKED
        assert [b.id_pat for b in at_hub] == [appointment.hub_patient_id]
    assert _intents(desk)[0] in (IntentStatus.ROLLED_BACK, IntentStatus.DONE)


def test_every_refusal_of_the_mis_is_explained_and_books_nothing(desk: Desk) -> None:
    patient = desk.patient()
    codes = [*sorted(ERROR_CLASSES), 12345]
    slots = free_slots(desk.database, len(codes))  # 38 and 39 grey their slot
    hub_slots = []
    for code, slot in zip(codes, slots, strict=True):
        held = desk.bookings.hold(slot, patient)
        desk.emulator.faults.set("SetAppointment", "refuse", code=code, times=1)
        with pytest.raises(BookingRefused) as refused:
            desk.bookings.book(held.appointment_id)
        expected = ERROR_CLASSES.get(code, UnknownHubError)
        assert type(refused.value.hub_error) is expected
        assert refused.value.message == refused.value.hub_error.message
        assert refused.value.message  # the operator's next step, in Russian
        assert desk.appointment(held.ticket_number).state == AppointmentState.RELEASED
        assert desk.journal()[-1].startswith(f"Отказ в записи Талон №{held.ticket_number}")
        hub_slots.append(desk.appointment(held.ticket_number).hub_appointment_id)
    assert [_active_at_hub(desk, hub_slot) for hub_slot in hub_slots] == [[]] * len(codes)
    assert _intents(desk) == [IntentStatus.REFUSED] * len(codes)


def test_a_cancel_without_an_answer_keeps_the_ticket_when_the_hub_still_has_it(
    desk: Desk,
) -> None:
    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), desk.patient()).appointment_id)
    desk.emulator.faults.set("CreateClaimForRefusal", "drop", times=1)

    with pytest.raises(CancelRefused, match="временно нет связи"):
        desk.bookings.cancel(ticket.ticket_number)

    appointment = desk.appointment(ticket.ticket_number)
    assert appointment.state == AppointmentState.BOOKED
    assert len(_active_at_hub(desk, appointment.hub_appointment_id)) == 1
    assert desk.journal()[-1] == f"Отказ в отмене записи (нет связи) {desk.emulator.url}"
    # A second try goes through.
    assert desk.bookings.cancel(ticket.ticket_number).state == AppointmentState.CANCELLED


def test_a_cancel_done_but_unanswered_is_found_and_finished(desk: Desk) -> None:
    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), desk.patient()).appointment_id)
    desk.emulator.faults.set("CreateClaimForRefusal", "commit_then_drop", times=1)

    assert desk.bookings.cancel(ticket.ticket_number).state == AppointmentState.CANCELLED

    appointment = desk.appointment(ticket.ticket_number)
    assert _active_at_hub(desk, appointment.hub_appointment_id) == []


@pytest.mark.parametrize("code", [75, 99])
def test_a_refused_cancel_leaves_both_sides_as_they_are(desk: Desk, code: int) -> None:
    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), desk.patient()).appointment_id)
    desk.emulator.faults.set("CreateClaimForRefusal", "refuse", code=code, times=1)

    with pytest.raises(CancelRefused) as refused:
        desk.bookings.cancel(ticket.ticket_number)

    # «Not found» while the MIS plainly has it (the fault lies): the hub is asked, not believed.
    first_sentence = ERROR_CLASSES[code].template.split(".")[0]
    assert refused.value.message.startswith(first_sentence)
    appointment = desk.appointment(ticket.ticket_number)
    assert appointment.state == AppointmentState.BOOKED
    assert len(_active_at_hub(desk, appointment.hub_appointment_id)) == 1
    assert desk.journal()[-1].startswith(f"Отказ в отмене посещения Талон №{ticket.ticket_number}")


def test_a_cancel_of_a_booking_the_hub_no_longer_has_is_finished_locally(desk: Desk) -> None:
    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), desk.patient()).appointment_id)
    appointment = desk.appointment(ticket.ticket_number)
    # Cancelled at the MIS itself (e.g. by the registry there): the hub answers 75.
    desk.connector.for_lpu(None).create_claim_for_refusal(
        1003, appointment.hub_patient_id, appointment.hub_appointment_id
    )
    assert desk.bookings.cancel(ticket.ticket_number).state == AppointmentState.CANCELLED


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/HubService.svc"  # nobody listens there any more


def test_a_refused_connection_is_known_not_to_have_booked_anything(desk: Desk) -> None:
    down = _closed_port_url()
    offline = Bookings(
        desk.database,
        connector_for_url(down, desk.emulator.guid),
        actor=desk.bookings.actor,
        clock=desk.clock,
    )
    held = offline.hold(desk.slot(), desk.patient())

    with pytest.raises(BookingUnavailable) as unavailable:
        offline.book(held.appointment_id)

    assert unavailable.value.message == UNAVAILABLE_MESSAGE
    assert desk.appointment(held.ticket_number).state == AppointmentState.RELEASED
    assert _intents(desk) == [IntentStatus.ROLLED_BACK]
    with desk.database.session() as session:
        assert session.scalars(select(HubIntent.recheck_until)).one() is None  # nothing to watch
    assert desk.journal()[-1] == f"Отказ в записи (нет связи) {down}"


def test_a_cancel_that_cannot_connect_keeps_the_ticket(desk: Desk) -> None:
    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), desk.patient()).appointment_id)
    offline = Bookings(
        desk.database,
        connector_for_url(_closed_port_url(), desk.emulator.guid),
        actor=desk.bookings.actor,
        clock=desk.clock,
    )
    with pytest.raises(CancelRefused, match="временно нет связи"):
        offline.cancel(ticket.ticket_number)
    appointment = desk.appointment(ticket.ticket_number)
    assert appointment.state == AppointmentState.BOOKED
    assert len(_active_at_hub(desk, appointment.hub_appointment_id)) == 1
