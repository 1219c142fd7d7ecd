"""The region-scale data generator: determinism, valid and unique documents, counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from workstation.models import Department, Doctor, Institution, Patient, Settlement, Slot
from workstation.models.identity import (
    DmsPolicy,
    Email,
    OmsPolicy,
    OmsPolicyKind,
    Passport,
    Phone,
    Snils,
)
from workstation.models.text import normalise_name
from workstation.services.database import Database
from workstation.services.region_generator import (
    GenerationSummary,
    enp_check_digit,
    generate_directory,
    generate_patients,
    generate_region,
    patient_rows,
    snils_check_number,
)
from workstation.services.regional_data import read_settlements

_PATIENT_COLUMNS = [c for c in Patient.__table__.columns if c.name != "id"]


def _patients(database: Database) -> list[tuple[Any, ...]]:
    with database.engine.connect() as connection:
        return [
            tuple(row) for row in connection.execute(select(*_PATIENT_COLUMNS).order_by(Patient.id))
        ]


def _count(database: Database, entity: Any) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(entity)) or 0


def _generate(database: Database, patients: int, seed: int = 5) -> GenerationSummary:
    return generate_region(
        database, patients=patients, seed=seed, institutions=12, doctors=40, slot_days=7
    )


def test_the_same_seed_gives_the_same_rows(database: Database, tmp_path: Path) -> None:
    _generate(database, 400)
    # A second run into another database (a SQLite file) yields the very same patients.
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    other.upgrade()
    try:
        _generate(other, 400)
        first, second = _patients(database), _patients(other)
        assert len(first) == 400
        assert first == second
    finally:
        other.dispose()
    assert list(patient_rows(300, seed=5)) == list(patient_rows(300, seed=5))
    assert list(patient_rows(300, seed=5)) != list(patient_rows(300, seed=6))


def test_documents_are_valid_and_unique(database: Database) -> None:
    generate_patients(database, 3_000, seed=11)
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(
                Patient.snils,
                Patient.oms_number,
                Patient.oms_kind,
                Patient.passport,
                Patient.dms_number,
                Patient.phone,
                Patient.email,
                Patient.birth_date,
            )
        ).all()
    assert len(rows) == 3_000
    kinds = Counter(row.oms_kind for row in rows)
    assert kinds[OmsPolicyKind.UNIFIED.value] > 2_600
    assert kinds[OmsPolicyKind.TEMPORARY.value] > 0
    assert kinds[OmsPolicyKind.OLD_STYLE.value] > 0
    for row in rows:
        if row.snils is not None:
            assert Snils(row.snils).canonical == row.snils
            assert not Snils(row.snils).is_legacy_unchecked
        if row.oms_kind == OmsPolicyKind.UNIFIED.value:
            assert OmsPolicy(OmsPolicyKind.UNIFIED, row.oms_number).canonical == row.oms_number
            assert len(row.oms_number) == 16
        elif row.oms_kind is not None:
            policy = OmsPolicy.parse(row.oms_number)
            assert policy.kind.value == row.oms_kind
            assert policy.canonical == row.oms_number
        else:
            assert row.oms_number is None
        if row.passport is not None:
            assert Passport(row.passport).canonical == row.passport
        if row.dms_number is not None:
            assert DmsPolicy.parse(row.dms_number).canonical == row.dms_number
        if row.phone is not None:
            assert Phone(row.phone).canonical == row.phone
        if row.email is not None:
            assert Email.parse(row.email).canonical == row.email
        assert dt.date(1930, 1, 1) <= row.birth_date <= dt.date(2025, 12, 31)
    for column in ("snils", "oms_number", "passport", "phone"):
        values = [getattr(row, column) for row in rows if getattr(row, column) is not None]
        assert len(values) > 2_000, column
        if column != "phone":
            assert len(set(values)) == len(values), column
    assert sum(row.snils is not None for row in rows) > 2_850


def test_check_numbers_agree_with_the_identity_module() -> None:
    for body in (1_002_000, 112_233_445, 999_999_999, 123_456_789, 100_000_000):
        digits = f"{body:09d}{snils_check_number(body):02d}"
        assert Snils.parse(digits).canonical == digits
    for enp_body in ("860000000000001", "861234567890123", "869999999999999"):
        enp = enp_body + enp_check_digit(enp_body)
        assert OmsPolicy.parse(enp).kind is OmsPolicyKind.UNIFIED


def test_names_are_realistic_and_normalised(database: Database) -> None:
    generate_patients(database, 2_000, seed=3)
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(
                Patient.last_name,
                Patient.first_name,
                Patient.patronymic,
                Patient.last_name_norm,
                Patient.first_name_norm,
                Patient.search_name,
            )
        ).all()
    for row in rows:
        assert row.last_name_norm == normalise_name(row.last_name)
        assert row.first_name_norm == normalise_name(row.first_name)
        expected = normalise_name(f"{row.last_name} {row.first_name} {row.patronymic}")
        assert row.search_name == expected
        assert "Ё" not in row.search_name
    assert any("ё" in row.last_name for row in rows)
    assert any("ё" in row.first_name or "ё" in row.patronymic for row in rows)
    women = [row for row in rows if row.patronymic.endswith(("вна", "чна"))]
    men = [row for row in rows if row.patronymic.endswith(("вич", "ич"))]
    assert len(women) > 700 and len(men) > 700
    assert any(row.last_name.endswith("ова") for row in women)
    assert not any(row.last_name.endswith("ова") for row in men)
    assert len({row.last_name for row in rows}) > 150


def test_counts_and_the_directory(database: Database) -> None:
    progress: list[tuple[str, int, int]] = []
    summary = generate_region(
        database,
        patients=250,
        seed=2,
        institutions=30,
        doctors=90,
        slot_days=14,
        progress=lambda stage, done, total: progress.append((stage, done, total)),
        batch_size=100,
    )
    assert summary.patients == _count(database, Patient) == 250
    assert summary.institutions == _count(database, Institution) == 30
    assert summary.doctors == _count(database, Doctor) == 90
    assert summary.departments == _count(database, Department) > 0
    assert summary.slots == _count(database, Slot) >= 90 * 10 * 12
    assert summary.settlements == _count(database, Settlement) == len(read_settlements())
    assert ("patients", 100, 250) in progress
    assert progress[-1] == ("patients", 250, 250)
    with database.engine.connect() as connection:
        starts = connection.execute(select(Slot.start, Slot.end)).all()
    assert {start.weekday() for start, _end in starts} == {0, 1, 2, 3, 4}
    assert len({start.date() for start, _end in starts}) == 10
    for start, end in starts:
        assert dt.timedelta(minutes=15) <= end - start <= dt.timedelta(minutes=30)
        assert dt.time(8) <= start.time() and end.time() <= dt.time(20)


def test_existing_settlements_are_kept_and_hub_ids_continue(database: Database) -> None:
    generate_directory(database, seed=1, institutions=5, doctors=10, slot_days=1)
    settlements = _count(database, Settlement)
    generate_directory(database, seed=1, institutions=5, doctors=10, slot_days=1)
    assert _count(database, Settlement) == settlements
    assert _count(database, Institution) == 10
    with database.session() as session:
        hub_ids = session.scalars(select(Institution.hub_id).order_by(Institution.hub_id)).all()
    assert hub_ids == list(range(1, 11))


def test_sqlite_durability_is_restored_after_the_load(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    database.upgrade()
    try:
        generate_patients(database, 50, seed=1)
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert connection.execute(text("PRAGMA cache_size")).scalar() == -2000
        assert _count(database, Patient) == 50
    finally:
        database.dispose()
