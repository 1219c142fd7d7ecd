"""A deterministic generator of region-scale data for benchmarks, load tests and demos.

Given a seed, it produces the same rows on every run (everything comes from seeded
``random.Random`` streams, fixed moments and ordered lists; nothing depends on the clock, hash
order or the machine):

* settlements of ХМАО-Югра from ``resources/regional/settlements.csv`` (a small built-in list
  when the file is absent), created only when the settlement table is empty;
* about 400 institutions spread over the settlements by population, their departments and
  specialties, 6,000 doctors and 14 days of slots (weekdays, 15-30 minute appointments);
* N patients (2,000,000 by default) with unique valid СНИЛС and ЕНП (plus some temporary
  certificates and old-style polises), passports, ДМС polises, phones, e-mail addresses and
  realistic Russian names in male and female forms, some with «ё».

Rows go in with SQLAlchemy Core ``insert()`` executemany, in batches of 50,000 inside one
transaction; on SQLite ``PRAGMA synchronous=OFF`` (and a larger page cache) are in force during
the load and restored afterwards. Works on PostgreSQL too.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import itertools
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from workstation.models import (
    Department,
    Doctor,
    Institution,
    Patient,
    Settlement,
    Slot,
    SlotState,
    Specialty,
)
from workstation.models.identity import OmsPolicyKind
from workstation.models.text import normalise_name
from workstation.services.database import Database
from workstation.services.resources import resources_dir

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_DOCTORS",
    "DEFAULT_FIRST_SLOT_DAY",
    "DEFAULT_INSTITUTIONS",
    "DEFAULT_PATIENTS",
    "DEFAULT_SEED",
    "DEFAULT_SLOT_DAYS",
    "GENERATED_AT",
    "GenerationSummary",
    "Progress",
    "enp_check_digit",
    "generate_directory",
    "generate_patients",
    "generate_region",
    "patient_rows",
    "snils_check_number",
]

DEFAULT_SEED = 20251125
DEFAULT_PATIENTS = 2_000_000
DEFAULT_INSTITUTIONS = 400
DEFAULT_DOCTORS = 6_000
DEFAULT_SLOT_DAYS = 14
BATCH_SIZE = 50_000
DEFAULT_FIRST_SLOT_DAY = dt.date(2026, 12, 7)
"""A Monday; slots cover ``slot_days`` calendar days from it (pass another day to move them)."""
GENERATED_AT = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)
"""The fixed ``created_at``/``fetched_at`` of every generated row (determinism)."""

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called after each batch (stage: "patients", "slots"...)."""


@dataclass(frozen=True)
class GenerationSummary:
    """What a generation run inserted (settlements: how many the table holds) and how long."""

    settlements: int
    institutions: int
    departments: int
    specialties: int
    doctors: int
    slots: int
    patients: int
    seconds: float


# --------------------------------------------------------------------------------------------
# Check numbers (the identity module validates; these are the fast generators)


def snils_check_number(body: int) -> int:
    """The СНИЛС check number of the 9-digit account number ``body``: (Σ dᵢ·wᵢ mod 101) mod 100."""
    total = 0
    weight = 1
    while weight <= 9:
        total += (body % 10) * weight
        body //= 10
        weight += 1
    return total % 101 % 100


def enp_check_digit(body: str) -> str:
    """The Luhn check digit appended to the 15 leading digits of an ЕНП."""
    total = 0
    for index, ch in enumerate(reversed(body)):
        digit = ord(ch) - 48
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


# --------------------------------------------------------------------------------------------
# Names. Surnames in the male form with a relative weight; the female form is derived.

