"""«Список медицинских учреждений» of a settlement: the filters «Тип учреждения», «Специальность
врача» and «Ближайшие к адресу», and the «Доступное время приема» of an institution.

«Ближайшие к адресу»: the institutions of the settlement are ordered by their distance from the
house (``addresses.locate`` gives its point) and numbered from 1, as the manual's map numbers them.
Distances are great-circle (haversine) in Python: a settlement has at most a few hundred
institutions, and SQLite has no trigonometry.

Specialties belong to one institution each (``IdSpesiality`` is local), so «Специальность врача»
filters by the specialty's name: every institution with a doctor of a specialty of that name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import DateTime, bindparam, select
from sqlalchemy.orm import Session

from workstation.models import Doctor, Institution, Slot, SlotState, Specialty
from workstation.models.text import normalise_name
from workstation.services.addresses import distance_m
from workstation.services.directory import InstitutionRow, list_institutions, name_sort_key
from workstation.services.schedule import labels

NEAREST_TITLE = "Ближайшие к адресу"
INSTITUTION_TYPE_TITLE = "Тип учреждения"
SPECIALTY_TITLE = "Специальность врача"
AVAILABLE_TIME_TITLE = "Доступное время приема"


def found_label(count: int) -> str:
    """«Найдено учреждений: 6»."""
    return f"Найдено учреждений: {count}"


def distance_label(metres: float) -> str:
    """«350 м», «1,2 км», «15 км»."""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} м"
    if metres < 10_000:
        return f"{metres / 1000:.1f} км".replace(".", ",")
    return f"{metres / 1000:.0f} км"


@dataclass(frozen=True, slots=True)
class NearestRow:
    """An institution in the «Ближайшие к адресу» order; ``number`` counts from 1, nearest first."""

    number: int
    institution_id: int
    short_name: str
    address: str
    distance_m: float

    @property
    def distance_label(self) -> str:
        """«350 м», «1,2 км»."""
        return distance_label(self.distance_m)


def _specialty_institutions(session: Session, specialty_id: int) -> set[int]:
    """Institutions with a doctor of a specialty named like ``specialty_id``'s."""
    name = session.scalar(select(Specialty.name).where(Specialty.id == specialty_id))
    if name is None:
        return set()
    wanted = normalise_name(name)
    rows = session.execute(
        select(Specialty.institution_id, Specialty.name)
        .where(Specialty.id.in_(select(Doctor.specialty_id)))
        .distinct()
    )
    return {institution_id for institution_id, other in rows if normalise_name(other) == wanted}


def nearest_institutions(
    session: Session,
    settlement_id: int,
    lat: float,
    lon: float,
    *,
    kind: str | None = None,
    specialty_id: int | None = None,
    limit: int | None = None,
) -> list[NearestRow]:
    """Active institutions of the settlement by distance from (lat, lon), numbered 1..n.

    ``kind`` keeps one «Тип учреждения»; ``specialty_id`` keeps institutions with a doctor of a
    specialty of that name. Institutions without coordinates cannot be placed and are left out.
    Ties are broken by name, so the numbering is stable.
    """
    statement = select(
        Institution.id,
        Institution.short_name,
        Institution.address,
        Institution.lat,
        Institution.lon,
    ).where(
        Institution.settlement_id == settlement_id,
        Institution.is_active.is_(True),
        Institution.lat.is_not(None),
        Institution.lon.is_not(None),
    )
    if kind is not None:
        statement = statement.where(Institution.type == kind)
    allowed = _specialty_institutions(session, specialty_id) if specialty_id is not None else None
    placed: list[tuple[float, str, int, str]] = []
    for row_id, short_name, address, row_lat, row_lon in session.execute(statement):
        if row_lat is None or row_lon is None or (allowed is not None and row_id not in allowed):
            continue
        # Ties (same building) by name: plain text order is enough to keep numbering stable.
        placed.append((distance_m(lat, lon, row_lat, row_lon), short_name, row_id, address))
    placed.sort()
    if limit is not None:
        placed = placed[:limit]
    return [
        NearestRow(number, row_id, short_name, address, metres)
        for number, (metres, short_name, row_id, address) in enumerate(placed, start=1)
    ]


