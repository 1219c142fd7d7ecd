"""Endpoint states and the cache age, from sync runs made by real syncs against the emulator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from workstation.models import Institution, SyncRun
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub.client import HubClient
from workstation.services.hub.endpoints import HubEndpoint, HubSettings
from workstation.services.hub.errors import HubError
from workstation.services.hub.journal_sink import BOOKING_UNAVAILABLE
from workstation.services.hub_status import (
    EndpointState,
    EndpointStatus,
    age_label,
    endpoint_states,
    schedule_age,
)
from workstation.services.journal import Actor, record
from workstation.services.sync import sync_hub

REHABILITATION_CENTRE = 1003
DISTRICT_HOSPITAL = 1005
OTHER = HubEndpoint("http://127.0.0.1:9/HubService.svc", "guid", "другой сервис")


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer.start(data="demo")
    yield server
    server.stop()


@pytest.fixture
def endpoint(emulator: EmulatorServer) -> Iterator[HubEndpoint]:
    emulator.faults.clear()
    yield HubEndpoint(emulator.url, emulator.guid, "эмулятор")
    emulator.faults.clear()


@pytest.fixture
def hub(endpoint: HubEndpoint) -> Iterator[HubClient]:
    client = HubClient(endpoint, HubSettings(read_attempts=1, retry_delays=()))
    yield client
    client.close()


def _sync(database: Database, hub: HubClient, endpoint: HubEndpoint) -> None:
    sync_hub(database, hub, endpoint.url, days=2, concurrency=1,
             lpu_ids=[REHABILITATION_CENTRE, DISTRICT_HOSPITAL])


def _states(database: Database, *endpoints: HubEndpoint,
            now: dt.datetime | None = None) -> list[EndpointState]:
    with database.session() as session:
        return endpoint_states(session, list(endpoints), now or dt.datetime.now(dt.UTC))


def _runs(database: Database) -> list[SyncRun]:
    with database.session() as session:
        runs = list(session.scalars(select(SyncRun).order_by(SyncRun.id)))
        session.expunge_all()
        return runs


def test_nothing_recorded_is_unknown_and_the_cache_never_loaded(
    database: Database, endpoint: HubEndpoint
) -> None:
    (state,) = _states(database, endpoint)
    assert state == EndpointState("эмулятор", endpoint.url, EndpointStatus.UNKNOWN, None)
    assert state.label == "эмулятор"
    with database.session() as session:
        assert schedule_age(session, dt.datetime.now(dt.UTC)) is None
    assert age_label(None) == "кэш не загружался"


def test_a_finished_sync_is_ok_and_dates_the_cache(
    database: Database, endpoint: HubEndpoint, hub: HubClient
) -> None:
    _sync(database, hub, endpoint)
    (run,) = _runs(database)
    assert run.finished_at is not None and run.failures == ""

    ok, other = _states(database, endpoint, OTHER)
    assert ok.status is EndpointStatus.OK
    assert ok.last_success_at == run.finished_at
    assert (ok.last_failure_at, ok.last_error, ok.running) == (None, "", False)
    assert other.status is EndpointStatus.UNKNOWN and other.label == "другой сервис"

    with database.session() as session:
        synced = sorted(
            at for at in session.scalars(
                select(Institution.synced_at).where(Institution.synced_at.is_not(None)))
            if at is not None
        )
        assert len(synced) == 2
        now = synced[-1] + dt.timedelta(minutes=2, seconds=30)
        # The oldest institution decides: 2.5 min after the newest is more after the oldest.
        assert schedule_age(session, now) == now - synced[0]
        assert schedule_age(session, now, endpoint_urls=[endpoint.url]) == now - synced[0]
        assert schedule_age(session, now, endpoint_urls=[OTHER.url]) is None
        # A clock behind the database does not give a negative age.
        assert schedule_age(session, synced[0] - dt.timedelta(hours=1)) == dt.timedelta(0)
    assert age_label(now - synced[-1]) == "кэш обновлен 2 мин назад"


def test_the_stalest_active_institution_sets_the_age(
    database: Database, endpoint: HubEndpoint, hub: HubClient
) -> None:
    _sync(database, hub, endpoint)
    now = dt.datetime.now(dt.UTC)
    three_hours_ago = now - dt.timedelta(hours=3, minutes=5)
    with database.session() as session:
        session.execute(update(Institution).where(Institution.hub_id == DISTRICT_HOSPITAL)
                        .values(synced_at=three_hours_ago))
    with database.session() as session:
        age = schedule_age(session, now)
        assert age == now - three_hours_ago
        assert age_label(age) == "кэш обновлен 3 ч назад"
        # Closed at the hub: no longer synced and not counted.
        session.execute(update(Institution).where(Institution.hub_id == DISTRICT_HOSPITAL)
                        .values(is_active=False))
    with database.session() as session:
        age = schedule_age(session, now)
        assert age is not None and age < dt.timedelta(minutes=5)


def test_a_hub_that_does_not_answer_is_failed_until_a_sync_succeeds(
    database: Database, emulator: EmulatorServer, endpoint: HubEndpoint, hub: HubClient
) -> None:
    _sync(database, hub, endpoint)
    first_success = _states(database, endpoint)[0].last_success_at

    emulator.faults.set("GetDistrictList", "http500")
    with pytest.raises(HubError) as raised:
        _sync(database, hub, endpoint)
    failed_run = _runs(database)[-1]
    assert failed_run.finished_at is not None and failed_run.failures == raised.value.message

    (state,) = _states(database, endpoint)
    assert state.status is EndpointStatus.FAILED
    assert state.last_success_at == first_success
    assert state.last_failure_at == failed_run.finished_at
    assert state.last_error == raised.value.message and "нет связи" in state.last_error

    emulator.faults.clear()
    _sync(database, hub, endpoint)
    (state,) = _states(database, endpoint)
    assert state.status is EndpointStatus.OK
    assert state.last_success_at is not None and first_success is not None
    assert state.last_success_at > first_success
    assert state.last_failure_at is None and state.last_error == ""


def test_an_institution_that_failed_in_the_last_sync_fails_the_endpoint(
    database: Database, emulator: EmulatorServer, endpoint: HubEndpoint, hub: HubClient
) -> None:
    emulator.faults.set("GetSpesialityList", "http500", times=1)
    _sync(database, hub, endpoint)
    (run,) = _runs(database)
    assert run.failures

    (state,) = _states(database, endpoint)
    assert state.status is EndpointStatus.FAILED
    assert state.last_success_at is None
    assert state.last_failure_at == run.finished_at
    assert "нет связи с ЛПУ" in state.last_error


def test_a_booking_without_an_answer_after_the_sync_fails_the_endpoint(
    database: Database, endpoint: HubEndpoint, hub: HubClient
) -> None:
    _sync(database, hub, endpoint)
    actor = Actor("оператор", "АРМ-1")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    with database.session() as session:
        # Another endpoint's failure does not count.
        record(session, actor, BOOKING_UNAVAILABLE,
               f"Поликлиника; талон 1; адрес сервиса {OTHER.url}; причина: таймаут").at = later
    assert _states(database, endpoint)[0].status is EndpointStatus.OK
    with database.session() as session:
        record(session, actor, BOOKING_UNAVAILABLE,
               f"Поликлиника; талон 2; адрес сервиса {endpoint.url}; причина: таймаут").at = later

    (state,) = _states(database, endpoint)
    assert state.status is EndpointStatus.FAILED
    assert state.last_failure_at == later
    assert state.last_error.startswith(BOOKING_UNAVAILABLE) and "талон 2" in state.last_error
    # The next good sync clears it.
    with database.session() as session:
        run = session.scalars(select(SyncRun)).one()
        session.add(SyncRun(endpoint_url=endpoint.url, started_at=later,
                            finished_at=later + dt.timedelta(seconds=1), summary=run.summary))
    assert _states(database, endpoint)[0].status is EndpointStatus.OK


def test_running_cancelled_and_interrupted_runs(
    database: Database, endpoint: HubEndpoint, hub: HubClient
) -> None:
    _sync(database, hub, endpoint)
    (done,) = _runs(database)
    assert done.finished_at is not None
    now = done.finished_at + dt.timedelta(minutes=10)
    with database.session() as session:
        session.add(SyncRun(endpoint_url=endpoint.url, started_at=now - dt.timedelta(minutes=3),
                            finished_at=now - dt.timedelta(minutes=2),
                            summary="Синхронизация …\n  прервана до завершения"))
        session.add(SyncRun(endpoint_url=endpoint.url, started_at=now - dt.timedelta(minutes=1)))
    (state,) = _states(database, endpoint, now=now)
    # The cancelled run is neither a success nor a failure; the running one is flagged.
    assert state.status is EndpointStatus.OK and state.running
    assert state.last_success_at == done.finished_at

    much_later = now + dt.timedelta(hours=2)
    (state,) = _states(database, endpoint, now=much_later)
    assert state.status is EndpointStatus.FAILED and not state.running
    assert state.last_failure_at == now - dt.timedelta(minutes=1)
    assert "прервана" in state.last_error


@pytest.mark.parametrize(
    ("age", "label"),
    [
        (dt.timedelta(seconds=0), "кэш обновлен только что"),
        (dt.timedelta(seconds=59), "кэш обновлен только что"),
        (dt.timedelta(minutes=1), "кэш обновлен 1 мин назад"),
        (dt.timedelta(minutes=59, seconds=59), "кэш обновлен 59 мин назад"),
        (dt.timedelta(hours=1), "кэш обновлен 1 ч назад"),
        (dt.timedelta(hours=23, minutes=59), "кэш обновлен 23 ч назад"),
        (dt.timedelta(days=2, hours=5), "кэш обновлен 2 дн. назад"),
    ],
)
def test_age_label(age: dt.timedelta, label: str) -> None:
    assert age_label(age) == label


def test_now_must_be_aware(database: Database) -> None:
    with database.session() as session, pytest.raises(ValueError):
        schedule_age(session, dt.datetime(2026, 1, 1))
