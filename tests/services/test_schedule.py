"""The booking screen's schedule queries, on both engines, and their SQLite query plans.

The sample directory gets slots around a fixed ``NOW`` (Monday 2 March 2026, 10:00 local):
some before it (never offered), one exactly at it (not offered either), free and taken ones
after it, this week, next week and next month.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.helpers.sample_data import SampleIds, fill_sample_data
from workstation.models import Doctor, Slot, SlotState, Specialty
from workstation.models.text import normalise_name
from workstation.services import schedule
from workstation.services.database import Database
from workstation.services.directory import NO_DEPARTMENT_NAME
from workstation.services.schedule import ScheduleFilter
from workstation.services.schedule.earliest import earliest_free_statement

NOW = dt.datetime(2026, 3, 2, 10, 0)
FETCHED = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
FREE, TAKEN, HELD = SlotState.FREE, SlotState.TAKEN, SlotState.HELD


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)


SLOTS: dict[str, list[tuple[dt.datetime, SlotState]]] = {
    "ivanova": [
        (at(2, 9), FREE),  # past
        (at(2, 10), FREE),  # starts right now: no longer offered
        (at(2, 11), TAKEN),
        (at(2, 11, 30), FREE),
        (at(3, 9), FREE),
        (at(4, 9), HELD),
        (at(10, 9), FREE),  # next week
        (at(1, 8, month=4), FREE),  # next month
    ],
    "elkin": [
        (at(2, 10, 30), TAKEN),
        (at(5, 8), FREE),
        (at(5, 8, 30), FREE),
        (at(5, 9), FREE),
        (at(5, 9), FREE),  # two free slots at the same time (two rooms)
        (at(5, 9, 30), FREE),
    ],
    "sidorov": [(at(1, 12), FREE), (at(3, 12), TAKEN)],  # the free one is past
    "petrov": [(at(6, 14), FREE)],
    "smirnova": [(at(3, 8), FREE)],
    "fedorov": [(at(2, 12), FREE)],
    "kuznetsova": [(at(2, 12), FREE), (at(2, 12, 15), TAKEN), (at(4, 8), FREE)],
}


@dataclass
class Data:
    ids: SampleIds
    slots: dict[tuple[str, dt.datetime], list[int]]

    def slot(self, doctor: str, start: dt.datetime) -> int:
        return self.slots[(doctor, start)][0]

    def doctor(self, key: str) -> int:
        return self.ids.doctors[key]


def fill(database: Database) -> Data:
    """The sample directory, a therapist of «Поликлиника № 2» (specialty spelled in capitals),
    federal codes of the therapists, and the slots above."""
    ids = fill_sample_data(database)
    with database.session() as session:
        specialty = Specialty(
            institution_id=ids.institutions["polyclinic"], hub_id="27", name="ТЕРАПЕВТ"
        )
        session.add(specialty)
        session.flush()
        ids.specialties["pol_therapist"] = specialty.id
        doctor = Doctor(
            institution_id=ids.institutions["polyclinic"],
            hub_id="doc-8",
            full_name="Кузнецова Алёна Юрьевна",
            full_name_norm=normalise_name("Кузнецова Алёна Юрьевна"),
            specialty_id=specialty.id,
            department_id=ids.departments["pol_pediatrics"],
        )
        session.add(doctor)
        session.flush()
        ids.doctors["kuznetsova"] = doctor.id
        for key in ("okb_therapist", "crb_therapist", "pol_therapist"):
            session.execute(
                update(Specialty)
                .where(Specialty.id == ids.specialties[key])
                .values(federal_code="109")
            )
        found: dict[tuple[str, dt.datetime], list[int]] = {}
        for key, slots in SLOTS.items():
            for number, (start, state) in enumerate(slots):
                slot = Slot(
                    doctor_id=ids.doctors[key],
                    hub_id=f"{key}-{number}",
                    start=start,
                    end=start + dt.timedelta(minutes=30),
                    room=f"каб. {number + 101}",
                    state=state,
                    fetched_at=FETCHED,
                )
                session.add(slot)
                session.flush()
                found.setdefault((key, start), []).append(slot.id)
    return Data(ids, found)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, Data]]:
    """The data above, once per engine for the whole module: these tests only read, and
    migrating and filling a database per test (as the ``database`` fixture does) would take
    most of the module's time. The PostgreSQL database is made like conftest's
    ``postgres_url`` (skipped or failed the same way when the server is not reachable)."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path_factory.mktemp('schedule') / 'db.sqlite3'}")
        try:
            database.upgrade()
            yield database, fill(database)
        finally:
            database.dispose()
        return
    server: str = request.getfixturevalue("postgres_server")
    name = f"ws_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(make_url(server).set(database=name).render_as_string(hide_password=False))
    try:
        database.upgrade()
        yield database, fill(database)
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def data(filled: tuple[Database, Data]) -> Data:
    return filled[1]


