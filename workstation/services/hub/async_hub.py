"""``AsyncHub``: every hub operation awaitable, run in a bounded thread pool.

Awaiting never blocks the event loop (a qasync loop in the GUI, or plain asyncio in tests and
background jobs); the slow zeep client construction also happens in the pool.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import ParamSpec, TypeVar

from workstation.services.hub.connector import HubConnector
from workstation.services.hub.results import (
    Booking,
    Clinic,
    District,
    DoctorInfo,
    FreeSlot,
    HubPatient,
    LpuInfo,
    PatientArea,
    PatientHistory,
    SpecialityInfo,
    WaitingListClaim,
    WorkingTime,
)

P = ParamSpec("P")
T = TypeVar("T")


class AsyncHub:
    """Async facade over a ``HubConnector``; operations are routed by ``id_lpu``."""

    def __init__(self, connector: HubConnector, max_workers: int = 8) -> None:
        self.connector = connector
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="hub")

    async def _run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def warm_up(self, id_lpu: int | None = None) -> None:
        """Build the client of ``id_lpu``'s endpoint in the pool."""
        await self._run(lambda: self.connector.for_lpu(id_lpu).warm_up())

    async def get_district_list(self) -> tuple[District, ...]:
        return await self._run(lambda: self.connector.for_lpu(None).get_district_list())

    async def get_lpu_list(self, id_district: int | None = None) -> tuple[Clinic, ...]:
        return await self._run(lambda: self.connector.for_lpu(None).get_lpu_list(id_district))

    async def get_lpu_info(self, id_lpu: int) -> LpuInfo | None:
        return await self._run(lambda: self.connector.for_lpu(id_lpu).get_lpu_info(id_lpu))

    async def get_speciality_list(
        self, id_lpu: int, id_pat: str | None = None
    ) -> tuple[SpecialityInfo, ...]:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).get_speciality_list(id_lpu, id_pat)
        )

    async def get_doctor_list(
        self, id_lpu: int, id_speciality: str, id_pat: str | None = None
    ) -> tuple[DoctorInfo, ...]:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).get_doctor_list(id_lpu, id_speciality, id_pat)
        )

    async def get_working_time(
        self, id_lpu: int, id_doc: str, start: datetime, end: datetime
    ) -> tuple[WorkingTime, ...]:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).get_working_time(id_lpu, id_doc, start, end)
        )

    async def get_available_dates(
        self, id_lpu: int, id_doc: str, start: datetime, end: datetime, id_pat: str | None = None
    ) -> tuple[datetime, ...]:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).get_available_dates(
                id_lpu, id_doc, start, end, id_pat
            )
        )

    async def get_available_appointments(
        self, id_lpu: int, id_doc: str, start: datetime, end: datetime, id_pat: str | None = None
    ) -> tuple[FreeSlot, ...]:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).get_available_appointments(
                id_lpu, id_doc, start, end, id_pat
            )
        )

    async def check_patient(self, id_lpu: int, patient: HubPatient) -> str:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).check_patient(id_lpu, patient)
        )

    async def search_top10_patient(
        self, id_lpu: int, patient: HubPatient
    ) -> tuple[HubPatient, ...]:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).search_top10_patient(id_lpu, patient)
        )

    async def add_new_patient(
        self, id_lpu: int, patient: HubPatient, approved_by_tfoms: bool | None = None
    ) -> str:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).add_new_patient(
                id_lpu, patient, approved_by_tfoms
            )
        )

    async def set_appointment(
        self,
        id_lpu: int,
        id_pat: str,
        id_appointment: str,
        id_appointment_prev: str | None = None,
        doctors_referral: str | None = None,
    ) -> Booking:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).set_appointment(
                id_lpu, id_pat, id_appointment, id_appointment_prev, doctors_referral
            )
        )

    async def create_claim_for_refusal(self, id_lpu: int, id_pat: str, id_appointment: str) -> None:
        await self._run(
            lambda: self.connector.for_lpu(id_lpu).create_claim_for_refusal(
                id_lpu, id_pat, id_appointment
            )
        )

    async def get_patient_history(self, id_lpu: int, id_pat: str) -> PatientHistory:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).get_patient_history(id_lpu, id_pat)
        )

    async def get_patients_areas(self, id_lpu: int, id_pat: str) -> tuple[PatientArea, ...]:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).get_patients_areas(id_lpu, id_pat)
        )

    async def update_phone(
        self, id_lpu: int, id_pat: str, home: str | None = None, cell: str | None = None
    ) -> None:
        await self._run(
            lambda: self.connector.for_lpu(id_lpu).update_phone(id_lpu, id_pat, home, cell)
        )

    async def set_waiting_list(
        self,
        id_lpu: int,
        id_pat: str,
        *,
        claim: WaitingListClaim,
        start: datetime,
        end: datetime,
        id_doc: str | None = None,
        name_doc: str | None = None,
        id_speciality: str | None = None,
        name_speciality: str | None = None,
        name_pat: str | None = None,
        birthday: date | None = None,
        phone: str | None = None,
    ) -> str:
        return await self._run(
            lambda: self.connector.for_lpu(id_lpu).set_waiting_list(
                id_lpu,
                id_pat,
                claim=claim,
                start=start,
                end=end,
                id_doc=id_doc,
                name_doc=name_doc,
                id_speciality=id_speciality,
                name_speciality=name_speciality,
                name_pat=name_pat,
                birthday=birthday,
                phone=phone,
            )
        )

    def close(self, wait: bool = True) -> None:
        """Stop the pool (after running calls finish when ``wait``) and close the connections."""
        self._executor.shutdown(wait=wait, cancel_futures=not wait)
        self.connector.close()
