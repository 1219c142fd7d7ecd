"""The schedule cache sync against the LPU emulator over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workstation.cli import main
from workstation.models import Doctor, Institution, Slot, SlotState, SyncRun
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub.client import HubClient
from workstation.services.hub.endpoints import HubEndpoint, HubSettings
from workstation.services.hub.results import HubPatient
from workstation.services.sync import SyncProgress, sync_hub

# Two of the manual's Khanty-Mansiysk institutions keep the tests quick.
REHABILITATION_CENTRE = 1003
DISTRICT_HOSPITAL = 1005


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer.start(data="demo")
    yield server
    server.stop()


@pytest.fixture
def hub(emulator: EmulatorServer) -> Iterator[HubClient]:
    client = HubClient(
        HubEndpoint(emulator.url, emulator.guid, "эмулятор"),
        HubSettings(read_attempts=1, retry_delays=()),
    )
    yield client
    client.close()


def _free_slots_offered(hub: HubClient, hub_lpu: int, days: int) -> int:
    """What the hub offers, asked doctor by doctor: what the cache must hold afterwards."""
    start = dt.datetime.combine(dt.date.today(), dt.time())
    doctors = {
        doctor.id_doc
        for speciality in hub.get_speciality_list(hub_lpu)
        for doctor in hub.get_doctor_list(hub_lpu, speciality.id_speciality)
    }
    return sum(
        len(hub.get_available_appointments(
            hub_lpu, id_doc, start, start + dt.timedelta(days=days)))
        for id_doc in doctors
    )


def _first_free_cached_slot(database: Database) -> tuple[int, str]:
    """Id and ``IdAppointment`` of the earliest free slot in the cache."""
    with database.session() as session:
        slot = session.scalars(
            select(Slot).where(Slot.state == SlotState.FREE).order_by(Slot.start)
        ).first()
        assert slot is not None
        return slot.id, slot.hub_id


def _register(hub: HubClient, surname: str, name: str, birthday: dt.date, phone: str) -> str:
    """A new patient of the rehabilitation centre's MIS; their ``IdPat``."""
    return hub.add_new_patient(
        REHABILITATION_CENTRE,
        HubPatient(surname=surname, name=name, second_name="Петровна", birthday=birthday,
                   cell_phone=phone),
    )


def _cached_slots(database: Database, state: SlotState) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(Slot.id)).where(Slot.state == state)) or 0


def test_first_sync_fills_the_cache_and_a_second_changes_nothing(
    database: Database, emulator: EmulatorServer, hub: HubClient
) -> None:
    seen: list[SyncProgress] = []
    first = sync_hub(database, hub, emulator.url, days=7,
                     lpu_ids=[REHABILITATION_CENTRE, DISTRICT_HOSPITAL], progress=seen.append)
    assert first.failures == {}
    assert [p.done for p in seen] == [1, 2] and {p.total for p in seen} == {2}
    expected = sum(_free_slots_offered(hub, lpu, 7)
                   for lpu in (REHABILITATION_CENTRE, DISTRICT_HOSPITAL))
    assert expected > 0
    assert first.changes["slots.inserted"] == expected == _cached_slots(database, SlotState.FREE)
    with database.session() as session:
        centre = session.scalars(
            select(Institution).where(Institution.hub_id == REHABILITATION_CENTRE)
        ).one()
        # Inferred from the address the hub gives, since the cache started empty.
        assert centre.settlement is not None and centre.settlement.name == "Ханты-Мансийск"
        assert centre.endpoint_url == emulator.url
        doctors = session.scalars(select(Doctor).where(Doctor.institution_id == centre.id)).all()
        assert doctors and all(d.fetched_at is not None for d in doctors)
        assert session.scalar(select(func.count(SyncRun.id))) == 1

    second = sync_hub(database, hub, emulator.url, days=7,
                      lpu_ids=[REHABILITATION_CENTRE, DISTRICT_HOSPITAL])
    assert {k: v for k, v in second.changes.items() if v and not k.startswith("institutions")} \
        == {}
    assert _cached_slots(database, SlotState.FREE) == expected