def institution_types(session: Session, settlement_id: int) -> list[str]:
    """The «Тип учреждения» choices: types of the settlement's active institutions, by name."""
    types = session.scalars(
        select(Institution.type)
        .where(Institution.settlement_id == settlement_id, Institution.is_active.is_(True))
        .distinct()
    )
    return sorted((kind for kind in types if kind), key=name_sort_key)


def _flatten(rows: Iterable[InstitutionRow]) -> list[InstitutionRow]:
    flat: list[InstitutionRow] = []
    for row in rows:
        flat.extend(row.walk())
    return flat


def institutions_filtered(
    session: Session,
    settlement_id: int,
    *,
    kind: str | None = None,
    specialty_id: int | None = None,
) -> list[InstitutionRow]:
    """The institutions «Найдено учреждений: N» lists.

    Without a filter: ``directory.list_institutions`` (subdivisions nested, so the count is the
    manual's 6 for Ханты-Мансийск). With a filter: every matching institution, subdivisions too,
    as a flat list by name, each subdivision naming its parent (``parent_short_name``).
    """
    tree = list_institutions(session, settlement_id)
    if kind is None and specialty_id is None:
        return tree
    allowed = _specialty_institutions(session, specialty_id) if specialty_id is not None else None
    flat = _flatten(tree)
    names = {row.id: row.short_name for row in flat}
    result = [
        # A parent in another settlement was already named by list_institutions.
        replace(
            row,
            subdivisions=(),
            parent_short_name=names.get(row.parent_id or -1) or row.parent_short_name,
        )
        for row in flat
        if (kind is None or row.type == kind) and (allowed is None or row.id in allowed)
    ]
    result.sort(key=lambda row: name_sort_key(row.short_name))
    return result


# --------------------------------------------------------------------------------------------
# «Доступное время приема»


@dataclass(frozen=True, slots=True)
class DayAvailability:
    """A day of «Доступное время приема»: its free tickets and their times («13:24», …).

    ``times`` and ``slot_ids`` are aligned, one entry per free ticket, by time: with several
    doctors the same time may appear twice.
    """

    date: dt.date
    free_count: int
    times: tuple[str, ...]
    slot_ids: tuple[int, ...] = ()

    @property
    def heading(self) -> str:
        """«10 августа, понедельник»."""
        return labels.day_heading(self.date)

    @property
    def tickets_label(self) -> str:
        """«талонов: 5»."""
        return labels.tickets(self.free_count)


# Built once: the statement is the same for every call, only the parameters change.
_FREE_SLOTS = (
    select(Slot.id, Slot.start)
    .join(Doctor, Doctor.id == Slot.doctor_id)
    .where(
        Doctor.institution_id == bindparam("institution_id"),
        Slot.state == SlotState.FREE,
        Slot.start > bindparam("after", type_=DateTime()),
        Slot.start < bindparam("before", type_=DateTime()),
    )
)


def available_time(
    session: Session,
    institution_id: int,
    now: dt.datetime,
    days: int = 14,
    doctor_id: int | None = None,
    specialty_id: int | None = None,
) -> list[DayAvailability]:
    """Days with free tickets from ``now`` for ``days`` days (today counts as the first).

    ``now`` is the naive local wall clock slots are written in; slots at or before it are not
    offered. ``doctor_id`` / ``specialty_id`` narrow it to one doctor or one specialty of the
    institution. Days without a free ticket are left out, as in the manual.
    """
    before = dt.datetime.combine(now.date() + dt.timedelta(days=days), dt.time())
    statement = _FREE_SLOTS
    if doctor_id is not None:
        statement = statement.where(Slot.doctor_id == doctor_id)
    if specialty_id is not None:
        statement = statement.where(Doctor.specialty_id == specialty_id)
    parameters = {"institution_id": institution_id, "after": now, "before": before}
    by_day: dict[dt.date, list[tuple[dt.datetime, int]]] = {}
    for slot_id, start in session.execute(statement, parameters):
        by_day.setdefault(start.date(), []).append((start, slot_id))
    result = []
    for day in sorted(by_day):
        slots = sorted(by_day[day])
        result.append(
            DayAvailability(
                date=day,
                free_count=len(slots),
                times=tuple(labels.clock(start) for start, _slot_id in slots),
                slot_ids=tuple(slot_id for _start, slot_id in slots),
            )
        )
    return result