@pytest.fixture
def session(filled: tuple[Database, Data]) -> Iterator[Session]:
    """A read session; rolled back at the end, so no test changes what the next one reads."""
    with filled[0].sessions() as session:
        yield session
        session.rollback()


def _names(tree: schedule.ScheduleTree) -> list[str]:
    return [doctor.full_name for doctor in tree.doctors()]


# --------------------------------------------------------------------------------------------
# The tree and its filters


def test_tree_counts_free_tickets_after_now_and_the_nearest_time(
    data: Data, session: Session
) -> None:
    tree = schedule.schedule_tree(session, data.ids.institutions["okb"], NOW)
    assert tree.window_start == NOW and tree.window_end is None
    assert [
        (
            department.name,
            [(s.name, [d.full_name for d in s.doctors]) for s in department.specialties],
        )
        for department in tree.departments
    ] == [
        (
            "Терапевтическое отделение",
            [
                ("Кардиолог", ["Сидоров Игорь Олегович"]),
                ("Терапевт", ["Ёлкин Пётр Семёнович", "Иванова Анна Петровна"]),
            ],
        ),
        ("Хирургическое отделение", [("Хирург", ["Петров Максим Андреевич"])]),
        (NO_DEPARTMENT_NAME, [("Офтальмолог", ["Алексеев Олег Викторович"])]),
    ]
    doctors = {doctor.full_name.split()[0]: doctor for doctor in tree.doctors()}
    ivanova = doctors["Иванова"]
    # 09:00 is past and 10:00 starts right now; 11:00 is taken and the 4th is held.
    assert (ivanova.free_count, ivanova.slot_count) == (4, 6)
    assert ivanova.nearest_free == at(2, 11, 30)
    assert ivanova.nearest_label == "02.03 11:30"
    assert ivanova.id == data.doctor("ivanova") and ivanova.area_number == 5
    assert (doctors["Ёлкин"].free_count, doctors["Ёлкин"].nearest_free) == (5, at(5, 8))
    sidorov = doctors["Сидоров"]
    assert (sidorov.free_count, sidorov.slot_count, sidorov.nearest_free) == (0, 1, None)
    assert sidorov.nearest_label == "Нет свободных талонов"
    assert (doctors["Алексеев"].free_count, doctors["Алексеев"].slot_count) == (0, 0)
    therapy = tree.departments[0]
    assert (therapy.free_count, therapy.nearest_free) == (9, at(2, 11, 30))
    assert therapy.specialties[1].federal_code == "109"
    assert (therapy.specialties[1].free_count, therapy.specialties[1].nearest_free) == (
        9,
        at(2, 11, 30),
    )
    assert tree.departments[2].is_pseudo and not therapy.is_pseudo
    assert (tree.free_count, tree.doctor_count) == (10, 5)


