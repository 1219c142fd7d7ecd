"""Business rules of the emulator through real HTTP and a plain zeep client."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import zeep
from sqlalchemy import select

from tests.services.emulator.helpers import (
    BINDING,
    LPU,
    doctor_with_free_slots,
    errors,
    id_pat,
    institution_with_areas,
    people,
    tomorrow,
)
from workstation.models import Appointment, AppointmentState, Patient
from workstation.services.emulator import EmulatorServer
from workstation.services.resources import resource_path


def test_directory_operations(server: EmulatorServer, service: Any) -> None:
    guid = server.guid
    districts = service.GetDistrictList(guid=guid).Districts.District
    assert len({d.IdDistrict for d in districts}) == len(districts) > 10
    surgut = next(d for d in districts if d.DistrictName == "городской округ Сургут")
    clinics = service.GetLPUList(idDistrict=surgut.IdDistrict, guid=guid).ListLPU.Clinic
    assert LPU in {c.IdLPU for c in clinics}
    assert {c.District for c in clinics} == {surgut.IdDistrict}
    everything = service.GetLPUList(idDistrict=None, guid=guid).ListLPU.Clinic
    assert len(everything) > len(clinics)
    info = service.GetLPUInfo(idLpu=LPU, guid=guid).LpuCollection.LpuInfo
    assert [i.Id for i in info] == [LPU] and info[0].DistrictId == surgut.IdDistrict

    _spec, doc, slots = doctor_with_free_slots(service, guid)
    first = slots[0]
    assert first.VisitStart.date() > dt.date.today() and first.VisitEnd > first.VisitStart
    assert 15 <= (first.VisitEnd - first.VisitStart).total_seconds() / 60 <= 30
    assert first.Room
    dates = service.GetAvailableDates(
        idDoc=doc,
        idLpu=LPU,
        visitStart=tomorrow(),
        visitEnd=tomorrow() + dt.timedelta(days=20),
        guid=guid,
    ).AvailableDateList.dateTime
    assert first.VisitStart.replace(hour=0, minute=0) in dates
    assert all(d.weekday() < 5 for d in dates)
    days = service.GetWorkingTime(
        idDoc=doc,
        idLpu=LPU,
        visitStart=tomorrow(),
        visitEnd=tomorrow() + dt.timedelta(days=20),
        guid=guid,
    ).WorkingTimeList.WorkingTime
    assert {d.VisitStart.date() for d in days} >= {d.date() for d in dates}
    assert all(d.VisitStart.hour in (8, 14) for d in days)


def test_specialty_counts_follow_bookings(server: EmulatorServer, service: Any) -> None:
    guid = server.guid
    spec, _doc, slots = doctor_with_free_slots(service, guid)

    def count() -> int:
        specialties = service.GetSpesialityList(idLpu=LPU, guid=guid).ListSpesiality.Spesiality
        return int(next(s.CountFreeTicket for s in specialties if s.IdSpesiality == spec))

    before = count()
    person = people(server, 1)[0]
    result = service.SetAppointment(
        idAppointment=slots[0].IdAppointment,
        idLpu=LPU,
        idPat=id_pat(service, guid, person),
        guid=guid,
    )
    assert result.Success
    assert count() == before - 1


def test_wrong_guid_is_refused_with_99(service: Any) -> None:
    result = service.GetLPUList(idDistrict=None, guid="someone-else")
    assert result.Success is False and errors(result) == [99]
    assert "guid" in result.ErrorList.Error[0].ErrorDescription


def test_check_patient_finds_by_name_and_documents(server: EmulatorServer, service: Any) -> None:
    guid = server.guid
    person = people(server, 1)[0]
    first = id_pat(service, guid, person)
    assert id_pat(service, guid, person) == first  # stable
    # Case-insensitive, with the ЕНП and the passport.
    pat = person.pat(Surname=person.surname.lower(), Name=person.name.upper(), Polis_N=person.oms)
    if person.passport:
        pat.update(Document_S=person.passport[:4], Document_N=person.passport[4:])
    result = service.CheckPatient(pat=pat, idLpu=LPU, guid=guid)
    assert result.Success and result.IdPat == first
    # Another LPU: another (lazily assigned) IdPat.
    other = service.CheckPatient(pat=person.pat(), idLpu=2002, guid=guid)
    assert other.Success and other.IdPat != first


def test_check_patient_not_found_is_20(server: EmulatorServer, service: Any) -> None:
    person = people(server, 1)[0]
    for pat in (
        {"Surname": "Несуществующий", "Name": "Пациент", "Birthday": dt.datetime(1990, 1, 1)},
        person.pat(Snils="11223344595"),  # right name, another СНИЛС
    ):
        result = service.CheckPatient(pat=pat, idLpu=LPU, guid=server.guid)
        assert result.Success is False and errors(result) == [20]
        assert result.ErrorList.Error[0].ErrorDescription == "Пациент не найден"


def test_add_new_patient_duplicate_and_not_unique_21(server: EmulatorServer, service: Any) -> None:
    guid = server.guid
    base = {"Surname": "Семёнов", "Name": "Пётр", "Birthday": dt.datetime(1980, 5, 17)}
    first = service.AddNewPatient(patient={**base, "Snils": "11223344595"}, idLpu=LPU, guid=guid)
    assert first.Success and first.IdPat
    duplicate = service.AddNewPatient(patient=dict(base), idLpu=LPU, guid=guid)
    assert errors(duplicate) == [21]
    second = service.AddNewPatient(patient={**base, "Snils": "08765430300"}, idLpu=LPU, guid=guid)
    assert second.Success and second.IdPat != first.IdPat
    # Case and ё do not matter; two matches without documents → 21; with a document → the one.
    loose = {"Surname": "СЕМЕНОВ", "Name": "петр", "Birthday": dt.datetime(1980, 5, 17)}
    result = service.CheckPatient(pat=loose, idLpu=LPU, guid=guid)
    assert errors(result) == [21]
    exact = service.CheckPatient(pat={**loose, "Snils": "087-654-303 00"}, idLpu=LPU, guid=guid)
    assert exact.Success and exact.IdPat == second.IdPat


def test_search_top10(server: EmulatorServer, service: Any) -> None:
    person = people(server, 1)[0]
    result = service.SearchTop10Patient(
        pat={"Surname": person.surname}, idLpu=LPU, guid=server.guid
    )
    assert result.Success
    found = result.ListPatient.Patient
    assert 1 <= len(found) <= 10 and all(p.Surname == person.surname for p in found)
    assert all(p.IdPat for p in found)


def test_book_cancel_and_error_codes(server: EmulatorServer, service: Any) -> None:
    guid = server.guid
    alice, bob = people(server, 2)
    alice_id, bob_id = id_pat(service, guid, alice), id_pat(service, guid, bob)
    _spec, _doc, slots = doctor_with_free_slots(service, guid)
    slot = slots[0].IdAppointment

    unknown_slot = service.SetAppointment(
        idAppointment="nope-1", idLpu=LPU, idPat=alice_id, guid=guid
    )
    assert errors(unknown_slot) == [38]
    unknown_patient = service.SetAppointment(idAppointment=slot, idLpu=LPU, idPat="404", guid=guid)
    assert errors(unknown_patient) == [20]

    booked = service.SetAppointment(idAppointment=slot, idLpu=LPU, idPat=alice_id, guid=guid)
    assert booked.Success and booked.Type in ("узкий", "широкого_профиля")
    taken = service.SetAppointment(idAppointment=slot, idLpu=LPU, idPat=bob_id, guid=guid)
    assert errors(taken) == [39]
    same_specialty = service.SetAppointment(
        idAppointment=slots[1].IdAppointment, idLpu=LPU, idPat=alice_id, guid=guid
    )
    assert errors(same_specialty) == [35]

    cancel = service.CreateClaimForRefusal(idLpu=LPU, idPat=alice_id, idAppointment=slot, guid=guid)
    assert cancel.Success
    again = service.CreateClaimForRefusal(idLpu=LPU, idPat=alice_id, idAppointment=slot, guid=guid)
    assert errors(again) == [75]
    never = service.CreateClaimForRefusal(
        idLpu=LPU, idPat=alice_id, idAppointment=slots[2].IdAppointment, guid=guid
    )
    assert errors(never) == [75]
    # The cancelled slot is free again: Bob gets it.
    assert service.SetAppointment(idAppointment=slot, idLpu=LPU, idPat=bob_id, guid=guid).Success


def test_reschedule_and_history(server: EmulatorServer, service: Any) -> None:
    guid = server.guid
    person = people(server, 1)[0]
    patient_id = id_pat(service, guid, person)
    _spec, doc, slots = doctor_with_free_slots(service, guid)
    old, new = slots[0].IdAppointment, slots[1].IdAppointment
    assert service.SetAppointment(idAppointment=old, idLpu=LPU, idPat=patient_id, guid=guid).Success
    moved = service.SetAppointment(
        idAppointment=new, idLpu=LPU, idPat=patient_id, idAppointmentPrev=old, guid=guid
    )
    assert moved.Success
    free = service.GetAvaibleAppointments(
        idDoc=doc,
        idLpu=LPU,
        visitStart=tomorrow(),
        visitEnd=tomorrow() + dt.timedelta(days=20),
        guid=guid,
    ).ListAppointments.Appointment
    free_ids = {s.IdAppointment for s in free}
    assert old in free_ids and new not in free_ids
    # Rescheduling from an appointment that is not active → 75, nothing changes.
    bad = service.SetAppointment(
        idAppointment=slots[2].IdAppointment,
        idLpu=LPU,
        idPat=patient_id,
        idAppointmentPrev=old,
        guid=guid,
    )
    assert errors(bad) == [75]

    history = service.GetPatientHistory(idLpu=LPU, idPat=patient_id, guid=guid)
    assert history.Success
    visits = history.ListHistoryVisit.HistoryVisit
    refusals = history.ListHistoryRefusal.HistoryRefusal
    assert [v.IdAppointment for v in visits] == [new]
    assert [r.IdAppointment for r in refusals] == [old]
    assert visits[0].VisitStart == slots[1].VisitStart
    assert visits[0].DoctorRendingConsultation.IdDoc == doc
    assert visits[0].SpecialityRendingConsultation.NameSpesiality
    assert visits[0].DateCreatedAppointment.date() == dt.date.today()
    unknown = service.GetPatientHistory(idLpu=LPU, idPat="0", guid=guid)
    assert errors(unknown) == [20]


def test_two_threads_racing_for_one_slot(server: EmulatorServer) -> None:
    guid = server.guid
    wsdl = str(resource_path("wsdl", "HubService.wsdl"))
    services = [zeep.Client(wsdl).create_service(BINDING, server.url) for _ in range(2)]
    persons = people(server, 2)
    ids = [id_pat(services[0], guid, p) for p in persons]
    _spec, _doc, slots = doctor_with_free_slots(services[0], guid)
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def book(index: int) -> None:
        barrier.wait()
        results[index] = services[index].SetAppointment(
            idAppointment=slots[0].IdAppointment, idLpu=LPU, idPat=ids[index], guid=guid
        )

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(bool(r.Success) for r in results) == [False, True]
    assert [errors(r) for r in results if not r.Success] == [[39]]
    with server.database.session() as session:
        booked = session.scalars(
            select(Appointment).where(
                Appointment.hub_appointment_id == slots[0].IdAppointment,
                Appointment.state == AppointmentState.BOOKED,
            )
        ).all()
    assert len(booked) == 1


def test_patients_areas(server: EmulatorServer, service: Any) -> None:
    guid = server.guid
    person = people(server, 1)[0]
    with_areas = institution_with_areas(server, True)
    result = service.GetPatientsAreas(
        idLpu=str(with_areas), idPat=id_pat(service, guid, person, with_areas), guid=guid
    )
    assert result.Success
    areas = result.PatientsAreaList.PatientsArea
    assert areas and all(a.Area.isdigit() for a in areas)
    assert {a.AreaType for a in areas} <= {
        "Терапевтический",
        "Педиатрический",
        "ВрачОбщейПрактики",
        "Акушерский",
        "Фельдшерский",
        "Фтизиатрический",
    }
    without = institution_with_areas(server, False)
    none = service.GetPatientsAreas(
        idLpu=str(without), idPat=id_pat(service, guid, person, without), guid=guid
    )
    assert errors(none) == [41]


def test_update_phone_and_waiting_list(server: EmulatorServer, service: Any) -> None:
    guid = server.guid
    person = people(server, 1)[0]
    patient_id = id_pat(service, guid, person)
    updated = service.UpdatePhoneByIdPat(
        idLpu=LPU, idPat=patient_id, homePhone=None, cellPhone="8 (912) 345-67-89", guid=guid
    )
    assert updated.Success
    with server.database.session() as session:
        phone = session.scalar(select(Patient.phone).where(Patient.snils == person.snils))
    assert phone == "+79123456789"
    bad = service.UpdatePhoneByIdPat(idLpu=LPU, idPat=patient_id, cellPhone="12", guid=guid)
    assert errors(bad) == [4]

    claim = service.SetWaitingList(
        idDoc=None,
        nameDoc=None,
        idSpesiality="17",
        nameSpesiality="Врач-терапевт",
        idLpu=LPU,
        rule={"Start": tomorrow(), "End": tomorrow() + dt.timedelta(days=30)},
        claim="нет_удобного_времени",
        idPat=patient_id,
        namePat=f"{person.surname} {person.name}",
        birthday=person.birthday,
        phone="+79123456789",
        guid=guid,
    )
    assert claim.Success
    assert str(uuid.UUID(claim.GuidClaim)) in server.state.waiting_list
