"""zeep objects to result dataclasses, and dataclasses to zeep request values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from workstation.services.hub.results import (
    Clinic,
    District,
    DoctorInfo,
    FreeSlot,
    HistoryVisit,
    HubPatient,
    HubUser,
    LpuInfo,
    PatientArea,
    SpecialityInfo,
    WorkingTime,
)


def items(container: Any, name: str) -> list[Any]:
    """The members of a WCF array (``<ListX><X/>...</ListX>``), nil members left out."""
    if container is None:
        return []
    values = getattr(container, name, None)
    if values is None:
        return []
    return [value for value in values if value is not None]


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _value(value: Any) -> str | None:
    """An enumeration member or a string as plain text."""
    if value is None:
        return None
    return str(getattr(value, "value", value)) or None


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def district(obj: Any) -> District:
    return District(
        id_district=int(obj.IdDistrict), name=obj.DistrictName or "", okato=_float(obj.Okato)
    )


def clinic(obj: Any) -> Clinic:
    return Clinic(
        id_lpu=int(obj.IdLPU),
        full_name=obj.LPUFullName or "",
        short_name=obj.LPUShortName or "",
        lpu_type=obj.LPUType,
        district=obj.District,
        part_of=obj.PartOf,
        oid=_str(obj.Oid),
        is_active=bool(obj.IsActive),
        description=_str(obj.Description),
    )


def lpu_info(obj: Any) -> LpuInfo:
    return LpuInfo(
        id_lpu=obj.Id,
        full_name=obj.FullName or "",
        short_name=obj.ShortName or "",
        lpu_type=_str(obj.Type),
        address=_str(obj.Address),
        phone=_str(obj.Phone),
        email=_str(obj.Email),
        work_time=_str(obj.WorkTime),
        district_id=obj.DistrictId,
        district_name=_str(obj.DistrictName),
        district_okato=_float(obj.DistrictOkato),
        oid=_str(obj.Oid),
        public_guid=_str(obj.PublicGuid),
        commentary=_str(obj.Commentary),
    )


def speciality(obj: Any) -> SpecialityInfo:
    return SpecialityInfo(
        id_speciality=obj.IdSpesiality or "",
        name=obj.NameSpesiality or "",
        fer_id_speciality=_str(obj.FerIdSpesiality),
        count_free_ticket=obj.CountFreeTicket or 0,
        count_free_participant_ie=obj.CountFreeParticipantIE or 0,
        nearest_date=obj.NearestDate,
        last_date=obj.LastDate,
    )


def doctor(obj: Any) -> DoctorInfo:
    return DoctorInfo(
        id_doc=obj.IdDoc or "",
        name=obj.Name or "",
        snils=_str(obj.Snils),
        aria_number=_str(obj.AriaNumber),
        count_free_ticket=obj.CountFreeTicket or 0,
        count_free_participant_ie=obj.CountFreeParticipantIE or 0,
        nearest_date=obj.NearestDate,
        last_date=obj.LastDate,
        comment=_str(obj.Comment),
    )


def working_time(obj: Any) -> WorkingTime:
    return WorkingTime(
        visit_start=obj.VisitStart,
        visit_end=obj.VisitEnd,
        recordable_day=bool(obj.RecordableDay),
        deny_cause=_str(obj.DenyCause),
    )


def slot(obj: Any) -> FreeSlot:
    return FreeSlot(
        id_appointment=obj.IdAppointment or "",
        visit_start=obj.VisitStart,
        visit_end=obj.VisitEnd,
        room=_str(obj.Room),
        address=_str(obj.Address),
        num=obj.Num,
    )


def patient(obj: Any) -> HubPatient:
    birthday = obj.Birthday
    return HubPatient(
        surname=_str(obj.Surname),
        name=_str(obj.Name),
        second_name=_str(obj.SecondName),
        birthday=birthday.date() if isinstance(birthday, datetime) else birthday,
        polis_s=_str(obj.Polis_S),
        polis_n=_str(obj.Polis_N),
        document_s=_str(obj.Document_S),
        document_n=_str(obj.Document_N),
        snils=_str(obj.Snils),
        cell_phone=_str(obj.CellPhone),
        home_phone=_str(obj.HomePhone),
        aria_number=_str(obj.AriaNumber),
        id_pat=_str(obj.IdPat),
    )


def _user(obj: Any) -> HubUser | None:
    if obj is None:
        return None
    return HubUser(name=_str(obj.UserName), position=_str(obj.UserPosition))


def history_visit(obj: Any) -> HistoryVisit:
    def opt(value: Any, convert: Any) -> Any:
        return convert(value) if value is not None else None

    return HistoryVisit(
        id_appointment=_str(obj.IdAppointment),
        visit_start=obj.VisitStart,
        date_created=obj.DateCreatedAppointment,
        doctor=opt(obj.DoctorRendingConsultation, doctor),
        speciality=opt(obj.SpecialityRendingConsultation, speciality),
        referring_doctor=opt(obj.DoctorBringReferal, doctor),
        referring_speciality=opt(obj.SpecialityBringReferal, speciality),
        created_by=_user(obj.UserCreatedAppointment),
    )


def patient_area(obj: Any) -> PatientArea:
    return PatientArea(area=_str(obj.Area), area_type=_value(obj.AreaType))


def as_datetime(value: date | datetime | None) -> datetime | None:
    """``xs:dateTime`` for a date (midnight) or a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def patient_request(p: HubPatient) -> dict[str, Any]:
    """The ``Patient`` request value; fields left ``None`` are not sent."""
    values: dict[str, Any] = {
        "AriaNumber": p.aria_number,
        "Birthday": as_datetime(p.birthday),
        "CellPhone": p.cell_phone,
        "Document_N": p.document_n,
        "Document_S": p.document_s,
        "HomePhone": p.home_phone,
        "IdPat": p.id_pat,
        "Name": p.name,
        "Polis_N": p.polis_n,
        "Polis_S": p.polis_s,
        "SecondName": p.second_name,
        "Snils": p.snils,
        "Surname": p.surname,
    }
    return {key: value for key, value in values.items() if value is not None}
