"""Every HubService operation round trip against the real emulator (demo data) over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest

from workstation.services.hub.client import HubClient
from workstation.services.hub.errors import NoAreaInformation
from workstation.services.hub.results import (
    Booking,
    Clinic,
    HubPatient,
    SpecialistType,
    WaitingListClaim,
)

from .conftest import Demo, Sent, valid_snils


def test_districts_and_institutions(client: HubClient) -> None:
    districts = client.get_district_list()
    assert districts and all(d.name for d in districts)
    clinics = client.get_lpu_list()
    assert clinics and all(isinstance(c, Clinic) and c.id_lpu and c.full_name for c in clinics)
    district = clinics[0].district
    assert district is not None
    in_district = client.get_lpu_list(district)
    assert in_district
    assert {c.district for c in in_district} == {district}
    assert len(in_district) < len(clinics)


def test_institution_card(client: HubClient) -> None:
    clinic = client.get_lpu_list()[0]
    info = client.get_lpu_info(clinic.id_lpu)
    assert info is not None
    assert info.id_lpu == clinic.id_lpu
    assert info.full_name == clinic.full_name
    assert info.address


def test_specialities_doctors_and_schedule(client: HubClient, demo: Demo) -> None:
    specialities = client.get_speciality_list(demo.id_lpu)
    assert any(s.id_speciality == demo.id_speciality and s.name for s in specialities)
    doctors = client.get_doctor_list(demo.id_lpu, demo.id_speciality)
    doctor = next(d for d in doctors if d.id_doc == demo.id_doc)
    assert doctor.name and doctor.count_free_ticket > 0 and doctor.nearest_date is not None

    times = client.get_working_time(demo.id_lpu, demo.id_doc, demo.start, demo.end)
    assert times and all(t.visit_start < t.visit_end for t in times)
    dates = client.get_available_dates(demo.id_lpu, demo.id_doc, demo.start, demo.end)
    assert dates and all(isinstance(d, dt.datetime) for d in dates)
    slots = client.get_available_appointments(demo.id_lpu, demo.id_doc, demo.start, demo.end)
    assert len(slots) == doctor.count_free_ticket
    assert all(s.id_appointment and s.visit_start < s.visit_end for s in slots)
    assert {s.visit_start.date() for s in slots} <= {d.date() for d in dates}


@pytest.mark.parametrize("operation", ["speciality", "doctor", "slots"])
def test_fast_path_equals_zeep_mapping(client: HubClient, demo: Demo, operation: str) -> None:
    def read() -> tuple[object, ...]:
        if operation == "speciality":
            return client.get_speciality_list(demo.id_lpu)
        if operation == "doctor":
            return client.get_doctor_list(demo.id_lpu, demo.id_speciality)
        return client.get_available_appointments(demo.id_lpu, demo.id_doc, demo.start, demo.end)

    fast = read()
    client.fast_bulk = False
    slow = read()
    assert fast and fast == slow


def test_patient_identification(client: HubClient, demo: Demo) -> None:
    id_pat = client.check_patient(demo.id_lpu, demo.patient)
    assert id_pat
    assert client.check_patient(demo.id_lpu, demo.patient) == id_pat
    query = HubPatient(surname=demo.patient.surname, name=demo.patient.name)
    candidates = client.search_top10_patient(demo.id_lpu, query)
    assert 1 <= len(candidates) <= 10
    found = next(c for c in candidates if c.id_pat == id_pat)
    assert found.birthday == demo.patient.birthday
    assert found.surname == demo.patient.surname


def test_new_patient_and_phone(client: HubClient, demo: Demo) -> None:
    patient = HubPatient(
        surname="Тестовый",
        name="Пациент",
        second_name="Коннекторович",
        birthday=dt.date(1990, 5, 17),
        snils=valid_snils(123_456_701),
        cell_phone="+79001234567",
    )
    id_pat = client.add_new_patient(demo.id_lpu, patient, approved_by_tfoms=False)
    assert id_pat
    assert client.check_patient(demo.id_lpu, patient) == id_pat
    client.update_phone(demo.id_lpu, id_pat, home="83467123456", cell="+79007654321")


def test_patients_areas(client: HubClient, demo: Demo) -> None:
    without_areas = 0
    for clinic in client.get_lpu_list():
        id_pat = client.check_patient(clinic.id_lpu, demo.patient)
        try:
            areas = client.get_patients_areas(clinic.id_lpu, id_pat)
        except NoAreaInformation as error:  # institutions without areas answer 41
            assert error.code == 41
            without_areas += 1
            continue
        assert areas and all(a.area for a in areas)
        assert {a.area_type for a in areas} <= {
            "Фельдшерский", "Терапевтический", "ВрачОбщейПрактики", "Комплексный",
            "Акушерский", "Приписной", "Педиатрический", "Фтизиатрический",
        }
        break
    else:
        pytest.fail("no demo institution has areas")


def test_book_history_and_cancel(client: HubClient, demo: Demo, sent: Sent) -> None:
    id_pat = client.check_patient(demo.id_lpu, demo.patient)
    slots = client.get_available_appointments(demo.id_lpu, demo.id_doc, demo.start, demo.end)
    first, second = slots[0], slots[1]

    booking = client.set_appointment(demo.id_lpu, id_pat, first.id_appointment)
    assert booking == Booking(first.id_appointment, booking.specialist_type)
    assert isinstance(booking.specialist_type, SpecialistType)
    left = client.get_available_appointments(demo.id_lpu, demo.id_doc, demo.start, demo.end)
    assert first.id_appointment not in {s.id_appointment for s in left}

    moved = client.set_appointment(
        demo.id_lpu, id_pat, second.id_appointment, id_appointment_prev=first.id_appointment
    )
    assert moved.id_appointment == second.id_appointment

    history = client.get_patient_history(demo.id_lpu, id_pat)
    visit = next(v for v in history.visits if v.id_appointment == second.id_appointment)
    assert visit.visit_start == second.visit_start
    assert visit.doctor is not None and visit.doctor.id_doc == demo.id_doc
    assert visit.speciality is not None and visit.created_by is not None
    assert first.id_appointment in {r.id_appointment for r in history.refusals}

    client.create_claim_for_refusal(demo.id_lpu, id_pat, second.id_appointment)
    history = client.get_patient_history(demo.id_lpu, id_pat)
    assert second.id_appointment in {r.id_appointment for r in history.refusals}
    assert sent.count("SetAppointment") == 2
    assert sent.count("CreateClaimForRefusal") == 1


def test_waiting_list(client: HubClient, demo: Demo) -> None:
    id_pat = client.check_patient(demo.id_lpu, demo.patient)
    claim = client.set_waiting_list(
        demo.id_lpu,
        id_pat,
        claim=WaitingListClaim.NO_CONVENIENT_TIME,
        start=demo.start,
        end=demo.end,
        id_speciality=demo.id_speciality,
        name_pat="Пациент",
        birthday=demo.patient.birthday,
        phone="+79001234567",
    )
    assert len(claim) == 36


def test_requests_are_plain_soap11(client: HubClient, sent: Sent) -> None:
    client.get_district_list()
    (action, body), = sent.calls
    assert action == "GetDistrictList"
    assert b"http://schemas.xmlsoap.org/soap/envelope/" in body
    assert b"addressing" not in body  # no WS-Addressing headers
    assert client._service._binding_options["address"] == client.endpoint.url