# fmt: off
_SURNAMES: tuple[tuple[str, int], ...] = (
    ("Иванов", 60), ("Смирнов", 55), ("Кузнецов", 50), ("Попов", 45), ("Васильев", 40),
    ("Петров", 40), ("Соколов", 38), ("Михайлов", 35), ("Новиков", 33), ("Фёдоров", 32),
    ("Морозов", 30), ("Волков", 30), ("Алексеев", 28), ("Лебедев", 28), ("Семёнов", 27),
    ("Егоров", 26), ("Павлов", 26), ("Козлов", 25), ("Степанов", 25), ("Николаев", 24),
    ("Орлов", 24), ("Андреев", 23), ("Макаров", 23), ("Никитин", 22), ("Захаров", 22),
    ("Зайцев", 21), ("Соловьёв", 21), ("Борисов", 20), ("Яковлев", 20), ("Григорьев", 20),
    ("Романов", 19), ("Воробьёв", 19), ("Сергеев", 19), ("Кузьмин", 18), ("Фролов", 18),
    ("Александров", 18), ("Дмитриев", 17), ("Королёв", 17), ("Гусев", 17), ("Киселёв", 16),
    ("Ильин", 16), ("Максимов", 16), ("Поляков", 15), ("Сорокин", 15), ("Виноградов", 15),
    ("Ковалёв", 15), ("Белов", 15), ("Медведев", 14), ("Антонов", 14), ("Тарасов", 14),
    ("Жуков", 14), ("Баранов", 13), ("Филиппов", 13), ("Комаров", 13), ("Давыдов", 13),
    ("Беляев", 12), ("Герасимов", 12), ("Богданов", 12), ("Осипов", 12), ("Сидоров", 12),
    ("Матвеев", 11), ("Титов", 11), ("Марков", 11), ("Миронов", 11), ("Крылов", 11),
    ("Куликов", 10), ("Карпов", 10), ("Власов", 10), ("Мельников", 10), ("Денисов", 10),
    ("Гаврилов", 9), ("Тихонов", 9), ("Казаков", 9), ("Афанасьев", 9), ("Данилов", 9),
    ("Савельев", 9), ("Тимофеев", 8), ("Фомин", 8), ("Чернов", 8), ("Абрамов", 8),
    ("Мартынов", 8), ("Ефимов", 8), ("Федотов", 8), ("Щербаков", 7), ("Назаров", 7),
    ("Калинин", 7), ("Исаев", 7), ("Чернышёв", 7), ("Быков", 7), ("Маслов", 7),
    ("Родионов", 7), ("Коновалов", 7), ("Лазарев", 7), ("Воронин", 6), ("Климов", 6),
    ("Филатов", 6), ("Пономарёв", 6), ("Голубев", 6), ("Кудрявцев", 6), ("Прохоров", 6),
    ("Наумов", 6), ("Потапов", 6), ("Журавлёв", 6), ("Овчинников", 6), ("Трофимов", 6),
    ("Леонов", 5), ("Соболев", 5), ("Ермаков", 5), ("Колесников", 5), ("Гончаров", 5),
    ("Емельянов", 5), ("Никифоров", 5), ("Грачёв", 5), ("Котов", 5), ("Гришин", 5),
    ("Ефремов", 5), ("Архипов", 5), ("Громов", 5), ("Кириллов", 5), ("Малышев", 5),
    ("Панов", 5), ("Моисеев", 5), ("Румянцев", 5), ("Акимов", 5), ("Кондратьев", 5),
    ("Бирюков", 4), ("Горбунов", 4), ("Анисимов", 4), ("Ерёмин", 4), ("Тихомиров", 4),
    ("Галкин", 4), ("Лукьянов", 4), ("Михеев", 4), ("Скворцов", 4), ("Юдин", 4),
    ("Белоусов", 4), ("Нестеров", 4), ("Симонов", 4), ("Прокофьев", 4), ("Харитонов", 4),
    ("Князев", 4), ("Цветков", 4), ("Левин", 4), ("Митрофанов", 4), ("Воронцов", 4),
    ("Горбачёв", 3), ("Пугачёв", 3), ("Новосёлов", 3), ("Сёмин", 3), ("Рябов", 3),
    ("Логинов", 3), ("Рыбаков", 3), ("Суханов", 3), ("Юсупов", 3), ("Ершов", 3),
    ("Зиновьев", 3), ("Лаптев", 3), ("Шубин", 3), ("Мухин", 3), ("Блинов", 3),
    ("Ширяев", 3), ("Субботин", 3), ("Кудрин", 3), ("Селезнёв", 3), ("Дорофеев", 3),
    ("Островский", 4), ("Вишневский", 3), ("Ковальский", 3), ("Заславский", 2),
    ("Покровский", 3), ("Успенский", 2), ("Троицкий", 2), ("Высоцкий", 2), ("Шацкий", 2),
    ("Толстой", 2), ("Шевченко", 5), ("Коваленко", 4), ("Бондаренко", 4), ("Ткаченко", 3),
    ("Кравченко", 3), ("Мельниченко", 2), ("Литвиненко", 2), ("Ким", 3), ("Цой", 2),
    ("Ахметов", 5), ("Галиев", 4), ("Хайруллин", 4), ("Сафин", 4), ("Гарипов", 3),
    ("Валиев", 3), ("Набиуллин", 3), ("Шарипов", 3), ("Закиров", 3), ("Хабибуллин", 3),
    ("Алиев", 4), ("Гусейнов", 3), ("Мамедов", 3), ("Магомедов", 4), ("Абдуллаев", 3),
    ("Молданов", 2), ("Сенгепов", 1), ("Кантеров", 1), ("Сайнахов", 1), ("Анямов", 1),
    ("Тарлин", 1), ("Вокуев", 1), ("Сязи", 1), ("Ремезов", 1), ("Шешкин", 1),
    ("Лёвин", 2), ("Щёкин", 1), ("Хрущёв", 2), ("Дегтярёв", 2), ("Бобылёв", 2),
    ("Ёлкин", 2), ("Ёжиков", 1), ("Ершов-Ёлкин", 1), ("Иванов-Смирнов", 1),
)

# (name, weight, patronymic stem for «-ович»/«-овна»): the patronymic of a child of this man.
_MALE_NAMES: tuple[tuple[str, int, str, str], ...] = (
    ("Александр", 60, "Александрович", "Александровна"),
    ("Сергей", 50, "Сергеевич", "Сергеевна"),
    ("Дмитрий", 45, "Дмитриевич", "Дмитриевна"),
    ("Андрей", 42, "Андреевич", "Андреевна"),
    ("Алексей", 40, "Алексеевич", "Алексеевна"),
    ("Владимир", 35, "Владимирович", "Владимировна"),
    ("Иван", 32, "Иванович", "Ивановна"),
    ("Михаил", 32, "Михайлович", "Михайловна"),
    ("Евгений", 28, "Евгеньевич", "Евгеньевна"),
    ("Николай", 28, "Николаевич", "Николаевна"),
    ("Максим", 26, "Максимович", "Максимовна"),
    ("Артём", 25, "Артёмович", "Артёмовна"),
    ("Игорь", 22, "Игоревич", "Игоревна"),
    ("Олег", 20, "Олегович", "Олеговна"),
    ("Виктор", 20, "Викторович", "Викторовна"),
    ("Юрий", 20, "Юрьевич", "Юрьевна"),
    ("Павел", 18, "Павлович", "Павловна"),
    ("Роман", 18, "Романович", "Романовна"),
    ("Денис", 16, "Денисович", "Денисовна"),
    ("Анатолий", 14, "Анатольевич", "Анатольевна"),
    ("Василий", 14, "Васильевич", "Васильевна"),
    ("Константин", 13, "Константинович", "Константиновна"),
    ("Кирилл", 13, "Кириллович", "Кирилловна"),
    ("Никита", 13, "Никитич", "Никитична"),
    ("Вячеслав", 12, "Вячеславович", "Вячеславовна"),
    ("Пётр", 12, "Петрович", "Петровна"),
    ("Фёдор", 10, "Фёдорович", "Фёдоровна"),
    ("Семён", 9, "Семёнович", "Семёновна"),
    ("Егор", 12, "Егорович", "Егоровна"),
    ("Илья", 12, "Ильич", "Ильинична"),
    ("Григорий", 9, "Григорьевич", "Григорьевна"),
    ("Геннадий", 9, "Геннадьевич", "Геннадьевна"),
    ("Валерий", 9, "Валерьевич", "Валерьевна"),
    ("Леонид", 8, "Леонидович", "Леонидовна"),
    ("Борис", 8, "Борисович", "Борисовна"),
    ("Станислав", 8, "Станиславович", "Станиславовна"),
    ("Тимофей", 7, "Тимофеевич", "Тимофеевна"),
    ("Матвей", 7, "Матвеевич", "Матвеевна"),
    ("Даниил", 7, "Даниилович", "Данииловна"),
    ("Георгий", 6, "Георгиевич", "Георгиевна"),
    ("Степан", 6, "Степанович", "Степановна"),
    ("Яков", 4, "Яковлевич", "Яковлевна"),
    ("Лев", 4, "Львович", "Львовна"),
    ("Рустам", 6, "Рустамович", "Рустамовна"),
    ("Ильдар", 5, "Ильдарович", "Ильдаровна"),
    ("Ринат", 5, "Ринатович", "Ринатовна"),
    ("Айдар", 4, "Айдарович", "Айдаровна"),
    ("Тимур", 6, "Тимурович", "Тимуровна"),
    ("Руслан", 7, "Русланович", "Руслановна"),
    ("Марат", 4, "Маратович", "Маратовна"),
    ("Эльдар", 3, "Эльдарович", "Эльдаровна"),
)

