"""Benchmark of the booking screen's schedule queries on region-scale SQLite data.

    python -m benchmarks.booking_screen [--rebuild] [--samples K] [--seed S]

The first run builds ``benchmarks/.data/booking-screen.sqlite3`` (migrated with
``Database.upgrade()``, filled by ``region_generator.generate_directory``: the whole region's
400 institutions, 6,000 doctors and 14 days of slots, about 1.15 million, no patients; about a
minute and a half) and later runs reuse it. The queries run against the largest settlement (the
one with the most institutions) at a fixed ``now``: the second day of the slots, 10:00.

Each kind of call runs through the service (a session per call, as a worker job opens one, the
ORM, and the result rows built) and, interleaved, through the stdlib ``sqlite3`` module on the
same file replaying the very SQL and parameters the service sent for that call (captured in an
untimed pass): the raw baseline. A table of p50/p99 latencies is printed with the targets of the
booking screen issue, compared at p99:

* filter by doctor's name, per keystroke (``schedule.schedule_tree`` of the doctor's
  institution with ``ScheduleFilter(doctor=...)``): ≤ 30 ms;
* a doctor's week grid (``schedule.doctor_week``): ≤ 16 ms;
* the earliest-free grid of a specialty across the settlement (``schedule.earliest_free``, every
  specialty of the settlement in turn): ≤ 100 ms;
* the tree of the settlement (``directory.list_institutions``: the top level the lazy tree
  model loads first): ≤ 150 ms;

and, for reference without a target, the month calendar, the unfiltered schedule tree of an
institution, and the settlement's institutions with the departments of every one of them.

The exit code is 0 even when a target is missed: this is a report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from workstation.services import directory, schedule
from workstation.services.database import Database
from workstation.services.region_generator import (
    DEFAULT_DOCTORS,
    DEFAULT_FIRST_SLOT_DAY,
    DEFAULT_SEED,
    generate_directory,
)

DATA_DIR = Path(__file__).resolve().parent / ".data"
DATABASE_PATH = DATA_DIR / "booking-screen.sqlite3"
NOW = dt.datetime.combine(DEFAULT_FIRST_SLOT_DAY + dt.timedelta(days=1), dt.time(10, 0))
WARM_UP = 20

Call = Callable[[Session], object]


@dataclass(frozen=True)
class Kind:
    """One row of the report: a kind of call and its p99 target (milliseconds)."""

    name: str
    target: float | None


@dataclass(frozen=True)
class Measurement:
    kind: Kind
    service: list[float]
    raw: list[float]
    statements: float  # SQL statements per call

    @staticmethod
    def percentile(values: list[float], fraction: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000


KEYSTROKE = Kind("ФИО врача: фильтр на каждое нажатие", 30.0)
WEEK = Kind("неделя врача", 16.0)
EARLIEST = Kind("ближайшие свободные: специальность, город", 100.0)
TREE = Kind("дерево города: учреждения", 150.0)
MONTH = Kind("месяц врача (справочно)", None)
INSTITUTION_TREE = Kind("расписание учреждения без фильтров (справ.)", None)
DEPARTMENTS = Kind("учреждения + отделения всех (справочно)", None)


# --------------------------------------------------------------------------------------------
# The data file


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _complete(path: Path) -> bool:
    """True when the file holds a finished build (the generator loads in one transaction)."""
    if not path.exists():
        return False
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (doctors,) = connection.execute("SELECT count(*) FROM doctor").fetchone()
            (slots,) = connection.execute("SELECT count(*) FROM slot").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return bool(doctors == DEFAULT_DOCTORS and slots > 0)


def build(path: Path, seed: int) -> float:
    """Build the data file; returns the seconds it took."""
    _remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    database = Database(f"sqlite:///{path}")
    try:
        database.upgrade()
        last_report = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last_report[0] >= 10 or done == total:
                last_report[0] = now
                print(f"  {now - started:7.1f} s  {stage}: {done:,}/{total:,}", flush=True)

        summary = generate_directory(database, seed=seed, progress=progress)
    finally:
        database.dispose()
    seconds = time.perf_counter() - started
    print(
        f"Построено за {seconds:.1f} с: населённых пунктов {summary.settlements}, учреждений "
        f"{summary.institutions}, отделений {summary.departments:,}, врачей "
        f"{summary.doctors:,}, слотов {summary.slots:,}; файл "
        f"{path.stat().st_size / 2**20:,.0f} МиБ ({path})",
        flush=True,
    )
    return seconds


# --------------------------------------------------------------------------------------------
# What to ask


@dataclass(frozen=True)
class Workload:
    settlement_id: int
    settlement_name: str
    institutions: list[int]
    doctors: list[tuple[int, int, str]]  # id, institution id, full name
    specialties: list[str]


def workload(path: Path) -> Workload:
    """The largest settlement (most active institutions), its doctors and specialty names."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        settlement_id, name = connection.execute(
            "SELECT s.id, s.name FROM settlement s JOIN institution i ON i.settlement_id = s.id "
            "WHERE i.is_active GROUP BY s.id, s.name ORDER BY count(*) DESC, s.id LIMIT 1"
        ).fetchone()
        institutions = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM institution WHERE settlement_id = ? AND is_active ORDER BY id",
                (settlement_id,),
            )
        ]
        doctors = [
            (row[0], row[1], row[2])
            for row in connection.execute(
                "SELECT d.id, d.institution_id, d.full_name FROM doctor d JOIN institution i "
                "ON i.id = d.institution_id WHERE i.settlement_id = ? AND i.is_active "
                "ORDER BY d.id",
                (settlement_id,),
            )
        ]
        specialties = sorted(
            {
                row[0]
                for row in connection.execute(
                    "SELECT DISTINCT sp.name FROM specialty sp JOIN doctor d "
                    "ON d.specialty_id = sp.id JOIN institution i ON i.id = sp.institution_id "
                    "WHERE i.settlement_id = ? AND i.is_active",
                    (settlement_id,),
                )
            }
        )
    finally:
        connection.close()
    return Workload(settlement_id, name, institutions, doctors, specialties)


