"""The emulator's MIS state: data sets built into the project's own schema, with a template cache.

* ``demo`` - the shipped regional data (:func:`load_regional_data`), a schedule for every doctor
  for 14 days from ``today`` (weekdays; 08:00-12:00 or 14:00-18:00; 15/20/30-minute slots; about a
  quarter already taken) and :data:`DEMO_PATIENTS` generated patients with valid documents;
* ``region`` - :func:`generate_region` with a smaller patient count and slots from ``today``;
* ``bench`` - one institution with N doctors × D days × S slots (:func:`add_bench_institution`).

Everything is deterministic given the date. Building ``demo`` takes a few seconds, so a prepared
template file per data set and day is kept in the temp directory and copied for each new state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

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
from workstation.models.text import normalise_name
from workstation.services.database import Database, head_revision
from workstation.services.region_generator import GENERATED_AT, generate_region, patient_rows
from workstation.services.regional_data import load_regional_data

DATA_SETS = ("demo", "region", "bench")
DEMO_PATIENTS = 300
DEMO_SEED = 20260101
DEFAULT_REGION_PATIENTS = 20_000
DEMO_DAYS = 14
BENCH_HUB_ID = 9001
_TEMPLATE_VERSION = "1"


@dataclass(frozen=True)
class BenchShape:
    """The benchmark institution: ``doctors`` × ``days`` × ``slots_per_day`` slots."""

    doctors: int = 200
    days: int = 14
    slots_per_day: int = 24

    @property
    def slots(self) -> int:
        return self.doctors * self.days * self.slots_per_day


DEFAULT_BENCH = BenchShape()
"""The ingest benchmark's institution: 200 doctors × 14 days × 24 slots = 67,200 slots."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# --------------------------------------------------------------------------------------------
# Building blocks


def _insert_rows(connection: Connection, entity: Any, rows: Iterator[dict[str, Any]]) -> int:
    statement = insert(entity)
    done = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 20_000:
            connection.execute(statement, batch)
            done += len(batch)
            batch = []
    if batch:
        connection.execute(statement, batch)
        done += len(batch)
    return done


