"""Answers that never arrive: the MIS commits and drops the line (100 times), and a workstation
killed (SIGKILL) between writing its intent and hearing the answer, then started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers.booking_desk import free_slots, seed_patients
from tests.helpers.booking_race import hub_tickets, local_tickets
from tests.services.booking.conftest import Desk
from workstation.models import Appointment, AppointmentState, HubIntent, IntentStatus, Slot
from workstation.services.emulator.server import EmulatorServer

REPEATS = 100


def test_a_hundred_committed_but_unanswered_bookings_are_all_known_on_both_sides(
    desk: Desk,
) -> None:
    patients = seed_patients(desk.database, desk.emulator, REPEATS, tag="О")
    slots = free_slots(desk.database, REPEATS)
    for slot, patient in zip(slots, patients, strict=True):
        desk.emulator.faults.set("SetAppointment", "commit_then_drop", times=1)
        held = desk.bookings.hold(slot, patient)
        assert desk.bookings.book(held.appointment_id).state == AppointmentState.BOOKED

    local, held_left, open_intents = local_tickets([desk.database.url])
    with desk.database.session() as session:
        hub_slots = set(session.scalars(select(Slot.hub_id).where(Slot.id.in_(slots))))
    assert (len(local), held_left, open_intents) == (REPEATS, 0, 0)
    assert local == hub_tickets(desk.emulator, hub_slots)  # one each, nothing on one side only


def _workstation(*args: str) -> list[str]:
    return [sys.executable, "-c", "from workstation.cli import main; raise SystemExit(main())",
            *args]


def _configure_hub(home: Path, emulator: EmulatorServer) -> None:
    config = home / "config" / "workstation.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[[hub]]\nurl = "{emulator.url}"\nguid = "{emulator.guid}"\nname = "эмулятор"\n',
        encoding="utf-8",
    )


def _wait_for(condition: object, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("mis_commits", [True, False], ids=["mis-commits", "mis-drops"])
def test_a_workstation_killed_mid_booking_is_reconciled_when_started_again(
    desk: Desk, workstation_home: Path, mis_commits: bool
) -> None:
    _configure_hub(workstation_home, desk.emulator)
    (patient,) = seed_patients(desk.database, desk.emulator, 1, tag="К")
    slot = free_slots(desk.database, 1)[0]
    # The MIS takes 2 s over the booking; the workstation dies before any answer.
    kind = "latency" if mis_commits else "drop"
    desk.emulator.faults.set("SetAppointment", kind, latency=2.0, times=1)

    booking = subprocess.Popen(
        _workstation("--db", desk.database.url, "bookings", "book",
                     "--slot", str(slot), "--patient", str(patient)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )

    def intent_written() -> bool:
        if booking.poll() is not None:
            output, errors = booking.communicate()
            pytest.fail(f"the booking ended on its own: {output!r} {errors!r}")
        with desk.database.session() as session:
            return session.scalar(select(HubIntent.id)) is not None

    def request_at_the_mis() -> bool:  # the fault is used up when the request arrives
        return not desk.emulator.faults.list()

    try:
        _wait_for(intent_written, "the intent")
        _wait_for(request_at_the_mis, "the request to reach the MIS")
        os.kill(booking.pid, signal.SIGKILL)
    finally:
        booking.communicate(timeout=30)
    assert booking.returncode == -signal.SIGKILL

    with desk.database.session() as session:
        appointment = session.scalars(select(Appointment)).one()
        assert appointment.state == AppointmentState.HELD
        assert session.scalars(select(HubIntent.status)).all() == [IntentStatus.PENDING]
        hub_slot = appointment.hub_appointment_id
    if mis_commits:
        _wait_for(lambda: bool(hub_tickets(desk.emulator, {hub_slot})), "the MIS to commit")
    else:
        time.sleep(2.3)  # the MIS has dropped the request by now

    restarted = subprocess.run(
        _workstation("--db", desk.database.url, "bookings", "reconcile", "--older-than", "0"),
        capture_output=True, text=True, timeout=60, check=False,
    )

    assert restarted.returncode == 0, restarted.stderr
    local, held_left, open_intents = local_tickets([desk.database.url])
    assert (held_left, open_intents) == (0, 0)
    assert local == hub_tickets(desk.emulator, {hub_slot})
    with desk.database.session() as session:
        state = session.scalars(select(Appointment.state)).one()
    if mis_commits:
        assert "записей подтверждено ЛПУ: 1" in restarted.stdout
        assert state == AppointmentState.BOOKED and len(local) == 1
    else:
        assert "откатено: 1" in restarted.stdout
        assert state == AppointmentState.RELEASED and local == set()
