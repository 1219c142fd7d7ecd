"""The Russian wording of the schedule screens, in the manual's words and date formats."""

from __future__ import annotations

import datetime as dt

from workstation.models import SlotState

NEAREST_FREE_TITLE = "Ближайшее доступное время приема"
ONLY_FREE_LABEL = "Учитывать только свободные талоны при записи"
CLEAR_LABEL = "Очистить"
NO_FREE_SLOTS = "Нет свободных талонов"
EARLIEST_FREE_TITLE = "Ближайшие свободные"

WEEKDAYS_SHORT = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
MONTHS = (
    "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь",
    "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь",
)  # fmt: skip
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip

STATE_LABELS: dict[SlotState, str] = {
    SlotState.FREE: "Свободно",
    SlotState.TAKEN: "Занято",
    SlotState.HELD: "Удерживается",
    SlotState.BOOKED: "Записан",
}


def clock(moment: dt.datetime) -> str:
    """«09:00»."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def day_month(day: dt.date) -> str:
    """«05 августа»."""
    return f"{day.day:02d} {MONTHS_GENITIVE[day.month - 1]}"


def long_date(day: dt.date) -> str:
    """«05 августа 2015»."""
    return f"{day_month(day)} {day.year}"


def long_moment(moment: dt.datetime) -> str:
    """«05 августа 2015 09:00», as under «Ближайшее доступное время приема»."""
    return f"{long_date(moment.date())} {clock(moment)}"


def short_moment(moment: dt.datetime) -> str:
    """«05.08 09:00»: the nearest free time in a tree row."""
    return f"{moment:%d.%m} {clock(moment)}"


def week_day(day: dt.date) -> str:
    """«пн, 10»: a column of the week grid."""
    return f"{WEEKDAYS_SHORT[day.weekday()]}, {day.day}"


def day_heading(day: dt.date) -> str:
    """«10 августа, понедельник»: a day of the time list."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]}, {WEEKDAYS[day.weekday()]}"


def week_range(monday: dt.date) -> str:
    """«10.08 - 16.08»: a week tab."""
    return f"{monday:%d.%m} - {monday + dt.timedelta(days=6):%d.%m}"


def month_title(first_day: dt.date) -> str:
    """«Август 2015»: the month calendar's title."""
    return f"{MONTHS[first_day.month - 1]} {first_day.year}"


def tickets(count: int) -> str:
    """«талонов: 5», as in the manual's list of available times."""
    return f"талонов: {count}"


def booking_prompt(moment: dt.datetime) -> str:
    """«Записаться на 05 августа 09:00»: the confirmation of a chosen time."""
    return f"Записаться на {day_month(moment.date())} {clock(moment)}"
