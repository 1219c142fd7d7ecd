"""The emulator's WSGI application: WSDL/XSD, SOAP dispatch on SOAPAction, faults, control API.

Routes:

* ``GET  <service>?wsdl`` - the WSDL; ``GET <service>?xsd=<name>`` or ``GET /<name>.xsd`` - schemas;
* ``POST <service>`` - SOAP 1.1, dispatched on the ``SOAPAction`` header;
* ``GET/POST/DELETE /_emulator/faults`` - the fault-injection control endpoint (JSON);
* ``GET /_emulator/health`` - ``{"status": "ok"}``.

Requests are limited to :data:`MAX_REQUEST_BYTES` (HTTP 413 beyond) and parsed without DTDs,
entities or network access (a request carrying a DTD gets a SOAP Client fault, HTTP 400).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from workstation.services.emulator.faults import Fault, FaultKind, FaultRegistry
from workstation.services.emulator.operations import OPERATIONS
from workstation.services.emulator.soap import (
    Failure,
    Params,
    RequestError,
    fault_envelope,
    operation_of,
    parse_envelope,
    result_envelope,
    serialise,
)
from workstation.services.emulator.state import TECHNICAL, BusinessError, EmulatorState
from workstation.services.emulator.wsdl import wsdl_document, xsd_document

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1024 * 1024
SERVICE_PATH = "/HubService.svc"
CONTROL_PREFIX = "/_emulator/"
WRONG_GUID = (
    "Доступ запрещён: неизвестный guid клиентской системы. "
    "Укажите guid, выданный для подключения к сервису."
)

StartResponse = Callable[..., Any]
Body = Iterable[bytes]


class _TooLarge(Exception):
    pass


def _respond(start_response: StartResponse, status: str, body: bytes, content_type: str) -> Body:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _xml(start_response: StartResponse, body: bytes, status: str = "200 OK") -> Body:
    return _respond(start_response, status, body, "text/xml; charset=utf-8")


def _json(start_response: StartResponse, data: Any, status: str = "200 OK") -> Body:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return _respond(start_response, status, body, "application/json; charset=utf-8")


def _soap_fault(start_response: StartResponse, message: str, status: int = 500) -> Body:
    code = "s:Client" if status < 500 else "s:Server"
    reason = {400: "Bad Request", 500: "Internal Server Error"}.get(status, "Error")
    return _xml(start_response, serialise(fault_envelope(message, code=code)), f"{status} {reason}")


def drop_connection(environ: dict[str, Any], start_response: StartResponse) -> Body:
    """Close the client's connection without an answer.

    Under waitress the channel is reachable through ``waitress.client_disconnected`` (a bound
    method of the channel): its socket is shut down so the client sees the connection closed
    before any byte of a response. Other servers get a response that promises a body it never
    sends (the client sees a broken, incomplete answer).
    """
    check = environ.get("waitress.client_disconnected")
    sock = getattr(getattr(check, "__self__", None), "socket", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        start_response("500 Dropped", [("Content-Length", "0")])
        return []
    start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", "1048576")])
    return [b"<s:Envelope"]


def _read_body(environ: dict[str, Any], limit: int) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise _TooLarge
    stream = environ["wsgi.input"]
    body: bytes = stream.read(length) if length else stream.read(limit + 1)
    if len(body) > limit:
        raise _TooLarge
    return body


class EmulatorApp:
    """The WSGI callable. ``state`` holds the MIS; ``faults`` the injected faults."""

    def __init__(
        self,
        state: EmulatorState,
        faults: FaultRegistry | None = None,
        *,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ) -> None:
        self.state = state
        self.faults = faults if faults is not None else FaultRegistry()
        self.max_request_bytes = max_request_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Body:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET").upper()
        try:
            if path.startswith(CONTROL_PREFIX):
                return self._control(environ, start_response, path[len(CONTROL_PREFIX) :], method)
            if method in ("GET", "HEAD"):
                return self._metadata(environ, start_response, path)
            if method == "POST":
                return self._soap(environ, start_response)
        except _TooLarge:
            return _respond(
                start_response,
                "413 Request Entity Too Large",
                f"Запрос больше {self.max_request_bytes} байт.".encode(),
                "text/plain; charset=utf-8",
            )
        return _respond(start_response, "405 Method Not Allowed", b"", "text/plain")

    # Metadata --------------------------------------------------------------------------------

    @staticmethod
    def service_url(environ: dict[str, Any]) -> str:
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{SERVICE_PATH}"

    def _metadata(self, environ: dict[str, Any], start_response: StartResponse, path: str) -> Body:
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        url = self.service_url(environ)
        if "wsdl" in query or "singleWsdl" in query:
            return _xml(start_response, wsdl_document(url))
        name = query["xsd"][0] if "xsd" in query else None
        if name is None and path.endswith(".xsd"):
            name = path.rsplit("/", 1)[-1]
        if name is not None:
            document = xsd_document(name, url)
            if document is None:
                return _respond(start_response, "404 Not Found", b"no such schema", "text/plain")
            return _xml(start_response, document)
        text = f"Эмулятор МИС ЛПУ (N3 HubService). WSDL: {url}?wsdl\n".encode()
        return _respond(start_response, "200 OK", text, "text/plain; charset=utf-8")

    # Control endpoint ------------------------------------------------------------------------

    def _control(
        self, environ: dict[str, Any], start_response: StartResponse, route: str, method: str
    ) -> Body:
        if route == "health":
            return _json(start_response, {"status": "ok"})
        if route != "faults":
            return _json(start_response, {"error": "not found"}, "404 Not Found")
        if method == "DELETE":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            self.faults.clear(query["operation"][0] if "operation" in query else None)
        elif method == "POST":
            try:
                data = json.loads(_read_body(environ, self.max_request_bytes) or b"null")
                items = data if isinstance(data, list) else [data]
                for item in [Fault.from_json(item) for item in items]:
                    self.faults.set(item)
            except ValueError as error:  # JSONDecodeError is a ValueError
                return _json(start_response, {"error": str(error)}, "400 Bad Request")
        elif method != "GET":
            return _json(start_response, {"error": "method not allowed"}, "405 Method Not Allowed")
        return _json(start_response, [fault.as_json() for fault in self.faults.list()])

    # SOAP ------------------------------------------------------------------------------------

    def _soap(self, environ: dict[str, Any], start_response: StartResponse) -> Body:
        body = _read_body(environ, self.max_request_bytes)
        operation = operation_of(environ.get("HTTP_SOAPACTION", ""))
        if operation not in OPERATIONS:
            action = environ.get("HTTP_SOAPACTION", "")
            return _soap_fault(
                start_response,
                f"Неизвестное действие SOAPAction {action!r}: операция не поддерживается.",
            )
        fault = self.faults.take(operation)
        if fault is not None:
            if fault.latency:
                time.sleep(fault.latency)
            if fault.kind is FaultKind.DROP:
                return drop_connection(environ, start_response)
            if fault.kind is FaultKind.HTTP500:
                return _respond(
                    start_response,
                    "500 Internal Server Error",
                    b"<html><body><h1>500 - Internal server error.</h1></body></html>",
                    "text/html",
                )
            if fault.kind is FaultKind.MALFORMED:
                return _xml(start_response, b"<s:Envelope xmlns:s='broken'><s:Body><Respo")
            if fault.kind is FaultKind.SOAP_FAULT:
                return _soap_fault(
                    start_response, "Внутренняя ошибка сервиса (внедрённый сбой эмулятора)."
                )
            if fault.kind is FaultKind.REFUSE:
                refusal = Failure(
                    fault.code, f"Отказ МИС (внедрённый сбой эмулятора), код {fault.code}."
                )
                envelope = result_envelope(operation, id_history=None, errors=[refusal])
                return _xml(start_response, serialise(envelope))
        try:
            reply = self._dispatch(operation, body)
        except RequestError as error:
            return _soap_fault(start_response, error.message, error.status)
        if fault is not None and fault.kind is FaultKind.COMMIT_THEN_DROP:
            return drop_connection(environ, start_response)
        return _xml(start_response, reply)

    def _dispatch(self, operation: str, body: bytes) -> bytes:
        wrapper = parse_envelope(body)
        if wrapper.tag != f"{{http://tempuri.org/}}{operation}":
            raise RequestError(
                f"Тело запроса {wrapper.tag} не соответствует SOAPAction {operation}."
            )
        params = Params(wrapper)
        id_history = params.int("idHistory")
        if params.text("guid") != self.state.guid:
            errors = [Failure(TECHNICAL, WRONG_GUID)]
            return serialise(result_envelope(operation, id_history=id_history, errors=errors))
        entry = OPERATIONS[operation]
        try:
            if entry.writes:
                with self.state.write_lock:
                    members = entry.handler(self.state, params)
            else:
                members = entry.handler(self.state, params)
        except BusinessError as error:
            errors = [Failure(error.code, error.description)]
            return serialise(result_envelope(operation, id_history=id_history, errors=errors))
        except RequestError:
            raise
        except Exception as error:  # the MIS answers a technical error, never a stack trace
            log.exception("emulator: %s failed", operation)
            errors = [Failure(TECHNICAL, f"Техническая ошибка МИС: {type(error).__name__}.")]
            return serialise(result_envelope(operation, id_history=id_history, errors=errors))
        return serialise(result_envelope(operation, id_history=id_history, members=members))