def add_demo_schedule(database: Database, today: dt.date, days: int = DEMO_DAYS) -> int:
    """Slots for every doctor for ``days`` calendar days from ``today`` (weekdays only)."""
    with database.engine.begin() as connection:
        doctors = connection.execute(
            select(Doctor.id, Doctor.hub_id, Institution.address)
            .join(Institution, Institution.id == Doctor.institution_id)
            .order_by(Doctor.id)
        ).all()
        dates = [today + dt.timedelta(days=n) for n in range(days)]

        def rows() -> Iterator[dict[str, Any]]:
            for doctor_id, hub_id, address in doctors:
                rng = random.Random(f"emulator-demo:{today.isoformat()}:{hub_id}")
                minutes = (15, 20, 20, 30)[rng.randrange(4)]
                morning = rng.random() < 0.7
                room = f"каб. {rng.randrange(1, 5)}{rng.randrange(1, 40):02d}"
                for day in dates:
                    if day.weekday() >= 5:
                        continue
                    # Some doctors alternate shifts: mornings on even days, afternoons on odd.
                    first_hour = 8 if morning or day.toordinal() % 2 == 0 else 14
                    moment = dt.datetime.combine(day, dt.time(first_hour))
                    step = dt.timedelta(minutes=minutes)
                    for _ in range(240 // minutes):
                        yield {
                            "doctor_id": doctor_id,
                            "hub_id": f"{hub_id}-{moment:%Y%m%d%H%M}",
                            "start": moment,
                            "end": moment + step,
                            "room": room,
                            "address": address,
                            "state": SlotState.TAKEN if rng.random() < 0.25 else SlotState.FREE,
                            "fetched_at": GENERATED_AT,
                        }
                        moment += step

        return _insert_rows(connection, Slot, rows())


def add_patients(database: Database, count: int, *, seed: int = DEMO_SEED) -> int:
    """``count`` generated patients with valid, unique documents (registered in LPUs lazily)."""
    with database.engine.begin() as connection:
        return _insert_rows(connection, Patient, patient_rows(count, seed=seed))


def add_bench_institution(
    database: Database,
    shape: BenchShape = DEFAULT_BENCH,
    *,
    today: dt.date,
    hub_id: int = BENCH_HUB_ID,
) -> int:
    """One institution with ``shape.doctors`` doctors, each with ``shape.slots_per_day``
    15-minute slots from 08:00 on each of ``shape.days`` calendar days from ``today``.

    Returns the institution's ``IdLPU``. A settlement is created when the table is empty.
    """
    with database.engine.begin() as connection:
        settlement_id = connection.scalar(select(Settlement.id).order_by(Settlement.id).limit(1))
        if settlement_id is None:
            settlement_id = connection.execute(
                insert(Settlement).values(
                    code="bench-city",
                    name="Бенчмарк",
                    name_norm=normalise_name("Бенчмарк"),
                    kind="город",
                    municipal_district="городской округ Бенчмарк",
                    lat=61.0,
                    lon=69.0,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        institution_id = connection.execute(
            insert(Institution).values(
                hub_id=hub_id,
                settlement_id=settlement_id,
                full_name="БУ ХМАО-Югры «Поликлиника для нагрузочного теста»",
                short_name="Нагрузочная поликлиника",
                type="Поликлиника",
                address="г. Бенчмарк, ул. Тестовая, д. 1",
                registry_phones="+7 (3467) 00-00-00",
                working_hours="пн-вс 08:00-20:00",
                email="registry@bench.example.ru",
                oid=f"1.2.643.5.1.13.13.12.2.86.{hub_id}",
                is_active=True,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        department_id = connection.execute(
            insert(Department).values(
                institution_id=institution_id, name="Поликлиническое отделение", address=""
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        specialty_ids = [
            connection.execute(
                insert(Specialty).values(
                    institution_id=institution_id, hub_id=code, name=name, federal_code=None
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            for code, name in (
                ("13", "Врач-терапевт участковый"),
                ("7", "Врач-невролог"),
                ("9", "Врач-офтальмолог"),
                ("15", "Врач-хирург"),
            )
        ]
        rng = random.Random(f"emulator-bench:{today.isoformat()}")
        doctor_rows = []
        for number in range(shape.doctors):
            name = f"Врач{number + 1:04d} Тест Тестович"
            doctor_rows.append(
                {
                    "institution_id": institution_id,
                    "hub_id": f"{hub_id}{number + 1:05d}",
                    "full_name": name,
                    "full_name_norm": normalise_name(name),
                    "specialty_id": specialty_ids[number % len(specialty_ids)],
                    "department_id": department_id,
                    "area_number": number // len(specialty_ids) + 1 if number % 4 == 0 else None,
                    "comment": "",
                    "fetched_at": GENERATED_AT,
                }
            )
        connection.execute(insert(Doctor), doctor_rows)
        doctor_ids = connection.execute(
            select(Doctor.id, Doctor.hub_id)
            .where(Doctor.institution_id == institution_id)
            .order_by(Doctor.id)
        ).all()

        def rows() -> Iterator[dict[str, Any]]:
            step = dt.timedelta(minutes=15)
            for doctor_id, doctor_hub_id in doctor_ids:
                room = f"каб. {rng.randrange(100, 400)}"
                for offset in range(shape.days):
                    moment = dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(8))
                    for _ in range(shape.slots_per_day):
                        yield {
                            "doctor_id": doctor_id,
                            "hub_id": f"{doctor_hub_id}-{moment:%Y%m%d%H%M}",
                            "start": moment,
                            "end": moment + step,
                            "room": room,
                            "address": "г. Бенчмарк, ул. Тестовая, д. 1",
                            "state": SlotState.FREE,
                            "fetched_at": GENERATED_AT,
                        }
                        moment += step

        _insert_rows(connection, Slot, rows())
    return hub_id


# --------------------------------------------------------------------------------------------
# Data sets and the template cache


def build_data_set(
    database: Database,
    data: str,
    *,
    today: dt.date,
    region_patients: int = DEFAULT_REGION_PATIENTS,
    bench: BenchShape = DEFAULT_BENCH,
) -> None:
    """Fill a migrated, empty database with the data set ``data``."""
    if data == "demo":
        load_regional_data(database)
        add_demo_schedule(database, today)
        add_patients(database, DEMO_PATIENTS)
    elif data == "region":
        generate_region(database, patients=region_patients, first_slot_day=today)
    elif data == "bench":
        add_bench_institution(database, bench, today=today)
        add_patients(database, DEMO_PATIENTS)
    else:
        raise ValueError(f"unknown data set {data!r} (known: {', '.join(DATA_SETS)})")


def cache_dir() -> Path:
    """Where prepared templates live (``WORKSTATION_EMULATOR_CACHE`` overrides)."""
    override = os.environ.get("WORKSTATION_EMULATOR_CACHE")
    if override:
        return Path(override)
    return Path(tempfile.gettempdir()) / "workstation-emulator"


def _template_key(data: str, today: dt.date, region_patients: int, bench: BenchShape) -> str:
    parts = [_TEMPLATE_VERSION, str(head_revision()), data, today.isoformat()]
    if data == "region":
        parts.append(str(region_patients))
    if data == "bench":
        parts.append(f"{bench.doctors}x{bench.days}x{bench.slots_per_day}")
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return f"{data}-{today.isoformat()}-{digest}.sqlite3"


def _template(data: str, today: dt.date, region_patients: int, bench: BenchShape) -> Path:
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / _template_key(data, today, region_patients, bench)
    if path.exists():
        return path
    partial = Path(tempfile.mkstemp(dir=directory, suffix=".partial")[1])
    partial.unlink()
    database = Database(sqlite_url(partial))
    try:
        database.upgrade()
        build_data_set(database, data, today=today, region_patients=region_patients, bench=bench)
        # On the driver's connection: inside a transaction the checkpoint could not finish,
        # and the WAL file is removed below.
        raw = database.engine.raw_connection()
        try:
            busy, _log, _done = raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise RuntimeError(f"emulator template {partial}: WAL checkpoint did not finish")
        finally:
            raw.close()
    finally:
        database.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    os.replace(partial, path)
    return path


def prepare_state(
    data: str,
    state: Path,
    *,
    today: dt.date,
    region_patients: int = DEFAULT_REGION_PATIENTS,
    bench: BenchShape = DEFAULT_BENCH,
) -> Database:
    """A migrated database at ``state``: kept as it is when it exists, else a copy of the
    data set's template (built on first use for this day)."""
    if not state.exists():
        template = _template(data, today, region_patients, bench)
        state.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, state)
    database = Database(sqlite_url(state))
    database.upgrade()
    return database
