"""Read queries of the booking screen's schedule: the filtered tree, a doctor's week, month and
day, the earliest free slots of a specialty and alternatives to a taken slot.

Like :mod:`workstation.services.directory`, every function takes a session and returns frozen
dataclasses (never ORM objects), and takes the current moment explicitly: ``now`` is the naive
local wall clock slot times are written in (``booking.holds.local_now`` turns a UTC instant into
it). Slots that start at or before ``now`` are never offered.
"""

from workstation.services.schedule.earliest import (
    DEFAULT_PER_DOCTOR,
    AlternativeRow,
    EarliestFreeRow,
    SpecialtyChoice,
    alternatives,
    earliest_free,
    earliest_free_of,
    earliest_free_statement,
    resolve_specialty,
    specialty_choices,
)
from workstation.services.schedule.grid import (
    CalendarDay,
    DaySchedule,
    DoctorMonth,
    DoctorNotFound,
    DoctorWeek,
    WeekDay,
    doctor_day,
    doctor_header,
    doctor_month,
    doctor_week,
    monday_of,
    nearest_free,
)
from workstation.services.schedule.rows import DoctorHeader, FreeSlot, SlotCell
from workstation.services.schedule.tree import (
    DepartmentNode,
    DoctorAvailability,
    ScheduleFilter,
    ScheduleTree,
    SpecialtyNode,
    name_matches,
    schedule_tree,
)

__all__ = [
    "DEFAULT_PER_DOCTOR",
    "AlternativeRow",
    "CalendarDay",
    "DaySchedule",
    "DepartmentNode",
    "DoctorAvailability",
    "DoctorHeader",
    "DoctorMonth",
    "DoctorNotFound",
    "DoctorWeek",
    "EarliestFreeRow",
    "FreeSlot",
    "ScheduleFilter",
    "ScheduleTree",
    "SlotCell",
    "SpecialtyChoice",
    "SpecialtyNode",
    "WeekDay",
    "alternatives",
    "doctor_day",
    "doctor_header",
    "doctor_month",
    "doctor_week",
    "earliest_free",
    "earliest_free_of",
    "earliest_free_statement",
    "monday_of",
    "name_matches",
    "nearest_free",
    "resolve_specialty",
    "schedule_tree",
    "specialty_choices",
]
