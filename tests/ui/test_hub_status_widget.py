"""The status bar's hub dots and cache age, loaded on the database worker."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from workstation.models import Institution, SyncRun
from workstation.services import hub_status
from workstation.services.database import Database
from workstation.services.hub.endpoints import HubEndpoint
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.hub_status_widget import COLORS, HubStatusWidget, format_moment

WAIT_MS = 10_000
NOW = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
HUB = HubEndpoint("http://hub.example/HubService.svc", "g1", "региональный сервис")
MIS = HubEndpoint("http://mis.example/HubService.svc", "g2", "МИС больницы")
GREEN, RED, GREY = (COLORS[s] for s in hub_status.EndpointStatus)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    db = Database(sqlite_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def worker(database: Database) -> Iterator[DatabaseWorker]:
    database_worker = DatabaseWorker(database)
    yield database_worker
    database_worker.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def _widget(qtbot: QtBot, worker: DatabaseWorker, clock: Clock,
            endpoints: list[HubEndpoint] | None = None, **kwargs: int) -> HubStatusWidget:
    widget = HubStatusWidget(worker, [HUB, MIS] if endpoints is None else endpoints,
                             clock=clock, **kwargs)
    qtbot.addWidget(widget)
    return widget


def _refresh(qtbot: QtBot, widget: HubStatusWidget) -> None:
    with qtbot.waitSignal(widget.refreshed, timeout=WAIT_MS):
        widget.refresh()


def _fill(database: Database) -> None:
    """HUB synced fine 2 min 10 s ago; MIS's last sync did not get the directory."""
    with database.session() as session:
        session.add_all([
            SyncRun(endpoint_url=HUB.url, started_at=NOW - dt.timedelta(minutes=3),
                    finished_at=NOW - dt.timedelta(minutes=2, seconds=10), summary="ok"),
            SyncRun(endpoint_url=MIS.url, started_at=NOW - dt.timedelta(hours=5),
                    finished_at=NOW - dt.timedelta(hours=5), summary="ok"),
            SyncRun(endpoint_url=MIS.url, started_at=NOW - dt.timedelta(minutes=20),
                    finished_at=NOW - dt.timedelta(minutes=19),
                    summary="справочник не получен",
                    failures="Сервис записи «МИС больницы» не отвечает: нет связи с ЛПУ."),
            Institution(hub_id=1, full_name="Поликлиника 1", short_name="П1",
                        endpoint_url=HUB.url, synced_at=NOW - dt.timedelta(minutes=2, seconds=10)),
            Institution(hub_id=2, full_name="Больница", short_name="Б",
                        endpoint_url=MIS.url, synced_at=NOW - dt.timedelta(minutes=2, seconds=40)),
            Institution(hub_id=3, full_name="Не синхронизирована", short_name="Н",
                        endpoint_url=HUB.url),
        ])


def test_before_any_sync_the_dots_are_grey_and_the_cache_never_loaded(
    qtbot: QtBot, worker: DatabaseWorker, clock: Clock
) -> None:
    widget = _widget(qtbot, worker, clock)
    assert widget.age_label.text() == "кэш: загрузка…"
    _refresh(qtbot, widget)
    for endpoint in (HUB, MIS):
        assert widget.status(endpoint.url) is hub_status.EndpointStatus.UNKNOWN
        assert widget.dot_color(endpoint.url) == GREY
        assert GREY in widget.dot(endpoint.url).styleSheet()
        tooltip = widget.dot(endpoint.url).toolTip()
        assert endpoint.name in tooltip and endpoint.url in tooltip
        assert "Успешных синхронизаций не было" in tooltip
    assert widget.age_label.text() == "кэш не загружался"


def test_dots_and_tooltips_follow_the_recorded_runs(
    qtbot: QtBot, database: Database, worker: DatabaseWorker, clock: Clock
) -> None:
    _fill(database)
    widget = _widget(qtbot, worker, clock)
    _refresh(qtbot, widget)

    assert widget.dot_color(HUB.url) == GREEN
    assert widget.dot(HUB.url).property("status") == "ok"
    hub_tip = widget.dot(HUB.url).toolTip()
    assert HUB.url in hub_tip and "на связи" in hub_tip
    assert ("Последняя успешная синхронизация: "
            + format_moment(NOW - dt.timedelta(minutes=2, seconds=10))) in hub_tip
    assert "ошибка" not in hub_tip

    assert widget.dot_color(MIS.url) == RED
    mis_tip = widget.dot(MIS.url).toolTip()
    assert "нет связи" in mis_tip
    assert format_moment(NOW - dt.timedelta(hours=5)) in mis_tip  # the last success
    assert (f"Последняя ошибка ({format_moment(NOW - dt.timedelta(minutes=19))}): "
            "Сервис записи «МИС больницы» не отвечает") in mis_tip

    # The stalest synced institution: 2 min 40 s.
    assert widget.age_label.text() == "кэш обновлен 2 мин назад"
    assert format_moment(NOW - dt.timedelta(minutes=2, seconds=40)) in widget.age_label.toolTip()