def test_department_and_specialty_filters_fold_cyrillic_case_and_yo(
    data: Data, session: Session
) -> None:
    okb = data.ids.institutions["okb"]

    def departments(filters: ScheduleFilter) -> list[str]:
        return [d.name for d in schedule.schedule_tree(session, okb, NOW, filters).departments]

    # SQLite's LIKE would not match «тЕрАпЕвТ» to «Терапевтическое»: the filter runs on folded text.
    assert departments(ScheduleFilter(department="тЕрАпЕвТ")) == ["Терапевтическое отделение"]
    assert departments(ScheduleFilter(department="  ХИРУРГ ")) == ["Хирургическое отделение"]
    assert departments(ScheduleFilter(department="без ОТД")) == [NO_DEPARTMENT_NAME]
    assert departments(ScheduleFilter(department="отделение")) == [
        "Терапевтическое отделение", "Хирургическое отделение",
    ]  # fmt: skip
    assert departments(ScheduleFilter(department="родильное")) == []
    assert _names(
        schedule.schedule_tree(session, okb, NOW, ScheduleFilter(specialty="кардИО"))
    ) == ["Сидоров Игорь Олегович"]
    by_id = ScheduleFilter(specialty_id=data.ids.specialties["okb_therapist"])
    assert _names(schedule.schedule_tree(session, okb, NOW, by_id)) == [
        "Ёлкин Пётр Семёнович", "Иванова Анна Петровна",
    ]  # fmt: skip
    both = ScheduleFilter(department="хирург", specialty="терапевт")
    assert schedule.schedule_tree(session, okb, NOW, both).departments == ()


def test_doctor_name_filter_matches_the_beginning_of_any_word_per_keystroke(
    data: Data, session: Session
) -> None:
    okb = data.ids.institutions["okb"]

    def doctors(text: str) -> list[str]:
        tree = schedule.schedule_tree(session, okb, NOW, ScheduleFilter(doctor=text))
        return [name.split()[0] for name in _names(tree)]

    assert doctors("е") == ["Ёлкин"]  # ё is е, the surname's first letter
    assert doctors("ЁЛ") == ["Ёлкин"]
    assert doctors("елкин п") == ["Ёлкин"]
    # «Петр» begins «Пётр» (Ёлкин), «Петровна» (Иванова) and «Петров».
    assert doctors("петр") == ["Ёлкин", "Иванова", "Петров"]
    assert doctors("пЁтр") == ["Ёлкин", "Иванова", "Петров"]
    assert doctors("ан петр") == ["Иванова", "Петров"]  # Анна Петровна; Андреевич Петров
    assert doctors("анна п") == ["Иванова"]
    assert doctors("олег") == ["Сидоров", "Алексеев"]  # Олегович; Олег
    assert doctors("нна") == []  # not the beginning of a word
    assert doctors(" ") == ["Сидоров", "Ёлкин", "Иванова", "Петров", "Алексеев"]


