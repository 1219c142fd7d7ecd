"""Benchmark of «Поиск участка» and «Ближайшие к адресу» on region-scale synthetic data.

    python -m benchmarks.district_lookup [--rebuild] [--samples K] [--seed S]

The first run builds ``benchmarks/.data/district-lookup.sqlite3`` (migrated with
``Database.upgrade()``; a few seconds) and later runs reuse it:

* 4 settlements × 1,000 streets; 2 institutions per settlement, each with 40 therapeutic, 20
  pediatric and 10 general-practice участки whose rules cover every street of the settlement in
  four patterns (odd/even sides; two ranges and an exact lettered house; the whole street; the
  whole street with a range and an exact корпус over it): 54,000 rules, 6,750 per institution;
* a fifth settlement with 400 institutions scattered over 10 km, for the nearest ordering.

Measured, p50/p99, with the baselines measured in the same run, interleaved:

* ``district_search`` with the institution's index warm, a session per call as a worker job opens
  one, the street as typed and a random house (letters and корпуса included): target p99 ≤ 1 ms.
  Baselines: one plain SQL query through stdlib ``sqlite3`` that fetches the rules of that street
  and institution (without deciding precedence), and a dict lookup of a precomputed answer (the
  floor);
* the cold first call of each institution (reads its rules and builds the index), for reference;
* ``nearest_institutions`` over the 400 institutions: target p99 ≤ 5 ms. Baseline: the same rows
  through stdlib ``sqlite3`` sorted by the same haversine in plain Python.

The exit code is 0 even when a target is missed: this is a report.
"""

from __future__ import annotations

import argparse
import gc
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert

from workstation.models import DistrictRule, Institution, MedicalDistrict, Settlement, Street
from workstation.services.addresses import distance_m, normalise_street
from workstation.services.database import Database
from workstation.services.districts import district_search, invalidate_district_index
from workstation.services.nearest import nearest_institutions

DATA_DIR = Path(__file__).resolve().parent / ".data"
DATABASE_PATH = DATA_DIR / "district-lookup.sqlite3"
SETTLEMENTS = 4
STREETS = 1_000
INSTITUTIONS_PER_SETTLEMENT = 2
DISTRICTS = {"therapeutic": 40, "pediatric": 20, "general_practice": 10}
NEAREST_INSTITUTIONS = 400
CENTRE = (61.0024, 69.0185)
DEFAULT_SEED = 20261209
DISTRICT_TARGET_MS = 1.0
NEAREST_TARGET_MS = 5.0

ROOTS = (
    "Ленина", "Мира", "Гагарина", "Калинина", "Рознина", "Садовая", "Лесная", "Полевая",
    "Школьная", "Молодёжная", "Рябиновая", "Советская", "Северная", "Южная", "Береговая",
    "Заречная", "Карла Маркса", "Энергетиков", "Нефтяников", "Строителей",
)  # fmt: skip


def street_name(index: int) -> str:
    """«Ленина 3-я»-like distinct names: a root and a number."""
    return f"{ROOTS[index % len(ROOTS)]} {index // len(ROOTS) + 1}-я"


# --------------------------------------------------------------------------------------------
# The data file


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _expected_rules() -> int:
    per_street = (2 + 3 + 1 + 3) / 4
    return int(SETTLEMENTS * INSTITUTIONS_PER_SETTLEMENT * STREETS * len(DISTRICTS) * per_street)


