"""Workstations racing for the same slots, each in its own OS process (spawned).

Used by the race test and by ``benchmarks/booking_load.py``: each round, every workstation
waits at a barrier, then holds and books the round's slot for its own patient.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from tests.helpers.booking_desk import connector_for_url
from workstation.models import Appointment, AppointmentState, HubIntent, IntentStatus
from workstation.services.booking import (
    BookingError,
    BookingRefused,
    Bookings,
    SlotUnavailable,
)
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.journal import Actor

WON = "won"
HELD_ELSEWHERE = "held_elsewhere"  # the shared database's unique index said no
TAKEN_AT_HUB = "taken_at_hub"  # the hub answered 39


@dataclass(frozen=True)
class Workstation:
    """One racer: its database (shared or its own) and its (slot id, patient id) per round."""

    name: str
    database_url: str
    rounds: list[tuple[int, int]]


def _race(
    workstation: Workstation,
    hub_url: str,
    guid: str,
    barrier: Any,
    results: Any,
) -> None:
    database = Database(workstation.database_url)
    connector = connector_for_url(hub_url, guid)
    bookings = Bookings(database, connector, actor=Actor(workstation.name, workstation.name))
    try:
        for index, (slot_id, patient_id) in enumerate(workstation.rounds):
            barrier.wait(timeout=60)
            try:
                held = bookings.hold(slot_id, patient_id)
                bookings.book(held.appointment_id)
                outcome = WON
            except SlotUnavailable:
                outcome = HELD_ELSEWHERE
            except BookingRefused as refused:
                outcome = TAKEN_AT_HUB if refused.hub_error.code == 39 else refused.message
            except BookingError as error:
                outcome = f"{type(error).__name__}: {error.message}"
            results.put((index, workstation.name, outcome))
    finally:
        connector.close()
        database.dispose()


@dataclass
class RaceResult:
    outcomes: dict[int, dict[str, str]] = field(default_factory=dict)

    def winners(self) -> Counter[int]:
        """How many workstations won each round."""
        return Counter({i: sum(o == WON for o in by.values()) for i, by in self.outcomes.items()})

    def kinds(self) -> Counter[str]:
        return Counter(o for by in self.outcomes.values() for o in by.values())


def race(workstations: list[Workstation], emulator_url: str, guid: str) -> RaceResult:
    """Run the workstations in parallel processes; every round's outcome of each."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(workstations))
    results = context.Queue()
    processes = [
        context.Process(target=_race, args=(w, emulator_url, guid, barrier, results))
        for w in workstations
    ]
    for process in processes:
        process.start()
    result = RaceResult()
    expected = sum(len(w.rounds) for w in workstations)
    try:
        for _ in range(expected):
            index, name, outcome = results.get(timeout=120)
            result.outcomes.setdefault(index, {})[name] = outcome
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    return result


def local_tickets(database_urls: list[str]) -> tuple[set[tuple[str, str]], int, int]:
    """(slot, IdPat) of every active ticket in the databases, the number of tickets still held
    and of intents still open (both must be 0 when the race is over)."""
    active: set[tuple[str, str]] = set()
    held = open_intents = 0
    for url in dict.fromkeys(database_urls):
        database = Database(url)
        try:
            with database.session() as session:
                for slot, id_pat, state in session.execute(
                    select(
                        Appointment.hub_appointment_id,
                        Appointment.hub_patient_id,
                        Appointment.state,
                    )
                ):
                    if state in (AppointmentState.BOOKED, AppointmentState.PENDING_CONFIRMATION):
                        assert (slot, id_pat) not in active, "a ticket twice"
                        active.add((slot, id_pat))
                    held += state == AppointmentState.HELD
                open_intents += len(
                    session.scalars(
                        select(HubIntent.id).where(HubIntent.status == IntentStatus.PENDING)
                    ).all()
                )
        finally:
            database.dispose()
    return active, held, open_intents


def hub_tickets(emulator: EmulatorServer, hub_slots: set[str]) -> set[tuple[str, str]]:
    """(slot, IdPat) of every active booking the MIS has on these slots (one per slot)."""
    from tests.helpers.booking_desk import hub_bookings

    found: set[tuple[str, str]] = set()
    per_slot: Counter[str] = Counter()
    for booking in hub_bookings(emulator):
        if booking.hub_slot in hub_slots and booking.state == AppointmentState.BOOKED:
            found.add((booking.hub_slot, booking.id_pat))
            per_slot[booking.hub_slot] += 1
    assert all(count == 1 for count in per_slot.values()), "a slot booked twice at the hub"
    return found
