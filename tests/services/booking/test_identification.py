"""The patient's IdPat at booking: remembered, found with CheckPatient, registered with
AddNewPatient where allowed, and the MIS's refusals (20/21) explained — against the emulator."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest
from sqlalchemy import select

from tests.helpers.booking_desk import LPU
from tests.services.booking.conftest import Desk
from workstation.models import AppointmentState, Institution, Patient, PatientLpuLink
from workstation.services.booking import BookingPolicy, Bookings, PatientNotIdentified
from workstation.services.hub.results import HubPatient

_people = itertools.count(1)


def _local_patient(desk: Desk, surname: str, birthday: dt.date) -> int:
    """A patient of the local registry (with the consent) that no MIS link points to."""
    with desk.database.session() as session:
        patient = Patient(birth_date=birthday, consent_given_at=dt.datetime.now(dt.UTC))
        patient.set_name(surname, "Нина", "Олеговна")
        session.add(patient)
        session.flush()
        return patient.id


def _person() -> tuple[str, dt.date]:
    n = next(_people)
    return f"Новикова{chr(ord('а') + n % 30)}{chr(ord('а') + n // 30 % 30)}", dt.date(
        1961, 1, 1
    ) + dt.timedelta(days=n * 53)


def _link(desk: Desk, patient_id: int) -> str | None:
    with desk.database.session() as session:
        return session.scalar(
            select(PatientLpuLink.hub_patient_id)
            .join(Institution, Institution.id == PatientLpuLink.institution_id)
            .where(PatientLpuLink.patient_id == patient_id, Institution.hub_id == LPU)
        )


def test_a_patient_the_mis_knows_is_found_with_check_patient_and_remembered(desk: Desk) -> None:
    surname, birthday = _person()
    id_pat = desk.connector.for_lpu(LPU).add_new_patient(
        LPU, HubPatient(surname=surname, name="Нина", second_name="Олеговна", birthday=birthday)
    )
    patient_id = _local_patient(desk, surname, birthday)
    held = desk.bookings.hold(desk.slot(), patient_id)
    assert desk.bookings.book(held.appointment_id).state == AppointmentState.BOOKED
    assert _link(desk, patient_id) == id_pat


def test_a_patient_unknown_to_the_mis_is_registered_there_with_add_new_patient(
    desk: Desk,
) -> None:
    surname, birthday = _person()
    patient_id = _local_patient(desk, surname, birthday)
    held = desk.bookings.hold(desk.slot(), patient_id)
    assert desk.bookings.book(held.appointment_id).state == AppointmentState.BOOKED
    id_pat = _link(desk, patient_id)
    assert id_pat
    # The MIS now finds the same patient by CheckPatient.
    found = desk.connector.for_lpu(LPU).check_patient(
        LPU, HubPatient(surname=surname, name="Нина", second_name="Олеговна", birthday=birthday)
    )
    assert found == id_pat


def test_where_registering_is_not_allowed_error_20_is_explained_and_the_hold_kept(
    desk: Desk,
) -> None:
    surname, birthday = _person()
    patient_id = _local_patient(desk, surname, birthday)
    bookings = Bookings(desk.database, desk.connector, actor=desk.bookings.actor,
                        policy=replace(BookingPolicy(), register_unknown_patients=False),
                        clock=desk.clock)
    held = bookings.hold(desk.slot(), patient_id)
    with pytest.raises(PatientNotIdentified) as refused:
        bookings.book(held.appointment_id)
    assert refused.value.message.startswith("Пациент не найден в медицинской организации.")
    assert "введите иные данные пациента" in refused.value.message
    assert _link(desk, patient_id) is None
    # Nothing was sent to book: the slot stays held for the operator to fix the data.
    assert desk.appointment(held.ticket_number).state == AppointmentState.HELD


def test_two_patients_matching_the_data_ask_for_a_document(desk: Desk) -> None:
    surname, birthday = _person()
    # Namesakes born the same day: AddNewPatient refuses the second, so straight into the MIS.
    with desk.emulator.database.session() as session:
        for _ in range(2):
            namesake = Patient(birth_date=birthday)
            namesake.set_name(surname, "Нина", "Олеговна")
            session.add(namesake)
    patient_id = _local_patient(desk, surname, birthday)
    held = desk.bookings.hold(desk.slot(), patient_id)
    with pytest.raises(PatientNotIdentified) as refused:
        desk.bookings.book(held.appointment_id)
    assert refused.value.message.startswith("Найдено несколько пациентов с такими данными.")
    assert "СНИЛС" in refused.value.message
