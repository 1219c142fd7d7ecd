"""The migrations build exactly the schema the entities describe, on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from workstation.models import Base, Patient
from workstation.services.database import Database, head_revision


def test_migrations_reach_head_and_match_the_models(database: Database) -> None:
    assert database.is_current()
    assert head_revision() is not None
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def _patient(snils: str) -> Patient:
    patient = Patient(birth_date=dt.date(1980, 5, 17), snils=snils)
    patient.set_name("Иванов", "Иван", "Иванович")
    return patient


def test_aware_timestamps_round_trip_as_utc(database: Database) -> None:
    given = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    with database.session() as session:
        patient = _patient("11223344595")
        patient.consent_given_at = given
        session.add(patient)
    with database.session() as session:
        stored = session.scalars(select(Patient)).one()
        assert stored.consent_given_at == given
        assert stored.consent_given_at is not None
        assert stored.consent_given_at.utcoffset() == dt.timedelta(0)


def test_one_patient_per_snils_is_enforced_by_the_database(database: Database) -> None:
    with database.session() as session:
        session.add(_patient("11223344595"))
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(_patient("11223344595"))


@pytest.mark.postgres
def test_search_columns_sort_in_code_point_order_on_postgresql(postgres_url: str) -> None:
    # The prefix-range search needs binary order; under a ru_RU collation hyphens and spaces
    # sort elsewhere and a prefix could miss names. SQLite always compares bytes.
    database = Database(postgres_url)
    database.upgrade()
    with database.engine.connect() as connection:
        collations = connection.execute(
            text(
                "SELECT table_name || '.' || column_name, collation_name "
                "FROM information_schema.columns WHERE column_name IN "
                "('last_name_norm', 'first_name_norm', 'search_name', 'full_name_norm', "
                "'name_norm')"
            )
        ).all()
    assert dict(collations) == {
        "patient.last_name_norm": "C",
        "patient.first_name_norm": "C",
        "patient.search_name": "C",
        "doctor.full_name_norm": "C",
        "settlement.name_norm": "C",
        "street.name_norm": "C",
    }
    database.dispose()
