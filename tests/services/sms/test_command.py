"""``workstation sms outbox`` and ``workstation sms dispatch`` output."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.services.sms.conftest import Clock, SmsOperator
from workstation.models import SmsKind, SmsMessage, SmsStatus
from workstation.services.database import Database
from workstation.services.sms.command import run_dispatch, run_outbox
from workstation.services.sms.queue import enqueue

MOMENT = dt.datetime(2025, 3, 12, 5, 7, tzinfo=dt.UTC)


def add(
    database: Database,
    text: str,
    kind: SmsKind,
    *,
    minutes: int,
    status: SmsStatus = SmsStatus.QUEUED,
    last_error: str = "",
    phone: str = "+79123456767",
) -> None:
    with database.session() as session:
        message = enqueue(session, phone, text, kind)
        message.created_at = MOMENT + dt.timedelta(minutes=minutes)
        message.status = status
        message.last_error = last_error


def columns(line: str) -> list[str]:
    return re.split(r" {2,}", line)


def outbox(database: Database, limit: int = 20) -> list[str]:
    out = io.StringIO()
    assert run_outbox(database.url, limit=limit, out=out) == 0
    return out.getvalue().splitlines()


def test_the_outbox_shows_masked_phones_and_russian_labels(database: Database) -> None:
    add(
        database,
        "Код подтверждения: 482913",
        SmsKind.CONFIRMATION_CODE,
        minutes=0,
        status=SmsStatus.DELIVERED,
    )
    add(
        database,
        "Запись отменена",
        SmsKind.CANCELLATION,
        minutes=1,
        status=SmsStatus.FAILED,
        last_error="SMS-оператор ответил HTTP 400 Bad Request.",
    )

    header, rule, cancelled, error, code = outbox(database)

    assert columns(header) == ["Время", "Телефон", "Вид", "Статус", "Текст"]
    assert set(rule) == {"-", " "}
    local = (MOMENT + dt.timedelta(minutes=1)).astimezone().strftime("%d.%m.%Y %H:%M")
    assert columns(cancelled) == [local, "+7 912 ***-**-67", "отмена", "ошибка", "Запись отменена"]
    assert error == "    ↳ SMS-оператор ответил HTTP 400 Bad Request."
    assert columns(code)[2:] == ["код подтверждения", "доставлено", "Код подтверждения: 482913"]
    # Columns line up under the header.
    assert code.index("+7 912") == header.index("Телефон") == cancelled.index("+7 912")
    assert code.index("доставлено") == header.index("Статус") == cancelled.index("ошибка")


def test_the_outbox_lists_the_newest_first_up_to_the_limit(database: Database) -> None:
    for minutes in range(5):
        add(database, f"Напоминание {minutes}", SmsKind.REMINDER, minutes=minutes)

    lines = outbox(database, limit=2)

    assert [columns(line)[-1] for line in lines[2:]] == ["Напоминание 4", "Напоминание 3"]
    assert columns(lines[2])[3] == "в очереди"
    assert "9123456767" not in "".join(lines)


def test_an_empty_outbox_says_so(database: Database) -> None:
    assert outbox(database) == ["Исходящих SMS нет."]


def test_dispatch_delivers_to_the_outbox_by_default(database: Database) -> None:
    add(database, "Вы записаны", SmsKind.BOOKED, minutes=0)
    out = io.StringIO()

    assert run_dispatch(database.url, out=out) == 0

    assert out.getvalue() == (
        "SMS через «outbox»: отправлено: 0, доставлено: 1, отложено до повтора: 0, "
        "не отправлено: 0.\n"
    )
    assert "доставлено" in outbox(database)[2]


def test_dispatch_through_the_configured_operator(
    database: Database, operator: SmsOperator, workstation_home: Path, clock: Clock
) -> None:
    config = workstation_home / "config" / "workstation.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[sms]\ngateway = "http"\nurl = "{operator.url}/send"\n', "utf-8")
    add(database, "Вы записаны", SmsKind.BOOKED, minutes=0)
    out = io.StringIO()

    assert run_dispatch(database.url, out=out, clock=clock) == 0

    assert out.getvalue().startswith("SMS через «http»: отправлено: 1,")
    assert "; отчеты о доставке: доставлено 0," in out.getvalue()
    assert len(operator.sends()) == 1
    with database.session() as session:
        assert session.scalars(select(SmsMessage.status)).one() == SmsStatus.SENT


def test_dispatch_refuses_a_broken_config(
    database: Database, workstation_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workstation_home / "config" / "workstation.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[sms]\ngateway = "smpp"\n', "utf-8")

    assert run_dispatch(database.url, out=io.StringIO()) == 2
    assert "[sms] gateway" in capsys.readouterr().err