def test_a_slot_booked_elsewhere_is_marked_taken_on_the_next_sync(
    database: Database, emulator: EmulatorServer, hub: HubClient
) -> None:
    sync_hub(database, hub, emulator.url, days=7, lpu_ids=[REHABILITATION_CENTRE])
    slot_id, hub_slot_id = _first_free_cached_slot(database)
    id_pat = _register(hub, "Синхронова", "Ольга", dt.date(1980, 1, 2), "+79123456789")
    hub.set_appointment(REHABILITATION_CENTRE, id_pat, hub_slot_id)

    summary = sync_hub(database, hub, emulator.url, days=7, lpu_ids=[REHABILITATION_CENTRE])
    assert summary.changes["slots.taken"] == 1
    with database.session() as session:
        assert session.get_one(Slot, slot_id).state == SlotState.TAKEN


def test_an_institution_that_fails_is_reported_and_the_others_are_kept(
    database: Database, emulator: EmulatorServer, hub: HubClient
) -> None:
    emulator.faults.set("GetSpesialityList", "http500", times=1)
    summary = sync_hub(database, hub, emulator.url, days=3, concurrency=1,
                       lpu_ids=[REHABILITATION_CENTRE, DISTRICT_HOSPITAL])
    assert len(summary.failures) == 1
    (message,) = summary.failures.values()
    assert "нет связи с ЛПУ" in message
    assert summary.changes["slots.inserted"] > 0


def test_sync_command_prints_progress_and_a_summary(
    sqlite_url: str, emulator: EmulatorServer, capsys: pytest.CaptureFixture[str],
    workstation_home: Path,
) -> None:
    assert main(["db", "upgrade", "--db", sqlite_url]) == 0
    code = main(["sync", "--db", sqlite_url, "--hub", emulator.url, "--guid", emulator.guid,
                 "--days", "3", "--lpu", str(REHABILITATION_CENTRE)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "[1/1] 100%" in out
    assert "слоты: новых" in out


def test_sync_command_without_a_hub_says_how_to_configure_one(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--db", sqlite_url]) == 0
    assert main(["sync", "--db", sqlite_url]) == 2
    assert "[[hub]]" in capsys.readouterr().err


def test_a_cancelled_sync_stops_early_and_keeps_what_it_wrote(
    database: Database, emulator: EmulatorServer, hub: HubClient
) -> None:
    import threading

    cancel = threading.Event()
    cancel.set()
    summary = sync_hub(database, hub, emulator.url, days=3, concurrency=1, cancel=cancel)
    assert summary.cancelled
    assert summary.changes["slots.inserted"] == 0
    assert "прервана" in summary.describe()
    with database.session() as session:
        # The institution list was written before the first institution's schedules.
        assert (session.scalar(select(func.count(Institution.id))) or 0) == summary.institutions


def test_a_slot_the_hub_reports_taken_is_greyed_in_the_cache_at_once(
    database: Database, emulator: EmulatorServer, hub: HubClient
) -> None:
    from workstation.services.hub.errors import SlotTaken
    from workstation.services.sync.taken import mark_slot_taken

    sync_hub(database, hub, emulator.url, days=7, lpu_ids=[REHABILITATION_CENTRE])
    slot_id, hub_slot_id = _first_free_cached_slot(database)
    first = _register(hub, "Первова", "Анна", dt.date(1975, 3, 4), "+79123456780")
    second = _register(hub, "Вторая", "Елена", dt.date(1979, 5, 6), "+79123456781")
    hub.set_appointment(REHABILITATION_CENTRE, first, hub_slot_id)
    with pytest.raises(SlotTaken):
        hub.set_appointment(REHABILITATION_CENTRE, second, hub_slot_id)
    with database.session() as session:
        assert mark_slot_taken(session, REHABILITATION_CENTRE, hub_slot_id)
        assert not mark_slot_taken(session, REHABILITATION_CENTRE, "no-such-slot")
    with database.session() as session:
        assert session.get_one(Slot, slot_id).state == SlotState.TAKEN
