"""Hub connector and cache sync figures, against the project's LPU emulator on loopback.

``python -m benchmarks.hub_ingest`` prints:
- ingest: one institution with 200 doctors × 14 days × 24 slots (67,200 slots) from the emulator
  into a fresh SQLite cache, end to end (target ≤ 3 s), with the time spent parsing the slot
  responses beside raw lxml parsing of the same bytes and beside zeep's object mapping;
- the CheckPatient round trip on loopback (p50, p99);
- a sync of 20 institutions, one at a time and 4 at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select

from workstation.models import Patient
from workstation.services.database import Database
from workstation.services.emulator.data import BENCH_HUB_ID
from workstation.services.emulator.server import DEFAULT_GUID, EmulatorServer
from workstation.services.hub import fast_parse
from workstation.services.hub.client import HubClient
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.hub.results import HubPatient
from workstation.services.sync import sync_hub


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fresh_cache(directory: Path, name: str) -> Database:
    database = Database(f"sqlite:///{directory / name}")
    database.upgrade()
    return database


class EmulatorProcess:
    """The emulator in its own process, as a real MIS would be: it does not share our GIL."""

    def __init__(self, data: str, port: int, *extra: str) -> None:
        import subprocess
        import sys

        import requests

        self.url = f"http://127.0.0.1:{port}/HubService.svc"
        self.guid = DEFAULT_GUID
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workstation.services.emulator.cli", "--data", data,
             "--port", str(port), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "?wsdl", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("the emulator did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def ingest(directory: Path) -> None:
    # Schedules from tomorrow: all 200 × 14 × 24 slots are still in the future, none has passed.
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    server = EmulatorProcess("bench", _free_port(), "--first-day", tomorrow.isoformat())
    client = HubClient(HubEndpoint(server.url, server.guid, "bench"))
    client.warm_up()
    bodies: list[bytes] = []
    parse_seconds = 0.0
    original: Callable[[bytes], Any] = fast_parse.parse_appointments

    def timed_parse(content: bytes) -> Any:
        nonlocal parse_seconds
        started = time.perf_counter()
        parsed = original(content)
        parse_seconds += time.perf_counter() - started
        bodies.append(content)
        return parsed

    fast_parse.parse_appointments = timed_parse
    try:
        cache = _fresh_cache(directory, "ingest.sqlite3")
        started = time.perf_counter()
        summary = sync_hub(cache, client, server.url, days=15, lpu_ids=[BENCH_HUB_ID])
        total = time.perf_counter() - started
    finally:
        fast_parse.parse_appointments = original  # type: ignore[assignment]
    started = time.perf_counter()
    for body in bodies:
        etree.fromstring(body)
    raw_lxml = time.perf_counter() - started

    sample = bodies[:20]
    zeep_client = HubClient(HubEndpoint(server.url, server.guid, "bench"), fast_bulk=False)
    zeep_client.warm_up()
    binding = zeep_client._ensure()
    operation = binding._binding.get("GetAvaibleAppointments")

    class _Response:
        def __init__(self, content: bytes) -> None:
            self.content = content
            self.status_code = 200
            self.encoding = "utf-8"
            self.headers = {"Content-Type": "text/xml; charset=utf-8"}

    started = time.perf_counter()
    zeep_slots = 0
    for body in sample:
        result = binding._binding.process_reply(
            zeep_client._zeep, operation, _Response(body)
        )
        zeep_slots += len(result.ListAppointments.Appointment or [])
    zeep_seconds = time.perf_counter() - started

    slots = summary.changes["slots.inserted"]
    print(f"ingest: {slots:,} slots, {len(bodies)} responses, {sum(map(len, bodies)) / 1e6:.1f} MB")
    verdict = "met" if total <= 3.0 else "NOT met"
    print(f"  end to end (sync into SQLite): {total:.2f} s   (target ≤ 3 s: {verdict})")
    print(f"  parse, fast lxml path:         {parse_seconds:.3f} s  ({parse_seconds / total:.0%} "
          "of the total)")
    print(f"  parse, raw lxml of same bytes: {raw_lxml:.3f} s  (baseline)")
    per_slot = zeep_seconds / max(zeep_slots, 1)
    print(f"  parse, zeep object mapping:    {per_slot * slots:.3f} s  (extrapolated from "
          f"{zeep_slots:,} slots in {len(sample)} responses: {per_slot * 1e6:.1f} µs/slot)")
    client.close()
    zeep_client.close()
    server.stop()


def round_trip_and_concurrency(directory: Path, calls: int) -> None:
    server = EmulatorServer.start(data="demo")
    client = HubClient(HubEndpoint(server.url, server.guid, "demo"))
    client.warm_up()
    lpu = 1003
    with server.database.session() as session:
        patient = session.scalars(select(Patient).order_by(Patient.id).limit(1)).one()
        probe = HubPatient(surname=patient.last_name, name=patient.first_name,
                           second_name=patient.patronymic, birthday=patient.birth_date,
                           snils=patient.snils)
    client.check_patient(lpu, probe)
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        client.check_patient(lpu, probe)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"CheckPatient round trip on loopback, {calls} calls: "
          f"p50 {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms")

    clinics = [c.id_lpu for c in client.get_lpu_list(None)][:20]
    for concurrency in (1, 4):
        cache = _fresh_cache(directory, f"sync20-{concurrency}.sqlite3")
        started = time.perf_counter()
        summary = sync_hub(cache, client, server.url, days=14, lpu_ids=clinics,
                           concurrency=concurrency)
        print(f"sync of {len(clinics)} institutions, {concurrency} at a time: "
              f"{time.perf_counter() - started:.2f} s "
              f"({summary.changes['slots.inserted']:,} slots, {len(summary.failures)} failures)")
    client.close()
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="CheckPatient calls (500)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hub-ingest-") as directory:
        ingest(Path(directory))
        round_trip_and_concurrency(Path(directory), args.calls)


if __name__ == "__main__":
    main()
