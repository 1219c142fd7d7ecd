"""An SMS operator reached over HTTP, described by settings instead of code.

Most Russian SMS operators take one HTTP request per message: a JSON or form POST, or a GET with
the message in the query string, and answer with their id of the message. ``HttpSmsSettings``
describes such a request with a ``string.Template`` (``$phone``, ``$phone_digits``, ``$text``,
``$id``); the values are escaped for where they land (JSON string, URL/form encoding, XML), so a
quote or an ampersand in the text cannot break or alter the request.

Errors are classified for the dispatcher: no connection, timeouts, HTTP 5xx, 408 and 429 are
temporary (retry later); other 4xx and unexpected answers are permanent. A read timeout after
the request left may still have been accepted by the operator: the ``$id`` placeholder (our
message id) lets operators that support a client id drop such a repeat.

Nothing here logs or raises with the SMS text (it may hold a confirmation code), the phone
number, the query string (some operators put the API key there) or the credentials.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from string import Template
from typing import Any
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape as xml_escape

import requests

from workstation.models import SmsStatus
from workstation.models.identity import only_digits
from workstation.services.sms.gateway import SendResult, SmsPermanentError, SmsTemporaryError

log = logging.getLogger(__name__)

MESSAGE_PLACEHOLDERS = frozenset({"phone", "phone_digits", "text", "id"})
STATUS_PLACEHOLDERS = frozenset({"provider_id"})
JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
DEFAULT_JSON_BODY = '{"phone": "$phone", "text": "$text", "id": "$id"}'
DEFAULT_QUERY = "phone=$phone&text=$text&id=$id"
# Answers the operator expects to be repeated later, though they are 4xx.
_RETRYABLE_4XX = frozenset({408, 429})


def _escape_json(value: str) -> str:
    # The template puts the value between quotes: escape it as the inside of a JSON string.
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _escape_url(value: str) -> str:
    # Nothing is safe: "+" in "+7..." would read as a space, "&" and "=" would split fields.
    return quote(value, safe="")


def _escape_xml(value: str) -> str:
    return xml_escape(value, {'"': "&quot;", "'": "&apos;"})


def escaper_for(content_type: str) -> Callable[[str], str]:
    """How values are escaped in a body of ``content_type`` (unknown types: as they are)."""
    kind = content_type.lower()
    if "json" in kind:
        return _escape_json
    if "x-www-form-urlencoded" in kind:
        return _escape_url
    if "xml" in kind:
        return _escape_xml
    return str


def render(template: str, values: Mapping[str, str], escape: Callable[[str], str]) -> str:
    """``template`` with each ``$name`` replaced by the escaped value."""
    return Template(template).substitute({key: escape(value) for key, value in values.items()})


def _check_template(key: str, template: str, allowed: frozenset[str]) -> None:
    parsed = Template(template)
    if not parsed.is_valid():
        raise ValueError(
            f"Настройка [sms] {key}: ошибка в подстановках; знак $ пишется как $$, "
            "имена - как $text или ${text}."
        )
    unknown = sorted(set(parsed.get_identifiers()) - allowed)
    if unknown:
        names = ", ".join(f"${name}" for name in sorted(allowed))
        raise ValueError(
            f"Настройка [sms] {key}: неизвестная подстановка ${unknown[0]}; допустимы {names}."
        )


def public_address(url: str) -> str:
    """``url`` without user info, query and fragment: safe to log and show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


@dataclass(frozen=True, repr=False)
class HttpSmsSettings:
    """How to send an SMS (and ask for its delivery) over HTTP. Field names are the keys of the
    ``[sms]`` table of the config file (see ``sms.config``)."""

    url: str
    method: str = "POST"
    body: str | None = None
    """The request body (POST) or query string (GET); ``None``: ``DEFAULT_JSON_BODY`` or
    ``DEFAULT_QUERY``."""
    content_type: str = JSON_CONTENT_TYPE
    headers: Mapping[str, str] = field(default_factory=dict)
    user: str | None = None
    password: str | None = None
    token: str | None = None
    """Sent as ``Authorization: Bearer``; excludes ``user``/``password``."""
    timeout: float = 10.0
    id_field: str | None = "id"
    """Where the operator's message id is in the JSON answer; dots go deeper (``result.id``)."""
    status_url: str | None = None
    """Delivery report address with ``$provider_id``; ``None``: reports are not asked for."""
    status_field: str = "status"
    statuses: Mapping[str, SmsStatus] = field(default_factory=dict)
    """The operator's status values that are final: to ``DELIVERED`` or ``FAILED``."""

    def __post_init__(self) -> None:
        if urlsplit(self.url).scheme not in ("http", "https") or not urlsplit(self.url).hostname:
            raise ValueError("Настройка [sms] url: нужен адрес вида https://сервер/путь.")
        if self.method not in ("GET", "POST"):
            raise ValueError(
                f"Настройка [sms] method: допустимы GET или POST, указано «{self.method}»."
            )
        _check_template("body", self.request_template, MESSAGE_PLACEHOLDERS)
        if self.status_url is not None:
            _check_template("status_url", self.status_url, STATUS_PLACEHOLDERS)
            if urlsplit(self.status_url).scheme not in ("http", "https"):
                raise ValueError(
                    "Настройка [sms] status_url: нужен адрес вида https://сервер/путь."
                )
        if not self.timeout > 0:
            raise ValueError("Настройка [sms] timeout: нужно положительное число секунд.")
        if self.token is not None and (self.user is not None or self.password is not None):
            raise ValueError(
                "Настройки [sms] token и user/password исключают друг друга: укажите что-то одно."
            )
        if (self.user is None) != (self.password is None):
            raise ValueError("Настройки [sms] user и password указываются вместе.")
        final = {SmsStatus.DELIVERED, SmsStatus.FAILED}
        for value, status in self.statuses.items():
            if status not in final:
                raise ValueError(
                    f"Настройка [sms.statuses] «{value}»: допустимы delivered или failed."
                )

    @property
    def request_template(self) -> str:
        """The body (POST) or query (GET) template in effect."""
        if self.body is not None:
            return self.body
        return DEFAULT_QUERY if self.method == "GET" else DEFAULT_JSON_BODY

    @property
    def auth_kind(self) -> str:
        """``basic``, ``bearer`` or ``none`` (for repr and diagnostics)."""
        if self.token is not None:
            return "bearer"
        return "basic" if self.user is not None else "none"

    def __repr__(self) -> str:
        # Header values may be API keys and the query string may hold one: names only.
        return (
            f"HttpSmsSettings(url={public_address(self.url)!r}, method={self.method!r}, "
            f"content_type={self.content_type!r}, auth={self.auth_kind!r}, "
            f"headers={sorted(self.headers)!r}, timeout={self.timeout!r}, "
            f"id_field={self.id_field!r}, status_url="
            f"{public_address(self.status_url) if self.status_url else None!r})"
        )


