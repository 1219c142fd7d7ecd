"""The booking lifecycle against the LPU emulator over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from tests.helpers.booking_desk import LPU, HubBooking, hub_bookings
from tests.services.booking.conftest import Desk
from workstation.models import (
    Appointment,
    AppointmentState,
    BookingConfirmation,
    HubIntent,
    IntentStatus,
    PatientLpuLink,
    Slot,
    SlotState,
    SmsKind,
)
from workstation.services.booking import (
    BookingError,
    BookingRefused,
    ConfirmationExpired,
    HoldExpired,
    InvalidTransition,
    SlotUnavailable,
    WrongCode,
)
from workstation.services.booking.jobs import run_jobs_once

MOBILE = "+79123456789"


def _code(desk: Desk) -> str:
    (message,) = [m for m in desk.sms() if m.kind == SmsKind.CONFIRMATION_CODE]
    found = re.search(r"Код подтверждения записи на прием: (\d{6})\.", message.text)
    assert found is not None, message.text
    return found.group(1)


def _at_hub(desk: Desk, appointment: Appointment) -> list[HubBooking]:
    """The MIS's bookings of this appointment's slot by this appointment's patient."""
    return hub_bookings(desk.emulator, appointment.hub_appointment_id, appointment.hub_patient_id)


def _slot_state(desk: Desk, slot_id: int) -> SlotState:
    with desk.database.session() as session:
        return session.get_one(Slot, slot_id).state


def test_booking_without_a_phone_issues_the_ticket_at_once(desk: Desk) -> None:
    patient, slot = desk.patient(), desk.slot()
    held = desk.bookings.hold(slot, patient)
    assert held.state == AppointmentState.HELD and _slot_state(desk, slot) == SlotState.HELD

    ticket = desk.bookings.book(held.appointment_id)

    assert ticket.state == AppointmentState.BOOKED
    assert ticket.ticket_number == held.ticket_number and ticket.ticket_number.isdigit()
    appointment = desk.appointment(ticket.ticket_number)
    (at_hub,) = _at_hub(desk, appointment)
    assert at_hub.state == AppointmentState.BOOKED and at_hub.id_pat == appointment.hub_patient_id
    assert _slot_state(desk, slot) == SlotState.BOOKED
    visit = f"{appointment.visit_start:%d.%m.%Y %H:%M}"
    assert desk.journal() == [
        f"Выбор времени приема Талон №{ticket.ticket_number}, {visit}",
        f"Запись на прием Талон №{ticket.ticket_number}, {visit}",
    ]
    assert desk.sms() == []  # «Вариант 2»: no phone, no SMS


def test_a_phone_means_an_sms_code_and_the_ticket_only_after_it(desk: Desk) -> None:
    held = desk.bookings.hold(desk.slot(), desk.patient(MOBILE))
    pending = desk.bookings.book(held.appointment_id, phone="8 (912) 345-67-89")
    assert pending.state == AppointmentState.PENDING_CONFIRMATION
    assert pending.confirm_by == desk.clock.now + dt.timedelta(hours=1)
    (sms,) = desk.sms()
    assert sms.phone == MOBILE and f"Талон №{pending.ticket_number}" in sms.text
    code = _code(desk)
    with desk.database.session() as session:
        stored = session.scalars(select(BookingConfirmation)).one()
        assert code not in stored.code_hash and stored.code_hash.startswith("$argon2id$")

    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(WrongCode) as refused:
        desk.bookings.confirm(pending.ticket_number, wrong)
    assert refused.value.attempts_left == 4
    assert "осталось попыток: 4" in refused.value.message

    confirmed = desk.bookings.confirm(pending.ticket_number, f"{code[:3]} {code[3:]}")
    assert confirmed.state == AppointmentState.BOOKED
    assert desk.bookings.confirm(pending.ticket_number, code).state == AppointmentState.BOOKED
    journal = desk.journal()
    assert journal[0].startswith(f"Выбор времени приема Талон №{pending.ticket_number}")
    assert journal[1].startswith(f"Бронь записи на прием Талон №{pending.ticket_number}")
    assert journal[2:] == [
        f"Неверный код подтверждения Талон №{pending.ticket_number}",
        f"Подтверждение записи на прием Талон №{pending.ticket_number}, {pending.visit_label}",
    ]


