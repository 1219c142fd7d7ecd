"""The HTTP gateway against a real operator on loopback: requests, escaping, errors, reports."""

from __future__ import annotations

import base64
import json
import socket
from urllib.parse import parse_qs

import pytest

from tests.services.sms.conftest import Reply, SmsOperator
from workstation.models import SmsStatus
from workstation.services.sms.gateway import (
    OutboxGateway,
    SendResult,
    SmsPermanentError,
    SmsTemporaryError,
)
from workstation.services.sms.http_gateway import (
    FORM_CONTENT_TYPE,
    HttpSmsGateway,
    HttpSmsSettings,
    escaper_for,
    render,
)

PHONE = "+79123456789"
# Everything that could break out of a JSON string, a form field or an XML text.
TRICKY = "Код \"1234\"\nот \\ клиники & <b>a=b</b> + 100% 'ок' ✓"


def send(operator: SmsOperator, text: str = TRICKY, **settings: object) -> SendResult:
    gateway = HttpSmsGateway(operator.settings(**settings))
    try:
        return gateway.send(41, PHONE, text)
    finally:
        gateway.close()


def test_json_body_carries_the_values_exactly(operator: SmsOperator) -> None:
    result = send(operator)
    (request,) = operator.sends()
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"to": PHONE, "text": TRICKY, "client_id": "41"}
    assert result == SendResult(provider_message_id="op-1", status=SmsStatus.SENT)


def test_form_body_is_url_encoded(operator: SmsOperator) -> None:
    send(
        operator,
        content_type=FORM_CONTENT_TYPE,
        body="to=$phone_digits&from=$phone&msg=$text&ref=$id",
    )
    (request,) = operator.sends()
    fields = parse_qs(request.body.decode(), keep_blank_values=True, strict_parsing=True)
    assert fields == {"to": ["79123456789"], "from": [PHONE], "msg": [TRICKY], "ref": ["41"]}


def test_get_appends_the_encoded_query_to_the_configured_one(operator: SmsOperator) -> None:
    send(
        operator,
        url=f"{operator.url}/send?api_id=K3Y",
        method="GET",
        body="to=$phone&msg=$text",
    )
    (request,) = operator.sends()
    assert request.method == "GET"
    assert request.body == b""
    fields = parse_qs(request.query, strict_parsing=True)
    assert fields == {"api_id": ["K3Y"], "to": [PHONE], "msg": [TRICKY]}


def test_xml_body_is_escaped() -> None:
    body = render(
        "<sms><text>$text</text><to>$phone</to></sms>",
        {"text": 'a < b & "c"', "phone": PHONE},
        escaper_for("application/xml; charset=utf-8"),
    )
    assert body == "<sms><text>a &lt; b &amp; &quot;c&quot;</text><to>+79123456789</to></sms>"


def test_basic_credentials_are_sent_but_never_shown(operator: SmsOperator) -> None:
    settings = operator.settings(user="clinic", password="s3cr3t-pass")
    gateway = HttpSmsGateway(settings)
    gateway.send(1, PHONE, "Текст")
    gateway.close()
    (request,) = operator.sends()
    expected = base64.b64encode(b"clinic:s3cr3t-pass").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    for shown in (repr(settings), repr(gateway)):
        assert "s3cr3t-pass" not in shown
        assert expected not in shown
        assert "basic" in shown


def test_token_header_values_and_url_keys_stay_out_of_repr(operator: SmsOperator) -> None:
    settings = operator.settings(
        url=f"{operator.url}/send?api_id=URLKEY",
        token="TOKEN-123",
        headers={"X-Api-Key": "HEADERKEY"},
    )
    gateway = HttpSmsGateway(settings)
    gateway.send(1, PHONE, "Текст")
    gateway.close()
    (request,) = operator.sends()
    assert request.headers["Authorization"] == "Bearer TOKEN-123"
    assert request.headers["X-Api-Key"] == "HEADERKEY"
    shown = repr(gateway)
    assert "X-Api-Key" in shown
    for secret in ("TOKEN-123", "HEADERKEY", "URLKEY"):
        assert secret not in shown


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_server_errors_and_throttling_are_temporary(operator: SmsOperator, status: int) -> None:
    operator.script.append(Reply(status, {"error": "busy"}))
    with pytest.raises(SmsTemporaryError) as caught:
        send(operator)
    assert f"HTTP {status}" in caught.value.message