def json_field(document: Any, path: str) -> Any:
    """The value at the dotted ``path`` (list items by index), or ``None`` when it is missing."""
    value = document
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int):
        return str(value)
    return None


class HttpSmsGateway:
    """Sends each message with one HTTP request to the operator (``HttpSmsSettings``)."""

    name = "http"
    external = True

    def __init__(self, settings: HttpSmsSettings) -> None:
        self.settings = settings
        self._session = requests.Session()
        if settings.user is not None and settings.password is not None:
            self._session.auth = (settings.user, settings.password)
        self._session.headers.update(settings.headers)
        if settings.token is not None:
            self._session.headers["Authorization"] = f"Bearer {settings.token}"
        self._session.headers["User-Agent"] = "RegistryWorkstation (sms)"

    def send(self, message_id: int, phone: str, text: str) -> SendResult:
        values = {
            "phone": phone,
            "phone_digits": only_digits(phone),
            "text": text,
            "id": str(message_id),
        }
        settings = self.settings
        if settings.method == "GET":
            query = render(settings.request_template, values, _escape_url)
            separator = "&" if urlsplit(settings.url).query else "?"
            response = self._request("GET", f"{settings.url}{separator}{query}")
        else:
            body = render(settings.request_template, values, escaper_for(settings.content_type))
            response = self._request(
                "POST",
                settings.url,
                data=body.encode("utf-8"),
                headers={"Content-Type": settings.content_type},
            )
        provider_id = self._provider_id(response)
        log.info("SMS %d принято оператором, его номер сообщения: %s", message_id, provider_id)
        return SendResult(provider_message_id=provider_id, status=SmsStatus.SENT)

    def delivery_status(self, provider_message_id: str) -> SmsStatus | None:
        if self.settings.status_url is None:
            return None
        url = render(self.settings.status_url, {"provider_id": provider_message_id}, _escape_url)
        document = self._json(self._request("GET", url))
        reported = _scalar_text(json_field(document, self.settings.status_field))
        if reported is None:
            return None
        return self.settings.statuses.get(reported)

    def close(self) -> None:
        self._session.close()

    def __repr__(self) -> str:
        return f"HttpSmsGateway({self.settings!r})"

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        where = public_address(url)
        # requests' own messages repeat the full URL (query with the text or an API key):
        # only our sentences leave this function.
        try:
            response: requests.Response = self._session.request(
                method, url, timeout=self.settings.timeout, allow_redirects=False, **kwargs
            )
        except requests.Timeout:
            raise SmsTemporaryError(
                f"SMS-оператор {where} не ответил за {self.settings.timeout:g} с."
            ) from None
        except requests.ConnectionError:
            raise SmsTemporaryError(f"Нет связи с SMS-оператором {where}.") from None
        except requests.RequestException as error:
            # requests marks a request it cannot even build (bad URL, header) as a ValueError.
            failure = SmsPermanentError if isinstance(error, ValueError) else SmsTemporaryError
            raise failure(
                f"Запрос к SMS-оператору {where} не выполнен ({type(error).__name__})."
            ) from None
        code = response.status_code
        if 200 <= code < 300:
            return response
        answer = f"SMS-оператор {where} ответил HTTP {code} {response.reason or ''}".rstrip()
        response.close()
        if code >= 500 or code in _RETRYABLE_4XX:
            raise SmsTemporaryError(answer + ", повтор позже.")
        raise SmsPermanentError(answer + ".")

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            log.warning("Ответ SMS-оператора %s - не JSON", public_address(response.url))
            return None

    def _provider_id(self, response: requests.Response) -> str | None:
        if self.settings.id_field is None:
            return None
        provider_id = _scalar_text(json_field(self._json(response), self.settings.id_field))
        if provider_id is None:
            # Accepted (2xx) all the same: sending again could deliver it twice.
            log.warning("В ответе SMS-оператора нет поля %s", self.settings.id_field)
        return provider_id
