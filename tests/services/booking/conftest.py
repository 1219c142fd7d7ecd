"""A desk per test: a migrated database (SQLite and PostgreSQL) synced from one emulator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.helpers.booking_desk import (
    FakeClock,
    connector_for,
    free_slots,
    register_patient,
    sync_cache,
)
from workstation.models import Appointment, JournalEvent, SmsMessage
from workstation.services.booking import Bookings
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub.connector import HubConnector
from workstation.services.journal import Actor


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer.start(data="demo")
    yield server
    server.stop()


@dataclass
class Desk:
    database: Database
    connector: HubConnector
    emulator: EmulatorServer
    clock: FakeClock
    bookings: Bookings

    def patient(self, phone: str | None = None) -> int:
        return register_patient(self.database, self.connector.for_lpu(None), phone=phone)

    def slot(self, index: int = 0) -> int:
        return free_slots(self.database, index + 1)[index]

    def appointment(self, ticket: str) -> Appointment:
        """The local record of a ticket, detached (read after the session ends)."""
        with self.database.session() as session:
            appointment = session.scalars(
                select(Appointment).where(Appointment.ticket_number == ticket)
            ).one()
            session.expunge(appointment)
            return appointment

    def journal(self) -> list[str]:
        with self.database.session() as session:
            return list(session.scalars(select(JournalEvent.action).order_by(JournalEvent.id)))

    def sms(self) -> list[SmsMessage]:
        with self.database.session() as session:
            return list(session.scalars(select(SmsMessage).order_by(SmsMessage.id)))


@pytest.fixture
def desk(database: Database, emulator: EmulatorServer) -> Iterator[Desk]:
    emulator.faults.clear()
    connector = connector_for(emulator)
    sync_cache(database, connector)
    clock = FakeClock()
    bookings = Bookings(database, connector, actor=Actor("Иванова", "ws-7 (10.0.0.7)"), clock=clock)
    yield Desk(database, connector, emulator, clock, bookings)
    emulator.faults.clear()
    connector.close()
