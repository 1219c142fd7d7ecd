"""Free slots across doctors: the earliest-free grid of a specialty and alternatives to a slot.

The earliest-free grid is one statement per engine, both reading only the first few free slots of
each doctor through ``ix_slot_doctor_start`` (a window function over all future free slots was
about 20 times slower on SQLite at region scale):

* SQLite: for each doctor of the specialty, the start of its N-th free slot (a correlated
  subquery that stops at it) bounds the range of that doctor's slots the outer loop reads;
* PostgreSQL: a ``LATERAL`` subquery takes each doctor's first N free slots.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from workstation.models import Doctor, Institution, Slot, SlotState, Specialty
from workstation.models.text import normalise_name
from workstation.services.directory import name_sort_key
from workstation.services.schedule.rows import FreeSlot, folded

DEFAULT_PER_DOCTOR = 3
FAR_FUTURE = dt.datetime(9999, 12, 31)
"""The bound used when a doctor has fewer free slots than asked for (and no end is given)."""


@dataclass(frozen=True, slots=True)
class SpecialtyChoice:
    """A specialty as the operator picks it: the same name in several institutions is one."""

    name: str
    federal_code: str | None
    specialty_ids: tuple[int, ...]
    institution_count: int
    doctor_count: int


@dataclass(frozen=True, slots=True)
class EarliestFreeRow:
    """A doctor's first free slots (at least one), a row of the earliest-free grid."""

    doctor_id: int
    doctor_name: str
    specialty_id: int
    specialty_name: str
    institution_id: int
    institution_short_name: str
    slots: tuple[FreeSlot, ...]

    @property
    def first(self) -> FreeSlot:
        """The earliest of the doctor's free slots."""
        return self.slots[0]


@dataclass(frozen=True, slots=True)
class AlternativeRow:
    """A free slot offered instead of a taken one."""

    doctor_id: int
    doctor_name: str
    specialty_name: str
    slot: FreeSlot
    same_doctor: bool


def _specialty_scope(institution_id: int | None, settlement_id: int | None) -> ColumnElement[bool]:
    if (institution_id is None) == (settlement_id is None):
        raise ValueError("pass exactly one of institution_id and settlement_id")
    if institution_id is not None:
        return Specialty.institution_id == institution_id
    institutions = select(Institution.id).where(
        Institution.settlement_id == settlement_id, Institution.is_active.is_(True)
    )
    return Specialty.institution_id.in_(institutions)


def specialty_choices(
    session: Session, *, institution_id: int | None = None, settlement_id: int | None = None
) -> list[SpecialtyChoice]:
    """Specialties having doctors in an institution or a settlement, one per name, by name.

    Names are compared normalised (case, ё), so «Терапевт» of two institutions is one choice.
    """
    statement = (
        select(
            Specialty.id,
            Specialty.name,
            Specialty.federal_code,
            Specialty.institution_id,
            func.count(Doctor.id),
        )
        .join(Doctor, Doctor.specialty_id == Specialty.id)
        .where(_specialty_scope(institution_id, settlement_id))
        .group_by(Specialty.id, Specialty.name, Specialty.federal_code, Specialty.institution_id)
    )
    groups: dict[str, list[tuple[int, str, str | None, int, int]]] = {}
    for row in session.execute(statement):
        groups.setdefault(folded(row[1]), []).append((row[0], row[1], row[2], row[3], int(row[4])))
    choices = []
    for members in groups.values():
        members.sort()
        codes = [code for _id, _name, code, _inst, _count in members if code]
        choices.append(
            SpecialtyChoice(
                name=members[0][1],
                federal_code=codes[0] if codes else None,
                specialty_ids=tuple(member[0] for member in members),
                institution_count=len({member[3] for member in members}),
                doctor_count=sum(member[4] for member in members),
            )
        )
    choices.sort(key=lambda choice: name_sort_key(choice.name))
    return choices


