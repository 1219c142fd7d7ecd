"""The directory read queries, on both engines, and their SQLite query plans."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.helpers.sample_data import SampleIds, fill_sample_data
from workstation.models import Institution, Settlement
from workstation.models.text import normalise_name
from workstation.services import directory
from workstation.services.database import Database


@pytest.fixture
def sample(database: Database) -> SampleIds:
    """The sample directory in the test database."""
    return fill_sample_data(database)


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A read session on the test database."""
    with database.session() as session:
        yield session


def _add_settlement(database: Database, name: str) -> int:
    with database.session() as session:
        row = Settlement(
            code=name, name=name, name_norm=normalise_name(name), lat=60.0, lon=70.0
        )
        session.add(row)
        session.flush()
        return row.id


def test_settlements_sort_yo_as_ye_and_count_active_institutions(
    database: Database, sample: SampleIds
) -> None:
    for name in ("Березуйка", "Белоярский", "Бобровский"):
        _add_settlement(database, name)
    with database.session() as session:
        session.add(
            Institution(
                hub_id=1999,
                settlement_id=sample.settlements["khm"],
                full_name="Закрытая амбулатория",
                short_name="Закрытая амбулатория",
                is_active=False,
            )
        )
    with database.session() as session:
        rows = directory.list_settlements(session)
    # Code point order would put «Берёзово» after «Березуйка» (ё > у); the operator expects ё = е.
    assert [row.name for row in rows] == [
        "Белоярский", "Берёзово", "Березуйка", "Бобровский", "Ханты-Мансийск",
    ]
    counts = {row.name: row.institution_count for row in rows}
    assert counts == {
        "Белоярский": 0, "Берёзово": 2, "Березуйка": 0, "Бобровский": 0, "Ханты-Мансийск": 2,
    }
    khm = next(row for row in rows if row.name == "Ханты-Мансийск")
    assert khm.id == sample.settlements["khm"]
    assert khm.kind == "город"
    assert khm.municipal_district == "г. Ханты-Мансийск"


def test_subdivision_is_nested_under_its_parent(sample: SampleIds, session: Session) -> None:
    rows = directory.list_institutions(session, sample.settlements["khm"])
    assert [row.short_name for row in rows] == ["Окружная клиническая больница"]
    okb = rows[0]
    assert okb.id == sample.institutions["okb"]
    assert okb.hub_id == 1001
    assert okb.parent_id is None
    assert okb.department_count == 2
    assert okb.doctor_count == 5
    assert okb.registry_phones.startswith("+7 (3467) 39-01-01")
    assert okb.working_hours == "пн–пт 08:00–18:00"
    assert [child.short_name for child in okb.subdivisions] == ["Поликлиника № 2"]
    child = okb.subdivisions[0]
    assert child.parent_id == okb.id
    assert child.parent_short_name is None  # shown right under its parent
    assert (child.department_count, child.doctor_count) == (1, 1)
    assert [row.short_name for row in okb.walk()] == [
        "Окружная клиническая больница", "Поликлиника № 2",
    ]


def test_subdivision_of_a_parent_elsewhere_is_top_level_with_the_parent_name(
    sample: SampleIds, session: Session
) -> None:
    rows = directory.list_institutions(session, sample.settlements["berezovo"])
    assert [(row.short_name, row.parent_short_name) for row in rows] == [
        ("Березовская районная больница", None),
        ("ФАП д. Теги", "Окружная клиническая больница"),
    ]
    assert rows[1].parent_id == sample.institutions["okb"]
    assert rows[1].doctor_count == 0


def test_inactive_institutions_are_not_listed(
    database: Database, sample: SampleIds
) -> None:
    with database.session() as session:
        fap = session.get_one(Institution, sample.institutions["fap"])
        fap.is_active = False
    with database.session() as session:
        rows = directory.list_institutions(session, sample.settlements["berezovo"])
    assert [row.short_name for row in rows] == ["Березовская районная больница"]


def test_departments_end_with_the_pseudo_department(
    sample: SampleIds, session: Session
) -> None:
    rows = directory.list_departments(session, sample.institutions["okb"])
    assert [(row.id, row.name, row.doctor_count, row.specialty_count) for row in rows] == [
        (sample.departments["okb_therapy"], "Терапевтическое отделение", 3, 2),
        (sample.departments["okb_surgery"], "Хирургическое отделение", 1, 1),
        (None, directory.NO_DEPARTMENT_NAME, 1, 1),
    ]
    assert rows[-1].is_pseudo
    assert not rows[0].is_pseudo
    assert all(row.institution_id == sample.institutions["okb"] for row in rows)


