"""Booking under load: workstations racing for the same slots, answers lost, and a baseline.

    python -m benchmarks.booking_load [--rounds 300] [--lost 300] [--workstations 2]
                                      [--postgres URL]

Every scenario gets a fresh in-process emulator (data set "demo", institution 1003 only) and
fresh databases, synced from it and seeded with patients known to both sides
(``tests/helpers/booking_desk.py``). Printed, with counts and timings:

* baseline: uncontended bookings (hold + book, no faults) by one workstation in this process
  (``--lost`` of them: bookings/s, p50/p99), and by one workstation in its own process through
  the race harness (``--rounds`` of them: bookings/s), on each database engine raced below;
* race: ``--workstations`` OS processes (``tests/helpers/booking_race.py``) on the same slot
  each round, ``--rounds`` rounds, with (a) a SQLite cache each (the hub decides: IdError 39),
  (b) one shared SQLite file, (c) one shared PostgreSQL database when a server is reachable
  (``--postgres`` server URL, else ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``;
  a throwaway database is created and dropped). Per mode: rounds with exactly one winner, with
  0 or ≥ 2, the losers' outcomes, phantom tickets (local active tickets △ the MIS's active
  bookings), tickets still held, intents still open, rounds/s;
* lost answers: ``--lost`` bookings each with the emulator's ``commit_then_drop`` fault on
  SetAppointment, then as many with ``drop``: how they finished, tickets known on one side only,
  duplicates at the hub, per-booking latency p50/p99.

The defaults (300 and 300, above the CI tests' 200 and 100) keep a run near six minutes on the
project's 2-core machine: every booking is ~35 SQL statements and two SOAP calls, and the emulator
answers from this same process, so one uncontended booking takes 70-100 ms and a race round of
two processes 130-300 ms; ``--rounds 1000 --lost 1000`` takes about 20 minutes.

Exit status 1 when an invariant is broken: a phantom ticket, a duplicate, a round without
exactly one winner, a ticket left held or an intent left open.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.helpers.booking_desk import (
    LPU,
    connector_for,
    free_slots,
    hub_bookings,
    seed_patients,
    sync_cache,
)
from tests.helpers.booking_race import (
    HELD_ELSEWHERE,
    TAKEN_AT_HUB,
    WON,
    Workstation,
    local_tickets,
    race,
)
from workstation.models import Appointment, AppointmentState, Slot
from workstation.services.booking import BookingError, Bookings, BookingUnavailable
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.journal import Actor

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SYNC_DAYS = 21  # the demo schedule covers 14 days from today: a sync of 21 takes all of it
BOOKED = "BOOKED"
ROLLED_BACK = "rolled back (BookingUnavailable)"
OUTCOME_LABELS = {
    TAKEN_AT_HUB: "taken at the hub (IdError 39)",
    HELD_ELSEWHERE: "held elsewhere (the shared database's unique index)",
}


@dataclass
class Verdict:
    """The invariants broken so far (the exit status)."""

    broken: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> str:
        if ok:
            return ""
        self.broken.append(what)
        return "   <-- BROKEN"


@dataclass(frozen=True)
class Audit:
    """Both sides after a scenario, over the slots it used."""

    local_active: int
    hub_active: int
    local_only: int
    hub_only: int
    duplicates: int  # extra active bookings at the hub per slot and per patient
    held: int
    open_intents: int
    local_twice: bool  # a ticket twice in the local databases (local_tickets' assertion)

    def report(self, verdict: Verdict, what: str, one_side: str) -> None:
        if self.local_twice:
            twice = verdict.check(False, f"{what}: a ticket twice in the local databases")
            print(f"  a ticket twice in the local databases{twice}")
            return
        phantoms = self.local_only + self.hub_only
        print(f"  active tickets: local {self.local_active}, MIS {self.hub_active}; "
              f"{one_side}: {phantoms} (local only {self.local_only}, MIS only {self.hub_only})"
              f"{verdict.check(phantoms == 0, f'{what}: {one_side}')}")
        print(f"  duplicates at the hub: {self.duplicates}"
              f"{verdict.check(self.duplicates == 0, f'{what}: duplicates at the hub')}")
        left = self.held + self.open_intents
        print(f"  tickets still held: {self.held}, intents still open: {self.open_intents}"
              f"{verdict.check(left == 0, f'{what}: held tickets / open intents left')}")


def audit(emulator: EmulatorServer, database_urls: list[str], hub_slots: set[str]) -> Audit:
    active = [
        booking for booking in hub_bookings(emulator)
        if booking.hub_slot in hub_slots and booking.state == AppointmentState.BOOKED
    ]
    hub = {(booking.hub_slot, booking.id_pat) for booking in active}
    per_slot = Counter(booking.hub_slot for booking in active)
    per_patient = Counter(booking.id_pat for booking in active)
    duplicates = sum(n - 1 for n in per_slot.values()) + sum(n - 1 for n in per_patient.values())
    try:
        local, held, open_intents = local_tickets(database_urls)
    except AssertionError:
        return Audit(0, len(hub), 0, 0, duplicates, 0, 0, local_twice=True)
    return Audit(len(local), len(hub), len(local - hub), len(hub - local), duplicates, held,
                 open_intents, local_twice=False)


# -- set-up -----------------------------------------------------------------------------------


@contextmanager
def fresh_emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer.start(data="demo")
    try:
        yield server
    finally:
        server.stop()


def prepare(database: Database, emulator: EmulatorServer, patients: int, tag: str) -> list[int]:
    """Migrate, sync institution 1003's schedule, seed ``patients`` linked patients."""
    database.upgrade()
    connector = connector_for(emulator)
    try:
        sync_cache(database, connector, days=SYNC_DAYS)
    finally:
        connector.close()
    return seed_patients(database, emulator, patients, tag=tag) if patients else []