def test_too_many_wrong_codes_annul_the_booking_at_the_hub(desk: Desk) -> None:
    held = desk.bookings.hold(desk.slot(), desk.patient(MOBILE))
    pending = desk.bookings.book(held.appointment_id, phone=MOBILE)
    code = _code(desk)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongCode) as refused:
            desk.bookings.confirm(pending.ticket_number, wrong)
        assert refused.value.attempts_left == left
    with pytest.raises(WrongCode) as last:
        desk.bookings.confirm(pending.ticket_number, wrong)
    assert last.value.attempts_left == 0 and "аннулирована" in last.value.message

    appointment = desk.appointment(pending.ticket_number)
    assert appointment.state == AppointmentState.ANNULLED
    (at_hub,) = _at_hub(desk, appointment)
    assert at_hub.state == AppointmentState.CANCELLED
    assert [m.kind for m in desk.sms()] == [SmsKind.CONFIRMATION_CODE, SmsKind.ANNULMENT]
    with pytest.raises(InvalidTransition):  # even the right code is too late now
        desk.bookings.confirm(pending.ticket_number, code)


def test_an_unconfirmed_booking_is_annulled_after_one_hour(desk: Desk) -> None:
    held = desk.bookings.hold(desk.slot(), desk.patient(MOBILE))
    pending = desk.bookings.book(held.appointment_id, phone=MOBILE)
    code = _code(desk)

    desk.clock.advance(dt.timedelta(minutes=59))
    early = run_jobs_once(desk.bookings)
    assert early.annulled == 0
    assert desk.appointment(pending.ticket_number).state == AppointmentState.PENDING_CONFIRMATION

    desk.clock.advance(dt.timedelta(minutes=1, seconds=1))
    report = run_jobs_once(desk.bookings)

    assert report.annulled == 1
    appointment = desk.appointment(pending.ticket_number)
    assert appointment.state == AppointmentState.ANNULLED
    (at_hub,) = _at_hub(desk, appointment)
    assert at_hub.state == AppointmentState.CANCELLED
    annulment = desk.sms()[-1]
    assert annulment.kind == SmsKind.ANNULMENT and annulment.phone == MOBILE
    assert "аннулирована" in annulment.text and pending.ticket_number in annulment.text
    assert desk.journal()[-1] == (
        f"Аннулирование записи Талон №{pending.ticket_number}, {pending.visit_label} "
        "(не подтверждена)"
    )
    with pytest.raises(InvalidTransition):
        desk.bookings.confirm(pending.ticket_number, code)
    assert run_jobs_once(desk.bookings).annulled == 0  # once only


def test_a_code_entered_after_the_hour_annuls_at_once(desk: Desk) -> None:
    held = desk.bookings.hold(desk.slot(), desk.patient(MOBILE))
    pending = desk.bookings.book(held.appointment_id, phone=MOBILE)
    code = _code(desk)
    desk.clock.advance(dt.timedelta(hours=1, seconds=1))
    with pytest.raises(ConfirmationExpired):
        desk.bookings.confirm(pending.ticket_number, code)
    assert desk.appointment(pending.ticket_number).state == AppointmentState.ANNULLED


def test_cancel_frees_the_slot_on_both_sides(desk: Desk) -> None:
    slot = desk.slot()
    ticket = desk.bookings.book(desk.bookings.hold(slot, desk.patient()).appointment_id)

    cancelled = desk.bookings.cancel(ticket.ticket_number)

    assert cancelled.state == AppointmentState.CANCELLED
    appointment = desk.appointment(ticket.ticket_number)
    (at_hub,) = _at_hub(desk, appointment)
    assert at_hub.state == AppointmentState.CANCELLED
    assert _slot_state(desk, slot) == SlotState.FREE
    assert desk.journal()[-1] == (
        f"Отмена посещения Талон №{ticket.ticket_number}, {ticket.visit_label}"
    )
    with pytest.raises(InvalidTransition, match="отменён"):
        desk.bookings.cancel(ticket.ticket_number)
    # The freed slot can be booked again, by someone else.
    again = desk.bookings.book(desk.bookings.hold(slot, desk.patient()).appointment_id)
    assert again.state == AppointmentState.BOOKED


def test_a_slot_held_by_one_operator_is_not_offered_to_another(desk: Desk) -> None:
    slot = desk.slot()
    desk.bookings.hold(slot, desk.patient())
    with pytest.raises(SlotUnavailable) as taken:
        desk.bookings.hold(slot, desk.patient())
    assert "другим оператором" in taken.value.message or "занято" in taken.value.message
    assert len(taken.value.alternatives) == 3
    assert slot not in {offer.slot_id for offer in taken.value.alternatives}


def test_an_expired_hold_is_released_and_cannot_be_booked(desk: Desk) -> None:
    slot = desk.slot()
    held = desk.bookings.hold(slot, desk.patient())
    desk.clock.advance(dt.timedelta(minutes=5, seconds=1))
    with pytest.raises(HoldExpired):
        desk.bookings.book(held.appointment_id)
    assert _slot_state(desk, slot) == SlotState.FREE
    hub_slot = desk.appointment(held.ticket_number).hub_appointment_id
    assert AppointmentState.BOOKED not in {b.state for b in hub_bookings(desk.emulator, hub_slot)}
    # Another operator may take it now; an expired hold no one touched is released by the job.
    other = desk.bookings.hold(slot, desk.patient())
    desk.clock.advance(dt.timedelta(minutes=6))
    assert run_jobs_once(desk.bookings).holds_released == 1
    assert desk.appointment(other.ticket_number).state == AppointmentState.RELEASED


