"""Fixtures of the UI tests: a filled database, a main window, and a check for leaked threads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds, fill_sample_data
from workstation.services.database import Database
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.main_window import MainWindow
from workstation.ui.periodic_job import PeriodicJob

LOAD_TIMEOUT_MS = 10_000


@pytest.fixture(autouse=True)
def no_leaked_worker_threads() -> Iterator[None]:
    """Fail a test that leaves a database worker thread running."""
    before = DatabaseWorker.running_count(), PeriodicJob.running_count()
    yield
    after = DatabaseWorker.running_count(), PeriodicJob.running_count()
    assert after == before, "a DatabaseWorker or PeriodicJob thread was not stopped"


@pytest.fixture
def sample_db(sqlite_url: str) -> Iterator[tuple[Database, SampleIds]]:
    """A migrated SQLite database holding the sample directory."""
    database = Database(sqlite_url)
    database.upgrade()
    ids = fill_sample_data(database)
    yield database, ids
    database.dispose()


@pytest.fixture
def sample_ids(sample_db: tuple[Database, SampleIds]) -> SampleIds:
    """Ids of the sample rows."""
    return sample_db[1]


@pytest.fixture
def worker(qtbot: QtBot, sample_db: tuple[Database, SampleIds]) -> Iterator[DatabaseWorker]:
    """A database worker on the sample database, stopped after the test."""
    database_worker = DatabaseWorker(sample_db[0])
    yield database_worker
    database_worker.stop()


@pytest.fixture
def window(qtbot: QtBot, sample_db: tuple[Database, SampleIds]) -> Iterator[MainWindow]:
    """The main window on the sample database, closed after the test."""
    main_window = MainWindow(sample_db[0])
    qtbot.addWidget(main_window)
    yield main_window
    main_window.close()


@pytest.fixture
def loaded_window(qtbot: QtBot, window: MainWindow) -> MainWindow:
    """The main window after its initial load."""
    qtbot.waitUntil(lambda: window.is_loaded, timeout=LOAD_TIMEOUT_MS)
    return window