def test_only_free_tickets_and_the_reception_interval(data: Data, session: Session) -> None:
    okb = data.ids.institutions["okb"]

    def rows(filters: ScheduleFilter) -> list[tuple[str, int, int]]:
        tree = schedule.schedule_tree(session, okb, NOW, filters)
        return [(d.full_name.split()[0], d.free_count, d.slot_count) for d in tree.doctors()]

    # Сидоров has only a taken slot (his free one is past), Алексеев none at all.
    assert rows(ScheduleFilter(only_free=True)) == [
        ("Ёлкин", 5, 6), ("Иванова", 4, 6), ("Петров", 1, 1),
    ]  # fmt: skip
    one_day = ScheduleFilter(date_from=dt.date(2026, 3, 5), date_to=dt.date(2026, 3, 5))
    assert rows(one_day) == [("Ёлкин", 5, 5)]
    # An interval keeps doctors receiving in it even with nothing free, unless only free count.
    held_day = ScheduleFilter(date_from=dt.date(2026, 3, 4), date_to=dt.date(2026, 3, 4))
    assert rows(held_day) == [("Иванова", 0, 1)]
    assert rows(ScheduleFilter(date_from=dt.date(2026, 3, 4), date_to=dt.date(2026, 3, 4),
                               only_free=True)) == []  # fmt: skip
    # Today's interval starts now, not at midnight.
    today = schedule.schedule_tree(
        session, okb, NOW, ScheduleFilter(date_from=NOW.date(), date_to=NOW.date())
    )
    assert today.window_start == NOW and today.window_end == dt.datetime(2026, 3, 3)
    assert [(d.full_name.split()[0], d.free_count, d.nearest_free) for d in today.doctors()] == [
        ("Ёлкин", 0, None), ("Иванова", 1, at(2, 11, 30)),
    ]  # fmt: skip
    # From a date on, including a slot at its first minute; or up to a date.
    assert rows(ScheduleFilter(date_from=dt.date(2026, 3, 10))) == [("Иванова", 2, 2)]
    assert rows(ScheduleFilter(date_to=dt.date(2026, 3, 3))) == [
        ("Сидоров", 0, 1), ("Ёлкин", 0, 1), ("Иванова", 2, 3),
    ]  # fmt: skip
    assert rows(ScheduleFilter(date_to=dt.date(2026, 3, 1))) == []  # all of it is past
    assert ScheduleFilter().is_clear and not one_day.is_clear and one_day.has_interval
    combined = ScheduleFilter(department="терап", doctor="ив", only_free=True)
    assert rows(combined) == [("Иванова", 4, 6)]


# --------------------------------------------------------------------------------------------
# A doctor's week, month and day


def test_week_grid_lists_future_slots_by_day_and_the_nearest_free_time(
    data: Data, session: Session
) -> None:
    ivanova = data.doctor("ivanova")
    week = schedule.doctor_week(session, ivanova, dt.date(2026, 3, 4), NOW)
    assert week.monday == dt.date(2026, 3, 2)
    assert week.label == "02.03 - 08.03"
    assert week.doctor.title == "Иванова Анна Петровна, Терапевт"
    assert week.doctor.institution_short_name == "Окружная клиническая больница"
    assert week.doctor.department_name == "Терапевтическое отделение"
    assert [day.label for day in week.days] == [
        "пн, 2", "вт, 3", "ср, 4", "чт, 5", "пт, 6", "сб, 7", "вс, 8",
    ]  # fmt: skip
    assert [
        [(cell.time_label, cell.state_label) for cell in day.slots] for day in week.days[:4]
    ] == [
        [("11:00", "Занято"), ("11:30", "Свободно")],  # 09:00 is past, 10:00 starts now
        [("09:00", "Свободно")],
        [("09:00", "Удерживается")],
        [],
    ]
    assert week.days[0].slots[1].slot_id == data.slot("ivanova", at(2, 11, 30))
    assert [day.hours_label for day in week.days[:4]] == ["11:00 12:00", "09:00 09:30",
                                                          "09:00 09:30", "-"]  # fmt: skip
    assert [day.free_count for day in week.days[:3]] == [1, 1, 0]
    assert week.nearest_free is not None
    assert week.nearest_free.slot_id == data.slot("ivanova", at(2, 11, 30))
    assert week.nearest_label == "02 марта 2026 11:30"
    assert week.previous_monday == dt.date(2026, 2, 23)

    # Another week still shows the nearest free time from now on.
    following = schedule.doctor_week(session, ivanova, week.next_monday, NOW)
    assert [[cell.start for cell in day.slots] for day in following.days if day.slots] == [
        [at(10, 9)]
    ]
    assert following.nearest_free is not None and following.nearest_free.start == at(2, 11, 30)
    past = schedule.doctor_week(session, ivanova, week.previous_monday, NOW)
    assert all(not day.slots for day in past.days)
    assert past.nearest_label == "02 марта 2026 11:30"

    sidorov = schedule.doctor_week(session, data.doctor("sidorov"), NOW.date(), NOW)
    assert [cell.state for day in sidorov.days for cell in day.slots] == [TAKEN]
    assert sidorov.nearest_free is None
    assert sidorov.nearest_label == "Нет свободных талонов"
    # Sunday belongs to the week that began on the Monday before it.
    assert schedule.monday_of(dt.date(2026, 3, 8)) == dt.date(2026, 3, 2)
    with pytest.raises(schedule.DoctorNotFound):
        schedule.doctor_week(session, 999_999, NOW.date(), NOW)


