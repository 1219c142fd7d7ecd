"""The window runs the booking lifecycle in the background: at start it reconciles what a crash
left unfinished, and F12 shows the SMS outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.helpers.booking_desk import connector_for, free_slots, seed_patients, sync_cache
from workstation.models import Appointment, AppointmentState, SmsKind
from workstation.services.booking import Bookings, OutcomeUnknown
from workstation.services.booking.background import LifecycleJob
from workstation.services.booking.jobs import JobReport
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.journal import Actor
from workstation.services.sms.gateway import OutboxGateway
from workstation.services.sms.queue import enqueue
from workstation.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer.start(data="demo")
    yield server
    server.stop()


def test_a_booking_left_unfinished_by_a_crash_is_reconciled_when_the_window_opens(
    qtbot: QtBot, sqlite_url: str, emulator: EmulatorServer
) -> None:
    database = Database(sqlite_url)
    database.upgrade()
    connector = connector_for(emulator)
    sync_cache(database, connector)
    (patient,) = seed_patients(database, emulator, 1, tag="Окно")
    # The last session of this workstation sent a booking and never learnt its outcome.
    crashed = Bookings(database, connector, actor=Actor.system())
    held = crashed.hold(free_slots(database, 1)[0], patient)
    emulator.faults.set("SetAppointment", "drop", times=1)
    emulator.faults.set("GetPatientHistory", "http500")
    with pytest.raises(OutcomeUnknown):
        crashed.book(held.appointment_id)
    emulator.faults.clear()
    connector.close()
    with database.session() as session:
        enqueue(session, "+79123456789", "Проверка очереди", SmsKind.OTHER)

    job = LifecycleJob(
        database, [HubEndpoint(emulator.url, emulator.guid, "эмулятор")], OutboxGateway
    )
    window = MainWindow(database, remember_geometry=False, lifecycle_job=job)
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.lifecycleRan, timeout=20_000) as ran:
            pass
        report = ran.args[0]
        assert isinstance(report, JobReport)
        assert report.reconciled.rolled_back == 1  # at once, although the intent is fresh
        assert report.sms is not None and report.sms.delivered == 1
        with database.session() as session:
            state = session.get_one(Appointment, held.appointment_id).state
        assert state == AppointmentState.RELEASED

        window.sms_outbox_action.trigger()
        assert window.sms_dock.isVisible()
        model = window.sms_dock.model
        qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
        assert str(model.index(0, 3).data()).startswith("доставлено")
    finally:
        window.close()
        job.close()
        database.dispose()