def take_slots(database: Database, wanted: int, what: str) -> list[int]:
    """``wanted`` free future slots, or all there are with a note when LPU 1003 has fewer."""
    slots = free_slots(database, wanted)
    if len(slots) < wanted:
        print(f"  NOTE: LPU {LPU} has only {len(slots)} free future slots in the demo data; "
              f"{what} runs {len(slots)} instead of {wanted}")
    return slots


def hub_ids(database: Database, slot_ids: list[int]) -> list[str]:
    with database.session() as session:
        rows = session.execute(select(Slot.id, Slot.hub_id).where(Slot.id.in_(slot_ids)))
        by_id = {slot_id: hub_id for slot_id, hub_id in rows}
    return [by_id[slot_id] for slot_id in slot_ids]


def slots_of(database: Database, hub_slots: list[str]) -> list[int]:
    """The same slots (by hub id) in another cache."""
    with database.session() as session:
        rows = session.execute(select(Slot.hub_id, Slot.id))
        by_hub = {hub_id: slot_id for hub_id, slot_id in rows}
    return [by_hub[hub_slot] for hub_slot in hub_slots]


def sqlite_url(directory: Path, name: str) -> str:
    return f"sqlite:///{directory / name}.sqlite3"


# -- PostgreSQL -------------------------------------------------------------------------------


