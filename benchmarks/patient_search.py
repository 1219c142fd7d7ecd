"""Benchmark of the patient registry search on a region-sized SQLite registry.

    python -m benchmarks.patient_search [--patients N] [--rebuild] [--queries K] [--seed S]

The first run builds ``benchmarks/.data/region-<N>.sqlite3`` (migrated with
``Database.upgrade()``, filled by ``region_generator.generate_region``; a minute or two for the
default 2,000,000 patients) and later runs reuse it. Then, for each query kind, K random queries
(after a warm-up) run through the service (``PatientSearch.search``: recognition, SQL,
masking, hits) and through the stdlib ``sqlite3`` module on the same file with the very same
SQL and parameters (``PatientSearch.statements``), interleaved, and a table of p50/p99
latencies is printed with the targets:

* exact lookups (СНИЛС, ЕНП, паспорт): p50 ≤ 1 ms, p99 ≤ 3 ms;
* surname prefix + birth date: p99 ≤ 10 ms;
* the service within 2× the raw query (compared at p50).

The exit code is 0 even when a target is missed: this is a report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from workstation.models.identity import Passport, Snils
from workstation.services.database import Database
from workstation.services.patient_search import PatientSearch, recognise_query
from workstation.services.region_generator import DEFAULT_SEED, generate_region

DATA_DIR = Path(__file__).resolve().parent / ".data"
WARM_UP = 200


@dataclass(frozen=True)
class Kind:
    """One row of the report: a kind of query and its targets (milliseconds)."""

    name: str
    p50_target: float | None
    p99_target: float | None
    ratio_target: float | None = 2.0


@dataclass(frozen=True)
class Measurement:
    kind: Kind
    service: list[float]
    raw: list[float]
    hits: int

    def percentile(self, values: list[float], fraction: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000


KINDS = (
    Kind("СНИЛС (точный)", 1.0, 3.0),
    Kind("ЕНП (точный)", 1.0, 3.0),
    Kind("паспорт (точный)", 1.0, 3.0),
    Kind("фамилия-префикс + дата рождения", None, 10.0),
    Kind("фамилия + имя, без даты (справочно)", None, None, None),
)


def database_path(patients: int) -> Path:
    return DATA_DIR / f"region-{patients}.sqlite3"


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _complete(path: Path, patients: int) -> bool:
    """True when the file holds a finished build of ``patients`` patients."""
    if not path.exists():
        return False
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (count,) = connection.execute("SELECT max(id) FROM patient").fetchone()
            (slots,) = connection.execute("SELECT count(*) FROM slot LIMIT 1").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return bool(count == patients and slots > 0)


def build(path: Path, patients: int, seed: int) -> float:
    """Build the registry file; returns the seconds it took."""
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

        summary = generate_region(database, patients=patients, seed=seed, progress=progress)
    finally:
        database.dispose()
    seconds = time.perf_counter() - started
    size = path.stat().st_size / 2**20
    print(
        f"Построено за {seconds:.1f} с: населённых пунктов {summary.settlements}, учреждений "
        f"{summary.institutions}, врачей {summary.doctors:,}, слотов {summary.slots:,}, "
        f"пациентов {summary.patients:,}; файл {size:,.0f} МиБ ({path})",
        flush=True,
    )
    return seconds


def sample_queries(path: Path, patients: int, count: int, seed: int) -> list[list[str]]:
    """``count`` query texts of each kind, from random patients of the registry."""
    rng = random.Random(seed)
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ids = rng.sample(range(1, patients + 1), min(patients, count * 4 + WARM_UP * 4))
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows += connection.execute(
                "SELECT id, last_name, first_name, birth_date, snils, oms_number, oms_kind, "
                f"passport FROM patient WHERE id IN ({marks})",
                chunk,
            ).fetchall()
    finally:
        connection.close()
    rows.sort()
    rng.shuffle(rows)
    need = count + WARM_UP
    snils = [Snils(row[4]).display for row in rows if row[4]][:need]
    enp = [row[5] for row in rows if row[6] == "unified"][:need]
    passports = [Passport(row[7]).display for row in rows if row[7]][:need]
    dated: list[str] = []
    names: list[str] = []
    for _id, last, first, birth, *_rest in rows[:need]:
        prefix = last[: rng.randint(min(3, len(last)), len(last))]
        date = dt.date.fromisoformat(birth)
        dated.append(f"{prefix.lower() if rng.random() < 0.5 else prefix} {date:%d.%m.%Y}")
        names.append(f"{last} {first[: rng.randint(1, len(first))]}")
    return [snils, enp, passports, dated, names]


def measure(
    service: PatientSearch, raw: sqlite3.Connection, kind: Kind, texts: Sequence[str]
) -> Measurement:
    """Time each text through the service and through raw sqlite3, interleaved."""
    clock = time.perf_counter
    service_times: list[float] = []
    raw_times: list[float] = []
    hits = 0

    def raw_run(statements: list[tuple[str, Any]], limit: int) -> int:
        rows = 0
        for sql, parameters in statements:
            rows += len(raw.execute(sql, parameters).fetchall())
            if rows > limit:
                break
        return rows

    for index, text in enumerate(texts):
        statements = service.statements(recognise_query(text, validate=False))
        if index % 2:  # alternate which goes first, so neither always finds warm pages
            start = clock()
            result = service.search(text)
            middle = clock()
            raw_run(statements, 20)
            end = clock()
            service_time, raw_time = middle - start, end - middle
        else:
            start = clock()
            raw_run(statements, 20)
            middle = clock()
            result = service.search(text)
            end = clock()
            raw_time, service_time = middle - start, end - middle
        if index >= WARM_UP:
            service_times.append(service_time)
            raw_times.append(raw_time)
            hits += bool(result.hits)
    return Measurement(kind, service_times, raw_times, hits)


def _verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return "met" if value <= target else "NOT met"


def report(measurements: Sequence[Measurement]) -> None:
    header = (
        f"{'query kind':<37} {'n':>5} {'found':>6} | {'service p50':>11} {'p99':>7} | "
        f"{'raw p50':>8} {'p99':>7} | {'ratio p50':>9} {'p99':>5} | targets"
    )
    print(header)
    print("-" * len(header))
    for m in measurements:
        s50, s99 = m.percentile(m.service, 0.50), m.percentile(m.service, 0.99)
        r50, r99 = m.percentile(m.raw, 0.50), m.percentile(m.raw, 0.99)
        ratio50, ratio99 = s50 / r50, s99 / r99
        targets: list[str] = []
        if m.kind.p50_target is not None:
            targets.append(f"p50 ≤ {m.kind.p50_target:g} ms {_verdict(s50, m.kind.p50_target)}")
        if m.kind.p99_target is not None:
            targets.append(f"p99 ≤ {m.kind.p99_target:g} ms {_verdict(s99, m.kind.p99_target)}")
        if m.kind.ratio_target is not None:
            targets.append(
                f"≤ {m.kind.ratio_target:g}× raw {_verdict(ratio50, m.kind.ratio_target)}"
            )
        print(
            f"{m.kind.name:<37} {len(m.service):>5} {m.hits:>6} | {s50:>8.3f} ms {s99:>7.3f} | "
            f"{r50:>8.3f} {r99:>7.3f} | {ratio50:>8.2f}× {ratio99:>4.1f}× | "
            + ("; ".join(targets) or "—")
        )
    print(
        "\nms per query; service = PatientSearch.search (recognition, SQL, masking, hits); raw = "
        "the same SQL and parameters through stdlib sqlite3 on the same file (execute + "
        "fetchall); the 2× target compares the p50 values."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.patient_search")
    parser.add_argument("--patients", type=int, default=2_000_000, help="registry size")
    parser.add_argument("--rebuild", action="store_true", help="build the registry file anew")
    parser.add_argument("--queries", type=int, default=2_000, help="timed queries per kind")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    args = parser.parse_args(argv)
    path = database_path(args.patients)

    if args.rebuild or not _complete(path, args.patients):
        print(f"Строю реестр на {args.patients:,} пациентов: {path}", flush=True)
        build(path, args.patients, args.seed)
    else:
        print(f"Использую готовый реестр: {path} ({path.stat().st_size / 2**20:,.0f} МиБ)")

    queries = sample_queries(path, args.patients, args.queries, args.seed)
    database = Database(f"sqlite:///{path}")
    raw = sqlite3.connect(path)
    service = PatientSearch(database)
    measure_all: list[Callable[[], Measurement]] = [
        partial(measure, service, raw, kind, texts)
        for kind, texts in zip(KINDS, queries, strict=True)
    ]
    try:
        # The first query of a process compiles the statements: time it apart, once.
        started = time.perf_counter()
        service.search(queries[0][0])
        print(f"Первый запрос процесса: {(time.perf_counter() - started) * 1000:.2f} ms\n")
        results = []
        for run in measure_all:
            gc.collect()
            results.append(run())
        print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}\n")
        report(results)
        total = statistics.fmean(len(m.service) for m in results)
        print(f"(по {total:.0f} запросов каждого вида после {WARM_UP} для прогрева)")
    finally:
        raw.close()
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
