"""Directory operations: districts, institutions, specialties, doctors, schedules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from lxml import etree
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from workstation.models import Doctor, Institution, Slot, SlotState, Specialty
from workstation.services.emulator.soap import (
    ARR,
    HS,
    XSI_NIL,
    Params,
    add,
    add_list,
    container,
    format_value,
    member,
)
from workstation.services.emulator.state import INCOMPLETE_DATA, BusinessError, EmulatorState

Members = list[etree._Element]

# Clinic.LPUType is an int in the contract; the MIS codes of the kinds the regional data uses.
_LPU_TYPES = {
    "Поликлиника": 1,
    "Больница": 2,
    "Стоматологическая поликлиника": 3,
    "Диспансер": 4,
    "Центр": 5,
    "Амбулатория": 6,
    "ФАП": 7,
}


def _free_slots(state: EmulatorState) -> Any:
    return (Slot.state == SlotState.FREE) & (Slot.start >= state.now())


def get_district_list(state: EmulatorState, params: Params) -> Members:
    districts = container("Districts")
    for district in state.districts():
        item = add_list(districts, "District")
        add(item, "DistrictName", district.name)
        add(item, "IdDistrict", district.id)
        add(item, "Okato", district.okato)
    return [districts]


def get_lpu_list(state: EmulatorState, params: Params) -> Members:
    district_id = params.int("idDistrict")
    with state.database.session() as session:
        institutions = session.scalars(select(Institution).order_by(Institution.hub_id)).all()
        parents = {i.id: i.hub_id for i in institutions}
        clinics = container("ListLPU")
        for institution in institutions:
            district = state.district_of(institution.settlement_id)
            if district_id is not None and district.id != district_id:
                continue
            item = add_list(clinics, "Clinic")
            add(item, "Description", institution.address or None)
            add(item, "District", district.id)
            add(item, "IdLPU", institution.hub_id)
            add(item, "IsActive", institution.is_active)
            add(item, "LPUFullName", institution.full_name)
            add(item, "LPUShortName", institution.short_name)
            add(item, "LPUType", _LPU_TYPES.get(institution.type, 0))
            add(item, "Oid", institution.oid)
            add(
                item,
                "PartOf",
                parents.get(institution.parent_id) if institution.parent_id else None,
            )
    return [clinics]


def get_lpu_info(state: EmulatorState, params: Params) -> Members:
    id_lpu = params.int("idLpu")
    with state.database.session() as session:
        if id_lpu is None:
            institutions = list(session.scalars(select(Institution).order_by(Institution.hub_id)))
        else:
            institutions = [state.institution(session, id_lpu)]
        collection = container("LpuCollection")
        for institution in institutions:
            district = state.district_of(institution.settlement_id)
            item = add_list(collection, "LpuInfo")
            add(item, "Address", institution.address or None)
            add(item, "Commentary", institution.site or None)
            add(item, "DistrictId", district.id)
            add(item, "DistrictName", district.name)
            add(item, "DistrictOkato", district.okato)
            add(item, "Email", institution.email or None)
            add(item, "FullName", institution.full_name)
            add(item, "Id", institution.hub_id)
            add(item, "Oid", institution.oid)
            add(item, "Phone", institution.registry_phones or None)
            add(item, "PublicGuid", None)
            add(item, "ShortName", institution.short_name)
            add(item, "Type", institution.type or None)
            add(item, "WorkTime", institution.working_hours or None)
    return [collection]


def _stats(
    session: Session, state: EmulatorState, key: Any, institution: Institution
) -> dict[Any, tuple[int, dt.datetime | None, dt.datetime | None]]:
    statement: Select[Any] = (
        select(key, func.count(Slot.id), func.min(Slot.start), func.max(Slot.start))
        .join(Doctor, Doctor.id == Slot.doctor_id)
        .where(Doctor.institution_id == institution.id, _free_slots(state))
        .group_by(key)
    )
    return {row[0]: (row[1], row[2], row[3]) for row in session.execute(statement)}


def get_spesiality_list(state: EmulatorState, params: Params) -> Members:
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
        stats = _stats(session, state, Doctor.specialty_id, institution)
        specialties = session.scalars(
            select(Specialty)
            .where(
                Specialty.institution_id == institution.id,
                Specialty.id.in_(
                    select(Doctor.specialty_id).where(Doctor.institution_id == institution.id)
                ),
            )
            .order_by(Specialty.name)
        ).all()
        items = container("ListSpesiality")
        for specialty in specialties:
            count, nearest, last = stats.get(specialty.id, (0, None, None))
            item = add_list(items, "Spesiality")
            add(item, "CountFreeParticipantIE", 0)
            add(item, "CountFreeTicket", count)
            add(item, "FerIdSpesiality", specialty.federal_code)
            add(item, "IdSpesiality", specialty.hub_id)
            add(item, "LastDate", last)
            add(item, "NameSpesiality", specialty.name)
            add(item, "NearestDate", nearest)
    return [items, member("LpuChanges")]


def doctor_element(
    parent: etree._Element,
    name: str,
    doctor: Doctor,
    stats: tuple[int, dt.datetime | None, dt.datetime | None] = (0, None, None),
) -> etree._Element:
    """A ``Doctor`` data contract (also used by the patient history)."""
    count, nearest, last = stats
    item = add_list(parent, name)
    add(item, "AriaNumber", str(doctor.area_number) if doctor.area_number is not None else None)
    add(item, "Comment", doctor.comment or None)
    add(item, "CountFreeParticipantIE", 0)
    add(item, "CountFreeTicket", count)
    add(item, "IdDoc", doctor.hub_id)
    add(item, "LastDate", last)
    add(item, "Name", doctor.full_name)
    add(item, "NearestDate", nearest)
    add(item, "Snils", None)
    return item


def get_doctor_list(state: EmulatorState, params: Params) -> Members:
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
        id_specialty = params.text("idSpesiality")
        statement = select(Doctor).where(Doctor.institution_id == institution.id)
        if id_specialty is not None:
            specialty_id = session.scalar(
                select(Specialty.id).where(
                    Specialty.institution_id == institution.id, Specialty.hub_id == id_specialty
                )
            )
            if specialty_id is None:
                raise BusinessError(
                    INCOMPLETE_DATA, f"Специальность {id_specialty} в этом ЛПУ не найдена."
                )
            statement = statement.where(Doctor.specialty_id == specialty_id)
        doctors = session.scalars(statement.order_by(Doctor.full_name)).all()
        stats = _stats(session, state, Slot.doctor_id, institution)
        items = container("Docs")
        for doctor in doctors:
            doctor_element(items, "Doctor", doctor, stats.get(doctor.id, (0, None, None)))
    return [items]


def _doctor(session: Session, state: EmulatorState, params: Params) -> Doctor:
    institution = state.institution(session, params.int("idLpu"))
    id_doc = params.text("idDoc")
    doctor = session.scalar(
        select(Doctor).where(Doctor.institution_id == institution.id, Doctor.hub_id == id_doc)
    )
    if doctor is None:
        raise BusinessError(INCOMPLETE_DATA, f"Врач {id_doc} в этом ЛПУ не найден.")
    return doctor


def _range(params: Params) -> tuple[dt.datetime, dt.datetime]:
    start = params.datetime("visitStart") or dt.datetime.min
    end = params.datetime("visitEnd") or dt.datetime.max
    if end.time() == dt.time() and end != dt.datetime.max:
        end = end.replace(hour=23, minute=59, second=59)  # a date-only end means the whole day
    return start, end


def _slots(session: Session, doctor: Doctor, start: dt.datetime, end: dt.datetime) -> list[Slot]:
    return list(
        session.scalars(
            select(Slot)
            .where(Slot.doctor_id == doctor.id, Slot.start >= start, Slot.start <= end)
            .order_by(Slot.start)
        )
    )


def get_working_time(state: EmulatorState, params: Params) -> Members:
    start, end = _range(params)
    now = state.now()
    with state.database.session() as session:
        doctor = _doctor(session, state, params)
        days: dict[dt.date, list[Slot]] = defaultdict(list)
        for slot in _slots(session, doctor, start, end):
            days[slot.start.date()].append(slot)
    items = container("WorkingTimeList")
    for _day, slots in sorted(days.items()):
        recordable = any(s.state == SlotState.FREE and s.start >= now for s in slots)
        item = add_list(items, "WorkingTime")
        add(item, "DenyCause", None if recordable else "Нет свободных талонов")
        add(item, "RecordableDay", recordable)
        add(item, "VisitEnd", max(s.end for s in slots))
        add(item, "VisitStart", min(s.start for s in slots))
    return [items]


def get_available_dates(state: EmulatorState, params: Params) -> Members:
    start, end = _range(params)
    now = state.now()
    with state.database.session() as session:
        doctor = _doctor(session, state, params)
        dates = sorted(
            {
                s.start.date()
                for s in _slots(session, doctor, start, end)
                if s.state == SlotState.FREE and s.start >= now
            }
        )
    items = container("AvailableDateList")
    for day in dates:
        add(items, "dateTime", day, ns=ARR)
    return [items]


def get_avaible_appointments(state: EmulatorState, params: Params) -> Members:
    start, end = _range(params)
    now = state.now()
    with state.database.session() as session:
        doctor = _doctor(session, state, params)
        # Plain rows, filtered in SQL: this is the bulk read (a whole doctor's fortnight) and
        # ORM objects per slot cost more than the rest of the request.
        slots = session.execute(
            select(Slot.hub_id, Slot.start, Slot.end, Slot.room, Slot.address)
            .where(
                Slot.doctor_id == doctor.id,
                Slot.start >= max(start, now),
                Slot.start <= end,
                Slot.state == SlotState.FREE,
            )
            .order_by(Slot.start)
        ).all()
    items = container("ListAppointments")
    # Element by element with precomputed tags: the generic ``add`` costs twice as much, and
    # this list is most of what a sync reads (members in the XSD's order).
    sub = etree.SubElement
    for number, (hub_id, visit_start, visit_end, room, address) in enumerate(slots, start=1):
        item = sub(items, _APPOINTMENT)
        _text_or_nil(sub(item, _ADDRESS), address)
        sub(item, _ID_APPOINTMENT).text = hub_id
        sub(item, _NUM).text = str(number)
        _text_or_nil(sub(item, _ROOM), room)
        sub(item, _VISIT_END).text = format_value(visit_end)
        sub(item, _VISIT_START).text = format_value(visit_start)
    return [items]


_APPOINTMENT, _ADDRESS, _ID_APPOINTMENT, _NUM, _ROOM, _VISIT_END, _VISIT_START = (
    f"{{{HS}}}{name}"
    for name in ("Appointment", "Address", "IdAppointment", "Num", "Room", "VisitEnd", "VisitStart")
)


def _text_or_nil(element: etree._Element, text: str | None) -> None:
    if text:
        element.text = text
    else:
        element.set(XSI_NIL, "true")
