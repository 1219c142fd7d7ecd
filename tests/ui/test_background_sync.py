"""F5 refreshes the schedule cache from the LPU emulator behind the window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from workstation.models import Slot
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub.endpoints import HubEndpoint
from workstation.ui.main_window import MainWindow

SYNC_TIMEOUT_MS = 120_000


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer.start(data="demo")
    yield server
    server.stop()


def test_f5_syncs_in_the_background_with_progress_in_the_status_bar(
    qtbot: QtBot, sqlite_url: str, emulator: EmulatorServer
) -> None:
    database = Database(sqlite_url)
    database.upgrade()
    window = MainWindow(
        database, remember_geometry=False,
        endpoints=[HubEndpoint(emulator.url, emulator.guid, "эмулятор")],
    )
    qtbot.addWidget(window)
    window.show()
    assert window.sync_action.isEnabled()
    progress: list[tuple[int, int]] = []
    window.background_sync.progressed.connect(lambda done, total, _: progress.append((done, total)))
    with qtbot.waitSignal(window.background_sync.finished, timeout=SYNC_TIMEOUT_MS) as finished:
        window.sync_action.trigger()
        # The GUI thread is free while the sync runs: the bar is up and events are processed.
        assert window.sync_progress_bar.isVisible()
        assert window.background_sync.is_running()
    assert "Расписания обновлены" in finished.args[0]
    assert progress and progress[-1][0] == progress[-1][1] == len(progress)
    qtbot.waitUntil(lambda: not window.sync_progress_bar.isVisible(), timeout=5_000)
    with database.session() as session:
        assert (session.scalar(select(func.count(Slot.id))) or 0) > 0
    window.close()
    database.dispose()


def test_without_endpoints_f5_is_disabled(qtbot: QtBot, sqlite_url: str) -> None:
    database = Database(sqlite_url)
    database.upgrade()
    window = MainWindow(database, remember_geometry=False)
    qtbot.addWidget(window)
    assert not window.sync_action.isEnabled()
    assert window.start_sync() is False
    window.close()
    database.dispose()


def test_shift_f5_stops_a_long_sync_without_the_window_waiting(
    qtbot: QtBot, sqlite_url: str, emulator: EmulatorServer
) -> None:
    database = Database(sqlite_url)
    database.upgrade()
    emulator.faults.set("GetAvaibleAppointments", "latency", latency=0.3)
    window = MainWindow(
        database, remember_geometry=False,
        endpoints=[HubEndpoint(emulator.url, emulator.guid, "эмулятор")],
    )
    qtbot.addWidget(window)
    window.show()
    assert not window.stop_sync_action.isEnabled()
    with qtbot.waitSignal(window.background_sync.progressed, timeout=SYNC_TIMEOUT_MS):
        window.sync_action.trigger()
    assert window.stop_sync_action.isEnabled()
    with qtbot.waitSignal(window.background_sync.finished, timeout=SYNC_TIMEOUT_MS) as finished:
        window.stop_sync_action.trigger()
        assert window.background_sync.is_running()  # asked, not waited for
    assert finished.args[0].startswith("Обновление расписаний остановлено")
    assert not window.sync_progress_bar.isVisible()
    assert not window.stop_sync_action.isEnabled()
    window.close()
    database.dispose()
