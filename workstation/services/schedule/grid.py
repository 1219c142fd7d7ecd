"""One doctor's schedule: the week grid, the month calendar and the time list of a day.

As the manual shows them: week pages (days × reception hours) with «Ближайшее доступное время
приема», and the booking dialog's month calendar (dates with free slots highlighted) with the
time list of the chosen date. Slots that start before ``now`` (naive local wall clock, like the
slot times) are never listed. Every statement seeks ``ix_slot_doctor_start``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, bindparam, select
from sqlalchemy.orm import Session

from workstation.models import Department, Doctor, Institution, Slot, SlotState, Specialty
from workstation.services.schedule import labels
from workstation.services.schedule.rows import (
    DoctorHeader,
    FreeSlot,
    SlotCell,
    listed_after,
    nearest_label,
)

ONE_DAY = dt.timedelta(days=1)
ONE_WEEK = dt.timedelta(days=7)


class DoctorNotFound(LookupError):
    """The doctor is not (or no longer) in the cache."""


@dataclass(frozen=True, slots=True)
class WeekDay:
    """A column of the week grid: one date and the doctor's future slots on it."""

    date: dt.date
    slots: tuple[SlotCell, ...]

    @property
    def label(self) -> str:
        """«пн, 10»."""
        return labels.week_day(self.date)

    @property
    def free_count(self) -> int:
        """Free slots of the day."""
        return sum(1 for slot in self.slots if slot.is_free)

    @property
    def hours_label(self) -> str:
        """«09:00 11:30»: from the first slot's start to the last one's end; «-» if none."""
        if not self.slots:
            return "-"
        return f"{labels.clock(self.slots[0].start)} {labels.clock(self.slots[-1].end)}"


@dataclass(frozen=True, slots=True)
class DoctorWeek:
    """A week page of a doctor's schedule, Monday to Sunday."""

    doctor: DoctorHeader
    monday: dt.date
    days: tuple[WeekDay, ...]  # always seven
    nearest_free: FreeSlot | None  # the first free slot from now on, in this week or not

    @property
    def label(self) -> str:
        """«10.08 - 16.08»."""
        return labels.week_range(self.monday)

    @property
    def previous_monday(self) -> dt.date:
        """The Monday of the week before."""
        return self.monday - ONE_WEEK

    @property
    def next_monday(self) -> dt.date:
        """The Monday of the week after."""
        return self.monday + ONE_WEEK

    @property
    def nearest_label(self) -> str:
        """«05 августа 2015 09:00» (under «Ближайшее доступное время приема»)."""
        return nearest_label(self.nearest_free.start if self.nearest_free else None)


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """A date of the month calendar on which the doctor has future slots."""

    date: dt.date
    free_count: int
    slot_count: int

    @property
    def has_free(self) -> bool:
        """True when the date is highlighted as bookable."""
        return self.free_count > 0


@dataclass(frozen=True, slots=True)
class DoctorMonth:
    """The booking dialog's month calendar of a doctor."""

    doctor: DoctorHeader
    first_day: dt.date
    days: tuple[CalendarDay, ...]  # dates with future slots only, in order
    nearest_free: FreeSlot | None

    @property
    def title(self) -> str:
        """«Август 2015»."""
        return labels.month_title(self.first_day)

    @property
    def free_dates(self) -> frozenset[dt.date]:
        """The dates to highlight."""
        return frozenset(day.date for day in self.days if day.free_count)

    @property
    def previous_month(self) -> dt.date:
        """The first day of the month before."""
        return (self.first_day - ONE_DAY).replace(day=1)

    @property
    def next_month(self) -> dt.date:
        """The first day of the month after."""
        return _next_month(self.first_day)

    @property
    def nearest_label(self) -> str:
        """The text under «Ближайшее доступное время приема»."""
        return nearest_label(self.nearest_free.start if self.nearest_free else None)