_FEMALE_NAMES: tuple[tuple[str, int], ...] = (
    ("Елена", 50), ("Ольга", 45), ("Наталья", 45), ("Татьяна", 42), ("Ирина", 40),
    ("Светлана", 35), ("Анна", 35), ("Мария", 33), ("Екатерина", 32), ("Юлия", 30),
    ("Анастасия", 30), ("Марина", 26), ("Людмила", 24), ("Галина", 20), ("Надежда", 20),
    ("Валентина", 18), ("Оксана", 18), ("Дарья", 18), ("Виктория", 18), ("Ксения", 16),
    ("Алёна", 16), ("Александра", 15), ("Любовь", 14), ("Вера", 13), ("Евгения", 12),
    ("Полина", 12), ("Софья", 12), ("Алина", 12), ("Кристина", 11), ("Лариса", 10),
    ("Нина", 10), ("Тамара", 8), ("Зинаида", 5), ("Лидия", 6), ("Валерия", 8),
    ("Диана", 7), ("Вероника", 7), ("Яна", 6), ("Варвара", 6), ("Ульяна", 5),
    ("Фёкла", 1), ("Гульнара", 5), ("Альбина", 5), ("Лилия", 6), ("Эльвира", 5),
    ("Регина", 4), ("Айгуль", 3), ("Динара", 3), ("Зарема", 2), ("Милена", 3),
    ("Таисия", 3), ("Василиса", 3), ("Ева", 4), ("Есения", 2), ("Злата", 2),
)

_PRIVATE_INSURERS = (
    "АО «СОГАЗ»", "САО «РЕСО-Гарантия»", "АО «АльфаСтрахование»", "СПАО «Ингосстрах»",
    "ПАО СК «Росгосстрах»", "ООО СК «Сбербанк страхование»", "АО «Югория»",
)

_EMAIL_DOMAINS = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru", "ya.ru")

_TRANSLIT = {
    "А": "a", "Б": "b", "В": "v", "Г": "g", "Д": "d", "Е": "e", "Ё": "e", "Ж": "zh",
    "З": "z", "И": "i", "Й": "y", "К": "k", "Л": "l", "М": "m", "Н": "n", "О": "o",
    "П": "p", "Р": "r", "С": "s", "Т": "t", "У": "u", "Ф": "f", "Х": "kh", "Ц": "ts",
    "Ч": "ch", "Ш": "sh", "Щ": "shch", "Ъ": "", "Ы": "y", "Ь": "", "Э": "e", "Ю": "yu",
    "Я": "ya", "-": "-",
}

# fmt: on

# Old-style ОМС series seen in the region before 2011.
_OLD_OMS_SERIES = ("ХМА", "ХМ", "ЮГ", "7100", "8601", "СГТ")
# Passport series: region (ОКАТО prefix of the issuing subject) then the blank year.
_PASSPORT_REGIONS = ("67", "71", "72", "80", "92", "57", "03", "40", "45", "65")
_PASSPORT_YEARS = ("97", "98", "99", *(f"{year:02d}" for year in range(0, 25)))
_PASSPORT_SERIES = tuple(region + year for region in _PASSPORT_REGIONS for year in _PASSPORT_YEARS)
_PASSPORT_NUMBERS = 999_999  # 000001-999999
# Mobile operator codes (+7 9XX) and the region's landline codes (+7 346X).
_MOBILE_CODES = (
    "902",
    "904",
    "908",
    "912",
    "919",
    "922",
    "929",
    "932",
    "950",
    "951",
    "952",
    "961",
    "982",
    "992",
    "996",
    "999",
    "900",
    "915",
    "926",
    "963",
)
_LANDLINE_CODES = ("3462", "3466", "3467", "3463", "3464", "3476", "3468", "3469")


def _female_surname(male: str) -> str:
    """The female form of a surname given in the male form (indeclinable ones unchanged)."""
    if "-" in male:
        return "-".join(_female_surname(part) for part in male.split("-"))
    if male.endswith(("ский", "цкий")):
        return male[:-2] + "ая"
    if male.endswith("ой"):
        return male[:-2] + "ая"
    if male.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return male + "а"
    return male


def _cumulative(weights: Sequence[int]) -> list[int]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, items: Sequence[str], cumulative: list[int]) -> str:
    return items[bisect.bisect_right(cumulative, rng.randrange(cumulative[-1]))]


def _translit(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, "") for ch in text.upper())


# --------------------------------------------------------------------------------------------
# Patients


