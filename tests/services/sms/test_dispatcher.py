"""The dispatcher on both databases: retries with backoff, giving up, delivery reports, code
redaction, and two dispatchers sharing one database."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.services.sms.conftest import Clock, Reply, SmsOperator
from workstation.models import SmsKind, SmsMessage, SmsStatus
from workstation.services.database import Database
from workstation.services.sms.dispatcher import (
    DispatchReport,
    PollReport,
    dispatch_due,
    poll_delivery,
    redact_code,
)
from workstation.services.sms.gateway import OutboxGateway, SendResult
from workstation.services.sms.http_gateway import HttpSmsGateway
from workstation.services.sms.queue import enqueue

PHONE = "+79123456789"
CODE_TEXT = "Код подтверждения записи: 482913. Никому его не сообщайте."


def queue(database: Database, text: str = "Вы записаны", kind: SmsKind = SmsKind.BOOKED) -> int:
    with database.session() as session:
        message = enqueue(session, PHONE, text, kind)
        session.flush()
        return message.id


def load(database: Database, message_id: int) -> SmsMessage:
    with database.session() as session:
        message = session.get(SmsMessage, message_id)
        assert message is not None
        return message


@pytest.fixture
def gateway(operator: SmsOperator) -> Iterator[HttpSmsGateway]:
    http = HttpSmsGateway(operator.settings())
    yield http
    http.close()


def test_a_temporary_error_is_retried_then_sent_and_delivered(
    database: Database, operator: SmsOperator, gateway: HttpSmsGateway, clock: Clock
) -> None:
    operator.script.extend([Reply(500, {"error": "busy"}), Reply(200, {"message_id": "op-77"})])
    message_id = queue(database)
    start = clock.now

    assert dispatch_due(database, gateway, clock=clock) == DispatchReport(retried=1)
    retrying = load(database, message_id)
    assert (retrying.status, retrying.attempts) == (SmsStatus.QUEUED, 1)
    assert retrying.next_attempt_at == start + dt.timedelta(seconds=30)
    assert "HTTP 500" in retrying.last_error

    clock.advance(seconds=29)
    assert dispatch_due(database, gateway, clock=clock) == DispatchReport()
    clock.advance(seconds=1)
    assert dispatch_due(database, gateway, clock=clock) == DispatchReport(sent=1)
    sent = load(database, message_id)
    assert (sent.status, sent.attempts, sent.provider_message_id) == (SmsStatus.SENT, 2, "op-77")
    assert (sent.gateway, sent.last_error, sent.sent_at) == ("http", "", clock.now)
    assert len(operator.sends()) == 2

    assert poll_delivery(database, gateway, clock=clock) == PollReport(pending=1)
    operator.statuses["op-77"] = "DELIVRD"
    clock.advance(minutes=3)
    assert poll_delivery(database, gateway, clock=clock) == PollReport(delivered=1)
    delivered = load(database, message_id)
    assert (delivered.status, delivered.delivered_at) == (SmsStatus.DELIVERED, clock.now)
    assert poll_delivery(database, gateway, clock=clock) == PollReport()


def test_a_rejected_message_fails_without_retry(
    database: Database, operator: SmsOperator, gateway: HttpSmsGateway, clock: Clock
) -> None:
    operator.script.append(Reply(400, {"error": "invalid number"}))
    message_id = queue(database)

    assert dispatch_due(database, gateway, clock=clock) == DispatchReport(failed=1)
    clock.advance(days=1)
    assert dispatch_due(database, gateway, clock=clock) == DispatchReport()
    failed = load(database, message_id)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (SmsStatus.FAILED, 1, None)
    assert "HTTP 400" in failed.last_error
    assert len(operator.sends()) == 1


def test_timeouts_back_off_and_then_give_up(
    database: Database, operator: SmsOperator, clock: Clock
) -> None:
    operator.script.extend(Reply(200, {"message_id": "late"}, delay=2.0) for _ in range(5))
    gateway = HttpSmsGateway(operator.settings(timeout=0.05))
    message_id = queue(database)
    waits = []
    try:
        for _ in range(4):
            assert dispatch_due(database, gateway, clock=clock) == DispatchReport(retried=1)
            due = load(database, message_id).next_attempt_at
            assert due is not None
            waits.append(due - clock.now)
            clock.now = due - dt.timedelta(seconds=1)
            assert dispatch_due(database, gateway, clock=clock) == DispatchReport()
            clock.now = due
        assert dispatch_due(database, gateway, clock=clock) == DispatchReport(failed=1)
    finally:
        gateway.close()
    assert waits == [dt.timedelta(minutes=m) for m in (0.5, 2, 8, 32)]
    failed = load(database, message_id)
    assert (failed.status, failed.attempts) == (SmsStatus.FAILED, 5)
    assert "не ответил" in failed.last_error
    assert len(operator.sends()) == 5


def test_two_dispatchers_send_each_message_exactly_once(
    database: Database, operator: SmsOperator
) -> None:
    # A small delay per request keeps both dispatchers busy at the same time.
    operator.script.extend(Reply(200, {"message_id": f"op-{n}"}, delay=0.002) for n in range(20))
    ids = [queue(database, f"Сообщение {n}") for n in range(20)]
    start = threading.Barrier(2)
    reports: list[DispatchReport] = []

    def run() -> None:
        gateway = HttpSmsGateway(operator.settings())
        try:
            start.wait()
            reports.append(dispatch_due(database, gateway))
        finally:
            gateway.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    sent_ids = sorted(int(json.loads(request.body)["client_id"]) for request in operator.sends())
    assert sent_ids == ids
    assert sum(report.sent for report in reports) == 20
    # Both really worked through the same rows (so half of their claims lost the race).
    assert all(report.sent for report in reports)
    with database.session() as session:
        messages = session.scalars(select(SmsMessage)).all()
        assert {(m.status, m.attempts) for m in messages} == {(SmsStatus.SENT, 1)}


def test_an_operator_gets_the_code_and_the_database_keeps_only_asterisks(
    database: Database, operator: SmsOperator, gateway: HttpSmsGateway, clock: Clock
) -> None:
    code_id = queue(database, CODE_TEXT, SmsKind.CONFIRMATION_CODE)
    booked_id = queue(database, "Талон 1234 на 12.03 в 10:30", SmsKind.BOOKED)

    assert dispatch_due(database, gateway, clock=clock) == DispatchReport(sent=2)
    assert CODE_TEXT in operator.sends()[0].body.decode()
    assert load(database, code_id).text == (
        "Код подтверждения записи: ******. Никому его не сообщайте."
    )
    assert load(database, booked_id).text == "Талон 1234 на 12.03 в 10:30"


def test_a_code_stays_for_the_retry_and_goes_when_given_up(
    database: Database, operator: SmsOperator, gateway: HttpSmsGateway, clock: Clock
) -> None:
    operator.script.extend([Reply(503, {}), Reply(400, {})])
    code_id = queue(database, CODE_TEXT, SmsKind.CONFIRMATION_CODE)

    assert dispatch_due(database, gateway, clock=clock) == DispatchReport(retried=1)
    assert load(database, code_id).text == CODE_TEXT
    clock.advance(minutes=1)
    assert dispatch_due(database, gateway, clock=clock) == DispatchReport(failed=1)
    assert "482913" not in load(database, code_id).text
    assert CODE_TEXT in operator.sends()[1].body.decode()


def test_the_outbox_gateway_delivers_at_once_and_keeps_the_code(
    database: Database, clock: Clock
) -> None:
    code_id = queue(database, CODE_TEXT, SmsKind.CONFIRMATION_CODE)

    assert dispatch_due(database, OutboxGateway(), clock=clock) == DispatchReport(delivered=1)
    message = load(database, code_id)
    assert (message.status, message.gateway, message.text) == (
        SmsStatus.DELIVERED,
        "outbox",
        CODE_TEXT,
    )
    assert message.sent_at == message.delivered_at == clock.now


def test_delivery_reports_record_failures_and_stop_after_two_days(
    database: Database, operator: SmsOperator, gateway: HttpSmsGateway, clock: Clock
) -> None:
    operator.script.extend(Reply(200, {"message_id": f"op-{n}"}) for n in (1, 2, 3))
    old_id = queue(database)
    dispatch_due(database, gateway, clock=clock)
    clock.advance(days=2, seconds=1)
    lost_id, waiting_id = queue(database), queue(database)
    dispatch_due(database, gateway, clock=clock)
    operator.statuses.update({"op-1": "DELIVRD", "op-2": "UNDELIV", "op-3": "ENROUTE"})

    assert poll_delivery(database, gateway, clock=clock) == PollReport(failed=1, pending=1)
    lost = load(database, lost_id)
    assert (lost.status, lost.last_error) == (
        SmsStatus.FAILED,
        "Оператор сообщил, что SMS не доставлено.",
    )
    assert load(database, waiting_id).status == SmsStatus.SENT
    assert load(database, old_id).status == SmsStatus.SENT  # too old to ask about
    assert [r.path for r in operator.received if r.path.startswith("/status/")] == [
        "/status/op-2",
        "/status/op-3",
    ]


def test_polling_stops_when_the_operator_is_down(
    database: Database, operator: SmsOperator, gateway: HttpSmsGateway, clock: Clock
) -> None:
    for _ in range(3):
        queue(database)
    dispatch_due(database, gateway, clock=clock)
    operator.status_replies.append(Reply(503, {}))

    assert poll_delivery(database, gateway, clock=clock) == PollReport(pending=3)
    assert len([r for r in operator.received if r.path.startswith("/status/")]) == 1


def test_the_text_and_the_phone_never_reach_the_log(
    database: Database,
    operator: SmsOperator,
    gateway: HttpSmsGateway,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    operator.script.extend([Reply(500, {}), Reply(400, {}), Reply(200, {})])
    for _ in range(3):
        queue(database, CODE_TEXT, SmsKind.CONFIRMATION_CODE)
    with caplog.at_level(logging.DEBUG, logger="workstation"):
        dispatch_due(database, gateway, clock=clock)
    logged = [r for r in caplog.records if r.name.startswith("workstation")]
    assert len(logged) >= 3
    for record in logged:
        assert "482913" not in record.getMessage()
        assert "9123456789" not in record.getMessage()


def test_a_gateway_bug_is_a_temporary_failure(database: Database, clock: Clock) -> None:
    class Broken(OutboxGateway):
        def send(self, message_id: int, phone: str, text: str) -> SendResult:
            if message_id == first:
                raise RuntimeError(text)
            return super().send(message_id, phone, text)

    first, second = queue(database, CODE_TEXT), queue(database)
    assert dispatch_due(database, Broken(), clock=clock) == DispatchReport(delivered=1, retried=1)
    assert load(database, second).status == SmsStatus.DELIVERED
    broken = load(database, first)
    assert (broken.status, broken.attempts) == (SmsStatus.QUEUED, 1)
    assert broken.next_attempt_at == clock.now + dt.timedelta(seconds=30)
    assert broken.last_error == "Сбой шлюза outbox (RuntimeError), повтор позже."


def test_redaction_hides_code_like_runs_only() -> None:
    assert redact_code("Код 0042, запись 12.03 в 9:05") == "Код ****, запись 12.03 в 9:05"