def test_no_pseudo_department_when_every_doctor_has_one(
    sample: SampleIds, session: Session
) -> None:
    rows = directory.list_departments(session, sample.institutions["polyclinic"])
    assert [row.name for row in rows] == ["Педиатрическое отделение"]
    assert directory.list_departments(session, sample.institutions["fap"]) == []


def test_specialties_of_a_department_with_doctor_counts(
    sample: SampleIds, session: Session
) -> None:
    rows = directory.list_specialties(session, sample.departments["okb_therapy"])
    assert [(row.name, row.doctor_count) for row in rows] == [("Кардиолог", 1), ("Терапевт", 2)]
    assert rows[1].id == sample.specialties["okb_therapist"]
    assert rows[1].department_id == sample.departments["okb_therapy"]
    assert rows[1].institution_id == sample.institutions["okb"]


def test_specialties_of_the_pseudo_department(sample: SampleIds, session: Session) -> None:
    rows = directory.list_specialties(session, None, institution_id=sample.institutions["okb"])
    assert [(row.name, row.doctor_count, row.department_id) for row in rows] == [
        ("Офтальмолог", 1, None)
    ]
    with pytest.raises(ValueError, match="institution_id"):
        directory.list_specialties(session, None)


def test_doctors_of_a_specialty_in_a_department(sample: SampleIds, session: Session) -> None:
    rows = directory.list_doctors(
        session, sample.departments["okb_therapy"], sample.specialties["okb_therapist"]
    )
    assert [(row.full_name, row.area_number) for row in rows] == [
        ("Ёлкин Пётр Семёнович", 3),
        ("Иванова Анна Петровна", 5),
    ]
    assert rows[0].id == sample.doctors["elkin"]
    assert rows[0].hub_id == "doc-2"
    assert rows[0].department_id == sample.departments["okb_therapy"]


def test_doctors_without_a_department(sample: SampleIds, session: Session) -> None:
    rows = directory.list_doctors(session, None, sample.specialties["okb_oculist"])
    assert [(row.id, row.department_id) for row in rows] == [(sample.doctors["alekseev"], None)]


def test_nesting_survives_a_parent_cycle() -> None:
    def row(row_id: int, parent_id: int | None, name: str) -> directory.InstitutionRow:
        return directory.InstitutionRow(
            id=row_id, hub_id=row_id, short_name=name, full_name=name, type="", address="",
            registry_phones="", working_hours="", site="", parent_id=parent_id,
            parent_short_name=None, department_count=0, doctor_count=0,
        )

    nested = directory.nest_institutions(
        [row(1, None, "Б"), row(2, 1, "В"), row(3, 4, "Г"), row(4, 3, "А")]
    )
    assert [top.short_name for top in nested] == ["Б", "А"]
    assert [child.short_name for child in nested[0].subdivisions] == ["В"]
    assert [child.short_name for child in nested[1].subdivisions] == ["Г"]


def _query_plans(database: Database, calls: list[Any]) -> list[list[str]]:
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("SELECT"):  # not the BEGIN the engine emits itself
            statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.session() as session:
            for call in calls:
                call(session)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    plans = []
    with database.engine.connect() as connection:
        for statement, parameters in statements:
            result = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans.append([str(line[-1]) for line in result])
    return plans


def test_every_directory_query_seeks_an_index(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        database.upgrade()
        ids = fill_sample_data(database)
        with database.session() as session:
            session.execute(select(Settlement.id))  # warm up: not part of the measured calls
        okb = ids.institutions["okb"]
        therapy = ids.departments["okb_therapy"]
        plans = _query_plans(
            database,
            [
                lambda s: directory.list_institutions(s, ids.settlements["khm"]),
                lambda s: directory.list_departments(s, okb),
                lambda s: directory.list_specialties(s, therapy),
                lambda s: directory.list_specialties(s, None, institution_id=okb),
                lambda s: directory.list_doctors(s, therapy, ids.specialties["okb_therapist"]),
                lambda s: directory.list_doctors(s, None, ids.specialties["okb_oculist"]),
            ],
        )
        settlement_plans = _query_plans(database, [directory.list_settlements])
    finally:
        database.dispose()
    assert len(plans) == 7
    for plan in plans:
        assert not [line for line in plan if line.startswith("SCAN")], plan
    # Listing every settlement scans that (small) table, but counts institutions by an index.
    (settlement_plan,) = settlement_plans
    scans = [line for line in settlement_plan if line.startswith("SCAN")]
    assert scans == ["SCAN settlement"], settlement_plan