def resolve_specialty(
    session: Session,
    specialty: str,
    *,
    institution_id: int | None = None,
    settlement_id: int | None = None,
) -> list[int]:
    """Ids of the specialties in scope whose federal code is ``specialty`` or whose name is it
    (case- and ё-insensitive)."""
    scope = _specialty_scope(institution_id, settlement_id)
    wanted = normalise_name(specialty)
    # A settlement has thousands of specialty rows but a few tens of distinct names: fold those
    # in Python (SQLite cannot fold Cyrillic), then select the rows by the matching spellings.
    names = [
        name
        for name in session.scalars(select(Specialty.name).where(scope).distinct())
        if folded(name) == wanted
    ]
    matches = Specialty.federal_code == specialty.strip()
    if names:
        matches = or_(matches, Specialty.name.in_(names))
    return list(session.scalars(select(Specialty.id).where(scope, matches)))


def earliest_free_statement(
    dialect: str,
    specialty_ids: Sequence[int],
    now: dt.datetime,
    *,
    per_doctor: int = DEFAULT_PER_DOCTOR,
    until: dt.datetime | None = None,
) -> Select[int, str, str, int, str, int, str, int, dt.datetime, dt.datetime, str]:
    """The statement of :func:`earliest_free` for a dialect: ``"postgresql"`` gets the LATERAL
    form, any other the portable one (it may return more than ``per_doctor`` rows of a doctor
    whose N-th free time is shared by two slots; :func:`earliest_free_of` drops the extra)."""
    if per_doctor < 1:
        raise ValueError("per_doctor must be at least 1")
    columns = (
        Doctor.id,
        Doctor.full_name,
        Doctor.full_name_norm,
        Doctor.specialty_id,
        Specialty.name,
        Doctor.institution_id,
        Institution.short_name,
    )
    if dialect == "postgresql":
        first = select(Slot.id, Slot.start, Slot.end, Slot.room).where(
            Slot.doctor_id == Doctor.id, Slot.start > now, Slot.state == SlotState.FREE
        )
        if until is not None:
            first = first.where(Slot.start < until)
        lateral = first.order_by(Slot.start, Slot.id).limit(per_doctor).lateral("first_free")
        return (
            select(*columns, lateral.c.id, lateral.c.start, lateral.c.end, lateral.c.room)
            .select_from(Doctor)
            .join(lateral, true())
            .join(Specialty, Specialty.id == Doctor.specialty_id)
            .join(Institution, Institution.id == Doctor.institution_id)
            .where(Doctor.specialty_id.in_(specialty_ids))
        )
    later = aliased(Slot)
    nth_start = (
        select(later.start)
        .where(later.doctor_id == Doctor.id, later.start > now, later.state == SlotState.FREE)
        .order_by(later.start)
        .limit(1)
        .offset(per_doctor - 1)
        .scalar_subquery()
    )
    statement = (
        select(*columns, Slot.id, Slot.start, Slot.end, Slot.room)
        .select_from(Doctor)
        .join(Slot, Slot.doctor_id == Doctor.id)
        .join(Specialty, Specialty.id == Doctor.specialty_id)
        .join(Institution, Institution.id == Doctor.institution_id)
        .where(
            Doctor.specialty_id.in_(specialty_ids),
            Slot.state == SlotState.FREE,
            Slot.start > now,
            Slot.start <= func.coalesce(nth_start, until or FAR_FUTURE),
        )
    )
    if until is not None:
        statement = statement.where(Slot.start < until)
    return statement


def earliest_free(
    session: Session,
    specialty: str,
    now: dt.datetime,
    *,
    institution_id: int | None = None,
    settlement_id: int | None = None,
    per_doctor: int = DEFAULT_PER_DOCTOR,
    until: dt.datetime | None = None,
) -> list[EarliestFreeRow]:
    """The first ``per_doctor`` free slots of every doctor of a specialty, by the first one.

    ``specialty`` is a federal code or a name (see :func:`resolve_specialty`); the scope is one
    institution or every active institution of a settlement. Only slots after ``now`` (naive
    local wall clock) and, when given, before ``until`` count; doctors with none are left out.
    """
    specialty_ids = resolve_specialty(
        session, specialty, institution_id=institution_id, settlement_id=settlement_id
    )
    return earliest_free_of(session, specialty_ids, now, per_doctor=per_doctor, until=until)


