"""The emulator's run-time state: its database, its guid, the write lock and shared look-ups."""

from __future__ import annotations

import datetime as dt
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import Institution, Patient, PatientLpuLink, Settlement
from workstation.services.database import Database

# Error codes of the contract (see shared/contracts/README.md).
INCOMPLETE_DATA = 4
PATIENT_NOT_FOUND = 20
PATIENT_NOT_UNIQUE = 21
DOCUMENT_MISMATCH = 22
ALREADY_BOOKED = 35
INVALID_SLOT = 38
SLOT_TAKEN = 39
NO_AREA = 41
NO_APPOINTMENT = 75
TECHNICAL = 99
"""Also the code of a wrong ``guid``: «Доступ запрещён: неизвестный guid».."""


class BusinessError(Exception):
    """A refusal that travels as ``Success=false`` with one ``Error``."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description


@dataclass(frozen=True)
class District:
    """A district of the region (муниципальный район / городской округ)."""

    id: int
    name: str
    okato: float | None


def _district_id(name: str, okato: str | None) -> int:
    """Stable: the 3 district digits of the OKATO code (71131000000 → 131), else a CRC."""
    if okato and len(okato) >= 5 and okato[:5].isdigit():
        return int(okato[2:5])
    return 1000 + zlib.crc32(name.encode("utf-8")) % 9000


@dataclass
class EmulatorState:
    """Everything the SOAP handlers share. Writes are serialised by ``write_lock``."""

    database: Database
    guid: str = "0b6f3c2a-7d41-4e8a-9c55-2f1e8d7a6b90"
    clock: Callable[[], dt.datetime] = dt.datetime.now
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    waiting_list: dict[str, dict[str, Any]] = field(default_factory=dict)
    _districts: dict[int, District] | None = None
    _district_of_settlement: dict[int, District] = field(default_factory=dict)

    def now(self) -> dt.datetime:
        """The institution's wall clock (naive local time, like slot times)."""
        return self.clock().replace(tzinfo=None, microsecond=0)

    # Districts -------------------------------------------------------------------------------

    def _load_districts(self) -> dict[int, District]:
        if self._districts is None:
            with self.database.session() as session:
                settlements = session.execute(
                    select(
                        Settlement.id,
                        Settlement.municipal_district,
                        Settlement.okato,
                        Settlement.name,
                    )
                ).all()
            okato_of: dict[str, str] = {}
            for _id, district, okato, _name in settlements:
                name = district or _name
                if okato and name not in okato_of:
                    okato_of[name] = okato
            districts: dict[int, District] = {}
            by_name: dict[str, District] = {}
            for settlement_id, district, _okato, settlement_name in sorted(settlements):
                name = district or settlement_name
                if name not in by_name:
                    okato = okato_of.get(name)
                    item = District(
                        id=_district_id(name, okato),
                        name=name,
                        okato=float(okato[:5] + "000000") if okato else None,
                    )
                    by_name[name] = districts[item.id] = item
                self._district_of_settlement[settlement_id] = by_name[name]
            self._districts = districts
        return self._districts

    def districts(self) -> list[District]:
        return sorted(self._load_districts().values(), key=lambda d: d.name)

    def district_of(self, settlement_id: int | None) -> District:
        self._load_districts()
        if settlement_id is None:
            return District(id=0, name="", okato=None)
        return self._district_of_settlement[settlement_id]

    def district(self, district_id: int) -> District | None:
        return self._load_districts().get(district_id)

    # Look-ups --------------------------------------------------------------------------------

    @staticmethod
    def institution(session: Session, id_lpu: int | str | None) -> Institution:
        if id_lpu is None or str(id_lpu).strip() == "":
            raise BusinessError(INCOMPLETE_DATA, "Не указан идентификатор ЛПУ (idLpu).")
        try:
            hub_id = int(str(id_lpu).strip())
        except ValueError as error:
            raise BusinessError(
                INCOMPLETE_DATA, f"Неверный идентификатор ЛПУ «{id_lpu}»."
            ) from error
        institution = session.scalar(select(Institution).where(Institution.hub_id == hub_id))
        if institution is None:
            raise BusinessError(INCOMPLETE_DATA, f"ЛПУ с идентификатором {hub_id} не найдено.")
        return institution

    @staticmethod
    def patient_by_id_pat(
        session: Session, institution: Institution, id_pat: str | None
    ) -> Patient:
        if not id_pat:
            raise BusinessError(PATIENT_NOT_FOUND, "Пациент не найден: не указан idPat.")
        link = session.scalar(
            select(PatientLpuLink).where(
                PatientLpuLink.institution_id == institution.id,
                PatientLpuLink.hub_patient_id == id_pat,
            )
        )
        if link is None:
            raise BusinessError(
                PATIENT_NOT_FOUND, f"Пациент не найден: нет пациента с idPat {id_pat} в этом ЛПУ."
            )
        return link.patient

    @staticmethod
    def id_pat(session: Session, institution: Institution, patient: Patient) -> str:
        """The patient's IdPat in this LPU, assigned (registered) on first sight."""
        existing = session.scalar(
            select(PatientLpuLink.hub_patient_id).where(
                PatientLpuLink.institution_id == institution.id,
                PatientLpuLink.patient_id == patient.id,
            )
        )
        if existing is not None:
            return existing
        id_pat = f"{institution.hub_id}{patient.id:07d}"
        session.add(
            PatientLpuLink(
                patient_id=patient.id, institution_id=institution.id, hub_patient_id=id_pat
            )
        )
        session.flush()
        return id_pat
