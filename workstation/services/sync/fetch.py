"""Reading one institution's directory and free slots from a hub (network only, no database)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from workstation.services.hub.results import (
    Clinic,
    District,
    DoctorInfo,
    FreeSlot,
    LpuInfo,
    SpecialityInfo,
)


class HubReader(Protocol):
    """The read operations the sync needs (``HubClient`` has them)."""

    def get_district_list(self) -> tuple[District, ...]: ...

    def get_lpu_list(self, id_district: int | None = None) -> tuple[Clinic, ...]: ...

    def get_lpu_info(self, id_lpu: int) -> LpuInfo | None: ...

    def get_speciality_list(
        self, id_lpu: int, id_pat: str | None = None
    ) -> tuple[SpecialityInfo, ...]: ...

    def get_doctor_list(
        self, id_lpu: int, id_speciality: str, id_pat: str | None = None
    ) -> tuple[DoctorInfo, ...]: ...

    def get_available_appointments(
        self,
        id_lpu: int,
        id_doc: str,
        start: dt.datetime,
        end: dt.datetime,
        id_pat: str | None = None,
    ) -> tuple[FreeSlot, ...]: ...


@dataclass(frozen=True)
class DoctorSchedule:
    """A doctor as the hub lists them, under one specialty, with their free slots."""

    doctor: DoctorInfo
    speciality: SpecialityInfo
    free_slots: tuple[FreeSlot, ...]
    fetched_at: dt.datetime


@dataclass
class InstitutionSnapshot:
    """Everything read from the hub about one institution in one sync."""

    clinic: Clinic
    info: LpuInfo | None
    specialities: tuple[SpecialityInfo, ...] = ()
    schedules: list[DoctorSchedule] = field(default_factory=list)
    window: tuple[dt.datetime, dt.datetime] | None = None


def schedule_window(days: int, today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """From the start of today to the end of the ``days``-th day (institution wall clock)."""
    first = dt.datetime.combine(today or dt.date.today(), dt.time())
    return first, first + dt.timedelta(days=days)


def fetch_institution(
    hub: HubReader,
    clinic: Clinic,
    window: tuple[dt.datetime, dt.datetime],
    *,
    doctor_concurrency: int = 4,
) -> InstitutionSnapshot:
    """Read the card, specialties, doctors and free slots of ``clinic`` within ``window``.

    The slot requests (one per doctor, the bulk of the traffic) run ``doctor_concurrency`` at a
    time: a big polyclinic has hundreds of doctors and each request waits on the MIS.
    """
    snapshot = InstitutionSnapshot(clinic=clinic, info=hub.get_lpu_info(clinic.id_lpu))
    snapshot.window = window
    snapshot.specialities = hub.get_speciality_list(clinic.id_lpu)
    doctors: dict[str, tuple[DoctorInfo, SpecialityInfo]] = {}
    for speciality in snapshot.specialities:
        for doctor in hub.get_doctor_list(clinic.id_lpu, speciality.id_speciality):
            # A doctor listed under a second specialty keeps the first: one row per doctor.
            doctors.setdefault(doctor.id_doc, (doctor, speciality))
    start, end = window

    def schedule(entry: tuple[DoctorInfo, SpecialityInfo]) -> DoctorSchedule:
        doctor, speciality = entry
        slots = hub.get_available_appointments(clinic.id_lpu, doctor.id_doc, start, end)
        return DoctorSchedule(doctor, speciality, slots, dt.datetime.now(dt.UTC))

    with ThreadPoolExecutor(max_workers=max(1, doctor_concurrency),
                            thread_name_prefix="sync-doctors") as pool:
        snapshot.schedules = list(pool.map(schedule, doctors.values()))
    return snapshot
