"""Writing what the hub said into the local cache, changed rows only.

Slots are written with Core statements in bulk: an institution may have tens of thousands, and
ORM objects per slot cost more than the network does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from workstation.models import (
    District,
    Doctor,
    Institution,
    Settlement,
    Slot,
    SlotState,
    Specialty,
)
from workstation.models.text import normalise_name
from workstation.services.hub.results import Clinic
from workstation.services.hub.results import District as HubDistrict
from workstation.services.regional_data import ensure_settlements
from workstation.services.sync.fetch import InstitutionSnapshot

Changes = Counter[str]


def _assign(row: Any, changes: Changes, kind: str, **values: Any) -> None:
    """Set ``values`` on ``row``; count it as updated when an existing row really changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
            changed = True
    if changed and row.id is not None:  # a row inserted in this sync is counted as new only
        changes[f"{kind}.updated"] += 1


def store_districts(session: Session, districts: tuple[HubDistrict, ...], changes: Changes) -> None:
    """Upsert the hub's districts by ``IdDistrict``."""
    known = {d.hub_id: d for d in session.scalars(select(District))}
    for district in districts:
        row = known.get(district.id_district)
        if row is None:
            session.add(
                District(hub_id=district.id_district, name=district.name, okato=district.okato)
            )
            changes["districts.inserted"] += 1
        else:
            _assign(row, changes, "districts", name=district.name, okato=district.okato)


def _settlement_for(address: str, settlements: list[Settlement]) -> int | None:
    """The settlement whose name appears in ``address`` (the longest such name wins)."""
    folded = normalise_name(address)
    matches = [s for s in settlements if s.name_norm and s.name_norm in folded]
    return max(matches, key=lambda s: len(s.name_norm)).id if matches else None


def store_clinics(
    session: Session, endpoint_url: str, clinics: tuple[Clinic, ...], changes: Changes
) -> dict[int, Institution]:
    """Upsert institutions by ``IdLPU``; parents (``PartOf``) are linked in a second pass."""
    by_hub_id = {i.hub_id: i for i in session.scalars(select(Institution))}
    districts = {d.hub_id: d.id for d in session.scalars(select(District))}
    for clinic in clinics:
        row = by_hub_id.get(clinic.id_lpu)
        if row is None:
            row = Institution(hub_id=clinic.id_lpu, full_name=clinic.full_name, short_name="")
            session.add(row)
            by_hub_id[clinic.id_lpu] = row
            changes["institutions.inserted"] += 1
        _assign(
            row,
            changes,
            "institutions",
            full_name=clinic.full_name,
            short_name=clinic.short_name or clinic.full_name,
            is_active=clinic.is_active,
            district_id=districts.get(clinic.district) if clinic.district else row.district_id,
            endpoint_url=endpoint_url,
        )
    session.flush()
    for clinic in clinics:
        parent = by_hub_id.get(clinic.part_of) if clinic.part_of else None
        child = by_hub_id[clinic.id_lpu]
        parent_id = parent.id if parent is not None and parent is not child else None
        if child.parent_id != parent_id:
            child.parent_id = parent_id
    return by_hub_id


_SLOT_COLUMNS = ("doctor_id", "hub_id", "start", "end", "room", "address", "state", "fetched_at")