def _complete(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (rules,) = connection.execute("SELECT count(*) FROM district_rule").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return bool(rules == _expected_rules())


def _rules_of_street(index: int, street_id: int, districts: list[int]) -> list[dict[str, object]]:
    """The rules of one street for one type: four patterns, no two участки at one level."""
    a, b, c = (districts[(index + shift) % len(districts)] for shift in (0, 1, 2))

    def rule(
        district: int,
        kind: str,
        low: int | None = None,
        high: int | None = None,
        label: str | None = None,
    ) -> dict[str, object]:
        return {
            "district_id": district,
            "street_id": street_id,
            "kind": kind,
            "from_number": low,
            "to_number": high,
            "house_label": label,
        }

    match index % 4:
        case 0:
            return [rule(a, "odd"), rule(b, "even")]
        case 1:
            return [rule(a, "range", 1, 40), rule(b, "range", 41), rule(c, "exact", label="12А")]
        case 2:
            return [rule(a, "all")]
        case _:
            return [rule(a, "all"), rule(b, "range", 10, 20), rule(c, "exact", label="15 к1")]


def build(path: Path, seed: int) -> float:
    """Build the data file; returns the seconds it took."""
    _remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = random.Random(seed)
    database = Database(f"sqlite:///{path}")
    try:
        database.upgrade()
        with database.session() as session:
            hub_id = 1
            for number in range(SETTLEMENTS + 1):
                lat = CENTRE[0] + number * 0.5
                settlement = Settlement(
                    code=f"synthetic-{number}",
                    name=f"Город {number}",
                    name_norm=f"ГОРОД {number}",
                    lat=lat,
                    lon=CENTRE[1],
                )
                session.add(settlement)
                session.flush()
                if number == SETTLEMENTS:
                    # The nearest-ordering city: 400 institutions within about 10 km.
                    session.execute(
                        insert(Institution),
                        [
                            {
                                "hub_id": hub_id + k,
                                "settlement_id": settlement.id,
                                "full_name": f"Учреждение {k}",
                                "short_name": f"Учреждение {k}",
                                "type": rng.choice(("Больница", "Поликлиника", "Центр")),
                                "address": f"ул. {street_name(k)}, {k % 90 + 1}",
                                "lat": lat + rng.uniform(-0.045, 0.045),
                                "lon": CENTRE[1] + rng.uniform(-0.09, 0.09),
                                "is_active": True,
                            }
                            for k in range(NEAREST_INSTITUTIONS)
                        ],
                    )
                    continue
                session.execute(
                    insert(Street),
                    [
                        {
                            "settlement_id": settlement.id,
                            "name": street_name(i),
                            "name_norm": normalise_street(street_name(i)),
                            "kind": "улица",
                        }
                        for i in range(STREETS)
                    ],
                )
                street_ids = [
                    row[0]
                    for row in session.execute(
                        Street.__table__.select()
                        .with_only_columns(Street.id)
                        .where(Street.settlement_id == settlement.id)
                        .order_by(Street.id)
                    )
                ]
                for _ in range(INSTITUTIONS_PER_SETTLEMENT):
                    institution = Institution(
                        hub_id=hub_id,
                        settlement_id=settlement.id,
                        full_name=f"Поликлиника {hub_id}",
                        short_name=f"Поликлиника {hub_id}",
                        type="Поликлиника",
                        lat=lat,
                        lon=CENTRE[1],
                    )
                    hub_id += 1
                    session.add(institution)
                    session.flush()
                    rules: list[dict[str, object]] = []
                    for kind, count in DISTRICTS.items():
                        districts = []
                        for district_number in range(1, count + 1):
                            district = MedicalDistrict(
                                institution_id=institution.id,
                                kind=kind,
                                number=str(district_number),
                                doctor_name=f"Врач {district_number}",
                            )
                            session.add(district)
                            session.flush()
                            districts.append(district.id)
                        for index, street_id in enumerate(street_ids):
                            rules += _rules_of_street(index, street_id, districts)
                    session.execute(insert(DistrictRule), rules)
            hub_id += NEAREST_INSTITUTIONS
    finally:
        database.dispose()
    seconds = time.perf_counter() - started
    print(f"Построено за {seconds:.1f} с: правил {_expected_rules():,} ({path})", flush=True)
    return seconds


# --------------------------------------------------------------------------------------------
# Measuring


@dataclass(frozen=True)
class Row:
    name: str
    times: list[float]
    target: float | None = None

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000


def _timed_pairs(
    calls: Sequence[tuple[Callable[[], object], ...]], warm_up: int
) -> list[list[float]]:
    """Time each tuple's calls back to back, rotating which goes first."""
    clock = time.perf_counter
    columns: list[list[float]] = [[] for _ in calls[0]]
    gc.collect()
    for index, group in enumerate(calls):
        order = list(range(len(group)))
        shift = index % len(group)
        order = order[shift:] + order[:shift]
        spent = [0.0] * len(group)
        for position in order:
            start = clock()
            group[position]()
            spent[position] = clock() - start
        if index >= warm_up:
            for column, seconds in zip(columns, spent, strict=True):
                column.append(seconds)
    return columns


def report(rows: Sequence[Row]) -> None:
    header = f"{'call':<60} {'n':>6} | {'p50 ms':>8} {'p99 ms':>8} | target (p99)"
    print(header)
    print("-" * len(header))
    for row in rows:
        p50, p99 = row.percentile(0.50), row.percentile(0.99)
        verdict = "—"
        if row.target is not None:
            verdict = f"≤ {row.target:g} ms " + ("met" if p99 <= row.target else "NOT met")
        print(f"{row.name:<60} {len(row.times):>6} | {p50:>8.3f} {p99:>8.3f} | {verdict}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.district_lookup")
    parser.add_argument("--rebuild", action="store_true", help="build the data file anew")
    parser.add_argument("--samples", type=int, default=5000, help="timed lookups")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    args = parser.parse_args(argv)
    path = DATABASE_PATH
    if args.rebuild or not _complete(path):
        print(f"Строю синтетические данные: {path}", flush=True)
        build(path, args.seed)
    else:
        print(f"Использую готовые данные: {path} ({path.stat().st_size / 2**20:,.1f} МиБ)")

    rng = random.Random(args.seed)
    raw = sqlite3.connect(path)
    institutions = raw.execute(
        "SELECT i.id, i.settlement_id FROM institution i WHERE i.id IN "
        "(SELECT institution_id FROM medical_district) ORDER BY i.id"
    ).fetchall()
    streets = {
        settlement_id: [
            name
            for (name,) in raw.execute(
                "SELECT name FROM street WHERE settlement_id = ? ORDER BY id", (settlement_id,)
            )
        ]
        for settlement_id in {settlement for _id, settlement in institutions}
    }
    (nearest_city,) = raw.execute(
        "SELECT settlement_id FROM institution GROUP BY settlement_id "
        "ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    (rule_count,) = raw.execute("SELECT count(*) FROM district_rule").fetchone()

    database = Database(f"sqlite:///{path}")
    rows: list[Row] = []
    try:
        # The first query of a process compiles statements: time it apart, once.
        started = time.perf_counter()
        with database.session() as session:
            invalidate_district_index()
            district_search(session, institutions[0][0], streets[institutions[0][1]][0], "1")
        first = (time.perf_counter() - started) * 1000
        cold: list[float] = []
        for institution_id, _settlement in institutions:
            invalidate_district_index()
            with database.session() as session:
                started = time.perf_counter()
                district_search(session, institution_id, "Ленина 1-я", "1")
                cold.append(time.perf_counter() - started)
        per_institution = rule_count // len(institutions)
        rows.append(Row(f"холодный вызов: индекс учреждения ({per_institution:,} правил)", cold))

        # Warm indexes for every institution, then the lookups.
        with database.session() as session:
            for institution_id, _settlement in institutions:
                district_search(session, institution_id, "Ленина 1-я", "1")
        houses = [str(n) for n in range(1, 90)] + ["12А", "12 а", "15 к1", "15/1", "17Б", "3 к2"]
        plan: list[tuple[int, str, str]] = []
        for _ in range(args.samples):
            institution_id, settlement_id = rng.choice(institutions)
            name = rng.choice(streets[settlement_id])
            typed = rng.choice((name, f"ул. {name}", name.upper(), f"{name} улица"))
            plan.append((institution_id, typed, rng.choice(houses)))
        answers = {}
        with database.session() as session:
            for institution_id, typed, house in plan:
                answers[(institution_id, typed, house)] = district_search(
                    session, institution_id, typed, house
                )
        found = sum(1 for result in answers.values() if result.found)
        settlement_of = dict(institutions)
        sql = (
            "SELECT d.id, d.number, d.kind, r.kind, r.from_number, r.to_number, r.house_label "
            "FROM street s JOIN district_rule r ON r.street_id = s.id "
            "JOIN medical_district d ON d.id = r.district_id "
            "WHERE s.settlement_id = ? AND s.name_norm = ? AND d.institution_id = ?"
        )

        def service(institution_id: int, typed: str, house: str) -> Callable[[], object]:
            def call() -> object:
                with database.session() as session:
                    return district_search(session, institution_id, typed, house)

            return call

        shared = database.sessions()

        def bare(institution_id: int, typed: str, house: str) -> Callable[[], object]:
            def call() -> object:
                return district_search(shared, institution_id, typed, house)

            return call

        def plain_sql(institution_id: int, typed: str) -> Callable[[], object]:
            parameters = (settlement_of[institution_id], normalise_street(typed), institution_id)
            return lambda: raw.execute(sql, parameters).fetchall()

        def dict_lookup(key: tuple[int, str, str]) -> Callable[[], object]:
            return lambda: answers.get(key)

        calls = [
            (
                service(i, t, h),
                bare(i, t, h),
                plain_sql(i, t),
                dict_lookup((i, t, h)),
            )
            for i, t, h in plan
        ]
        service_times, bare_times, sql_times, dict_times = _timed_pairs(calls, warm_up=100)
        rows += [
            Row(
                "district_search, сессия на вызов (тёплый индекс)",
                service_times,
                DISTRICT_TARGET_MS,
            ),
            Row("district_search, без открытия сессии", bare_times),
            Row("база: SQL-запрос правил улицы (sqlite3, без приоритетов)", sql_times),
            Row("база: dict.get готового ответа (нижняя граница)", dict_times),
        ]

        # Nearest of 400.
        points = [
            (
                CENTRE[0] + SETTLEMENTS * 0.5 + rng.uniform(-0.04, 0.04),
                CENTRE[1] + rng.uniform(-0.08, 0.08),
            )
            for _ in range(max(1000, args.samples // 5))
        ]
        nearest_sql = (
            "SELECT id, short_name, address, lat, lon FROM institution "
            "WHERE settlement_id = ? AND is_active AND lat IS NOT NULL AND lon IS NOT NULL"
        )

        def nearest_service(lat: float, lon: float) -> Callable[[], object]:
            def call() -> object:
                with database.session() as session:
                    return nearest_institutions(session, nearest_city, lat, lon)

            return call

        def nearest_raw(lat: float, lon: float) -> Callable[[], object]:
            def call() -> object:
                fetched = raw.execute(nearest_sql, (nearest_city,)).fetchall()
                return sorted(fetched, key=lambda row: distance_m(lat, lon, row[3], row[4]))

            return call

        with database.session() as session:
            count = len(nearest_institutions(session, nearest_city, *points[0]))
        nearest_times, nearest_raw_times = _timed_pairs(
            [(nearest_service(*p), nearest_raw(*p)) for p in points], warm_up=20
        )
        rows += [
            Row(
                f"nearest_institutions, {count} учреждений, сессия на вызов",
                nearest_times,
                NEAREST_TARGET_MS,
            ),
            Row("база: те же строки sqlite3 + сортировка по haversine", nearest_raw_times),
        ]
        shared.close()
    finally:
        raw.close()
        database.dispose()
    print(
        f"Правил {rule_count:,}, учреждений с участками {len(institutions)}, улиц "
        f"{sum(len(names) for names in streets.values()):,}; найдено участков для "
        f"{found:,} из {len(answers):,} различных запросов; первый запрос процесса "
        f"{first:.1f} ms"
    )
    print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}\n")
    report(rows)
    print(
        "\nms per call; each lookup is timed back to back with its baselines, the order rotated "
        "each time. The cold call reads the institution's rules and builds its index."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
