"""A plain Python job run every so often on a background thread of its own, results on the GUI.

For work that waits on the network (the booking lifecycle: annul expired bookings, reconcile
with the hubs, send the SMS), so neither the GUI thread nor the database worker's thread. The
job is a callable without arguments; it opens its own database sessions. One run at a time: the
interval counts from the end of one run to the start of the next, and ``run_now()`` during a run
asks for one more run right after it. ``finished`` and ``failed`` arrive on the GUI thread;
results of runs that end after ``stop()`` are dropped (the window may be half destroyed then).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal, Slot

from workstation.ui.db_worker import describe_error

log = logging.getLogger(__name__)

Job = Callable[[], object]

# Threads of every PeriodicJob that are started and have not ended (tests check for leaks).
_live_threads: set[threading.Thread] = set()
_live_lock = threading.Lock()


class _Runner:
    """The state shared by one background thread and its PeriodicJob, under one condition."""

    def __init__(self, number: int, epoch: int, interval_s: float, *, periodic: bool) -> None:
        self.number = number
        self.epoch = epoch
        self.interval_s = interval_s
        self.periodic = periodic  # False: run while runs are asked for, then end
        self.wake = False  # a run is asked for now
        self.stopping = False
        self.ended = False
        self.condition = threading.Condition()
        self.thread: threading.Thread | None = None

    def request_stop(self) -> None:
        with self.condition:
            self.stopping = True
            self.condition.notify_all()


class _Bridge(QObject):
    """Carries a run's outcome from the background thread to the GUI thread (queued).

    Separate from PeriodicJob and owned by Python, so it lives as long as the thread holds it:
    a job that outlives its PeriodicJob never emits on a deleted object.
    """

    done = Signal(int, bool, object)  # epoch, succeeded, result or message


def _abandon(runner_ref: list[_Runner | None]) -> None:
    # The PeriodicJob is being destroyed without stop(): let the thread end after its run.
    runner = runner_ref[0]
    if runner is not None:
        runner.request_stop()


class PeriodicJob(QObject):
    """Runs ``job`` every ``interval_ms`` on a background thread, never two runs at once."""

    finished = Signal(object)
    """A run returned; the argument is what the job returned."""

    failed = Signal(str)
    """A run raised; a one-line description of the error."""

    def __init__(
        self,
        job: Job,
        interval_ms: int,
        parent: QObject | None = None,
        *,
        name: str = "periodic-job",
    ) -> None:
        super().__init__(parent)
        if interval_ms <= 0:
            raise ValueError("interval_ms must be positive")
        self._job = job
        self._interval_ms = interval_ms
        self._name = name
        self._numbers = itertools.count(1)
        # Bumped by stop(): results of runs begun in an earlier epoch are dropped.
        self._epoch = 0
        # A list, so that the destroyed handler sees the current runner without holding self.
        self._runner: list[_Runner | None] = [None]
        self._periodic = False
        # Held for the length of each run: even a thread left running by a stop() that timed
        # out cannot run the job at the same time as the thread of a later start().
        self._run_lock = threading.Lock()
        self._bridge = _Bridge()
        self._bridge.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self.destroyed.connect(partial(_abandon, self._runner))

    @staticmethod
    def running_count() -> int:
        """How many PeriodicJob threads are alive, over all instances (tests check for leaks)."""
        with _live_lock:
            return len(_live_threads)

    @property
    def interval_ms(self) -> int:
        """The pause between the end of one run and the start of the next."""
        return self._interval_ms

    @property
    def is_active(self) -> bool:
        """True between ``start()`` and ``stop()``."""
        return self._periodic

    @property
    def is_running(self) -> bool:
        """True while the job is being run."""
        return self._run_lock.locked()

    def start(self) -> None:
        """Run the job every ``interval_ms`` from now on (the first run after one interval)."""
        if self._periodic:
            return
        self._periodic = True
        runner = self._runner[0]
        if runner is not None:
            with runner.condition:
                if not runner.ended and not runner.stopping:
                    # A run_now() thread is alive: it becomes the periodic one.
                    runner.periodic = True
                    runner.condition.notify_all()
                    return
        self._spawn(periodic=True, wake=False)

    @Slot()
    def run_now(self) -> None:
        """Run the job at once, or right after the run in progress; also when not started."""
        runner = self._runner[0]
        if runner is not None:
            with runner.condition:
                if not runner.ended and not runner.stopping:
                    runner.wake = True
                    runner.condition.notify_all()
                    return
        self._spawn(periodic=self._periodic, wake=True)

    def stop(self, timeout: float | None = 5.0) -> bool:
        """Stop running the job; wait up to ``timeout`` s for a run in progress to end.

        Returns True when the thread has ended. A job hung past ``timeout`` is left to end on its
        own (the thread is a daemon, so it does not keep the process alive); its result is
        dropped, and a later ``start()`` does not run the job before it ends.
        """
        self._periodic = False
        self._epoch += 1
        runner, self._runner[0] = self._runner[0], None
        if runner is None:
            return True
        runner.request_stop()
        thread = runner.thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # --- internals ----------------------------------------------------------------------------

    def _spawn(self, *, periodic: bool, wake: bool) -> None:
        runner = _Runner(
            next(self._numbers), self._epoch, self._interval_ms / 1000, periodic=periodic
        )
        runner.wake = wake
        thread = threading.Thread(
            target=_run_loop,
            args=(runner, self._job, self._run_lock, self._bridge),
            name=f"{self._name}-{runner.number}",
            daemon=True,
        )
        runner.thread = thread
        self._runner[0] = runner
        with _live_lock:
            _live_threads.add(thread)
        try:
            thread.start()
        except BaseException:
            with _live_lock:
                _live_threads.discard(thread)
            raise

    @Slot(int, bool, object)
    def _on_done(self, epoch: int, succeeded: bool, payload: object) -> None:
        if epoch != self._epoch:
            return  # stopped since that run began
        if succeeded:
            self.finished.emit(payload)
        else:
            self.failed.emit(str(payload))


def _next_run(runner: _Runner) -> bool:
    """Wait for the next run; False when the thread should end instead."""
    with runner.condition:
        deadline = time.monotonic() + runner.interval_s
        while not runner.stopping and not runner.wake:
            if runner.periodic:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                runner.condition.wait(remaining)
            else:
                runner.ended = True  # under the condition, so run_now()/start() see it
                return False
        if runner.stopping:
            runner.ended = True
            return False
        runner.wake = False
        return True


def _run_loop(runner: _Runner, job: Job, run_lock: threading.Lock, bridge: _Bridge) -> None:
    """The body of a PeriodicJob thread."""
    try:
        while _next_run(runner):
            with run_lock:
                if runner.stopping:
                    break
                try:
                    result = job()
                except Exception as error:  # reported to the GUI; the next run still happens
                    log.warning(
                        "periodic job %s failed", threading.current_thread().name, exc_info=True
                    )
                    outcome: tuple[bool, object] = (False, describe_error(error))
                else:
                    outcome = (True, result)
            if runner.stopping:
                break
            bridge.done.emit(runner.epoch, *outcome)
    finally:
        with runner.condition:
            runner.ended = True
        with _live_lock:
            _live_threads.discard(threading.current_thread())