def _insert_many(session: Session, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """``INSERT`` many rows through the driver's executemany with SQLAlchemy's own conversions.

    Core's executemany spends most of its time in per-row parameter bookkeeping (about 1.2 s
    for an institution's 67,200 slots); converting each value once with the column type's bind
    processor and handing tuples to the driver gives the same rows in about half the time.
    """
    connection = session.connection()
    dialect = connection.dialect
    columns = [table.c[name] for name in _SLOT_COLUMNS]
    compiled = insert(table).compile(dialect=dialect, column_keys=list(_SLOT_COLUMNS))
    if not compiled.positional or list(compiled.positiontup or ()) != list(_SLOT_COLUMNS):
        # A dialect with named parameters (psycopg): plain Core.
        connection.execute(insert(table), [dict(zip(_SLOT_COLUMNS, row, strict=True))
                                           for row in rows])
        return
    processors = [column.type._cached_bind_processor(dialect) for column in columns]
    # Each distinct value is converted once: state and fetched_at repeat for every slot of a
    # doctor, and a date-time's text form costs more than a dictionary lookup.
    memos: list[dict[Any, Any]] = [{} for _ in columns]

    def convert(value: Any, processor: Any, memo: dict[Any, Any]) -> Any:
        if processor is None:
            return value
        try:
            return memo[value]
        except KeyError:
            memo[value] = result = processor(value)
            return result

    converted = [
        tuple(map(convert, row, processors, memos))
        for row in rows
    ]
    connection.exec_driver_sql(str(compiled), converted)


def store_snapshot(session: Session, institution: Institution, snapshot: InstitutionSnapshot,
                   changes: Changes) -> None:
    """Write one institution's card, specialties, doctors and slots (changed rows only)."""
    info = snapshot.info
    if info is not None:
        _assign(
            institution,
            changes,
            "institutions",
            address=info.address or institution.address,
            registry_phones=info.phone or institution.registry_phones,
            working_hours=info.work_time or institution.working_hours,
            email=info.email or institution.email,
            oid=info.oid or institution.oid,
        )
        if institution.settlement_id is None and info.address:
            ensure_settlements(session)
            settlements = list(session.scalars(select(Settlement)))
            institution.settlement_id = _settlement_for(info.address, settlements)
    institution.synced_at = dt.datetime.now(dt.UTC)

    specialties = {
        s.hub_id: s
        for s in session.scalars(
            select(Specialty).where(Specialty.institution_id == institution.id)
        )
    }
    for speciality in snapshot.specialities:
        specialty = specialties.get(speciality.id_speciality)
        if specialty is None:
            specialty = Specialty(
                institution_id=institution.id, hub_id=speciality.id_speciality, name=""
            )
            session.add(specialty)
            specialties[speciality.id_speciality] = specialty
            changes["specialties.inserted"] += 1
        _assign(specialty, changes, "specialties", name=speciality.name,
                federal_code=speciality.fer_id_speciality)
    session.flush()

    doctors = {
        d.hub_id: d
        for d in session.scalars(select(Doctor).where(Doctor.institution_id == institution.id))
    }
    for schedule in snapshot.schedules:
        info_doc = schedule.doctor
        doctor = doctors.get(info_doc.id_doc)
        if doctor is None:
            doctor = Doctor(institution_id=institution.id, hub_id=info_doc.id_doc)
            session.add(doctor)
            doctors[info_doc.id_doc] = doctor
            changes["doctors.inserted"] += 1
        area = info_doc.aria_number
        _assign(
            doctor,
            changes,
            "doctors",
            full_name=info_doc.name,
            full_name_norm=normalise_name(info_doc.name),
            specialty_id=specialties[schedule.speciality.id_speciality].id,
            area_number=int(area) if area and area.isdigit() else doctor.area_number,
            comment=info_doc.comment or "",
        )
        doctor.fetched_at = schedule.fetched_at
    session.flush()
    _store_slots(session, snapshot, doctors, changes)


def _store_slots(session: Session, snapshot: InstitutionSnapshot, doctors: dict[str, Doctor],
                 changes: Changes) -> None:
    if snapshot.window is None or not snapshot.schedules:
        return
    start, end = snapshot.window
    doctor_ids = [doctors[s.doctor.id_doc].id for s in snapshot.schedules]
    existing: dict[tuple[int, str], Any] = {}
    for chunk_start in range(0, len(doctor_ids), 500):
        chunk = doctor_ids[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(Slot.id, Slot.doctor_id, Slot.hub_id, Slot.start, Slot.end, Slot.room,
                   Slot.address, Slot.state)
            # No upper bound: hubs differ on whether visitEnd includes its whole day.
            .where(Slot.doctor_id.in_(chunk), Slot.start >= start)
        )
        existing.update({(row.doctor_id, row.hub_id): row for row in rows})

    inserts: list[tuple[Any, ...]] = []  # in _SLOT_COLUMNS order
    updates: list[dict[str, Any]] = []
    seen: set[tuple[int, str]] = set()
    free = SlotState.FREE
    for schedule in snapshot.schedules:
        doctor_id = doctors[schedule.doctor.id_doc].id
        fetched_at = schedule.fetched_at
        for slot in schedule.free_slots:
            key = (doctor_id, slot.id_appointment)
            seen.add(key)
            old = existing.get(key)
            if old is None:  # the common case on a first sync: no dict per slot
                inserts.append((doctor_id, slot.id_appointment, slot.visit_start,
                                slot.visit_end, slot.room or "", slot.address or "", free,
                                fetched_at))
                continue
            values = {
                "start": slot.visit_start, "end": slot.visit_end,
                "room": slot.room or "", "address": slot.address or "",
            }
            # A slot we hold or booked stays ours; one that was taken and is free again frees.
            state = old.state if old.state in (SlotState.HELD, SlotState.BOOKED) else SlotState.FREE
            if (old.start, old.end, old.room, old.address, old.state) != (
                values["start"], values["end"], values["room"], values["address"], state
            ):
                updates.append({"slot_id": old.id, "state": state,
                                "fetched_at": schedule.fetched_at, **values})
    # Free in the cache but no longer offered by the hub: someone took it.
    taken = [
        {"slot_id": row.id, "state": SlotState.TAKEN, "fetched_at": dt.datetime.now(dt.UTC),
         "start": row.start, "end": row.end, "room": row.room, "address": row.address}
        for key, row in existing.items()
        if key not in seen and row.state == SlotState.FREE and row.start < end
    ]
    if inserts:
        _insert_many(session, cast(Table, Slot.__table__), inserts)
    if updates or taken:
        statement = (
            update(Slot)
            .where(Slot.id == bindparam("slot_id"))
            .values(state=bindparam("state"), fetched_at=bindparam("fetched_at"),
                    start=bindparam("start"), end=bindparam("end"),
                    room=bindparam("room"), address=bindparam("address"))
        )
        session.connection().execute(statement, updates + taken)
    changes["slots.inserted"] += len(inserts)
    changes["slots.updated"] += len(updates)
    changes["slots.taken"] += len(taken)
