"""The SMS gateway chosen in the ``[sms]`` table of ``workstation.toml``.

Without an ``[sms]`` table (or with ``gateway = "outbox"``) messages are only written to the
outbox table, which the GUI and ``workstation sms outbox`` show: right for the demo and for
sites without an SMS operator. ``gateway = "http"`` sends them to an operator over HTTP::

    [sms]
    gateway = "http"                       # "outbox" (default) or "http"
    url = "https://sms.example.ru/api/send"
    method = "POST"                        # POST (default) or GET
    content_type = "application/json"      # POST body type; values are escaped for it
    # The POST body, or for GET the query string appended to url. Placeholders: $phone
    # (+79123456789), $phone_digits (79123456789), $text, $id (our message id); $$ is a "$".
    body = '{"to": "$phone", "message": "$text", "client_id": "$id"}'
    token = "секрет"                       # Authorization: Bearer; or user + password (Basic)
    timeout = 10                           # seconds
    id_field = "message_id"                # the operator's message id in the JSON answer
                                           # (dots go deeper: "result.0.id"; "" for none)
    # Delivery reports (optional): GET status_url, read status_field from the JSON answer.
    status_url = "https://sms.example.ru/api/status/$provider_id"
    status_field = "status"

    [sms.headers]                          # extra HTTP headers (optional)
    X-Client = "registry"

    [sms.statuses]                         # the operator's final statuses
    DELIVRD = "delivered"
    UNDELIV = "failed"
    REJECTD = "failed"

The HTTP keys are kept but ignored while ``gateway = "outbox"``, so a site can switch the
operator off and on again by one line.
"""

from __future__ import annotations

from collections.abc import Mapping

from workstation.models import SmsStatus
from workstation.services.settings import _config
from workstation.services.sms.gateway import OutboxGateway, SmsGateway
from workstation.services.sms.http_gateway import (
    JSON_CONTENT_TYPE,
    HttpSmsGateway,
    HttpSmsSettings,
)

GATEWAYS = ("outbox", "http")
_TEXT_KEYS = (
    "url",
    "method",
    "body",
    "content_type",
    "user",
    "password",
    "token",
    "id_field",
    "status_url",
    "status_field",
)
_KNOWN_KEYS = frozenset({"gateway", "timeout", "headers", "statuses", *_TEXT_KEYS})
_FINAL_STATUSES = {"delivered": SmsStatus.DELIVERED, "failed": SmsStatus.FAILED}


def configured_sms_gateway() -> SmsGateway:
    """The gateway of the config file; ``ValueError`` (in Russian, naming the key) when the
    ``[sms]`` table is wrong."""
    table = _config().get("sms", {})
    if not isinstance(table, dict):
        raise ValueError("В файле настроек sms должен быть таблицей [sms].")
    return sms_gateway_from(table)


def sms_gateway_from(table: Mapping[str, object]) -> SmsGateway:
    """The gateway described by an ``[sms]`` table."""
    gateway = table.get("gateway", "outbox")
    if gateway not in GATEWAYS:
        raise ValueError(
            f"Настройка [sms] gateway: допустимы «outbox» или «http», указано «{gateway}»."
        )
    if gateway == "outbox":
        return OutboxGateway()
    return HttpSmsGateway(http_settings_from(table))


def http_settings_from(table: Mapping[str, object]) -> HttpSmsSettings:
    """``HttpSmsSettings`` from an ``[sms]`` table (types here, meaning in the settings)."""
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ValueError(
            f"Настройка [sms] {unknown[0]}: неизвестный ключ; допустимы "
            f"{', '.join(sorted(_KNOWN_KEYS))}."
        )
    if "url" not in table:
        raise ValueError("Настройка [sms] url: для gateway = «http» нужен адрес SMS-оператора.")
    text: dict[str, str] = {}
    for key in _TEXT_KEYS:
        if key in table:
            value = table[key]
            if not isinstance(value, str):
                raise ValueError(f"Настройка [sms] {key}: нужна строка в кавычках.")
            text[key] = value
    if "method" in text:
        text["method"] = text["method"].upper()
    timeout = table.get("timeout", 10.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ValueError("Настройка [sms] timeout: нужно число секунд, например 10.")
    return HttpSmsSettings(
        url=text["url"],
        method=text.get("method", "POST"),
        body=text.get("body"),
        content_type=text.get("content_type", JSON_CONTENT_TYPE),
        headers=_string_table(table, "headers"),
        user=text.get("user"),
        password=text.get("password"),
        token=text.get("token"),
        timeout=float(timeout),
        # TOML has no null: an empty id_field says the answer carries no id worth keeping.
        id_field=text.get("id_field", "id") or None,
        status_url=text.get("status_url"),
        status_field=text.get("status_field", "status"),
        statuses=_statuses(table),
    )


def _string_table(table: Mapping[str, object], key: str) -> dict[str, str]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"Настройка [sms] {key}: нужна таблица [sms.{key}].")
    for name, item in value.items():
        if not isinstance(item, str):
            raise ValueError(f"Настройка [sms.{key}] {name}: нужна строка в кавычках.")
    return dict(value)


def _statuses(table: Mapping[str, object]) -> dict[str, SmsStatus]:
    statuses: dict[str, SmsStatus] = {}
    for name, value in _string_table(table, "statuses").items():
        if value not in _FINAL_STATUSES:
            raise ValueError(
                f"Настройка [sms.statuses] {name}: допустимы «delivered» или «failed», "
                f"указано «{value}»."
            )
        statuses[name] = _FINAL_STATUSES[value]
    return statuses
