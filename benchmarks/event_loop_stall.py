"""How long the Qt event loop stalls while the background sync runs behind the main window.

    python -m benchmarks.event_loop_stall [--latency 2] [--operation GetAvaibleAppointments]
                                          [--institutions 20] [--doctors 300] [--check]

The issue's target: the longest stall of the event loop (a 5 ms timer heartbeat) while a sync of
20 institutions runs against an LPU emulator answering with a 2-second latency is ≤ 50 ms.

What runs:

* the emulator's MIS state is built by ``region_generator.generate_region`` (20 institutions,
  300 doctors: the region's 15 doctors per institution, 14 days of slots from today, about 56,000
  slots) and served by ``EmulatorServer`` in a child process on loopback, as a real MIS would be
  (it does not share our GIL), with 16 server threads (the sync has up to 4 institutions × 4
  doctors in flight) and a ``latency`` fault on ``--operation`` (``*``: every operation);
* the workstation database is a fresh migrated SQLite file with the shipped regional directory
  (``load_regional_data``, as the demo has), so the window shows a real settlement tree;
* a QApplication (offscreen unless ``QT_QPA_PLATFORM`` says otherwise) and the real
  ``MainWindow`` with the emulator as its endpoint, shown and loaded;
* a 5 ms ``Qt.PreciseTimer`` heartbeat records the time between its ticks: first while
  ``window.start_sync()`` runs to its ``finished`` signal, then, as the baseline measured in the
  same run, for the same duration with nothing running.

Printed: institutions synced, the sync's wall time, heartbeat ticks, max and p99 gap for the sync
and the baseline, the gaps over 50 ms, and Python's garbage-collector pauses (which thread, how
long) during each phase. The exit code is 0 (a report) unless ``--check`` is given: then 1 when
the longest gap during the sync exceeds 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

TARGET_MS = 50.0
HEARTBEAT_MS = 5
SYNC_TIMEOUT_S = 110.0
EMULATOR_THREADS = 16


# --------------------------------------------------------------------------------------------
# The emulator, in a child process


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build_emulator_state(path: Path, institutions: int, doctors: int) -> str:
    """The MIS state file: a generated region of ``institutions``; returns a one-line summary."""
    from workstation.services.database import Database
    from workstation.services.region_generator import generate_region

    database = Database(f"sqlite:///{path}")
    try:
        database.upgrade()
        summary = generate_region(
            database, patients=0, institutions=institutions, doctors=doctors,
            first_slot_day=dt.date.today(),
        )
    finally:
        database.dispose()
    return (f"учреждений {summary.institutions}, врачей {summary.doctors}, "
            f"специальностей {summary.specialties}, слотов {summary.slots:,}")


def serve_emulator(state: Path, port: int, operation: str, latency: float) -> int:
    """The child process: serve ``state`` on ``port`` until terminated."""
    from workstation.services.emulator.faults import Fault, FaultKind
    from workstation.services.emulator.server import EmulatorServer

    faults = [Fault(operation, FaultKind.LATENCY, latency=latency)] if latency > 0 else []
    server = EmulatorServer.start(
        data="region", state=state, port=port, faults=faults, threads=EMULATOR_THREADS
    )
    print(server.url, flush=True)
    try:
        server.serve_forever()
    finally:
        server.stop()
    return 0


class EmulatorProcess:
    """The emulator child; ``url`` once it answers its WSDL."""

    def __init__(self, state: Path, operation: str, latency: float) -> None:
        import requests

        from workstation.services.emulator.server import DEFAULT_GUID

        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/HubService.svc"
        self.guid = DEFAULT_GUID
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.event_loop_stall", "--serve-emulator", str(state),
             "--port", str(port), "--operation", operation, "--latency", str(latency)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the emulator exited at start")
            try:
                requests.get(self.url + "?wsdl", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the emulator did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


# --------------------------------------------------------------------------------------------
# Measuring


@dataclass
class GcPause:
    thread: str
    generation: int
    started: float
    seconds: float


@dataclass
class GcWatch:
    """Python's collector pauses (they hold the GIL, whichever thread triggered them)."""

    pauses: list[GcPause] = field(default_factory=list)
    _started: dict[int, float] = field(default_factory=dict)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        ident = threading.get_ident()
        if phase == "start":
            self._started[ident] = time.perf_counter()
            return
        began = self._started.pop(ident, None)
        if began is not None:
            self.pauses.append(GcPause(threading.current_thread().name, info["generation"],
                                       began, time.perf_counter() - began))

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self)

    def between(self, start: float, end: float) -> list[GcPause]:
        return [p for p in self.pauses if start <= p.started <= end]


@dataclass(frozen=True)
class Gaps:
    """Times between heartbeat ticks (seconds) and when each gap ended."""

    ticks: list[float]

    @property
    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False)]

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.gaps)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

    @property
    def max_ms(self) -> float:
        return max(self.gaps, default=0.0) * 1000

    def over(self, limit_ms: float) -> list[tuple[float, float]]:
        """(start of the gap, its length in ms) for every gap longer than ``limit_ms``."""
        return [(a, (b - a) * 1000) for a, b in zip(self.ticks, self.ticks[1:], strict=False)
                if (b - a) * 1000 > limit_ms]