@pytest.mark.parametrize("status", [400, 401, 403, 404, 302])
def test_rejections_are_permanent(operator: SmsOperator, status: int) -> None:
    operator.script.append(Reply(status, {"error": "bad"}))
    with pytest.raises(SmsPermanentError) as caught:
        send(operator)
    assert f"HTTP {status}" in caught.value.message


def test_error_messages_hold_neither_the_text_nor_the_query(operator: SmsOperator) -> None:
    operator.script.append(Reply(400, {"error": TRICKY}))
    with pytest.raises(SmsPermanentError) as caught:
        send(operator, "Код 482913", url=f"{operator.url}/send?api_id=K3Y", method="GET")
    assert caught.value.message.startswith(f"SMS-оператор {operator.url}/send ответил HTTP 400")
    for private in ("482913", "K3Y", "79123456789"):
        assert private not in str(caught.value)


def test_a_timeout_is_temporary(operator: SmsOperator) -> None:
    operator.script.append(Reply(200, {"message_id": "late"}, delay=2.0))
    with pytest.raises(SmsTemporaryError) as caught:
        send(operator, timeout=0.1)
    assert "не ответил за 0.1 с" in caught.value.message


def test_no_connection_is_temporary() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = HttpSmsGateway(HttpSmsSettings(url=f"http://127.0.0.1:{port}/send?key=K3Y"))
    with pytest.raises(SmsTemporaryError) as caught:
        gateway.send(1, PHONE, "Код 482913")
    gateway.close()
    assert caught.value.message == f"Нет связи с SMS-оператором http://127.0.0.1:{port}/send."


def test_an_accepted_message_without_an_id_counts_as_sent(operator: SmsOperator) -> None:
    operator.script.append(Reply(200, b"OK"))
    assert send(operator) == SendResult(provider_message_id=None, status=SmsStatus.SENT)


def test_the_id_may_be_nested_and_numeric(operator: SmsOperator) -> None:
    operator.script.append(Reply(200, {"result": [{"sms_id": 9001}]}))
    assert send(operator, id_field="result.0.sms_id").provider_message_id == "9001"


def test_delivery_status_maps_the_operator_states(operator: SmsOperator) -> None:
    operator.statuses.update({"a/1 b": "DELIVRD", "op-2": "UNDELIV", "op-3": "ENROUTE"})
    gateway = HttpSmsGateway(operator.settings())
    try:
        answers = [gateway.delivery_status(pid) for pid in ("a/1 b", "op-2", "op-3", "op-4")]
    finally:
        gateway.close()
    assert answers == [SmsStatus.DELIVERED, SmsStatus.FAILED, None, None]
    # The id is one path segment, whatever it holds.
    assert operator.received[0].path == "/status/a%2F1%20b"


def test_without_a_status_url_delivery_is_not_asked(operator: SmsOperator) -> None:
    gateway = HttpSmsGateway(operator.settings(status_url=None))
    assert gateway.delivery_status("op-1") is None
    gateway.close()
    assert operator.received == []


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"body": '{"text": "$txt"}'}, "body: неизвестная подстановка $txt"),
        ({"body": "cost: 5$"}, "body: ошибка в подстановках"),
        ({"status_url": "http://op/status/$id"}, "status_url: неизвестная подстановка $id"),
        ({"method": "PUT"}, "method"),
        ({"url": "ftp://op/send"}, "url"),
        ({"timeout": 0.0}, "timeout"),
        ({"token": "t", "user": "u", "password": "p"}, "token"),
        ({"user": "u"}, "user и password"),
        ({"statuses": {"ENROUTE": SmsStatus.SENT}}, "ENROUTE"),
    ],
)
def test_settings_refuse_what_cannot_work(overrides: dict[str, object], complaint: str) -> None:
    values: dict[str, object] = {"url": "https://op.example/send", **overrides}
    with pytest.raises(ValueError, match="Настройк") as caught:
        HttpSmsSettings(**values)  # type: ignore[arg-type]
    assert complaint in str(caught.value)


def test_the_outbox_gateway_delivers_without_network() -> None:
    gateway = OutboxGateway()
    assert gateway.send(1, PHONE, "Код 482913") == SendResult(None, SmsStatus.DELIVERED)
    assert gateway.delivery_status("x") is None
    assert (gateway.name, gateway.external) == ("outbox", False)