def test_month_calendar_and_the_time_list_of_a_date(data: Data, session: Session) -> None:
    ivanova = data.doctor("ivanova")
    march = schedule.doctor_month(session, ivanova, dt.date(2026, 3, 17), NOW)
    assert march.title == "Март 2026"
    assert march.first_day == dt.date(2026, 3, 1)
    assert [(day.date.day, day.free_count, day.slot_count) for day in march.days] == [
        (2, 1, 2), (3, 1, 1), (4, 0, 1), (10, 1, 1),
    ]  # fmt: skip
    assert march.free_dates == {dt.date(2026, 3, d) for d in (2, 3, 10)}
    assert not march.days[2].has_free
    assert march.nearest_free is not None and march.nearest_free.start == at(2, 11, 30)
    assert march.nearest_label == "02 марта 2026 11:30"
    assert (march.previous_month, march.next_month) == (dt.date(2026, 2, 1), dt.date(2026, 4, 1))
    april = schedule.doctor_month(session, ivanova, march.next_month, NOW)
    assert [(day.date, day.free_count) for day in april.days] == [(dt.date(2026, 4, 1), 1)]
    assert april.nearest_free is not None and april.nearest_free.start == at(2, 11, 30)
    assert schedule.doctor_month(session, ivanova, dt.date(2026, 2, 1), NOW).days == ()

    day = schedule.doctor_day(session, ivanova, dt.date(2026, 3, 2), NOW)
    assert [(cell.time_label, cell.is_free) for cell in day.slots] == [
        ("11:00", False), ("11:30", True),
    ]  # fmt: skip
    assert day.title == "02 марта 2026. Выберите время:"
    assert day.heading == "2 марта, понедельник талонов: 1"
    assert day.slots[1].booking_prompt == "Записаться на 02 марта 11:30"
    assert day.slots[1].room == "каб. 104"
    assert schedule.doctor_day(session, ivanova, dt.date(2026, 3, 1), NOW).slots == ()


# --------------------------------------------------------------------------------------------
# Earliest free across a specialty, alternatives


def _grid(rows: list[schedule.EarliestFreeRow]) -> list[tuple[str, list[dt.datetime]]]:
    return [(row.doctor_name.split()[0], [slot.start for slot in row.slots]) for row in rows]


