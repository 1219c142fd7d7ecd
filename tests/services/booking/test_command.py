"""The lifecycle on the command line: book, read the SMS outbox, confirm, show, cancel, jobs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers.booking_desk import free_slots, seed_patients
from tests.services.booking.conftest import Desk
from workstation.cli import main
from workstation.models import SmsMessage


def _configure_hub(home: Path, desk: Desk) -> None:
    config = home / "config" / "workstation.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[[hub]]\nurl = "{desk.emulator.url}"\nguid = "{desk.emulator.guid}"\nname = "ЛПУ"\n',
        encoding="utf-8",
    )


def test_a_booking_is_driven_from_the_command_line(
    desk: Desk, workstation_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _configure_hub(workstation_home, desk)
    (patient,) = seed_patients(desk.database, desk.emulator, 1, tag="Кл")
    slot = free_slots(desk.database, 1)[0]
    db = ["--db", desk.database.url]

    assert main(["bookings", "book", *db, "--slot", str(slot), "--patient", str(patient),
                 "--phone", "+7 912 345-67-89"]) == 0
    booked = capsys.readouterr().out
    ticket = re.search(r"Талон №(\d+) — ожидает подтверждения кодом из СМС", booked)
    assert ticket is not None, booked
    assert "Ожидает подтверждения кодом из СМС до" in booked

    assert main(["sms", "outbox", *db]) == 0
    outbox = capsys.readouterr().out
    assert "+7 912 ***-**-89" in outbox and "+79123456789" not in outbox
    with desk.database.session() as session:
        text = session.scalars(select(SmsMessage.text)).one()
    code = re.search(r": (\d{6})\.", text)
    assert code is not None

    assert main(["bookings", "confirm", *db, ticket.group(1), "000000"
                 if code.group(1) != "000000" else "111111"]) == 1
    assert "Неверный код подтверждения" in capsys.readouterr().err
    assert main(["bookings", "confirm", *db, ticket.group(1), code.group(1)]) == 0
    assert "Запись на прием подтверждена." in capsys.readouterr().out
    assert main(["bookings", "show", *db, ticket.group(1)]) == 0
    assert f"Талон №{ticket.group(1)} — активен" in capsys.readouterr().out
    assert main(["bookings", "cancel", *db, ticket.group(1)]) == 0
    assert f"Талон №{ticket.group(1)} — отменён" in capsys.readouterr().out
    assert main(["jobs", "run-once", *db]) == 0
    assert "аннулировано: 0" in capsys.readouterr().out
    assert main(["bookings", "reconcile", *db]) == 0
    assert "Сверка с ЛПУ" in capsys.readouterr().out


def test_mistakes_on_the_command_line_are_explained(
    desk: Desk, workstation_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", desk.database.url]
    assert main(["bookings", "cancel", *db, "42"]) == 2  # no hub configured yet
    assert "[[hub]]" in capsys.readouterr().err
    _configure_hub(workstation_home, desk)
    assert main(["bookings", "cancel", *db, "42"]) == 1
    assert "Талон №42 не найден" in capsys.readouterr().err
    assert main(["bookings", "book", *db, "--slot", "999999", "--patient", "1"]) == 1
    assert "Талон не найден в расписании" in capsys.readouterr().err
