"""An institution's schedule tree under the manual's filters: отделение → специальность → врач.

«Поиск расписания» of the manual: department name (a part of it), doctor's specialty, the
interval of reception dates, doctor's full name and «Учитывать только свободные талоны при
записи». Every doctor row carries the number of free tickets in the interval and the nearest
free time.

Names are matched in Python on normalised text (upper case, ё→Е): SQLite folds case for ASCII
only, and an institution has tens or hundreds of doctors, read through
``ix_doctor_institution_department``. The free-ticket counts are one grouped statement over
``ix_slot_doctor_start`` for the doctors that passed the name filters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import DateTime, bindparam, case, func, select
from sqlalchemy.orm import Session

from workstation.models import Department, Doctor, Slot, SlotState, Specialty
from workstation.models.text import normalise_name
from workstation.services.directory import NO_DEPARTMENT_NAME, name_sort_key
from workstation.services.schedule import labels
from workstation.services.schedule.rows import folded, listed_after


@dataclass(frozen=True, slots=True)
class ScheduleFilter:
    """The filters of «Поиск расписания»; the default value is the cleared form («Очистить»)."""

    department: str = ""  # «Поиск отделения»: a part of the department's name
    specialty: str = ""  # «Специальность врача»: a part of the specialty's name
    specialty_id: int | None = None  # or one specialty chosen from the list
    doctor: str = ""  # «ФИО врача»: the beginnings of words of the full name, any order
    date_from: dt.date | None = None  # «Временной интервал приема», both ends inclusive
    date_to: dt.date | None = None
    only_free: bool = False  # «Учитывать только свободные талоны при записи»

    @property
    def is_clear(self) -> bool:
        """True when no filter is set."""
        return self == ScheduleFilter()

    @property
    def has_interval(self) -> bool:
        """True when a reception interval is set."""
        return self.date_from is not None or self.date_to is not None


@dataclass(frozen=True, slots=True)
class DoctorAvailability:
    """A doctor row of the tree: free tickets in the interval and the nearest free time."""

    id: int
    hub_id: str
    full_name: str
    institution_id: int
    department_id: int | None
    specialty_id: int
    area_number: int | None
    comment: str
    free_count: int
    slot_count: int  # every future slot in the interval, free or not
    nearest_free: dt.datetime | None

    @property
    def nearest_label(self) -> str:
        """«05.08 09:00», or «Нет свободных талонов»."""
        if self.nearest_free is None:
            return labels.NO_FREE_SLOTS
        return labels.short_moment(self.nearest_free)


@dataclass(frozen=True, slots=True)
class SpecialtyNode:
    """A specialty within one department, with its doctors."""

    id: int
    name: str
    federal_code: str | None
    department_id: int | None
    doctors: tuple[DoctorAvailability, ...]
    free_count: int
    nearest_free: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DepartmentNode:
    """A department (``id`` ``None``: «Без отделения») with the specialties of its doctors."""

    id: int | None
    name: str
    address: str
    specialties: tuple[SpecialtyNode, ...]
    free_count: int
    nearest_free: dt.datetime | None

    @property
    def is_pseudo(self) -> bool:
        """True for «Без отделения»."""
        return self.id is None


@dataclass(frozen=True, slots=True)
class ScheduleTree:
    """The filtered tree of one institution and the window its counts cover."""

    institution_id: int
    filters: ScheduleFilter
    window_start: dt.datetime  # exclusive: slots strictly after it (never before ``now``)
    window_end: dt.datetime | None  # exclusive; ``None``: no end
    departments: tuple[DepartmentNode, ...] = field(default=())

    def doctors(self) -> Iterator[DoctorAvailability]:
        """Every doctor row, in tree order."""
        for department in self.departments:
            for specialty in department.specialties:
                yield from specialty.doctors

    @property
    def doctor_count(self) -> int:
        """How many doctor rows the tree has."""
        return sum(1 for _ in self.doctors())

    @property
    def free_count(self) -> int:
        """Free tickets of the whole tree."""
        return sum(department.free_count for department in self.departments)


def schedule_window(
    filters: ScheduleFilter, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None]:
    """The (start, end) the counts cover: the interval's days, but never before ``now``."""
    start = now
    if filters.date_from is not None:
        start = listed_after(filters.date_from, now)
    end = None
    if filters.date_to is not None:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time())
    return start, end


def name_words(full_name_norm: str) -> tuple[str, ...]:
    """The words a name query matches: the name's words, and the parts of hyphenated ones."""
    words: list[str] = []
    for word in full_name_norm.split(" "):
        words.append(word)
        if "-" in word:
            words.extend(part for part in word.split("-") if part)
    return tuple(words)


def query_tokens(query: str) -> tuple[str, ...]:
    """The normalised words of a name query."""
    return tuple(token for token in normalise_name(query).split(" ") if token)


def words_match(full_name_norm: str, tokens: tuple[str, ...]) -> bool:
    """True when every token begins some word of the (normalised) full name."""
    words = name_words(full_name_norm)
    return all(any(word.startswith(token) for word in words) for token in tokens)


def name_matches(full_name_norm: str, query: str) -> bool:
    """True when every word of ``query`` begins some word of the (normalised) full name."""
    return words_match(full_name_norm, query_tokens(query))