def test_earliest_free_across_a_settlement_by_name_or_federal_code(
    data: Data, session: Session
) -> None:
    khm = data.ids.settlements["khm"]
    rows = schedule.earliest_free(session, "терапевт", NOW, settlement_id=khm)
    # «Терапевт» of the hospital and «ТЕРАПЕВТ» of its polyclinic are one specialty.
    assert _grid(rows) == [
        ("Иванова", [at(2, 11, 30), at(3, 9), at(10, 9)]),
        ("Кузнецова", [at(2, 12), at(4, 8)]),  # fewer than three free: all of them
        ("Ёлкин", [at(5, 8), at(5, 8, 30), at(5, 9)]),  # never four, even with two at 09:00
    ]
    first = rows[0]
    assert first.first.slot_id == data.slot("ivanova", at(2, 11, 30))
    assert first.first.label == "02.03 11:30"
    assert first.first.long_label == "02 марта 2026 11:30"
    assert (first.institution_id, first.institution_short_name) == (
        data.ids.institutions["okb"],
        "Окружная клиническая больница",
    )
    assert (first.specialty_id, first.specialty_name) == (
        data.ids.specialties["okb_therapist"],
        "Терапевт",
    )
    assert rows[1].institution_short_name == "Поликлиника № 2"
    assert _grid(schedule.earliest_free(session, "109", NOW, settlement_id=khm)) == _grid(rows)
    assert _grid(
        schedule.earliest_free(
            session, "тЕрАпЕвТ", NOW, institution_id=data.ids.institutions["okb"], per_doctor=1
        )
    ) == [("Иванова", [at(2, 11, 30)]), ("Ёлкин", [at(5, 8)])]
    assert _grid(
        schedule.earliest_free(
            session, "Терапевт", NOW, settlement_id=khm, until=dt.datetime(2026, 3, 5, 8, 15)
        )
    ) == [("Иванова", [at(2, 11, 30), at(3, 9)]), ("Кузнецова", [at(2, 12), at(4, 8)]),
          ("Ёлкин", [at(5, 8)])]  # fmt: skip
    berezovo = data.ids.settlements["berezovo"]
    assert _grid(schedule.earliest_free(session, "109", NOW, settlement_id=berezovo)) == [
        ("Фёдоров", [at(2, 12)])
    ]
    # Сидоров's only free slot is past; an unknown specialty finds nothing.
    assert schedule.earliest_free(session, "Кардиолог", NOW, settlement_id=khm) == []
    assert schedule.earliest_free(session, "Терапевт участковый", NOW, settlement_id=khm) == []
    with pytest.raises(ValueError, match="exactly one"):
        schedule.earliest_free(session, "Терапевт", NOW)
    with pytest.raises(ValueError, match="per_doctor"):
        schedule.earliest_free(session, "Терапевт", NOW, settlement_id=khm, per_doctor=0)

    # The portable statement (the one SQLite runs) gives the same first slots on either engine;
    # it may return one more per doctor when two free slots share the N-th time (capped above).
    dialect = session.get_bind().dialect.name
    ids = schedule.resolve_specialty(session, "терапевт", settlement_id=khm)
    assert sorted(ids) == sorted(
        data.ids.specialties[key] for key in ("okb_therapist", "pol_therapist")
    )

    def first_slots(engine: str, per_doctor: int) -> dict[int, list[tuple[dt.datetime, int]]]:
        statement = earliest_free_statement(engine, ids, NOW, per_doctor=per_doctor)
        found: dict[int, list[tuple[dt.datetime, int]]] = {}
        for row in session.execute(statement):
            found.setdefault(row[0], []).append((row[8], row[7]))
        return {doctor: sorted(slots)[:per_doctor] for doctor, slots in found.items()}

    for per_doctor in (1, 2, 3, 4):
        assert first_slots(dialect, per_doctor) == first_slots("sqlite", per_doctor)
    assert len(first_slots("sqlite", 4)[data.doctor("elkin")]) == 4


def test_specialty_choices_merge_the_same_name_across_institutions(
    data: Data, session: Session
) -> None:
    choices = schedule.specialty_choices(session, settlement_id=data.ids.settlements["khm"])
    assert [
        (choice.name, choice.federal_code, choice.institution_count, choice.doctor_count)
        for choice in choices
    ] == [
        ("Кардиолог", None, 1, 1),
        ("Офтальмолог", None, 1, 1),
        ("Педиатр", None, 1, 1),
        ("Терапевт", "109", 2, 3),
        ("Хирург", None, 1, 1),
    ]
    therapist = choices[3]
    assert set(therapist.specialty_ids) == {
        data.ids.specialties["okb_therapist"], data.ids.specialties["pol_therapist"],
    }  # fmt: skip
    rows = schedule.earliest_free_of(session, therapist.specialty_ids, NOW, per_doctor=1)
    assert _grid(rows) == [
        ("Иванова", [at(2, 11, 30)]), ("Кузнецова", [at(2, 12)]), ("Ёлкин", [at(5, 8)]),
    ]  # fmt: skip
    assert schedule.earliest_free_of(session, [], NOW) == []
    polyclinic = schedule.specialty_choices(
        session, institution_id=data.ids.institutions["polyclinic"]
    )
    assert [choice.name for choice in polyclinic] == ["Педиатр", "ТЕРАПЕВТ"]