# Birth years 1930-2025 with weights shaped like the region's age pyramid (young region).
_BIRTH_YEARS = tuple(range(1930, 2026))
_BIRTH_YEAR_WEIGHTS = tuple(
    (
        1
        if year < 1940
        else 3
        if year < 1950
        else 8
        if year < 1960
        else 13
        if year < 1970
        else 16
        if year < 1990
        else 15
        if year < 2010
        else 13
    )
    for year in _BIRTH_YEARS
)


def _ordinal_ranges() -> tuple[list[int], list[int]]:
    """Cumulative weights per birth year and the first ordinal day of each year."""
    cumulative = _cumulative(
        [
            weight * (366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365)
            for year, weight in zip(_BIRTH_YEARS, _BIRTH_YEAR_WEIGHTS, strict=True)
        ]
    )
    starts = [dt.date(year, 1, 1).toordinal() for year in _BIRTH_YEARS]
    return cumulative, starts


def patient_rows(count: int, *, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    """Generate ``count`` patient rows (column name → value), the same for the same seed.

    СНИЛС are unique and valid (with the check number, all above 001-001-998); ЕНП are unique,
    16 digits with the Luhn check digit; temporary certificates and old-style polises are unique
    too (``oms_number`` is unique in the schema). About 3% have no СНИЛС, 1% no polis.
    """
    rng = random.Random(f"region-patients:{seed}")
    # Unique document bodies drawn without replacement (sample() of a range is O(count)).
    snils_bodies = rng.sample(range(1_002_000, 1_000_000_000), count)
    enp_bodies = rng.sample(range(10**13), count)
    passport_bodies = rng.sample(range(len(_PASSPORT_SERIES) * _PASSPORT_NUMBERS), count)
    spare = count // 10 + 10  # more than the 3% / 2% share of the kinds below will ever need
    temporary_numbers = iter(rng.sample(range(100_000_000, 1_000_000_000), spare))
    old_numbers = iter(rng.sample(range(100_000, 100_000_000), spare))

    surnames = [name for name, _ in _SURNAMES]
    surname_weights = _cumulative([weight for _, weight in _SURNAMES])
    female_surnames = {name: _female_surname(name) for name in surnames}
    male_names = [name for name, *_ in _MALE_NAMES]
    male_weights = _cumulative([weight for _, weight, *_ in _MALE_NAMES])
    patronymics = {name: (male, female) for name, _, male, female in _MALE_NAMES}
    female_names = [name for name, _ in _FEMALE_NAMES]
    female_weights = _cumulative([weight for _, weight in _FEMALE_NAMES])
    year_weights, year_starts = _ordinal_ranges()
    norm_cache: dict[str, str] = {}

    def norm(text: str) -> str:
        value = norm_cache.get(text)
        if value is None:
            value = norm_cache[text] = normalise_name(text)
        return value

    for index in range(count):
        female = rng.random() < 0.53
        surname = _pick(rng, surnames, surname_weights)
        father = _pick(rng, male_names, male_weights)
        if female:
            last_name = female_surnames[surname]
            first_name = _pick(rng, female_names, female_weights)
            patronymic = patronymics[father][1]
        else:
            last_name = surname
            first_name = _pick(rng, male_names, male_weights)
            patronymic = patronymics[father][0]
        if rng.random() < 0.004:
            patronymic = ""  # no patronymic in the documents
        # Birth date: a weighted year, then a uniform day of it.
        point = rng.randrange(year_weights[-1])
        year_index = bisect.bisect_right(year_weights, point)
        previous = year_weights[year_index - 1] if year_index else 0
        day = (point - previous) // _BIRTH_YEAR_WEIGHTS[year_index]
        birth_date = dt.date.fromordinal(year_starts[year_index] + day)

        snils: str | None = None
        if rng.random() >= 0.03:
            body = snils_bodies[index]
            snils = f"{body:09d}{snils_check_number(body):02d}"

        kind_draw = rng.random()
        oms_number: str | None
        oms_kind: str | None
        if kind_draw < 0.94:
            enp_body = f"86{enp_bodies[index]:013d}"
            oms_number = enp_body + enp_check_digit(enp_body)
            oms_kind = OmsPolicyKind.UNIFIED.value
        elif kind_draw < 0.97:
            oms_number = str(next(temporary_numbers))
            oms_kind = OmsPolicyKind.TEMPORARY.value
        elif kind_draw < 0.99:
            series = _OLD_OMS_SERIES[rng.randrange(len(_OLD_OMS_SERIES))]
            oms_number = f"{series} {next(old_numbers):08d}"
            oms_kind = OmsPolicyKind.OLD_STYLE.value
        else:
            oms_number = None
            oms_kind = None

        passport: str | None = None
        if birth_date.year <= 2011 and rng.random() < 0.97:
            series_index, number = divmod(passport_bodies[index], _PASSPORT_NUMBERS)
            passport = f"{_PASSPORT_SERIES[series_index]}{number + 1:06d}"

        dms_insurer: str | None = None
        dms_number: str | None = None
        if rng.random() < 0.08:
            dms_insurer = _PRIVATE_INSURERS[rng.randrange(len(_PRIVATE_INSURERS))]
            dms_number = f"{rng.randrange(1, 100):02d}-{rng.randrange(10**7):07d}/{index % 100:02d}"

        phone: str | None = None
        phone_draw = rng.random()
        if phone_draw < 0.85:
            code = _MOBILE_CODES[rng.randrange(len(_MOBILE_CODES))]
            phone = f"+7{code}{rng.randrange(10**7):07d}"
        elif phone_draw < 0.93:
            code = _LANDLINE_CODES[rng.randrange(len(_LANDLINE_CODES))]
            phone = f"+7{code}{rng.randrange(200_000, 1_000_000):06d}"

        email: str | None = None
        if rng.random() < 0.15:
            domain = _EMAIL_DOMAINS[rng.randrange(len(_EMAIL_DOMAINS))]
            email = f"{_translit(last_name)}.{_translit(first_name)[0]}{index}@{domain}"

        consent: dt.datetime | None = None
        if rng.random() < 0.6:
            consent = GENERATED_AT - dt.timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))

        last_norm = norm(last_name)
        first_norm = norm(first_name)
        yield {
            "last_name": last_name,
            "first_name": first_name,
            "patronymic": patronymic,
            "last_name_norm": last_norm,
            "first_name_norm": first_norm,
            "search_name": (
                f"{last_norm} {first_norm} {norm(patronymic)}"
                if patronymic
                else f"{last_norm} {first_norm}"
            ),
            "birth_date": birth_date,
            "snils": snils,
            "oms_number": oms_number,
            "oms_kind": oms_kind,
            "passport": passport,
            "dms_insurer": dms_insurer,
            "dms_number": dms_number,
            "phone": phone,
            "email": email,
            "consent_given_at": consent,
            "created_at": GENERATED_AT,
        }


