"""Row types shared by the schedule queries: plain frozen values, safe to pass to the GUI thread."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from workstation.models import SlotState
from workstation.models.text import normalise_name
from workstation.services.schedule import labels


@dataclass(frozen=True, slots=True)
class SlotCell:
    """One slot of a doctor's schedule as the grids show it; only future slots are listed."""

    slot_id: int
    start: dt.datetime
    end: dt.datetime
    state: SlotState
    room: str

    @property
    def is_free(self) -> bool:
        """True when the slot can be chosen."""
        return self.state is SlotState.FREE

    @property
    def time_label(self) -> str:
        """«09:00»."""
        return labels.clock(self.start)

    @property
    def state_label(self) -> str:
        """«Свободно», «Занято», «Удерживается» or «Записан»."""
        return labels.STATE_LABELS[self.state]

    @property
    def booking_prompt(self) -> str:
        """«Записаться на 05 августа 09:00»."""
        return labels.booking_prompt(self.start)


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """A free future slot offered in the earliest-free grid or as an alternative."""

    slot_id: int
    start: dt.datetime
    end: dt.datetime
    room: str

    @property
    def label(self) -> str:
        """«05.08 09:00»."""
        return labels.short_moment(self.start)

    @property
    def long_label(self) -> str:
        """«05 августа 2015 09:00»."""
        return labels.long_moment(self.start)


@dataclass(frozen=True, slots=True)
class DoctorHeader:
    """Who a schedule belongs to."""

    id: int
    full_name: str
    specialty_id: int
    specialty_name: str
    institution_id: int
    institution_short_name: str
    department_id: int | None
    department_name: str | None

    @property
    def title(self) -> str:
        """«Владимирова Анна Алексеевна, Врач-офтальмолог», as the booking dialog heads it."""
        return f"{self.full_name}, {self.specialty_name}"


def nearest_label(moment: dt.datetime | None) -> str:
    """The text under «Ближайшее доступное время приема»: a moment or «Нет свободных талонов»."""
    return labels.NO_FREE_SLOTS if moment is None else labels.long_moment(moment)


def listed_after(day: dt.date, now: dt.datetime) -> dt.datetime:
    """The bound of ``Slot.start > bound`` that lists the slots from ``day`` on, none before now.

    One microsecond before midnight, so that a slot starting at midnight of ``day`` is listed.
    """
    return max(now, dt.datetime.combine(day, dt.time()) - dt.timedelta(microseconds=1))


@lru_cache(maxsize=8192)
def folded(name: str) -> str:
    """``normalise_name``, remembered: department and specialty names repeat across rows."""
    return normalise_name(name)