def test_alternatives_same_doctor_first_then_colleagues(data: Data, session: Session) -> None:
    wanted = data.slot("ivanova", at(3, 9))
    offers = schedule.alternatives(session, wanted, NOW)
    # From the wanted time on, then before it (but never before now).
    assert [(o.doctor_name.split()[0], o.slot.start, o.same_doctor) for o in offers] == [
        ("Иванова", at(10, 9), True),
        ("Иванова", at(1, 8, month=4), True),
        ("Иванова", at(2, 11, 30), True),
    ]
    more = schedule.alternatives(session, wanted, NOW, limit=5)
    assert [(o.doctor_name.split()[0], o.slot.start, o.same_doctor) for o in more[3:]] == [
        ("Ёлкин", at(5, 8), False),
        ("Ёлкин", at(5, 8, 30), False),
    ]
    assert more[3].specialty_name == "Терапевт"
    assert more[3].slot.slot_id == data.slot("elkin", at(5, 8))
    # The surgeon has no other slot and no colleague; the polyclinic's therapist is elsewhere.
    assert schedule.alternatives(session, data.slot("petrov", at(6, 14)), NOW) == []
    kuznetsova = schedule.alternatives(session, data.slot("kuznetsova", at(2, 12)), NOW)
    assert [(o.slot.start, o.same_doctor) for o in kuznetsova] == [(at(4, 8), True)]
    assert schedule.alternatives(session, 999_999, NOW) == []


# --------------------------------------------------------------------------------------------
# Pure helpers and query plans


def test_name_matching_splits_hyphenated_surnames() -> None:
    norm = normalise_name("Ершов-Ёлкин Иван Ильич")
    assert schedule.name_matches(norm, "ёлк")
    assert schedule.name_matches(norm, "ершов-е")
    assert schedule.name_matches(norm, "Ершов - Ёлкин И")
    assert schedule.name_matches(norm, "ил ив")
    assert not schedule.name_matches(norm, "ивано")
    assert schedule.name_matches(norm, "")


def _statements(database: Database, calls: list[Any]) -> list[tuple[str, Any]]:
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.session() as session:
            for call in calls:
                call(session)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    return statements


def test_every_schedule_query_seeks_an_index(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        database.upgrade()
        data = fill(database)
        okb = data.ids.institutions["okb"]
        ivanova = data.doctor("ivanova")
        khm = data.ids.settlements["khm"]
        statements = _statements(
            database,
            [
                lambda s: schedule.schedule_tree(s, okb, NOW),
                lambda s: schedule.schedule_tree(
                    s, okb, NOW, ScheduleFilter(doctor="ив", date_to=dt.date(2026, 3, 9))
                ),
                lambda s: schedule.doctor_week(s, ivanova, dt.date(2026, 3, 9), NOW),
                lambda s: schedule.doctor_month(s, ivanova, NOW.date(), NOW),
                lambda s: schedule.doctor_day(s, ivanova, NOW.date(), NOW),
                lambda s: schedule.earliest_free(s, "Терапевт", NOW, settlement_id=khm),
                lambda s: schedule.specialty_choices(s, settlement_id=khm),
                lambda s: schedule.alternatives(s, data.slot("ivanova", at(3, 9)), NOW, limit=10),
            ],
        )
        plans = []
        with database.engine.connect() as connection:
            for statement, parameters in statements:
                result = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                plans.append((statement, [str(line[-1]) for line in result]))
    finally:
        database.dispose()
    assert len(plans) >= 15
    for statement, plan in plans:
        assert not [line for line in plan if line.startswith("SCAN")], (statement, plan)
    earliest = next(plan for statement, plan in plans if "LIMIT ? OFFSET ?" in statement)
    assert any("ix_slot_doctor_start" in line for line in earliest), earliest
