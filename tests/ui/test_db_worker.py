"""The database worker: one thread, results back on the GUI thread, stale results dropped."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from workstation.models import Settlement
from workstation.services.database import Database
from workstation.ui.db_worker import DatabaseWorker, describe_error

TIMEOUT_MS = 5_000


def _count_settlements(session: Session) -> int:
    return session.scalar(select(func.count(Settlement.id))) or 0


def test_jobs_run_on_one_worker_thread_and_results_arrive_on_the_gui_thread(
    qtbot: QtBot, worker: DatabaseWorker
) -> None:
    job_threads: list[int] = []
    delivered: list[tuple[int, Any]] = []

    def job(number: int) -> Any:
        def run(session: Session) -> tuple[int, int]:
            job_threads.append(threading.get_ident())
            return number, _count_settlements(session)

        return run

    for number in range(3):
        worker.submit(
            job(number), lambda result: delivered.append((threading.get_ident(), result))
        )
    qtbot.waitUntil(lambda: len(delivered) == 3, timeout=TIMEOUT_MS)
    main = threading.get_ident()
    assert len(set(job_threads)) == 1
    assert job_threads[0] != main
    assert [thread for thread, _ in delivered] == [main, main, main]
    assert [result for _, result in delivered] == [(0, 2), (1, 2), (2, 2)]


def test_an_error_goes_to_the_error_callback(qtbot: QtBot, worker: DatabaseWorker) -> None:
    errors: list[BaseException] = []

    def failing(session: Session) -> None:
        session.execute(text("select * from no_such_table"))

    worker.submit(failing, lambda _: pytest.fail("no result expected"), errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)
    assert "no_such_table" in str(errors[0])
    # The thread survived the error.
    results: list[int] = []
    worker.submit(_count_settlements, results.append)
    qtbot.waitUntil(lambda: results == [2], timeout=TIMEOUT_MS)


def test_an_error_without_a_callback_is_reported_by_signal(
    qtbot: QtBot, worker: DatabaseWorker
) -> None:
    def failing(_session: Session) -> None:
        raise ValueError("сбой справочника")

    with qtbot.waitSignal(worker.errorOccurred, timeout=TIMEOUT_MS) as blocker:
        worker.submit(failing, lambda _: None)
    assert blocker.args == ["сбой справочника"]


def test_cancelled_and_orphaned_results_are_dropped(qtbot: QtBot, worker: DatabaseWorker) -> None:
    delivered: list[str] = []
    owner = QObject()
    cancelled = worker.submit(lambda s: "cancelled", delivered.append)
    worker.submit(lambda s: "orphaned", delivered.append, owner=owner)
    worker.submit(lambda s: "kept", delivered.append)
    worker.cancel(cancelled)
    shiboken6.delete(owner)
    qtbot.waitUntil(lambda: not worker.is_busy, timeout=TIMEOUT_MS)
    assert delivered == ["kept"]


def test_busy_is_signalled_while_results_are_awaited(
    qtbot: QtBot, worker: DatabaseWorker
) -> None:
    states: list[bool] = []
    worker.busyChanged.connect(states.append)
    worker.submit(_count_settlements, lambda _: None)
    worker.submit(_count_settlements, lambda _: None)
    assert worker.is_busy
    qtbot.waitUntil(lambda: not worker.is_busy, timeout=TIMEOUT_MS)
    assert states == [True, False]


def test_stop_ends_the_thread_and_drops_late_results(
    qtbot: QtBot, sample_db: tuple[Database, object]
) -> None:
    before = DatabaseWorker.running_count()
    worker = DatabaseWorker(sample_db[0])
    assert DatabaseWorker.running_count() == before + 1
    delivered: list[int] = []
    worker.submit(_count_settlements, delivered.append)
    worker.stop()
    assert worker.worker_thread.isFinished()
    assert not worker.is_running
    assert DatabaseWorker.running_count() == before
    qtbot.wait(50)  # give a stray queued result the chance to arrive
    assert delivered == []
    with pytest.raises(RuntimeError):
        worker.submit(_count_settlements, delivered.append)
    worker.stop()  # twice is fine


def test_deleting_the_parent_stops_the_thread(
    qtbot: QtBot, sample_db: tuple[Database, object]
) -> None:
    before = DatabaseWorker.running_count()
    parent = QObject()
    DatabaseWorker(sample_db[0], parent)
    assert DatabaseWorker.running_count() == before + 1
    with qtbot.waitSignal(parent.destroyed, timeout=TIMEOUT_MS):
        parent.deleteLater()
    assert DatabaseWorker.running_count() == before


def test_error_descriptions_are_one_short_line() -> None:
    assert describe_error(ValueError("первая строка\nвторая")) == "первая строка"
    assert describe_error(ValueError()) == "ValueError"
    assert len(describe_error(ValueError("я" * 500))) == 200