@dataclass
class SyncOutcome:
    seconds: float
    heartbeat: Gaps
    message: str
    failed: bool
    progress_at: list[float]
    tracked_objects: int = 0
    frozen_objects: int = 0
    full_collection_ms: float = 0.0


def run_window(database_url: str, endpoint_url: str, guid: str) -> tuple[SyncOutcome, Gaps, int]:
    """Show the main window, time the heartbeat during the sync, then the baseline."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_API", "pyside6")
    from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from workstation.models import Institution
    from workstation.services.database import Database
    from workstation.services.hub.endpoints import HubEndpoint
    from workstation.ui.main_window import MainWindow

    class Heartbeat(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.ticks: list[float] = []
            self.timer = QTimer(self)
            self.timer.setTimerType(Qt.TimerType.PreciseTimer)
            self.timer.setInterval(HEARTBEAT_MS)
            self.timer.timeout.connect(self._tick)

        def _tick(self) -> None:
            self.ticks.append(time.perf_counter())

        def start(self) -> None:
            self.ticks = [time.perf_counter()]
            self.timer.start()

        def stop(self) -> Gaps:
            self.timer.stop()
            return Gaps(self.ticks)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    database = Database(database_url)
    window = MainWindow(database, remember_geometry=False,
                        endpoints=[HubEndpoint(endpoint_url, guid, "эмулятор")])
    try:
        window.resize(1366, 768)
        window.show()
        loop = QEventLoop()
        deadline = time.monotonic() + 30
        while not window.is_loaded and time.monotonic() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        app.processEvents()
        heartbeat = Heartbeat()

        outcome: dict[str, object] = {}
        progress_at: list[float] = []

        def finished(message: str) -> None:
            outcome.update(message=message, failed=False, at=time.perf_counter())
            loop.quit()

        def failed(message: str) -> None:
            outcome.update(message=message, failed=True, at=time.perf_counter())
            loop.quit()

        sync = window.background_sync
        sync.finished.connect(finished)
        sync.failed.connect(failed)
        sync.progressed.connect(lambda *_: progress_at.append(time.perf_counter()))
        timeout = QTimer()
        timeout.setSingleShot(True)
        timeout.timeout.connect(loop.quit)
        timeout.start(int(SYNC_TIMEOUT_S * 1000))

        tracked = len(gc.get_objects())
        heartbeat.start()
        started = time.perf_counter()
        if not window.start_sync():
            raise RuntimeError("the sync did not start")
        loop.exec()
        ended = float(outcome.get("at", time.perf_counter()))  # type: ignore[arg-type]
        during = heartbeat.stop()
        timeout.stop()
        if not outcome:
            window.background_sync.stop()
            raise RuntimeError(f"the sync did not finish within {SYNC_TIMEOUT_S:.0f} s")
        sync_result = SyncOutcome(
            seconds=ended - started, heartbeat=during, message=str(outcome["message"]),
            failed=bool(outcome["failed"]), progress_at=progress_at,
            tracked_objects=tracked,
        )

        # Baseline: the same window and heartbeat, nothing running, for as long as the sync took.
        app.processEvents()
        heartbeat.start()
        QTimer.singleShot(round(sync_result.seconds * 1000), loop.quit)
        loop.exec()
        baseline = heartbeat.stop()
        # What one full collection of this heap costs (it holds the GIL throughout).
        sync_result.frozen_objects = gc.get_freeze_count()
        collect_started = time.perf_counter()
        gc.collect()
        sync_result.full_collection_ms = (time.perf_counter() - collect_started) * 1000

        with database.session() as session:
            synced = session.scalar(
                select(func.count(Institution.id)).where(
                    Institution.endpoint_url == endpoint_url, Institution.synced_at.is_not(None)
                )
            ) or 0
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
        database.dispose()
    return sync_result, baseline, int(synced)


def _disable_sync_gc_freeze() -> None:
    """Make ``BackgroundSync``'s ``gc.freeze()``/``gc.unfreeze()`` no-ops (the state before the
    fix), leaving the collector itself as it is."""
    import types

    from workstation.ui import background_sync

    shim = types.SimpleNamespace(freeze=lambda: None, unfreeze=lambda: None,
                                 get_freeze_count=gc.get_freeze_count)
    background_sync.gc = shim  # type: ignore[attr-defined, assignment]
    print("BackgroundSync без gc.freeze() (для сравнения)", flush=True)


# --------------------------------------------------------------------------------------------
# The report


def _line(label: str, gaps: Gaps, seconds: float) -> str:
    count = len(gaps.ticks) - 1
    expected = seconds * 1000 / HEARTBEAT_MS
    return (f"  {label:<22} ticks {count:>6,} (of {expected:,.0f} at {HEARTBEAT_MS} ms)   "
            f"max gap {gaps.max_ms:7.1f} ms   p99 {gaps.percentile_ms(0.99):6.1f} ms   "
            f"p50 {gaps.percentile_ms(0.5):5.1f} ms   gaps > {TARGET_MS:g} ms: "
            f"{len(gaps.over(TARGET_MS))}")


def _gc_line(label: str, pauses: list[GcPause]) -> str:
    if not pauses:
        return f"  GC, {label}: none"
    longest = max(pauses, key=lambda p: p.seconds)
    by_thread: dict[str, int] = {}
    for pause in pauses:
        by_thread[pause.thread] = by_thread.get(pause.thread, 0) + 1
    threads = ", ".join(f"{name} {count}" for name, count in sorted(by_thread.items()))
    full = [p for p in pauses if p.generation == 2]
    return (f"  GC, {label}: {len(pauses)} collections ({threads}), of them full (gen 2) "
            f"{len(full)}; total {sum(p.seconds for p in pauses) * 1000:.1f} ms; longest "
            f"{longest.seconds * 1000:.1f} ms (generation {longest.generation}, {longest.thread})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.event_loop_stall",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=2.0, help="emulator latency, s (2)")
    parser.add_argument("--operation", default="GetAvaibleAppointments",
                        help="the operation that answers late (* = every one)")
    parser.add_argument("--institutions", type=int, default=20)
    parser.add_argument("--doctors", type=int, default=300, help="over all institutions")
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 when the longest stall exceeds {TARGET_MS:g} ms")
    parser.add_argument("--without-gc-freeze", action="store_true",
                        help="for comparison: the sync without BackgroundSync's gc.freeze()")
    parser.add_argument("--serve-emulator", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_emulator is not None:
        return serve_emulator(args.serve_emulator, args.port, args.operation, args.latency)

    with tempfile.TemporaryDirectory(prefix="event-loop-stall-") as temp:
        directory = Path(temp)
        os.environ["WORKSTATION_HOME"] = str(directory / "home")  # no trace in the user's home
        from workstation.services.database import Database
        from workstation.services.regional_data import load_regional_data

        started = time.perf_counter()
        described = build_emulator_state(directory / "mis.sqlite3", args.institutions,
                                         args.doctors)
        database_url = f"sqlite:///{directory / 'workstation.sqlite3'}"
        database = Database(database_url)
        try:
            database.upgrade()
            load_regional_data(database)
        finally:
            database.dispose()
        emulator = EmulatorProcess(directory / "mis.sqlite3", args.operation, args.latency)
        print(f"Эмулятор: {described}; задержка {args.latency:g} с на {args.operation}; "
              f"{EMULATOR_THREADS} потоков; подготовка {time.perf_counter() - started:.1f} с",
              flush=True)
        if args.without_gc_freeze:
            _disable_sync_gc_freeze()
        try:
            with GcWatch() as watch:
                sync, baseline, synced = run_window(database_url, emulator.url, emulator.guid)
        finally:
            emulator.stop()

    during = sync.heartbeat
    print(f"Python {sys.version.split()[0]}, switch interval "
          f"{sys.getswitchinterval() * 1000:g} ms, {os.cpu_count()} CPU")
    print(f"sync: {'FAILED: ' if sync.failed else ''}{sync.message}")
    print(f"institutions synced: {synced}   sync wall time: {sync.seconds:.1f} s   "
          f"progress signals: {len(sync.progress_at)}")
    print(f"heap at the sync's start: {sync.tracked_objects:,} objects tracked by the GC; "
          f"frozen after the sync: {sync.frozen_objects:,}; one full collection after the "
          f"baseline: {sync.full_collection_ms:.1f} ms")
    print(_line("during sync", during, sync.seconds))
    print(_line("baseline (no sync)", baseline, sync.seconds))
    print(_gc_line("during sync", watch.between(during.ticks[0], during.ticks[-1])))
    print(_gc_line("baseline", watch.between(baseline.ticks[0], baseline.ticks[-1])))
    origin = during.ticks[0]
    worst = sorted(during.over(TARGET_MS), key=lambda g: -g[1])[:10]
    for at, length in worst:
        near_gc = [p for p in watch.pauses if at - 0.001 <= p.started <= at + length / 1000]
        near_progress = any(at <= p <= at + length / 1000 + 0.005 for p in sync.progress_at)
        notes = [f"GC gen{p.generation} {p.seconds * 1000:.0f} ms in {p.thread}"
                 for p in near_gc]
        if near_progress:
            notes.append("a progress signal")
        print(f"    stall {length:6.1f} ms at +{at - origin:6.2f} s"
              + (f"  ({'; '.join(notes)})" if notes else ""))
    met = during.max_ms <= TARGET_MS
    print(f"target: longest stall during the sync ≤ {TARGET_MS:g} ms: "
          f"{'met' if met else 'NOT met'} ({during.max_ms:.1f} ms)")
    if args.check and (not met or sync.failed):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