def test_a_slot_taken_at_the_hub_is_greyed_and_alternatives_offered(desk: Desk) -> None:
    slot = desk.slot()
    rival = desk.patient()
    with desk.database.session() as session:
        hub_slot = session.get_one(Slot, slot).hub_id
        rival_patient = session.scalars(
            select(PatientLpuLink.hub_patient_id).where(PatientLpuLink.patient_id == rival)
        ).one()
    # Booked by another contact center: not in our cache.
    desk.connector.for_lpu(LPU).set_appointment(LPU, rival_patient, hub_slot)

    held = desk.bookings.hold(slot, desk.patient())
    with pytest.raises(BookingRefused) as refused:
        desk.bookings.book(held.appointment_id)

    assert refused.value.hub_error.code == 39
    assert refused.value.message == "Выбранное время уже занято. Запишитесь на другое время."
    assert len(refused.value.alternatives) == 3
    assert _slot_state(desk, slot) == SlotState.TAKEN
    assert desk.appointment(held.ticket_number).state == AppointmentState.RELEASED
    active = [
        b for b in hub_bookings(desk.emulator, hub_slot) if b.state == AppointmentState.BOOKED
    ]
    assert [b.id_pat for b in active] == [rival_patient]
    assert desk.journal()[-1].startswith(f"Отказ в записи Талон №{held.ticket_number}")


def test_visit_outcome_is_recorded_after_the_visit_time_only(desk: Desk) -> None:
    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), desk.patient()).appointment_id)
    with pytest.raises(InvalidTransition, match="ещё не наступило"):
        desk.bookings.record_visit(ticket.ticket_number, visited=True)
    desk.clock.now = ticket.visit_start.astimezone(dt.UTC) + dt.timedelta(minutes=20)
    assert (
        desk.bookings.record_visit(ticket.ticket_number, visited=False).state
        == AppointmentState.NO_SHOW
    )
    assert desk.journal()[-1].startswith(f"Неявка на прием Талон №{ticket.ticket_number}")


def test_ticket_numbers_are_unique_and_every_booking_is_journaled(desk: Desk) -> None:
    slots = [desk.slot(i) for i in range(5)]
    tickets = [
        desk.bookings.book(desk.bookings.hold(s, desk.patient()).appointment_id) for s in slots
    ]
    numbers = [t.ticket_number for t in tickets]
    assert len(set(numbers)) == 5 and numbers == sorted(numbers, key=int)
    assert [int(n) for n in numbers] == list(range(int(numbers[0]), int(numbers[0]) + 5))
    with desk.database.session() as session:
        assert session.scalars(select(HubIntent.status)).all() == [IntentStatus.DONE] * 5
    journal = desk.journal()
    assert len(journal) == 10  # each: the time chosen (held), then booked
    assert [line.split(" Талон")[0] for line in journal] == [
        "Выбор времени приема", "Запись на прием"
    ] * 5


def test_a_bad_phone_is_refused_before_anything_is_sent(desk: Desk) -> None:
    held = desk.bookings.hold(desk.slot(), desk.patient())
    with pytest.raises(BookingError, match="мобильн"):
        desk.bookings.book(held.appointment_id, phone="8 (3467) 32-12-34")  # a landline
    with pytest.raises(BookingError, match="Номер мобильного телефона"):
        desk.bookings.book(held.appointment_id, phone="12345")
    with desk.database.session() as session:
        assert session.scalars(select(HubIntent)).all() == []
    assert desk.bookings.book(held.appointment_id).state == AppointmentState.BOOKED


def test_a_reminder_goes_once_the_day_before_the_visit(desk: Desk) -> None:
    held = desk.bookings.hold(desk.slot(), desk.patient(MOBILE))
    pending = desk.bookings.book(held.appointment_id, phone=MOBILE)
    desk.bookings.confirm(pending.ticket_number, _code(desk))
    visit = pending.visit_start.astimezone(dt.UTC)  # the slot's wall clock, as an instant

    desk.clock.now = visit - dt.timedelta(hours=25)
    assert run_jobs_once(desk.bookings).reminders == 0  # too early
    desk.clock.now = visit - dt.timedelta(hours=3)
    assert run_jobs_once(desk.bookings).reminders == 1
    assert run_jobs_once(desk.bookings).reminders == 0  # once only

    reminder = desk.sms()[-1]
    assert reminder.kind == SmsKind.REMINDER and reminder.phone == MOBILE
    assert pending.ticket_number in reminder.text and pending.visit_label in reminder.text
