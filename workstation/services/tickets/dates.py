"""Dates and durations in the Russian wording printed on tickets and slips."""

from __future__ import annotations

import datetime as dt

WEEKDAYS = ("Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота", "Воскресенье")
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def long_date(day: dt.date) -> str:
    """«Пятница, 14 августа 2015»: the weekday spelled out, as patients check it."""
    return f"{WEEKDAYS[day.weekday()]}, {day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year}"


def clock_time(moment: dt.datetime | dt.time) -> str:
    """«10:30»."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def local_moment(moment: dt.datetime) -> str:
    """«14.08.2015 09:12» in the workstation's time zone (a naive value is already local)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d.%m.%Y %H:%M")


def plural(number: int, forms: tuple[str, str, str]) -> str:
    """The Russian plural form for ``number``: (1 час, 2 часа, 5 часов)."""
    tens, units = number % 100, number % 10
    if 11 <= tens <= 14:
        return forms[2]
    if units == 1:
        return forms[0]
    if 2 <= units <= 4:
        return forms[1]
    return forms[2]


def hours_phrase(duration: dt.timedelta) -> str:
    """«72 часа»: a validity period rounded to whole hours (at least one)."""
    hours = max(1, round(duration.total_seconds() / 3600))
    return f"{hours} {plural(hours, ('час', 'часа', 'часов'))}"
