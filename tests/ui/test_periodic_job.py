"""PeriodicJob: a background thread of its own, one run at a time, results on the GUI thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from workstation.ui.periodic_job import PeriodicJob

TIMEOUT_MS = 5_000
WAIT_S = 5.0


@pytest.fixture(autouse=True)
def no_leaked_periodic_threads(qtbot: QtBot) -> Iterator[None]:
    """Fail a test that leaves a PeriodicJob thread running (it may take a moment to end)."""
    before = PeriodicJob.running_count()
    yield
    qtbot.waitUntil(lambda: PeriodicJob.running_count() == before, timeout=TIMEOUT_MS)


class Probe:
    """A job that counts its runs and remembers the threads they ran on, at most one at a time."""

    def __init__(self, *, duration: float = 0.0, gate: threading.Event | None = None) -> None:
        self.duration = duration
        self.gate = gate
        self.lock = threading.Lock()
        self.runs = 0
        self.active = 0
        self.max_active = 0
        self.threads: set[threading.Thread] = set()
        self.started = threading.Event()

    def __call__(self) -> int:
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.threads.add(threading.current_thread())
        self.started.set()
        try:
            if self.gate is not None:
                assert self.gate.wait(WAIT_S)
            time.sleep(self.duration)
        finally:
            with self.lock:
                self.active -= 1
                self.runs += 1
                run = self.runs
        return run


def test_the_job_runs_on_a_background_thread_and_reports_on_the_gui_thread(
    qtbot: QtBot,
) -> None:
    probe = Probe()
    periodic = PeriodicJob(probe, interval_ms=20, name="lifecycle")
    delivered_on: list[threading.Thread] = []
    periodic.finished.connect(lambda _: delivered_on.append(threading.current_thread()))
    with qtbot.waitSignal(periodic.finished, timeout=TIMEOUT_MS) as blocker:
        periodic.start()
    assert blocker.args == [1]
    assert periodic.stop()
    (thread,) = probe.threads
    assert thread is not threading.main_thread()
    assert thread.name.startswith("lifecycle")
    assert thread.daemon
    assert delivered_on and set(delivered_on) == {threading.main_thread()}


def test_the_job_runs_again_after_each_interval(qtbot: QtBot) -> None:
    probe = Probe()
    periodic = PeriodicJob(probe, interval_ms=10)
    assert not periodic.is_active
    periodic.start()
    assert periodic.is_active
    qtbot.waitUntil(lambda: probe.runs >= 3, timeout=TIMEOUT_MS)
    assert periodic.stop()
    assert not periodic.is_active
    runs = probe.runs
    qtbot.wait(60)
    assert probe.runs == runs


def test_a_slow_run_never_overlaps_the_next_one(qtbot: QtBot) -> None:
    probe = Probe(duration=0.1)
    periodic = PeriodicJob(probe, interval_ms=1)
    periodic.start()
    periodic.run_now()
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:  # hammer it while runs are in progress
        periodic.run_now()
        qtbot.wait(5)
    qtbot.waitUntil(lambda: probe.runs >= 3, timeout=TIMEOUT_MS)
    assert periodic.stop()
    assert probe.max_active == 1


def test_run_now_during_a_run_asks_for_exactly_one_more_run(qtbot: QtBot) -> None:
    gate = threading.Event()
    probe = Probe(gate=gate)
    periodic = PeriodicJob(probe, interval_ms=60_000)
    results: list[object] = []
    periodic.finished.connect(results.append)
    periodic.run_now()  # not started: runs once, then the thread ends
    assert probe.started.wait(WAIT_S)
    assert periodic.is_running
    for _ in range(5):
        periodic.run_now()
    gate.set()
    qtbot.waitUntil(lambda: results == [1, 2], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: PeriodicJob.running_count() == 0, timeout=TIMEOUT_MS)
    assert probe.runs == 2
    assert probe.max_active == 1
    assert periodic.stop()


def test_results_of_back_to_back_single_runs_are_all_delivered(qtbot: QtBot) -> None:
    probe = Probe()
    periodic = PeriodicJob(probe, interval_ms=60_000)
    results: list[object] = []
    periodic.finished.connect(results.append)
    periodic.run_now()
    deadline = time.monotonic() + WAIT_S
    # Without processing events: the first result is still queued when the second run begins.
    while PeriodicJob.running_count() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert probe.runs == 1
    periodic.run_now()
    qtbot.waitUntil(lambda: results == [1, 2], timeout=TIMEOUT_MS)
    assert periodic.stop()


def test_an_exception_is_reported_by_failed_and_the_next_run_still_happens(
    qtbot: QtBot,
) -> None:
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("нет связи с сервисом записи")
        return "готово"

    periodic = PeriodicJob(flaky, interval_ms=10)
    errors: list[str] = []
    results: list[object] = []
    periodic.failed.connect(errors.append)
    periodic.finished.connect(results.append)
    periodic.start()
    qtbot.waitUntil(lambda: bool(results), timeout=TIMEOUT_MS)
    assert periodic.stop()
    assert errors == ["нет связи с сервисом записи"]
    assert set(results) == {"готово"}


def test_stop_waits_for_the_run_in_progress_and_drops_its_result(qtbot: QtBot) -> None:
    probe = Probe(duration=0.3)
    periodic = PeriodicJob(probe, interval_ms=60_000)
    results: list[object] = []
    periodic.finished.connect(results.append)
    periodic.start()
    periodic.run_now()
    assert probe.started.wait(WAIT_S)
    assert periodic.stop(timeout=WAIT_S)
    assert probe.runs == 1  # the run ended before stop() returned
    assert PeriodicJob.running_count() == 0
    qtbot.wait(50)
    assert results == []  # the window may be closing: nothing is delivered after stop()
    assert periodic.stop()  # twice is harmless


def test_a_hung_run_outlives_stop_but_never_overlaps_a_restart(qtbot: QtBot) -> None:
    gate = threading.Event()
    probe = Probe(gate=gate)
    periodic = PeriodicJob(probe, interval_ms=60_000)
    results: list[object] = []
    periodic.finished.connect(results.append)
    periodic.run_now()
    assert probe.started.wait(WAIT_S)
    assert not periodic.stop(timeout=0.05)  # the job is still hung
    assert PeriodicJob.running_count() == 1
    periodic.start()
    periodic.run_now()  # waits for the hung run to end before running
    qtbot.wait(50)
    assert probe.active == 1
    gate.set()
    qtbot.waitUntil(lambda: probe.runs == 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: results == [2], timeout=TIMEOUT_MS)  # the hung run's 1 is dropped
    assert probe.max_active == 1
    assert periodic.stop()


def test_a_job_deleted_without_stop_ends_its_thread(qtbot: QtBot) -> None:
    parent = QObject()
    probe = Probe()
    periodic = PeriodicJob(probe, interval_ms=5, parent=parent)
    periodic.start()
    qtbot.waitUntil(lambda: probe.runs >= 1, timeout=TIMEOUT_MS)
    shiboken6.delete(parent)
    assert not shiboken6.isValid(periodic)
    qtbot.waitUntil(lambda: PeriodicJob.running_count() == 0, timeout=TIMEOUT_MS)
    runs = probe.runs
    qtbot.wait(30)
    assert probe.runs == runs


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="interval_ms"):
        PeriodicJob(lambda: None, interval_ms=0)
