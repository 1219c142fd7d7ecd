"""The demo database: created, migrated and filled on the first ``workstation --demo``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from workstation.models import Settlement
from workstation.services.database import Database
from workstation.services.region_generator import generate_patients
from workstation.services.regional_data import load_regional_data
from workstation.services.settings import locations, sqlite_url

# Enough generated patients for the patient search to be worth trying in the demo.
DEMO_PATIENTS = 1_000


def demo_database_url() -> str:
    """URL of the demo SQLite file in the user data directory (or ``WORKSTATION_HOME``)."""
    return sqlite_url(locations().demo_database)


def prepare_demo_database(report: Callable[[str], None] = print) -> str:
    """Make sure the demo database exists, is migrated and holds the demo data; return its URL."""
    url = demo_database_url()
    database = Database(url)
    try:
        database.upgrade()
        with database.session() as session:
            filled = session.scalar(select(func.count(Settlement.id))) or 0
        if not filled:
            report(f"Создаю демонстрационную базу: {locations().demo_database}")
            summary = load_regional_data(database)
            patients = generate_patients(database, DEMO_PATIENTS)
            report(
                f"Загружено: населенных пунктов {summary.settlements}, "
                f"учреждений {summary.institutions}, врачей {summary.doctors}, "
                f"пациентов {patients}."
            )
    finally:
        database.dispose()
    return url
