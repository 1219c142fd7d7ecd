"""Appointments in a real database (both engines) to print tickets from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from stdnum import luhn

from tests.helpers.sample_data import SampleIds, fill_sample_data
from workstation.models import Appointment, Patient
from workstation.models.appointments import AppointmentSource, AppointmentState
from workstation.services.database import Database

SNILS = "11223344595"
ENP = "860012345678901" + luhn.calc_check_digit("860012345678901")
PASSPORT = "6712345678"
PHONE = "+79227654321"
DOCUMENT_DIGITS = (SNILS, ENP, PASSPORT, PHONE[2:], "112-233-445 95", "67 12 345678")

ISSUED_AT = dt.datetime(2015, 8, 10, 4, 12, tzinfo=dt.UTC)
VISIT = dt.datetime(2015, 8, 14, 10, 30)


@dataclass(frozen=True)
class Booked:
    """The rows the tests print: a booked, a cancelled and a subdivision's ticket."""

    database: Database
    ids: SampleIds
    booked: str = "100001"
    cancelled: str = "100002"
    subdivision: str = "z13215428"


def _appointment(
    number: str, institution: int, doctor: int, patient: int, **fields: object
) -> Appointment:
    values: dict[str, object] = {
        "ticket_number": number,
        "patient_id": patient,
        "institution_id": institution,
        "doctor_id": doctor,
        "hub_appointment_id": f"hub-{number}",
        "visit_start": VISIT,
        "visit_end": VISIT + dt.timedelta(minutes=20),
        "room": "215",
        "state": AppointmentState.BOOKED,
        "source": AppointmentSource.REGISTRY,
        "phone": PHONE,
        "operator": "Петрова",
        "workstation": "reg-01",
        "booked_at": ISSUED_AT,
    }
    values.update(fields)
    return Appointment(**values)


@pytest.fixture
def booked(database: Database) -> Booked:
    """One patient with every document on file, and three of their tickets."""
    ids = fill_sample_data(database)
    with database.session() as session:
        patient = Patient(
            birth_date=dt.date(1961, 3, 9),
            snils=SNILS,
            oms_number=ENP,
            oms_kind="unified",
            passport=PASSPORT,
            phone=PHONE,
            email="elkin@example.ru",
        )
        patient.set_name("Ёлкин", "Пётр", "Семёнович")
        session.add(patient)
        session.flush()
        okb, fap = ids.institutions["okb"], ids.institutions["fap"]
        session.add_all(
            [
                _appointment("100001", okb, ids.doctors["ivanova"], patient.id),
                _appointment(
                    "100002",
                    okb,
                    ids.doctors["sidorov"],
                    patient.id,
                    state=AppointmentState.CANCELLED,
                    hub_appointment_id="hub-c",
                    room="каб. 3",
                ),
                _appointment(
                    "z13215428", fap, ids.doctors["alekseev"], patient.id, room="", phone=None
                ),
            ]
        )
    return Booked(database, ids)
