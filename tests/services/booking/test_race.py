"""Two workstations (two OS processes) race for the same slot, 200 times: one winner each
time, and no ticket that only one side knows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers.booking_desk import connector_for, free_slots, seed_patients, sync_cache
from tests.helpers.booking_race import (
    HELD_ELSEWHERE,
    TAKEN_AT_HUB,
    WON,
    Workstation,
    hub_tickets,
    local_tickets,
    race,
)
from workstation.models import Appointment, AppointmentState, JournalEvent, Slot
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer

ROUNDS = 200


def _prepare(database: Database, emulator: EmulatorServer, patients: int) -> list[int]:
    connector = connector_for(emulator)
    try:
        sync_cache(database, connector, days=7)
        return seed_patients(database, emulator, patients, tag="Г")
    finally:
        connector.close()


def _hub_slots(database: Database, slot_ids: list[int]) -> list[str]:
    with database.session() as session:
        rows = session.execute(select(Slot.id, Slot.hub_id).where(Slot.id.in_(slot_ids)))
        by_id = {slot_id: hub_id for slot_id, hub_id in rows}
    return [by_id[i] for i in slot_ids]


def _check(result_kinds: dict[str, int], winners: dict[int, int], loser_kind: str) -> None:
    assert sorted(winners.values()) == [1] * ROUNDS, "every round has exactly one winner"
    assert result_kinds == {WON: ROUNDS, loser_kind: ROUNDS}


def test_workstations_on_one_database_never_both_get_the_slot(
    database: Database, emulator: EmulatorServer
) -> None:
    patients = _prepare(database, emulator, 2 * ROUNDS)
    slots = free_slots(database, ROUNDS)
    assert len(slots) == ROUNDS
    url = database.url
    racers = [
        Workstation("ws-a", url, list(zip(slots, patients[:ROUNDS], strict=True))),
        Workstation("ws-b", url, list(zip(slots, patients[ROUNDS:], strict=True))),
    ]

    result = race(racers, emulator.url, emulator.guid)

    _check(dict(result.kinds()), dict(result.winners()), HELD_ELSEWHERE)
    local, held, open_intents = local_tickets([url])
    assert (held, open_intents) == (0, 0)
    assert local == hub_tickets(emulator, set(_hub_slots(database, slots)))
    assert len(local) == ROUNDS
    # One journal line per ticket, written by the workstation that got it, numbers unique.
    with database.session() as session:
        tickets = {
            number: operator
            for number, operator in session.execute(
                select(Appointment.ticket_number, Appointment.operator).where(
                    Appointment.state == AppointmentState.BOOKED
                )
            )
        }
        lines = session.execute(
            select(JournalEvent.action, JournalEvent.operator).where(
                JournalEvent.action.startswith("Запись на прием Талон №")
            )
        ).all()
    numbers = [action.split("№")[1].split(",")[0] for action, _operator in lines]
    assert sorted(numbers) == sorted(tickets) and len(set(numbers)) == ROUNDS
    assert all(tickets[n] == operator for n, (_a, operator) in zip(numbers, lines, strict=True))


def test_workstations_with_their_own_caches_race_at_the_hub(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    databases = [Database(f"sqlite:///{tmp_path / name}.sqlite3") for name in ("a", "b")]
    try:
        plans = []
        for database in databases:
            database.upgrade()
            patients = _prepare(database, emulator, ROUNDS)
            plans.append((database, patients))
        slots_a = free_slots(databases[0], ROUNDS)
        hub_slots = _hub_slots(databases[0], slots_a)
        with databases[1].session() as session:
            rows = session.execute(select(Slot.hub_id, Slot.id))
            by_hub = {hub_id: slot_id for hub_id, slot_id in rows}
        slots_b = [by_hub[h] for h in hub_slots]  # the same slots in the other cache
        racers = [
            Workstation("ws-a", databases[0].url, list(zip(slots_a, plans[0][1], strict=True))),
            Workstation("ws-b", databases[1].url, list(zip(slots_b, plans[1][1], strict=True))),
        ]

        result = race(racers, emulator.url, emulator.guid)

        _check(dict(result.kinds()), dict(result.winners()), TAKEN_AT_HUB)
        local, held, open_intents = local_tickets([d.url for d in databases])
        assert (held, open_intents) == (0, 0)
        assert local == hub_tickets(emulator, set(hub_slots))
    finally:
        for database in databases:
            database.dispose()


@pytest.fixture(autouse=True)
def _no_faults(emulator: EmulatorServer) -> None:
    emulator.faults.clear()