# --------------------------------------------------------------------------------------------
# Settlements, institutions, departments, specialties, doctors, slots

# code, name, kind, municipal district, lat, lon, population: used only when the CSV is absent.
_FALLBACK_SETTLEMENTS: tuple[tuple[str, str, str, str, float, float, int], ...] = (
    ("hanty-mansiysk", "Ханты-Мансийск", "город", "г. Ханты-Мансийск", 61.0042, 69.0019, 106_000),
    ("surgut", "Сургут", "город", "г. Сургут", 61.2540, 73.3962, 396_000),
    ("nizhnevartovsk", "Нижневартовск", "город", "г. Нижневартовск", 60.9344, 76.5531, 285_000),
    ("nefteyugansk", "Нефтеюганск", "город", "г. Нефтеюганск", 61.0998, 72.6035, 128_000),
    ("kogalym", "Когалым", "город", "г. Когалым", 62.2654, 74.4791, 69_000),
    ("nyagan", "Нягань", "город", "г. Нягань", 62.1406, 65.3936, 53_000),
    ("megion", "Мегион", "город", "г. Мегион", 61.0318, 76.1025, 46_000),
    ("langepas", "Лангепас", "город", "г. Лангепас", 61.2537, 75.1808, 43_000),
    ("raduzhny", "Радужный", "город", "г. Радужный", 62.1342, 77.4584, 43_000),
    ("pyt-yakh", "Пыть-Ях", "город", "г. Пыть-Ях", 60.7585, 72.8365, 40_000),
    ("uray", "Урай", "город", "г. Урай", 60.1296, 64.8038, 39_000),
    ("yugorsk", "Югорск", "город", "г. Югорск", 61.3123, 63.3365, 38_000),
    ("lyantor", "Лянтор", "город", "Сургутский район", 61.6392, 72.1796, 40_000),
    ("sovetsky", "Советский", "город", "Советский район", 61.3614, 63.5842, 30_000),
    ("pokachi", "Покачи", "город", "г. Покачи", 61.7422, 75.5942, 18_000),
    ("beloyarsky", "Белоярский", "город", "Белоярский район", 63.7121, 66.6772, 19_000),
    ("izluchinsk", "Излучинск", "пгт", "Нижневартовский район", 60.9631, 76.8906, 16_000),
    ("fedorovsky", "Фёдоровский", "пгт", "Сургутский район", 61.6998, 73.5636, 22_000),
    ("berezovo", "Берёзово", "пгт", "Берёзовский район", 63.9335, 65.0453, 7_000),
    ("oktyabrskoe", "Октябрьское", "пгт", "Октябрьский район", 62.4583, 66.0489, 3_000),
    ("kondinskoe", "Кондинское", "пгт", "Кондинский район", 59.6464, 67.4069, 3_500),
    ("igrim", "Игрим", "пгт", "Берёзовский район", 63.1903, 64.4158, 8_000),
    ("salym", "Салым", "сельский посёлок", "Нефтеюганский район", 60.0669, 71.4761, 8_000),
    ("kazym", "Казым", "село", "Белоярский район", 63.7113, 67.2372, 1_400),
    ("saranpaul", "Саранпауль", "село", "Берёзовский район", 64.2666, 60.9000, 2_800),
    ("vata", "Вата", "село", "Нижневартовский район", 60.7900, 77.1700, 1_500),
)

_DEPARTMENTS = (
    "Взрослая поликлиника",
    "Детская поликлиника",
    "Женская консультация",
    "Стоматологическое отделение",
    "Консультативно-диагностическое отделение",
    "Отделение профилактики",
    "Травматологический пункт",
    "Дневной стационар",
)

# (local code, name, weight, is a district doctor with an area number)
_SPECIALTIES: tuple[tuple[str, str, int, bool], ...] = (
    ("27", "Терапевт участковый", 30, True),
    ("49", "Педиатр участковый", 20, True),
    ("76", "Врач общей практики", 8, True),
    ("11", "Хирург", 6, False),
    ("14", "Невролог", 6, False),
    ("16", "Офтальмолог", 6, False),
    ("17", "Оториноларинголог", 6, False),
    ("18", "Акушер-гинеколог", 8, False),
    ("23", "Кардиолог", 5, False),
    ("24", "Эндокринолог", 4, False),
    ("29", "Травматолог-ортопед", 4, False),
    ("31", "Уролог", 3, False),
    ("33", "Дерматовенеролог", 3, False),
    ("35", "Стоматолог-терапевт", 7, False),
    ("36", "Стоматолог-хирург", 3, False),
    ("40", "Психиатр", 2, False),
    ("42", "Инфекционист", 2, False),
    ("44", "Гастроэнтеролог", 2, False),
    ("45", "Пульмонолог", 2, False),
    ("47", "Онколог", 2, False),
    ("52", "Ревматолог", 1, False),
    ("53", "Аллерголог-иммунолог", 1, False),
    ("58", "Фельдшер", 4, False),
)

# Kinds of the institutions of a settlement that has several (cities).
_INSTITUTION_KINDS = (
    ("Городская поликлиника", "Поликлиника"),
    ("Городская поликлиника", "Поликлиника"),
    ("Городская клиническая поликлиника", "Поликлиника"),
    ("Детская городская поликлиника", "Детская поликлиника"),
    ("Стоматологическая поликлиника", "Стоматологическая поликлиника"),
    ("Городская больница", "Больница"),
    ("Офис врача общей практики", "Амбулатория"),
)

