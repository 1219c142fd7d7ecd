"""The demo database: created, migrated and filled on the first ``workstation --demo``."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workstation.models import CabinetAccount, Patient, Settlement, StaffRole
from workstation.models.base import utc_now
from workstation.models.identity import Snils
from workstation.services.database import Database
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.passwords import hash_password
from workstation.services.region_generator import generate_patients
from workstation.services.regional_data import load_regional_data
from workstation.services.settings import locations, sqlite_url
from workstation.services.staff import ROLE_LABELS, ensure_demo_staff

# Enough generated patients for the patient search to be worth trying in the demo.
DEMO_PATIENTS = 1_000


def demo_database_url() -> str:
    """URL of the demo SQLite file in the user data directory (or ``WORKSTATION_HOME``)."""
    return sqlite_url(locations().demo_database)


DEMO_EMULATOR_NAME = "демонстрационный эмулятор ЛПУ"


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
        with database.session() as session:
            created = ensure_demo_staff(session)
        if created:
            report(describe_demo_staff(created))
        with database.session() as session:
            kiosk_login = ensure_demo_cabinet_account(session)
        if kiosk_login is not None:
            report(
                f"Личный кабинет для киоска (workstation --kiosk --demo): логин {kiosk_login}, "
                f"пароль {DEMO_CABINET_PASSWORD}."
            )
    finally:
        database.dispose()
    return url


DEMO_CABINET_PASSWORD = "kiosk2026"


def ensure_demo_cabinet_account(session: Session) -> str | None:
    """One demo patient with a personal-cabinet account and a known password (not a one-time
    one) to try the kiosk with; the login as typed, or None when one exists already."""
    if session.scalar(select(func.count(CabinetAccount.id))):
        return None
    patient = session.scalars(
        select(Patient)
        .where(Patient.snils.is_not(None), Patient.oms_number.is_not(None))
        .order_by(Patient.id)
        .limit(1)
    ).first()
    if patient is None or patient.snils is None:
        return None
    session.add(
        CabinetAccount(
            patient_id=patient.id,
            login=patient.snils,
            password_hash=hash_password(DEMO_CABINET_PASSWORD),
            must_change_password=False,
            created_by="демонстрационная база",
        )
    )
    if patient.consent_given_at is None:
        patient.consent_given_at = utc_now()
    return Snils.parse(patient.snils).display


def describe_demo_staff(created: list[tuple[str, str, StaffRole]]) -> str:
    """How to sign in to the demo: «Демонстрационные пользователи: admin / demo1234 (…), …»."""
    accounts = ", ".join(
        f"{login} / {password} ({ROLE_LABELS[role]})" for login, password, role in created
    )
    return f"Демонстрационные пользователи (логин / пароль): {accounts}."


@contextlib.contextmanager
def demo_emulator() -> Iterator[HubEndpoint]:
    """The demo's LPU emulator on a free local port.

    Its MIS state is a file of the day in the data directory, so that what the GUI booked is
    still there for ``workstation bookings …`` and the next start (the demo schedule is built
    for the day, so yesterday's file is replaced).
    """
    from workstation.services.emulator.server import EmulatorServer

    data_dir = locations().data_dir
    today = dt.date.today()
    for old in data_dir.glob("demo-mis-*.sqlite3*"):
        if today.isoformat() not in old.name:
            old.unlink(missing_ok=True)
    server = EmulatorServer.start(
        data="demo", state=data_dir / f"demo-mis-{today.isoformat()}.sqlite3"
    )
    try:
        yield HubEndpoint(server.url, server.guid, DEMO_EMULATOR_NAME)
    finally:
        server.stop()