# Built once: constructing a statement costs more than SQLite takes to answer these.
_DOCTORS = (
    select(
        Doctor.id,
        Doctor.hub_id,
        Doctor.full_name,
        Doctor.full_name_norm,
        Doctor.department_id,
        Doctor.specialty_id,
        Doctor.area_number,
        Doctor.comment,
        Specialty.name,
        Specialty.federal_code,
        Department.name,
        Department.address,
    )
    .join(Specialty, Specialty.id == Doctor.specialty_id)
    .outerjoin(Department, Department.id == Doctor.department_id)
    .where(Doctor.institution_id == bindparam("institution_id"))
)
_IS_FREE = Slot.state == SlotState.FREE
# Per doctor: slots, free slots and the first free start after ``after`` (before ``before``).
_AVAILABILITY = (
    select(
        Slot.doctor_id,
        func.count(),
        func.sum(case((_IS_FREE, 1), else_=0)),
        func.min(case((_IS_FREE, Slot.start))),
    )
    .where(
        Slot.doctor_id.in_(bindparam("doctor_ids", expanding=True)),
        Slot.start > bindparam("after", type_=DateTime()),
    )
    .group_by(Slot.doctor_id)
)
_AVAILABILITY_BEFORE = _AVAILABILITY.where(Slot.start < bindparam("before", type_=DateTime()))


def schedule_tree(
    session: Session,
    institution_id: int,
    now: dt.datetime,
    filters: ScheduleFilter | None = None,
) -> ScheduleTree:
    """The institution's departments → specialties → doctors that pass ``filters``.

    ``now`` is the local wall clock (naive, like slot times): earlier slots never count. With an
    interval, doctors with no slot in it are left out; with ``only_free``, doctors with no free
    slot in it. Departments and specialties are listed only when some doctor of theirs is.
    """
    filters = filters or ScheduleFilter()
    start, end = schedule_window(filters, now)
    department_part = normalise_name(filters.department)
    specialty_part = normalise_name(filters.specialty)
    tokens = query_tokens(filters.doctor)
    doctors = []
    for row in session.execute(_DOCTORS, {"institution_id": institution_id}):
        department_name = row[10] if row[10] is not None else NO_DEPARTMENT_NAME
        if filters.specialty_id is not None and row[5] != filters.specialty_id:
            continue
        if specialty_part and specialty_part not in folded(row[8]):
            continue
        if department_part and department_part not in folded(department_name):
            continue
        if tokens and not words_match(row[3], tokens):
            continue
        doctors.append(row)
    if end is not None and end <= start:
        counts: dict[int, tuple[int, int, dt.datetime | None]] = {}
    elif doctors:
        parameters: dict[str, object] = {"doctor_ids": [row[0] for row in doctors], "after": start}
        statement = _AVAILABILITY
        if end is not None:
            parameters["before"] = end
            statement = _AVAILABILITY_BEFORE
        counts = {
            doctor_id: (int(total), int(free or 0), nearest)
            for doctor_id, total, free, nearest in session.execute(statement, parameters)
        }
    else:
        counts = {}

    departments: dict[int | None, tuple[str, str]] = {}
    specialties: dict[tuple[int | None, int], tuple[str, str | None]] = {}
    by_specialty: dict[tuple[int | None, int], list[DoctorAvailability]] = {}
    for row in doctors:
        total, free, nearest = counts.get(row[0], (0, 0, None))
        if filters.only_free and not free:
            continue
        if filters.has_interval and not total:
            continue
        department_id, specialty_id = row[4], row[5]
        departments[department_id] = (
            row[10] if row[10] is not None else NO_DEPARTMENT_NAME,
            row[11] or "",
        )
        specialties[(department_id, specialty_id)] = (row[8], row[9])
        by_specialty.setdefault((department_id, specialty_id), []).append(
            DoctorAvailability(
                id=row[0],
                hub_id=row[1],
                full_name=row[2],
                institution_id=institution_id,
                department_id=department_id,
                specialty_id=specialty_id,
                area_number=row[6],
                comment=row[7] or "",
                free_count=free,
                slot_count=total,
                nearest_free=nearest,
            )
        )
    specialty_nodes: dict[int | None, list[SpecialtyNode]] = {}
    for (department_id, specialty_id), members in by_specialty.items():
        members.sort(key=lambda doctor: name_sort_key(doctor.full_name))
        name, federal_code = specialties[(department_id, specialty_id)]
        specialty_nodes.setdefault(department_id, []).append(
            SpecialtyNode(
                id=specialty_id,
                name=name,
                federal_code=federal_code,
                department_id=department_id,
                doctors=tuple(members),
                free_count=sum(doctor.free_count for doctor in members),
                nearest_free=_earliest(doctor.nearest_free for doctor in members),
            )
        )
    department_nodes = []
    for department_id, nodes in specialty_nodes.items():
        nodes.sort(key=lambda node: name_sort_key(node.name))
        name, address = departments[department_id]
        department_nodes.append(
            DepartmentNode(
                id=department_id,
                name=name,
                address=address,
                specialties=tuple(nodes),
                free_count=sum(node.free_count for node in nodes),
                nearest_free=_earliest(node.nearest_free for node in nodes),
            )
        )
    # «Без отделения» last, as in the directory.
    department_nodes.sort(key=lambda node: (node.id is None, *name_sort_key(node.name)))
    return ScheduleTree(
        institution_id=institution_id,
        filters=filters,
        window_start=start,
        window_end=end,
        departments=tuple(department_nodes),
    )


def _earliest(moments: Iterable[dt.datetime | None]) -> dt.datetime | None:
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None
