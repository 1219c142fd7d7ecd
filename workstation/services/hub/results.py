"""Plain, immutable results of the HubService operations (no zeep objects leave the package)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True)
class District:
    """A district of the region (GetDistrictList)."""

    id_district: int
    name: str
    okato: float | None = None


@dataclass(frozen=True)
class Clinic:
    """An institution (ЛПУ) of a district (GetLPUList); ``part_of`` is the parent institution."""

    id_lpu: int
    full_name: str
    short_name: str
    lpu_type: int | None = None
    district: int | None = None
    part_of: int | None = None
    oid: str | None = None
    is_active: bool = True
    description: str | None = None


@dataclass(frozen=True)
class LpuInfo:
    """The card of an institution (GetLPUInfo)."""

    id_lpu: int | None
    full_name: str
    short_name: str
    lpu_type: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    work_time: str | None = None
    district_id: int | None = None
    district_name: str | None = None
    district_okato: float | None = None
    oid: str | None = None
    public_guid: str | None = None
    commentary: str | None = None


@dataclass(frozen=True)
class SpecialityInfo:
    """A specialty with free tickets (GetSpesialityList; ``Spesiality`` on the wire)."""

    id_speciality: str
    name: str
    fer_id_speciality: str | None = None
    count_free_ticket: int = 0
    count_free_participant_ie: int = 0
    nearest_date: datetime | None = None
    last_date: datetime | None = None


@dataclass(frozen=True)
class DoctorInfo:
    """A doctor or another bookable resource (GetDoctorList)."""

    id_doc: str
    name: str
    snils: str | None = None
    aria_number: str | None = None
    count_free_ticket: int = 0
    count_free_participant_ie: int = 0
    nearest_date: datetime | None = None
    last_date: datetime | None = None
    comment: str | None = None


@dataclass(frozen=True)
class WorkingTime:
    """A doctor's working interval (GetWorkingTime)."""

    visit_start: datetime
    visit_end: datetime
    recordable_day: bool = False
    deny_cause: str | None = None


@dataclass(frozen=True)
class FreeSlot:
    """A free slot (талон) of a doctor (GetAvaibleAppointments)."""

    id_appointment: str
    visit_start: datetime
    visit_end: datetime
    room: str | None = None
    address: str | None = None
    num: int | None = None


@dataclass(frozen=True)
class HubPatient:
    """A patient as the contract carries it (CheckPatient, SearchTop10Patient, AddNewPatient)."""

    surname: str | None = None
    name: str | None = None
    second_name: str | None = None
    birthday: date | None = None
    polis_s: str | None = None
    polis_n: str | None = None
    document_s: str | None = None
    document_n: str | None = None
    snils: str | None = None
    cell_phone: str | None = None
    home_phone: str | None = None
    aria_number: str | None = None
    id_pat: str | None = None


@dataclass(frozen=True)
class HubUser:
    """The user of the MIS or the platform who created an appointment."""

    name: str | None = None
    position: str | None = None


@dataclass(frozen=True)
class HistoryVisit:
    """An appointment (or a refusal) in the patient's history (GetPatientHistory)."""

    id_appointment: str | None
    visit_start: datetime | None
    date_created: datetime | None = None
    doctor: DoctorInfo | None = None
    speciality: SpecialityInfo | None = None
    referring_doctor: DoctorInfo | None = None
    referring_speciality: SpecialityInfo | None = None
    created_by: HubUser | None = None


@dataclass(frozen=True)
class PatientHistory:
    """Appointments and refusals of a patient in one institution."""

    visits: tuple[HistoryVisit, ...] = ()
    refusals: tuple[HistoryVisit, ...] = ()


@dataclass(frozen=True)
class PatientArea:
    """A medical area (участок) the patient is attached to (GetPatientsAreas)."""

    area: str | None
    area_type: str | None = None


class SpecialistType(StrEnum):
    """Profile of the booked specialist (SetAppointment ``Type``; the misspelling is real)."""

    UNDEFINED = "отсутстствует_неопределено"
    BROAD = "широкого_профиля"
    NARROW = "узкий"


@dataclass(frozen=True)
class Booking:
    """The result of a successful SetAppointment: the booking itself."""

    id_appointment: str
    specialist_type: SpecialistType | None = None


class WaitingListClaim(StrEnum):
    """Why the patient goes on the waiting list (SetWaitingList ``claim``)."""

    NO_FREE_TICKETS = "отсутствуют_свободные_талоны"
    NO_CONVENIENT_TIME = "нет_удобного_времени"
    NO_SPECIALIST = "отсутствует_специалист"