def keystrokes(full_name: str) -> Iterator[str]:
    """What the filter box holds after each key while typing «фамилия и» (mixed case)."""
    surname, first_name = full_name.split(" ")[:2]
    typed = f"{surname.lower()} {first_name[0]}"
    for end in range(1, len(typed) + 1):
        if not typed[end - 1].isspace():
            yield typed[:end]


def calls(load: Workload, samples: int, rng: random.Random) -> dict[Kind, list[Call]]:
    """The calls of each kind, in a random order (warm-up calls first)."""
    doctors = load.doctors
    settlement = load.settlement_id
    plan: dict[Kind, list[Call]] = {kind: [] for kind in (KEYSTROKE, WEEK, EARLIEST, TREE)}
    for kind in (MONTH, INSTITUTION_TREE, DEPARTMENTS):
        plan[kind] = []
    while len(plan[KEYSTROKE]) < samples + WARM_UP:
        _doctor_id, institution_id, full_name = rng.choice(doctors)
        for text in keystrokes(full_name):
            filters = schedule.ScheduleFilter(doctor=text)
            plan[KEYSTROKE].append(
                partial(
                    schedule.schedule_tree, institution_id=institution_id, now=NOW, filters=filters
                )
            )
    for _ in range(samples + WARM_UP):
        day = NOW.date() + dt.timedelta(days=rng.choice((0, 7)))
        plan[WEEK].append(
            partial(schedule.doctor_week, doctor_id=rng.choice(doctors)[0], day=day, now=NOW)
        )
        plan[MONTH].append(
            partial(
                schedule.doctor_month, doctor_id=rng.choice(doctors)[0], month=NOW.date(), now=NOW
            )
        )
        plan[INSTITUTION_TREE].append(
            partial(schedule.schedule_tree, institution_id=rng.choice(load.institutions), now=NOW)
        )
    earliest_count = max(len(load.specialties), samples // 4) + WARM_UP
    names = (load.specialties * (earliest_count // len(load.specialties) + 1))[:earliest_count]
    rng.shuffle(names)
    for name in names:
        plan[EARLIEST].append(
            partial(schedule.earliest_free, specialty=name, now=NOW, settlement_id=settlement)
        )
    for _ in range(max(50, samples // 10) + WARM_UP):
        plan[TREE].append(partial(directory.list_institutions, settlement_id=settlement))
    for _ in range(10 + WARM_UP // 4):
        plan[DEPARTMENTS].append(partial(_institutions_and_departments, settlement_id=settlement))
    return plan


def _institutions_and_departments(session: Session, settlement_id: int) -> int:
    count = 0
    for institution in directory.list_institutions(session, settlement_id):
        for row in institution.walk():
            count += len(directory.list_departments(session, row.id))
    return count


# --------------------------------------------------------------------------------------------
# Measuring


@contextmanager
def captured(database: Database) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements (SQL text, parameters) the engine sends while inside."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)


def measure(
    database: Database, raw: sqlite3.Connection, kind: Kind, plan: Sequence[Call]
) -> Measurement:
    """Time each call through the service and its captured SQL through raw sqlite3."""
    replays: list[list[tuple[str, Any]]] = []
    for call in plan:
        with captured(database) as statements, database.session() as session:
            call(session)
        replays.append(statements)
    clock = time.perf_counter

    def service_run(call: Call) -> None:
        with database.session() as session:
            call(session)

    def raw_run(statements: list[tuple[str, Any]]) -> None:
        for sql, parameters in statements:
            raw.execute(sql, parameters).fetchall()

    warm_up = min(WARM_UP, len(plan) // 3)
    service_times: list[float] = []
    raw_times: list[float] = []
    gc.collect()
    for index, (call, statements) in enumerate(zip(plan, replays, strict=True)):
        if index % 2:  # alternate which goes first, so neither always finds warm pages
            start = clock()
            service_run(call)
            middle = clock()
            raw_run(statements)
            end = clock()
            service_time, raw_time = middle - start, end - middle
        else:
            start = clock()
            raw_run(statements)
            middle = clock()
            service_run(call)
            end = clock()
            raw_time, service_time = middle - start, end - middle
        if index >= warm_up:
            service_times.append(service_time)
            raw_times.append(raw_time)
    per_call = sum(len(statements) for statements in replays) / len(replays)
    return Measurement(kind, service_times, raw_times, per_call)


def report(measurements: Sequence[Measurement]) -> None:
    header = (
        f"{'call':<44} {'n':>5} {'SQL':>5} | {'service p50':>11} {'p99':>7} | "
        f"{'raw p50':>8} {'p99':>7} | {'ratio p50':>9} | target (p99)"
    )
    print(header)
    print("-" * len(header))
    for m in measurements:
        s50, s99 = m.percentile(m.service, 0.50), m.percentile(m.service, 0.99)
        r50, r99 = m.percentile(m.raw, 0.50), m.percentile(m.raw, 0.99)
        verdict = "—"
        if m.kind.target is not None:
            verdict = f"≤ {m.kind.target:g} ms " + ("met" if s99 <= m.kind.target else "NOT met")
        print(
            f"{m.kind.name:<44} {len(m.service):>5} {m.statements:>5.1f} | {s50:>8.2f} ms "
            f"{s99:>7.2f} | {r50:>8.2f} {r99:>7.2f} | {s50 / r50:>8.2f}× | {verdict}"
        )
    print(
        "\nms per call; SQL = statements per call; service = a session per call, the schedule "
        "or directory function, its result rows; raw = the same SQL and parameters (captured "
        "from the service in an untimed pass) through stdlib sqlite3 on the same file "
        "(execute + fetchall), interleaved with the service calls."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.booking_screen")
    parser.add_argument("--rebuild", action="store_true", help="build the data file anew")
    parser.add_argument("--samples", type=int, default=400, help="timed calls per kind")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    args = parser.parse_args(argv)
    path = DATABASE_PATH

    if args.rebuild or not _complete(path):
        print(f"Строю данные региона (без пациентов): {path}", flush=True)
        build(path, args.seed)
    else:
        print(f"Использую готовые данные: {path} ({path.stat().st_size / 2**20:,.0f} МиБ)")

    load = workload(path)
    print(
        f"Город: {load.settlement_name} — учреждений {len(load.institutions)}, врачей "
        f"{len(load.doctors):,}, специальностей {len(load.specialties)}; now = {NOW:%d.%m.%Y %H:%M}"
    )
    plan = calls(load, args.samples, random.Random(args.seed))
    database = Database(f"sqlite:///{path}")
    raw = sqlite3.connect(path)
    try:
        # The first query of a process compiles the statements: time it apart, once.
        started = time.perf_counter()
        with database.session() as session:
            plan[WEEK][0](session)
        print(f"Первый запрос процесса: {(time.perf_counter() - started) * 1000:.2f} ms\n")
        results = [measure(database, raw, kind, calls_of) for kind, calls_of in plan.items()]
        print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}\n")
        report(results)
    finally:
        raw.close()
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