@dataclass(frozen=True, slots=True)
class DaySchedule:
    """The time list of one date: free and taken slots, as the booking dialog lists them."""

    doctor_id: int
    date: dt.date
    slots: tuple[SlotCell, ...]

    @property
    def free_count(self) -> int:
        """Free slots of the day."""
        return sum(1 for slot in self.slots if slot.is_free)

    @property
    def title(self) -> str:
        """«05 августа 2015. Выберите время:»."""
        return f"{labels.long_date(self.date)}. Выберите время:"

    @property
    def heading(self) -> str:
        """«10 августа, понедельник талонов: 5»."""
        return f"{labels.day_heading(self.date)} {labels.tickets(self.free_count)}"


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the week ``day`` is in."""
    return day - dt.timedelta(days=day.weekday())


# Built once: constructing a statement costs more than SQLite takes to answer these.
_HEADER = (
    select(
        Doctor.id,
        Doctor.full_name,
        Doctor.specialty_id,
        Specialty.name,
        Doctor.institution_id,
        Institution.short_name,
        Doctor.department_id,
        Department.name,
    )
    .join(Specialty, Specialty.id == Doctor.specialty_id)
    .join(Institution, Institution.id == Doctor.institution_id)
    .outerjoin(Department, Department.id == Doctor.department_id)
    .where(Doctor.id == bindparam("doctor_id"))
)
_NEAREST_FREE = (
    select(Slot.id, Slot.start, Slot.end, Slot.room)
    .where(
        Slot.doctor_id == bindparam("doctor_id"),
        Slot.start > bindparam("now", type_=DateTime()),
        Slot.state == SlotState.FREE,
    )
    .order_by(Slot.start, Slot.id)
    .limit(1)
)
_SLOTS = (
    select(Slot.id, Slot.start, Slot.end, Slot.state, Slot.room)
    .where(
        Slot.doctor_id == bindparam("doctor_id"),
        Slot.start > bindparam("after", type_=DateTime()),
        Slot.start < bindparam("before", type_=DateTime()),
    )
    .order_by(Slot.start, Slot.id)
)


def doctor_header(session: Session, doctor_id: int) -> DoctorHeader:
    """The doctor's name, specialty, department and institution (``DoctorNotFound`` if gone)."""
    row = session.execute(_HEADER, {"doctor_id": doctor_id}).one_or_none()
    if row is None:
        raise DoctorNotFound(doctor_id)
    return DoctorHeader(*row)


def nearest_free(session: Session, doctor_id: int, now: dt.datetime) -> FreeSlot | None:
    """The doctor's first free slot after ``now`` (``ix_slot_doctor_start``, stops at the first)."""
    row = session.execute(_NEAREST_FREE, {"doctor_id": doctor_id, "now": now}).one_or_none()
    return None if row is None else FreeSlot(*row)


def _slots(
    session: Session, doctor_id: int, after: dt.datetime, before: dt.datetime
) -> list[SlotCell]:
    parameters = {"doctor_id": doctor_id, "after": after, "before": before}
    return [SlotCell(*row) for row in session.execute(_SLOTS, parameters)]


def _nearest_from(
    session: Session, doctor_id: int, now: dt.datetime, cells: list[SlotCell], since: dt.date
) -> FreeSlot | None:
    # When the listed period starts no later than now, its first free slot is the nearest one.
    if dt.datetime.combine(since, dt.time()) <= now:
        for cell in cells:
            if cell.is_free:
                return FreeSlot(cell.slot_id, cell.start, cell.end, cell.room)
    return nearest_free(session, doctor_id, now)


def doctor_week(session: Session, doctor_id: int, day: dt.date, now: dt.datetime) -> DoctorWeek:
    """The week (Monday to Sunday) containing ``day``: seven days × the doctor's future slots."""
    header = doctor_header(session, doctor_id)
    monday = monday_of(day)
    cells = _slots(session, doctor_id, listed_after(monday, now), _midnight(monday + ONE_WEEK))
    by_day: dict[dt.date, list[SlotCell]] = {}
    for cell in cells:
        by_day.setdefault(cell.start.date(), []).append(cell)
    days = tuple(
        WeekDay(date, tuple(by_day.get(date, ())))
        for date in (monday + dt.timedelta(days=offset) for offset in range(7))
    )
    return DoctorWeek(
        doctor=header,
        monday=monday,
        days=days,
        nearest_free=_nearest_from(session, doctor_id, now, cells, monday),
    )


def doctor_month(session: Session, doctor_id: int, month: dt.date, now: dt.datetime) -> DoctorMonth:
    """The month containing ``month``: the dates with future slots, their free and all counts."""
    header = doctor_header(session, doctor_id)
    first_day = month.replace(day=1)
    cells = _slots(
        session,
        doctor_id,
        listed_after(first_day, now),
        _midnight(_next_month(first_day)),
    )
    counts: dict[dt.date, list[int]] = {}
    for cell in cells:
        entry = counts.setdefault(cell.start.date(), [0, 0])
        entry[0] += cell.is_free
        entry[1] += 1
    days = tuple(CalendarDay(date, free, total) for date, (free, total) in counts.items())
    return DoctorMonth(
        doctor=header,
        first_day=first_day,
        days=days,
        nearest_free=_nearest_from(session, doctor_id, now, cells, first_day),
    )


def doctor_day(session: Session, doctor_id: int, day: dt.date, now: dt.datetime) -> DaySchedule:
    """The doctor's future slots on ``day``, free and taken, by time."""
    cells = _slots(session, doctor_id, listed_after(day, now), _midnight(day + ONE_DAY))
    return DaySchedule(doctor_id=doctor_id, date=day, slots=tuple(cells))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _next_month(first_day: dt.date) -> dt.date:
    return (first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
