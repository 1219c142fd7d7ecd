"""Loads the region's reference data shipped in ``resources/regional/`` into a database.

Settlements (``settlements.csv``), specialties (``specialties.csv``), institutions with their
departments and doctors (``institutions.json``), and the illustrative address registry and
участки (``addresses/*.csv``, ``districts.csv``; see ``address_import``). Loading is idempotent:
rows are matched by their natural keys (settlement code, institution ``IdLPU``, doctor ``IdDoc``)
and updated in place.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import Department, Doctor, Institution, Settlement, Specialty
from workstation.models.text import normalise_name
from workstation.services.address_import import load_regional_addresses
from workstation.services.database import Database
from workstation.services.resources import resource_path


@dataclass(frozen=True)
class SpecialtyRecord:
    """A specialty of the regional dictionary."""

    code: str
    name: str
    federal_code: str | None


@dataclass(frozen=True)
class LoadSummary:
    """How many rows of each kind the database holds after loading."""

    settlements: int
    institutions: int
    departments: int
    doctors: int
    streets: int = 0
    districts: int = 0  # участки


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def read_settlements(path: Path | None = None) -> list[dict[str, str]]:
    """The rows of ``settlements.csv``."""
    path = path or resource_path("regional", "settlements.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_specialties(path: Path | None = None) -> dict[str, SpecialtyRecord]:
    """The specialty dictionary by local code."""
    path = path or resource_path("regional", "specialties.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"].strip(): SpecialtyRecord(
                code=row["code"].strip(),
                name=row["name"].strip(),
                federal_code=_optional(row.get("federal_code")),
            )
            for row in csv.DictReader(handle)
        }


def read_institutions(path: Path | None = None) -> list[dict[str, Any]]:
    """The institutions of ``institutions.json`` with their departments and doctors."""
    path = path or resource_path("regional", "institutions.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON array of institutions")
    return data


def _load_settlements(session: Session, rows: list[dict[str, str]]) -> dict[str, Settlement]:
    existing = {s.code: s for s in session.scalars(select(Settlement))}
    for row in rows:
        code = row["code"].strip()
        settlement = existing.get(code) or Settlement(code=code)
        settlement.name = row["name"].strip()
        settlement.name_norm = normalise_name(settlement.name)
        settlement.kind = row.get("kind", "").strip()
        settlement.municipal_district = row.get("municipal_district", "").strip()
        settlement.lat = float(row["lat"])
        settlement.lon = float(row["lon"])
        settlement.okato = _optional(row.get("okato"))
        settlement.oktmo = _optional(row.get("oktmo"))
        settlement.fias_guid = _optional(row.get("fias_guid"))
        population = _optional(row.get("population"))
        settlement.population = int(population.replace(" ", "")) if population else None
        settlement.in_portal_selector = row.get("in_portal_selector", "0").strip() == "1"
        session.add(settlement)
        existing[code] = settlement
    session.flush()
    return existing


_PerInstitution = TypeVar("_PerInstitution", Department, Specialty, Doctor)


def _rows_of(
    session: Session, entity: type[_PerInstitution], institution_id: int
) -> list[_PerInstitution]:
    return list(session.scalars(select(entity).where(entity.institution_id == institution_id)))


def ensure_settlements(session: Session) -> None:
    """Load the shipped settlements when the database has none (a cache filled only by sync)."""
    if session.scalars(select(Settlement.id).limit(1)).first() is None:
        _load_settlements(session, read_settlements())


def _load_institution(
    session: Session,
    record: dict[str, Any],
    settlements: dict[str, Settlement],
    institutions: dict[int, Institution],
    specialties: dict[str, SpecialtyRecord],
) -> None:
    hub_id = int(record["hub_id"])
    institution = institutions.get(hub_id) or Institution(hub_id=hub_id)
    settlement = settlements[record["settlement"]]
    institution.settlement_id = settlement.id
    institution.full_name = record["full_name"]
    institution.short_name = record.get("short_name") or record["full_name"]
    institution.type = record.get("type", "")
    postcode = record.get("postcode", "")
    address = record.get("address", "")
    if postcode and postcode not in address:
        address = f"{postcode}, {address}"
    institution.address = address
    institution.lat = record.get("lat")
    institution.lon = record.get("lon")
    institution.registry_phones = ", ".join(record.get("phones", []))
    institution.working_hours = record.get("working_hours", "")
    institution.site = record.get("site", "")
    institution.email = record.get("email", "")
    session.add(institution)
    session.flush()
    institutions[hub_id] = institution

    departments = {d.name: d for d in _rows_of(session, Department, institution.id)}
    own_specialties = {s.hub_id: s for s in _rows_of(session, Specialty, institution.id)}
    doctors = {d.hub_id: d for d in _rows_of(session, Doctor, institution.id)}
    for department_record in record.get("departments", []):
        name = department_record["name"]
        department = departments.get(name) or Department(institution_id=institution.id, name=name)
        department.address = department_record.get("address", "")
        session.add(department)
        session.flush()
        departments[name] = department
        for doctor_record in department_record.get("doctors", []):
            code = str(doctor_record["specialty"])
            specialty = own_specialties.get(code)
            if specialty is None:
                known = specialties[code]
                specialty = Specialty(
                    institution_id=institution.id,
                    hub_id=code,
                    name=known.name,
                    federal_code=known.federal_code,
                )
                session.add(specialty)
                session.flush()
                own_specialties[code] = specialty
            doctor_id = str(doctor_record["hub_id"])
            doctor = doctors.get(doctor_id)
            if doctor is None:
                doctor = Doctor(institution_id=institution.id, hub_id=doctor_id)
            doctor.full_name = doctor_record["full_name"]
            doctor.full_name_norm = normalise_name(doctor.full_name)
            doctor.specialty_id = specialty.id
            doctor.department_id = department.id
            doctor.area_number = doctor_record.get("area_number")
            session.add(doctor)
            doctors[doctor_id] = doctor


def load_regional_data(database: Database) -> LoadSummary:
    """Load (or refresh) the shipped regional data; returns the resulting row counts."""
    settlement_rows = read_settlements()
    specialties = read_specialties()
    institution_records = read_institutions()
    with database.session() as session:
        settlements = _load_settlements(session, settlement_rows)
        institutions = {i.hub_id: i for i in session.scalars(select(Institution))}
        for record in institution_records:
            _load_institution(session, record, settlements, institutions, specialties)
        # Parents second: a child may be listed before its parent in the file.
        for record in institution_records:
            parent_hub_id = record.get("parent_hub_id")
            child = institutions[int(record["hub_id"])]
            child.parent_id = institutions[int(parent_hub_id)].id if parent_hub_id else None
        session.flush()
        # The address registry and участки («Поиск участка», «Ближайшие к адресу»).
        streets, districts = load_regional_addresses(session)
        return LoadSummary(
            settlements=len(settlements),
            institutions=len(institutions),
            departments=len(session.scalars(select(Department.id)).all()),
            doctors=len(session.scalars(select(Doctor.id)).all()),
            streets=streets,
            districts=districts,
        )