def postgres_server(requested: str | None) -> tuple[str | None, str]:
    """(server URL, "") when reachable, else (None, why)."""
    url = make_url(requested or DEFAULT_POSTGRES)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    rendered = url.render_as_string(hide_password=False)
    try:
        engine = create_engine(rendered, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(text("select 1"))
        finally:
            engine.dispose()
    except Exception as error:  # any failure to reach the server means "not available"
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return None, f"{url.render_as_string()} unreachable: {first}"
    return rendered, ""


@contextmanager
def throwaway_postgres(server_url: str) -> Iterator[str]:
    name = f"ws_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- figures ----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_line(latencies: list[float]) -> str:
    return (f"p50 {percentile(latencies, 0.50) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms")


def rounds_seconds(database_urls: list[str]) -> float:
    """From the first hold to the last change of a ticket, by the databases' own timestamps:
    the rounds alone, without starting and joining the processes."""
    firsts, lasts = [], []
    for url in dict.fromkeys(database_urls):
        database = Database(url)
        try:
            with database.session() as session:
                first, last = session.execute(
                    select(func.min(Appointment.created_at), func.max(Appointment.updated_at))
                ).one()
        finally:
            database.dispose()
        if first is not None:
            firsts.append(first)
            lasts.append(last)
    return (max(lasts) - min(firsts)).total_seconds() if firsts else 0.0


@dataclass(frozen=True)
class Baseline:
    in_process_rate: float
    in_process_p50: float
    process_rates: dict[str, float]  # per database engine: one workstation process


# -- scenarios --------------------------------------------------------------------------------


def book_once(bookings: Bookings, slot_id: int, patient_id: int) -> str:
    try:
        held = bookings.hold(slot_id, patient_id)
        view = bookings.book(held.appointment_id)
    except BookingUnavailable:
        return ROLLED_BACK
    except BookingError as error:
        return f"{type(error).__name__}: {error.message}"
    return BOOKED if view.state == AppointmentState.BOOKED else view.state.name


@dataclass(frozen=True)
class Sequential:
    outcomes: Counter[str]
    latencies: list[float]
    seconds: float
    faults_unused: int
    audit: Audit


def book_in_process(directory: Path, count: int, fault: str | None) -> Sequential:
    """``count`` bookings one after another in this process, each with ``fault`` (or none)."""
    with fresh_emulator() as emulator:
        database = Database(sqlite_url(directory, f"in-process-{fault or 'baseline'}"))
        try:
            patients = prepare(database, emulator, count, tag="П")
            slots = take_slots(database, count, "this scenario")
            connector = connector_for(emulator)
            bookings = Bookings(database, connector, actor=Actor("Нагрузкина", "bench-1"))
            outcomes: Counter[str] = Counter()
            latencies = []
            unused = 0
            started = time.perf_counter()
            try:
                for slot_id, patient_id in zip(slots, patients, strict=False):
                    if fault is not None:
                        emulator.faults.set("SetAppointment", fault, times=1)
                    began = time.perf_counter()
                    outcomes[book_once(bookings, slot_id, patient_id)] += 1
                    latencies.append(time.perf_counter() - began)
                    if emulator.faults.list():  # the request never reached the MIS
                        unused += 1
                        emulator.faults.clear()
            finally:
                connector.close()
            seconds = time.perf_counter() - started
            checked = audit(emulator, [database.url], set(hub_ids(database, slots)))
        finally:
            database.dispose()
    return Sequential(outcomes, latencies, seconds, unused, checked)


def one_process(directory: Path, rounds: int, url: str | None) -> float:
    """Bookings/s of one workstation process through the race harness (nobody to race)."""
    with fresh_emulator() as emulator:
        database = Database(url or sqlite_url(directory, "one-process"))
        try:
            patients = prepare(database, emulator, rounds, tag="Б")
            slots = take_slots(database, rounds, "this baseline")
            plan = list(zip(slots, patients, strict=False))
            result = race([Workstation("ws-a", database.url, plan)], emulator.url, emulator.guid)
            seconds = rounds_seconds([database.url])
        finally:
            database.dispose()
    kinds = result.kinds()
    if kinds[WON] != len(plan):
        print(f"  NOTE: not every uncontended booking succeeded: {dict(kinds)}")
    return len(plan) / seconds if seconds else 0.0


def run_baseline(directory: Path, rounds: int, count: int, postgres: str | None) -> Baseline:
    print(f"baseline: uncontended bookings (hold + book), one workstation, no faults, "
          f"institution {LPU}")
    sequential = book_in_process(directory, count, None)
    done = sum(sequential.outcomes.values())
    rate = done / sequential.seconds
    print(f"  in this process, SQLite cache: {done} bookings in {sequential.seconds:.1f} s: "
          f"{rate:.1f} bookings/s; latency {latency_line(sequential.latencies)}")
    if sequential.outcomes[BOOKED] != done:
        print(f"  NOTE: not every booking succeeded: {dict(sequential.outcomes)}")
    rates = {"SQLite": one_process(directory, rounds, None)}
    if postgres is not None:
        with throwaway_postgres(postgres) as url:
            rates["PostgreSQL"] = one_process(directory, rounds, url)
    for engine, engine_rate in rates.items():
        print(f"  one workstation process (race harness), {engine}: "
              f"{rounds} bookings, {engine_rate:.1f} bookings/s")
    return Baseline(rate, statistics.median(sequential.latencies), rates)


def run_race(
    title: str,
    emulator: EmulatorServer,
    workstations: list[Workstation],
    hub_slots: list[str],
    baseline_rate: float,
    verdict: Verdict,
) -> None:
    rounds = len(hub_slots)
    started = time.perf_counter()
    result = race(workstations, emulator.url, emulator.guid)
    wall = time.perf_counter() - started
    winners = result.winners()
    one = sum(1 for i in range(rounds) if winners.get(i) == 1)
    none = sum(1 for i in range(rounds) if winners.get(i, 0) == 0)
    print(f"  rounds: {rounds}; exactly one winner: {one}; 0 or ≥ 2 winners: {rounds - one} "
          f"(none {none}, several {rounds - one - none})"
          f"{verdict.check(one == rounds, f'{title}: rounds without exactly one winner')}")
    losers = Counter(o for by in result.outcomes.values() for o in by.values() if o != WON)
    described = ", ".join(f"{OUTCOME_LABELS.get(kind, kind)} {n}"
                          for kind, n in losers.most_common()) or "none"
    print(f"  losers' outcomes: {described}")
    urls = [w.database_url for w in workstations]
    audit(emulator, urls, set(hub_slots)).report(verdict, title, "phantom tickets")
    seconds = rounds_seconds(urls)
    rate = rounds / seconds if seconds else 0.0
    print(f"  {seconds:.1f} s for the rounds ({wall:.1f} s with starting {len(workstations)} "
          f"processes): {rate:.1f} rounds/s "
          f"({rate / max(baseline_rate, 1e-9):.2f}× the uncontended process's bookings/s)")


def race_own_caches(
    directory: Path, rounds: int, count: int, baseline: Baseline, verdict: Verdict
) -> None:
    title = f"race, {count} workstations with a SQLite cache each (decided at the hub)"
    print(title)
    with fresh_emulator() as emulator:
        databases = [Database(sqlite_url(directory, f"own-{i}")) for i in range(count)]
        try:
            patients = [prepare(d, emulator, rounds, tag=f"Р{i}") for i, d in enumerate(databases)]
            first = take_slots(databases[0], rounds, "the race")
            hub_slots = hub_ids(databases[0], first)
            workstations = [
                Workstation(f"ws-{i}", database.url,
                            list(zip(slots_of(database, hub_slots), patients[i], strict=False)))
                for i, database in enumerate(databases)
            ]
            run_race(title, emulator, workstations, hub_slots,
                     baseline.process_rates["SQLite"], verdict)
        finally:
            for database in databases:
                database.dispose()


def race_shared(
    engine: str, url: str, rounds: int, count: int, baseline: Baseline, verdict: Verdict
) -> None:
    title = f"race, {count} workstations sharing one {engine} database"
    print(title)
    with fresh_emulator() as emulator:
        database = Database(url)
        try:
            patients = prepare(database, emulator, count * rounds, tag="Ш")
            slots = take_slots(database, rounds, "the race")
            workstations = [
                Workstation(f"ws-{i}", url,
                            list(zip(slots, patients[i * rounds:(i + 1) * rounds], strict=False)))
                for i in range(count)
            ]
            run_race(title, emulator, workstations, hub_ids(database, slots),
                     baseline.process_rates[engine], verdict)
        finally:
            database.dispose()


def lost_answers(
    directory: Path, count: int, fault: str, expected: str, baseline: Baseline, verdict: Verdict
) -> None:
    title = f"lost answers: {count} bookings, each with SetAppointment {fault!r}"
    print(title)
    run = book_in_process(directory, count, fault)
    done = sum(run.outcomes.values())
    described = ", ".join(f"{kind} {n}" for kind, n in run.outcomes.most_common())
    print(f"  finished: {described}   (expected: all {expected})")
    if run.faults_unused:
        print(f"  NOTE: {run.faults_unused} bookings never sent SetAppointment (fault unused)")
    run.audit.report(verdict, title, "tickets known on one side only")
    p50 = statistics.median(run.latencies)
    print(f"  {done} bookings in {run.seconds:.1f} s: {done / run.seconds:.1f} bookings/s; "
          f"latency {latency_line(run.latencies)} "
          f"(p50 {p50 / baseline.in_process_p50:.2f}× the baseline's)")


# -- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="race rounds per mode (300)")
    parser.add_argument("--lost", type=int, default=300,
                        help="bookings per lost-answer fault, and of the baseline (300)")
    parser.add_argument("--workstations", type=int, default=2,
                        help="racing workstation processes (2)")
    parser.add_argument("--postgres", metavar="URL",
                        help=f"PostgreSQL server for the shared-database race ({DEFAULT_POSTGRES})")
    args = parser.parse_args()
    if args.rounds < 1 or args.lost < 1 or args.workstations < 2:
        parser.error("--rounds and --lost must be ≥ 1, --workstations ≥ 2")

    # The faults are on purpose: the client's warning about each lost answer is noise here.
    logging.getLogger("workstation.services.hub.client").setLevel(logging.ERROR)
    verdict = Verdict()
    began = time.perf_counter()
    server, why = postgres_server(args.postgres)
    print(f"booking load: emulator 'demo' in this process on loopback, institution {LPU}; "
          f"{args.workstations} workstations × {args.rounds} rounds; {args.lost} lost answers "
          "per fault")
    if server is None:
        note = verdict.check(args.postgres is None, "the PostgreSQL server given is unreachable")
        print(f"PostgreSQL: {why}; the shared-PostgreSQL race is skipped{note}")
    with tempfile.TemporaryDirectory(prefix="booking-load-") as name:
        directory = Path(name)
        with fresh_emulator() as probe:
            database = Database(sqlite_url(directory, "probe"))
            prepare(database, probe, 0, tag="")
            free = len(free_slots(database, 100_000))
            database.dispose()
        print(f"free future slots of institution {LPU} after a {SYNC_DAYS}-day sync: {free} "
              "(each scenario below starts a fresh emulator)")
        print()

        baseline = run_baseline(directory, args.rounds, args.lost, server)
        print()
        race_own_caches(directory, args.rounds, args.workstations, baseline, verdict)
        print()
        race_shared("SQLite", sqlite_url(directory, "shared"), args.rounds,
                    args.workstations, baseline, verdict)
        print()
        if server is not None:
            with throwaway_postgres(server) as race_url:
                race_shared("PostgreSQL", race_url, args.rounds, args.workstations,
                            baseline, verdict)
            print()
        lost_answers(directory, args.lost, "commit_then_drop", BOOKED, baseline, verdict)
        print()
        lost_answers(directory, args.lost, "drop", ROLLED_BACK, baseline, verdict)
        print()

    print(f"total {time.perf_counter() - began:.0f} s")
    if verdict.broken:
        print("INVARIANTS BROKEN:")
        for what in verdict.broken:
            print(f"  - {what}")
        return 1
    print("invariants: every round had exactly one winner; no phantom ticket, no duplicate, "
          "nothing left held or open")
    return 0


if __name__ == "__main__":
    sys.exit(main())