def test_booking_calls_update_a_dot_at_once_and_a_reload_keeps_it(
    qtbot: QtBot, database: Database, worker: DatabaseWorker, clock: Clock
) -> None:
    _fill(database)
    widget = _widget(qtbot, worker, clock)
    _refresh(qtbot, widget)
    clock.now = NOW + dt.timedelta(minutes=1)

    widget.set_endpoint_failed(HUB.url, "Превышено время ожидания ответа")
    assert widget.dot_color(HUB.url) == RED
    assert "Превышено время ожидания ответа" in widget.dot(HUB.url).toolTip()
    assert format_moment(clock.now) in widget.dot(HUB.url).toolTip()
    _refresh(qtbot, widget)  # the database knows nothing newer: still red
    assert widget.dot_color(HUB.url) == RED
    assert widget.state(HUB.url).status is hub_status.EndpointStatus.OK

    widget.set_endpoint_ok(MIS.url)
    assert widget.dot_color(MIS.url) == GREEN
    widget.set_endpoint_ok(HUB.url)
    assert widget.dot_color(HUB.url) == GREEN
    widget.set_endpoint_failed("http://unknown.example/", "ignored")  # not ours: no error

    # A newer failed sync recorded for MIS replaces the booking call's word.
    with database.session() as session:
        session.add(SyncRun(endpoint_url=MIS.url, started_at=clock.now,
                            finished_at=clock.now + dt.timedelta(seconds=30),
                            failures="Больница: нет связи с ЛПУ"))
    _refresh(qtbot, widget)
    assert widget.dot_color(MIS.url) == RED
    assert "Больница: нет связи с ЛПУ" in widget.dot(MIS.url).toolTip()


def test_the_age_is_refreshed_by_the_timer(
    qtbot: QtBot, database: Database, worker: DatabaseWorker, clock: Clock
) -> None:
    _fill(database)
    widget = _widget(qtbot, worker, clock, age_interval_ms=30_000)
    assert widget.age_timer.isActive() and widget.age_timer.interval() == 30_000
    _refresh(qtbot, widget)
    assert widget.age_label.text() == "кэш обновлен 2 мин назад"

    clock.now = NOW + dt.timedelta(hours=3)
    widget.age_timer.setInterval(20)
    qtbot.waitUntil(lambda: widget.age_label.text() == "кэш обновлен 3 ч назад",
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not widget.is_refreshing, timeout=WAIT_MS)
    widget.age_timer.stop()


def test_loading_runs_on_the_worker_thread_one_request_at_a_time(
    qtbot: QtBot, worker: DatabaseWorker, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    original = hub_status.endpoint_states

    def spy(session: Session, endpoints: list[HubEndpoint],
            now: dt.datetime) -> list[hub_status.EndpointState]:
        threads.append(threading.current_thread())
        return original(session, endpoints, now)

    monkeypatch.setattr("workstation.ui.hub_status_widget.endpoint_states", spy)
    widget = _widget(qtbot, worker, clock)
    widget.age_timer.stop()
    with qtbot.waitSignal(widget.refreshed, timeout=WAIT_MS):
        widget.refresh()
        widget.refresh()  # while one is awaited: not queued again
        assert widget.is_refreshing
    assert len(threads) == 1 and threads[0] is not threading.main_thread()


def test_a_failed_load_keeps_the_state_and_says_why(
    qtbot: QtBot, worker: DatabaseWorker, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    widget = _widget(qtbot, worker, clock, endpoints=[HUB])
    widget.age_timer.stop()
    _refresh(qtbot, widget)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr("workstation.ui.hub_status_widget.schedule_age", broken)
    with qtbot.waitSignal(widget.refreshFailed, timeout=WAIT_MS) as failed:
        widget.refresh()
    assert "database is locked" in failed.args[0]
    assert "database is locked" in widget.age_label.toolTip()
    assert widget.age_label.text() == "кэш не загружался"
    assert not widget.is_refreshing