_STREETS = (
    "ул. Ленина",
    "ул. Мира",
    "ул. Энергетиков",
    "ул. Нефтяников",
    "пр. Победы",
    "ул. Геологов",
    "ул. Строителей",
    "ул. Гагарина",
    "ул. Северная",
    "ул. Молодёжная",
    "ул. Комсомольская",
    "ул. Югорская",
    "ул. Чехова",
    "ул. Пушкина",
    "ул. Дружбы Народов",
)


@dataclass(frozen=True)
class _SettlementInfo:
    id: int
    name: str
    population: int
    lat: float
    lon: float


def _settlement_rows() -> list[dict[str, Any]]:
    """The settlement rows to insert: from settlements.csv when present, else built-in."""
    try:
        path: Path | None = resources_dir() / "regional" / "settlements.csv"
    except FileNotFoundError:
        path = None
    if path is not None and path.is_file():
        rows: list[dict[str, Any]] = []
        with path.open(encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                population = (record.get("population") or "").replace(" ", "").strip()
                name = record["name"].strip()
                rows.append(
                    {
                        "code": record["code"].strip(),
                        "name": name,
                        "name_norm": normalise_name(name),
                        "kind": (record.get("kind") or "").strip(),
                        "municipal_district": (record.get("municipal_district") or "").strip(),
                        "lat": float(record["lat"]),
                        "lon": float(record["lon"]),
                        "okato": (record.get("okato") or "").strip() or None,
                        "oktmo": (record.get("oktmo") or "").strip() or None,
                        "fias_guid": (record.get("fias_guid") or "").strip() or None,
                        "population": int(population) if population.isdigit() else None,
                        "in_portal_selector": (record.get("in_portal_selector") or "").strip()
                        == "1",
                    }
                )
        if rows:
            return rows
    return [
        {
            "code": code,
            "name": name,
            "name_norm": normalise_name(name),
            "kind": kind,
            "municipal_district": district,
            "lat": lat,
            "lon": lon,
            "okato": None,
            "oktmo": None,
            "fias_guid": None,
            "population": population,
            "in_portal_selector": kind == "город",
        }
        for code, name, kind, district, lat, lon, population in _FALLBACK_SETTLEMENTS
    ]


def _ensure_settlements(connection: Connection) -> list[_SettlementInfo]:
    """The settlements in id order, created first when the table is empty."""
    if not connection.scalar(select(func.count(Settlement.id))):
        connection.execute(insert(Settlement), _settlement_rows())
    result = connection.execute(
        select(
            Settlement.id, Settlement.name, Settlement.population, Settlement.lat, Settlement.lon
        ).order_by(Settlement.id)
    )
    return [
        _SettlementInfo(row.id, row.name, row.population or 500, row.lat, row.lon) for row in result
    ]


def _apportion(total: int, weights: Sequence[int], minimum: int) -> list[int]:
    """Split ``total`` over ``weights`` (largest remainder), each share at least ``minimum``."""
    count = len(weights)
    if not count:
        return []
    base = min(minimum, total // count)
    shares = [base] * count
    left = total - base * count
    weight_sum = sum(weights) or 1
    exact = [left * weight / weight_sum for weight in weights]
    for index, value in enumerate(exact):
        shares[index] += int(value)
    remainder = total - sum(shares)
    order = sorted(range(count), key=lambda i: (-(exact[i] - int(exact[i])), i))
    for index in order[:remainder]:
        shares[index] += 1
    return shares


_DOCTOR_SURNAMES = tuple(name for name, _ in _SURNAMES)


def _doctor_name(rng: random.Random) -> str:
    surname = _DOCTOR_SURNAMES[rng.randrange(len(_DOCTOR_SURNAMES))]
    father = _MALE_NAMES[rng.randrange(len(_MALE_NAMES))]
    if rng.random() < 0.7:  # most of the region's outpatient doctors are women
        first = _FEMALE_NAMES[rng.randrange(len(_FEMALE_NAMES))][0]
        return f"{_female_surname(surname)} {first} {father[3]}"
    first = _MALE_NAMES[rng.randrange(len(_MALE_NAMES))][0]
    return f"{surname} {first} {father[2]}"


@dataclass
class _DirectoryCounts:
    institutions: int = 0
    departments: int = 0
    specialties: int = 0
    doctors: int = 0
    slots: int = 0


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _insert_batches(
    connection: Connection,
    entity: type[Patient] | type[Slot],
    rows: Iterator[dict[str, Any]],
    *,
    total: int,
    stage: str,
    progress: Progress | None,
    batch_size: int,
) -> int:
    """Insert ``rows`` in executemany batches of ``batch_size``; returns how many."""
    done = 0
    statement = insert(entity)
    while True:
        batch = list(itertools.islice(rows, batch_size))
        if not batch:
            break
        connection.execute(statement, batch)
        done += len(batch)
        _report(progress, stage, done, total)
    return done


def _institution_rows(
    rng: random.Random, settlements: list[_SettlementInfo], total: int, first_hub_id: int
) -> tuple[list[dict[str, Any]], list[int]]:
    """Institution rows (at least one per settlement while there are enough) and their sizes."""
    minimum = 1 if total >= len(settlements) else 0
    per_settlement = _apportion(total, [s.population for s in settlements], minimum)
    rows: list[dict[str, Any]] = []
    sizes: list[int] = []
    for settlement, share in zip(settlements, per_settlement, strict=True):
        for number in range(1, share + 1):
            if share == 1 and settlement.population < 5_000:
                kind_name, kind = "Врачебная амбулатория", "Амбулатория"
            elif share == 1 and settlement.population < 20_000:
                kind_name, kind = "Центральная районная больница", "Больница"
            else:
                kind_name, kind = _INSTITUTION_KINDS[rng.randrange(len(_INSTITUTION_KINDS))]
            hub_id = first_hub_id + len(rows)
            short_name = f"{kind_name} № {number}" if share > 1 else kind_name
            street = _STREETS[rng.randrange(len(_STREETS))]
            rows.append(
                {
                    "hub_id": hub_id,
                    "settlement_id": settlement.id,
                    "parent_id": None,
                    "full_name": f"БУ ХМАО-Югры «{short_name}» ({settlement.name})",
                    "short_name": f"{short_name}, {settlement.name}",
                    "type": kind,
                    "address": f"{settlement.name}, {street}, д. {rng.randrange(1, 120)}",
                    "lat": round(settlement.lat + rng.uniform(-0.02, 0.02), 6),
                    "lon": round(settlement.lon + rng.uniform(-0.03, 0.03), 6),
                    "registry_phones": (
                        f"+7 (346{rng.randrange(10)}) {rng.randrange(20, 99)}-"
                        f"{rng.randrange(10, 99)}-{rng.randrange(10, 99)}"
                    ),
                    "working_hours": "пн-пт 08:00-20:00, сб 09:00-15:00",
                    "site": f"https://lpu{hub_id}.example.ru",
                    "email": f"registry@lpu{hub_id}.example.ru",
                    "oid": f"1.2.643.5.1.13.13.12.2.86.{8000 + hub_id}",
                    "is_active": True,
                }
            )
            sizes.append(max(settlement.population // share, 1))
    return rows, sizes


def _generate_directory(
    connection: Connection,
    settlements: list[_SettlementInfo],
    *,
    seed: int,
    institutions: int,
    doctors: int,
    slot_days: int,
    first_slot_day: dt.date,
    progress: Progress | None,
    batch_size: int,
) -> _DirectoryCounts:
    rng = random.Random(f"region-directory:{seed}")
    counts = _DirectoryCounts()
    if institutions <= 0 or not settlements:
        return counts
    first_hub_id = (connection.scalar(select(func.max(Institution.hub_id))) or 0) + 1
    institution_rows, institution_sizes = _institution_rows(
        rng, settlements, institutions, first_hub_id
    )
    connection.execute(insert(Institution), institution_rows)
    counts.institutions = len(institution_rows)
    institution_ids: dict[int, int] = {
        row.hub_id: row.id
        for row in connection.execute(
            select(Institution.hub_id, Institution.id).where(Institution.hub_id >= first_hub_id)
        )
    }
    _report(progress, "institutions", counts.institutions, counts.institutions)

    # Departments and specialties of every institution.
    department_rows: list[dict[str, Any]] = []
    specialty_rows: list[dict[str, Any]] = []
    for row in institution_rows:
        institution_id = institution_ids[row["hub_id"]]
        for name in rng.sample(_DEPARTMENTS, rng.randint(1, 4)):
            department_rows.append(
                {"institution_id": institution_id, "name": name, "address": row["address"]}
            )
        for code, name, _weight, district in _SPECIALTIES:
            if district or rng.random() < 0.6:
                specialty_rows.append(
                    {
                        "institution_id": institution_id,
                        "hub_id": code,
                        "name": name,
                        "federal_code": None,
                    }
                )
    connection.execute(insert(Department), department_rows)
    connection.execute(insert(Specialty), specialty_rows)
    counts.departments = len(department_rows)
    counts.specialties = len(specialty_rows)
    ids = list(institution_ids.values())
    departments_of: dict[int, list[int]] = {}
    for dep in connection.execute(
        select(Department.institution_id, Department.id)
        .where(Department.institution_id.in_(ids))
        .order_by(Department.id)
    ):
        departments_of.setdefault(dep.institution_id, []).append(dep.id)
    specialties_of: dict[int, list[tuple[int, str]]] = {}
    for spec in connection.execute(
        select(Specialty.institution_id, Specialty.id, Specialty.hub_id)
        .where(Specialty.institution_id.in_(ids))
        .order_by(Specialty.id)
    ):
        specialties_of.setdefault(spec.institution_id, []).append((spec.id, spec.hub_id))
    specialty_weight = {code: weight for code, _n, weight, _d in _SPECIALTIES}
    district_codes = {code for code, _n, _w, district in _SPECIALTIES if district}

    # Doctors, by institution size.
    doctors_per_institution = _apportion(doctors, institution_sizes, 1)
    doctor_rows: list[dict[str, Any]] = []
    doctor_shifts: list[tuple[int, int, str]] = []  # minutes per slot, first hour, address
    for row, share in zip(institution_rows, doctors_per_institution, strict=True):
        institution_id = institution_ids[row["hub_id"]]
        specs = specialties_of[institution_id]
        spec_cumulative = _cumulative([specialty_weight[code] for _id, code in specs])
        deps = departments_of[institution_id]
        areas: dict[int, int] = {}
        for number in range(share):
            point = rng.randrange(spec_cumulative[-1])
            specialty_id, code = specs[bisect.bisect_right(spec_cumulative, point)]
            full_name = _doctor_name(rng)
            area: int | None = None
            if code in district_codes:
                area = areas[specialty_id] = areas.get(specialty_id, 0) + 1
            doctor_rows.append(
                {
                    "institution_id": institution_id,
                    "hub_id": f"{row['hub_id']}{number + 1:04d}",
                    "full_name": full_name,
                    "full_name_norm": normalise_name(full_name),
                    "specialty_id": specialty_id,
                    "department_id": deps[rng.randrange(len(deps))],
                    "area_number": area,
                    "comment": "",
                    "fetched_at": GENERATED_AT,
                }
            )
            minutes = (15, 15, 20, 20, 30)[rng.randrange(5)]
            first_hour = 8 if rng.random() < 0.75 else 14
            doctor_shifts.append((minutes, first_hour, row["address"]))
    connection.execute(insert(Doctor), doctor_rows)
    counts.doctors = len(doctor_rows)
    doctor_ids: dict[tuple[int, str], int] = {
        (row.institution_id, row.hub_id): row.id
        for row in connection.execute(
            select(Doctor.institution_id, Doctor.hub_id, Doctor.id).where(
                Doctor.institution_id.in_(ids)
            )
        )
    }
    _report(progress, "doctors", counts.doctors, counts.doctors)

    # Slots: every weekday of the period, a 6-hour shift cut into 15-30 minute slots.
    days = [
        day
        for day in (first_slot_day + dt.timedelta(days=offset) for offset in range(slot_days))
        if day.weekday() < 5
    ]
    slots_total = sum(len(days) * (360 // minutes) for minutes, _h, _a in doctor_shifts)
    slot_rng = random.Random(f"region-slots:{seed}")

    def slot_rows() -> Iterator[dict[str, Any]]:
        for doctor, (minutes, first_hour, address) in zip(doctor_rows, doctor_shifts, strict=True):
            doctor_id = doctor_ids[(doctor["institution_id"], doctor["hub_id"])]
            room = f"каб. {slot_rng.randrange(1, 5)}{slot_rng.randrange(10, 40)}"
            step = dt.timedelta(minutes=minutes)
            for day in days:
                moment = dt.datetime.combine(day, dt.time(first_hour))
                for _ in range(360 // minutes):
                    end = moment + step
                    yield {
                        "doctor_id": doctor_id,
                        "hub_id": f"{doctor['hub_id']}-{moment:%Y%m%d%H%M}",
                        "start": moment,
                        "end": end,
                        "room": room,
                        "address": address,
                        "state": SlotState.TAKEN if slot_rng.random() < 0.35 else SlotState.FREE,
                        "fetched_at": GENERATED_AT,
                    }
                    moment = end

    counts.slots = _insert_batches(
        connection,
        Slot,
        slot_rows(),
        total=slots_total,
        stage="slots",
        progress=progress,
        batch_size=batch_size,
    )
    return counts


# --------------------------------------------------------------------------------------------
# Entry points


@contextmanager
def _bulk_load(database: Database) -> Iterator[Connection]:
    """One connection and one transaction; on SQLite durability is relaxed for the load."""
    with database.engine.connect() as connection:
        restore: list[str] = []
        if database.is_sqlite:
            # On the driver's connection, outside any transaction (SQLite refuses to change the
            # safety level inside one, and the engine opens one on the first statement).
            restore = [
                f"PRAGMA synchronous={_sqlite_pragma(connection, 'PRAGMA synchronous')}",
                f"PRAGMA cache_size={_sqlite_pragma(connection, 'PRAGMA cache_size')}",
            ]
            _sqlite_pragma(connection, "PRAGMA synchronous=OFF")
            _sqlite_pragma(connection, "PRAGMA cache_size=-262144")  # 256 MiB for the indexes
        try:
            with connection.begin():
                yield connection
        finally:
            for statement in restore:
                _sqlite_pragma(connection, statement)


def _sqlite_pragma(connection: Connection, statement: str) -> object:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement)
        row = cursor.fetchone()
        return row[0] if row else None
    finally:
        cursor.close()


def _generate_patients(
    connection: Connection,
    count: int,
    *,
    seed: int,
    progress: Progress | None,
    batch_size: int,
) -> int:
    return _insert_batches(
        connection,
        Patient,
        patient_rows(count, seed=seed),
        total=count,
        stage="patients",
        progress=progress,
        batch_size=batch_size,
    )


def generate_patients(
    database: Database,
    count: int = DEFAULT_PATIENTS,
    *,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Insert ``count`` generated patients (see :func:`patient_rows`) into an empty registry.

    Returns how many were inserted. Documents are unique within one seed's output, so calling
    this twice with the same seed violates the unique constraints.
    """
    with _bulk_load(database) as connection:
        return _generate_patients(
            connection, count, seed=seed, progress=progress, batch_size=batch_size
        )


def generate_directory(
    database: Database,
    *,
    seed: int = DEFAULT_SEED,
    institutions: int = DEFAULT_INSTITUTIONS,
    doctors: int = DEFAULT_DOCTORS,
    slot_days: int = DEFAULT_SLOT_DAYS,
    first_slot_day: dt.date = DEFAULT_FIRST_SLOT_DAY,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> GenerationSummary:
    """Settlements (if missing), institutions, departments, specialties, doctors and slots."""
    return generate_region(
        database,
        patients=0,
        seed=seed,
        institutions=institutions,
        doctors=doctors,
        slot_days=slot_days,
        first_slot_day=first_slot_day,
        progress=progress,
        batch_size=batch_size,
    )


def generate_region(
    database: Database,
    *,
    patients: int = DEFAULT_PATIENTS,
    seed: int = DEFAULT_SEED,
    institutions: int = DEFAULT_INSTITUTIONS,
    doctors: int = DEFAULT_DOCTORS,
    slot_days: int = DEFAULT_SLOT_DAYS,
    first_slot_day: dt.date = DEFAULT_FIRST_SLOT_DAY,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> GenerationSummary:
    """Fill a migrated database with a whole region's data in one transaction.

    Settlements are created only when the table is empty (otherwise the existing ones are
    used); institution ``hub_id`` values continue after the largest existing one. The patients
    go into the same transaction; see :func:`generate_patients` for the document rules.
    """
    if batch_size <= 0:
        raise ValueError("batch_size must be positive")
    started = time.perf_counter()
    with _bulk_load(database) as connection:
        settlements = _ensure_settlements(connection)
        _report(progress, "settlements", len(settlements), len(settlements))
        counts = _generate_directory(
            connection,
            settlements,
            seed=seed,
            institutions=institutions,
            doctors=doctors,
            slot_days=slot_days,
            first_slot_day=first_slot_day,
            progress=progress,
            batch_size=batch_size,
        )
        inserted = _generate_patients(
            connection, patients, seed=seed, progress=progress, batch_size=batch_size
        )
    return GenerationSummary(
        settlements=len(settlements),
        institutions=counts.institutions,
        departments=counts.departments,
        specialties=counts.specialties,
        doctors=counts.doctors,
        slots=counts.slots,
        patients=inserted,
        seconds=time.perf_counter() - started,
    )