def earliest_free_of(
    session: Session,
    specialty_ids: Sequence[int],
    now: dt.datetime,
    *,
    per_doctor: int = DEFAULT_PER_DOCTOR,
    until: dt.datetime | None = None,
) -> list[EarliestFreeRow]:
    """:func:`earliest_free` for specialty ids already known (e.g. a :class:`SpecialtyChoice`)."""
    if not specialty_ids:
        return []
    dialect = session.get_bind().dialect.name
    statement = earliest_free_statement(
        dialect, specialty_ids, now, per_doctor=per_doctor, until=until
    )
    heads: dict[int, tuple[str, str, int, str, int, str]] = {}
    slots: dict[int, list[FreeSlot]] = {}
    for row in session.execute(statement):
        doctor_id = row[0]
        if doctor_id not in heads:
            heads[doctor_id] = (row[1], row[2], row[3], row[4], row[5], row[6])
        slots.setdefault(doctor_id, []).append(FreeSlot(row[7], row[8], row[9], row[10]))
    keyed = []
    for doctor_id, head in heads.items():
        name, name_norm, specialty_id, specialty_name, institution_id, short_name = head
        found = sorted(slots[doctor_id], key=lambda slot: (slot.start, slot.slot_id))
        entry = EarliestFreeRow(
            doctor_id=doctor_id,
            doctor_name=name,
            specialty_id=specialty_id,
            specialty_name=specialty_name,
            institution_id=institution_id,
            institution_short_name=short_name,
            # Two free slots at the very same time may both pass the N-th start bound.
            slots=tuple(found[:per_doctor]),
        )
        keyed.append(((entry.first.start, name_norm, name, doctor_id), entry))
    keyed.sort(key=lambda pair: pair[0])
    return [entry for _key, entry in keyed]


def alternatives(
    session: Session, slot_id: int, now: dt.datetime, limit: int = 3
) -> list[AlternativeRow]:
    """The ``limit`` free slots nearest to a wanted one: the same doctor's first, then those of
    the doctor's colleagues of the same specialty in the same institution (the patient is
    identified per institution). Nearest means from the wanted time on, then before it; never
    before ``now``.
    """
    wanted = session.execute(
        select(Slot.start, Doctor.id, Doctor.institution_id, Doctor.specialty_id)
        .join(Doctor, Doctor.id == Slot.doctor_id)
        .where(Slot.id == slot_id)
    ).one_or_none()
    if wanted is None or limit < 1:
        return []
    start, doctor_id, institution_id, specialty_id = wanted
    colleagues = select(Doctor.id).where(
        Doctor.institution_id == institution_id,
        Doctor.specialty_id == specialty_id,
        Doctor.id != doctor_id,
    )
    found: list[AlternativeRow] = []
    for doctors, same in (
        (Slot.doctor_id == doctor_id, True),
        (Slot.doctor_id.in_(colleagues), False),
    ):
        base = (
            select(
                Slot.id,
                Slot.start,
                Slot.end,
                Slot.room,
                Doctor.id,
                Doctor.full_name,
                Specialty.name,
            )
            .join(Doctor, Doctor.id == Slot.doctor_id)
            .join(Specialty, Specialty.id == Doctor.specialty_id)
            .where(doctors, Slot.state == SlotState.FREE, Slot.id != slot_id, Slot.start > now)
        )
        for statement in (
            base.where(Slot.start >= start).order_by(Slot.start, Slot.id),
            base.where(Slot.start < start).order_by(Slot.start.desc(), Slot.id),
        ):
            if len(found) >= limit:
                return found
            found.extend(
                AlternativeRow(
                    doctor_id=row[4],
                    doctor_name=row[5],
                    specialty_name=row[6],
                    slot=FreeSlot(row[0], row[1], row[2], row[3]),
                    same_doctor=same,
                )
                for row in session.execute(statement.limit(limit - len(found)))
            )
    return found
