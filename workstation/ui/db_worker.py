"""Database calls off the GUI thread, on one dedicated worker thread.

One thread for all database work keeps SQLite to a single connection in use at a time (no
"database is locked") and keeps the event loop free. A request is a callable taking a
``Session``; its result or error comes back to the GUI thread through a queued signal and is
handed to the callbacks given with the request. Results of cancelled requests, of requests whose
owner object was deleted, and everything arriving after ``stop()`` are dropped.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot
from sqlalchemy.orm import Session

from workstation.services.database import Database

log = logging.getLogger(__name__)

Job = Callable[[Session], Any]
ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


# Started and not yet stopped worker threads. Holding them here also keeps a running QThread from
# being garbage-collected (Qt aborts the process when a running QThread is destroyed).
_live_threads: set[QThread] = set()


def _stop_thread(thread: QThread) -> None:
    if thread in _live_threads:
        _live_threads.discard(thread)
        thread.quit()
        thread.wait()


class _Executor(QObject):
    """Lives in the worker thread and runs one job at a time, each in its own transaction."""

    finished = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, database: Database) -> None:
        super().__init__()
        self._database = database

    @Slot(int, object)
    def run(self, request_id: int, job: Job) -> None:
        """Run ``job`` in a session that commits on success; report the outcome."""
        try:
            with self._database.session() as session:
                result = job(session)
        except Exception as error:  # every failure goes back to the requester; the thread lives on
            log.warning("database request %d failed", request_id, exc_info=True)
            self.failed.emit(request_id, error)
        else:
            self.finished.emit(request_id, result)


@dataclass(frozen=True)
class _Pending:
    on_result: ResultCallback
    on_error: ErrorCallback | None
    owner: QObject | None


class DatabaseWorker(QObject):
    """Runs database jobs one after another on a dedicated thread; results come back queued."""

    busyChanged = Signal(bool)
    """True while some request's result is awaited (drives the «Загрузка…» indicator)."""

    errorOccurred = Signal(str)
    """A request without an error callback failed; the text is for the operator."""

    _submitted = Signal(int, object)

    def __init__(
        self,
        database: Database,
        parent: QObject | None = None,
        *,
        thread_name: str = "database-worker",
    ) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._stopped = False
        self._thread = QThread()
        self._thread.setObjectName(thread_name)
        self._executor = _Executor(database)
        self._executor.moveToThread(self._thread)
        # The executor lives in the worker thread and this object in the GUI thread, so both
        # directions are queued connections: jobs run there, callbacks run here.
        self._submitted.connect(self._executor.run)
        self._executor.finished.connect(self._on_finished)
        self._executor.failed.connect(self._on_failed)
        self._thread.finished.connect(self._executor.deleteLater)
        _live_threads.add(self._thread)
        self._thread.start()
        # If this object is deleted with its parent and stop() was never called, the thread is
        # still stopped; the slot holds the thread, not this (then half-destroyed) object.
        self.destroyed.connect(partial(_stop_thread, self._thread))

    @staticmethod
    def running_count() -> int:
        """How many worker threads are started and not yet stopped (tests check for leaks)."""
        return len(_live_threads)

    @property
    def worker_thread(self) -> QThread:
        """The worker thread (for diagnostics and tests)."""
        return self._thread

    @property
    def is_running(self) -> bool:
        """True until ``stop()``."""
        return not self._stopped

    @property
    def is_busy(self) -> bool:
        """True while a result is awaited."""
        return bool(self._pending)

    def submit(
        self,
        job: Job,
        on_result: ResultCallback,
        on_error: ErrorCallback | None = None,
        *,
        owner: QObject | None = None,
    ) -> int:
        """Queue ``job``; return the request id (for ``cancel``)."""
        if self._stopped:
            raise RuntimeError("the database worker is stopped")
        request_id = next(self._ids)
        was_busy = self.is_busy
        self._pending[request_id] = _Pending(on_result, on_error, owner)
        self._submitted.emit(request_id, job)
        if not was_busy:
            self.busyChanged.emit(True)
        return request_id

    def cancel(self, request_id: int) -> None:
        """Forget a request: its result, when it arrives, is dropped."""
        if self._pending.pop(request_id, None) is not None and not self._pending:
            self.busyChanged.emit(False)

    def stop(self) -> None:
        """Drop every pending result, finish the running job and wait for the thread to end."""
        if self._stopped:
            return
        self._stopped = True
        # No busyChanged here: stop() may run while the window is being destroyed, and its
        # slots must not be called then.
        self._pending.clear()
        _stop_thread(self._thread)

    def _take(self, request_id: int) -> _Pending | None:
        if self._stopped:
            return None
        pending = self._pending.pop(request_id, None)
        if pending is None:
            return None
        if not self._pending:
            self.busyChanged.emit(False)
        if pending.owner is not None and not shiboken6.isValid(pending.owner):
            return None
        return pending

    @Slot(int, object)
    def _on_finished(self, request_id: int, result: object) -> None:
        pending = self._take(request_id)
        if pending is not None:
            pending.on_result(result)

    @Slot(int, object)
    def _on_failed(self, request_id: int, error: BaseException) -> None:
        pending = self._take(request_id)
        if pending is None:
            return
        if pending.on_error is not None:
            pending.on_error(error)
        else:
            self.errorOccurred.emit(describe_error(error))


def describe_error(error: BaseException) -> str:
    """A short one-line description of a database error for the status bar."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"
