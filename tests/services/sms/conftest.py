"""A scripted SMS operator on loopback (a real HTTP server), a clock the tests move, and a
``database`` shared by the tests of a module.

Creating and migrating a PostgreSQL database takes over a second; these tests only touch
``sms_message``, so they share one migrated database per engine and every test starts with that
table emptied. The fixture keeps the meaning of the top-level ``database``: migrated, no
messages, once per engine.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from workstation.models import SmsMessage, SmsStatus
from workstation.models.base import utc_now
from workstation.services.database import Database
from workstation.services.sms.http_gateway import HttpSmsSettings


@dataclass(frozen=True)
class Reply:
    """One scripted answer of the send endpoint."""

    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    delay: float = 0.0  # seconds before answering (cut short when the operator stops)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class SmsOperator:
    """Answers ``/send`` from ``script`` (then 200 with a fresh ``message_id``) and
    ``/status/<id>`` with ``{"state": statuses[id]}``; records every request."""

    server: http.server.ThreadingHTTPServer
    script: deque[Reply] = field(default_factory=deque)
    statuses: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    status_replies: deque[Reply] = field(default_factory=deque)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def sends(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == "/send"]

    def settings(self, **overrides: Any) -> HttpSmsSettings:
        values: dict[str, Any] = {
            "url": f"{self.url}/send",
            "body": '{"to": "$phone", "text": "$text", "client_id": "$id"}',
            "id_field": "message_id",
            "timeout": 2.0,
            "status_url": f"{self.url}/status/$provider_id",
            "status_field": "state",
            "statuses": {"DELIVRD": SmsStatus.DELIVERED, "UNDELIV": SmsStatus.FAILED},
        }
        values.update(overrides)
        return HttpSmsSettings(**values)

    def answer(self, request: Received) -> Reply:
        with self.lock:
            self.received.append(request)
            if request.path.startswith("/status/"):
                if self.status_replies:
                    return self.status_replies.popleft()
                state = self.statuses.get(unquote(request.path.removeprefix("/status/")))
                return Reply(200, {"state": state} if state else {"error": "unknown id"})
            if self.script:
                return self.script.popleft()
            return Reply(200, {"message_id": f"op-{len(self.received)}"})


def _handler(operator_ref: list[SmsOperator]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = urlsplit(self.path)
            operator = operator_ref[0]
            reply = operator.answer(
                Received(self.command, parts.path, parts.query, dict(self.headers), body)
            )
            if reply.delay and operator.stopping.wait(reply.delay):
                return  # the test is over; nobody waits for this answer
            payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body)
            data = payload.encode() if isinstance(payload, str) else payload
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout) and closed the connection

        do_GET = _serve
        do_POST = _serve

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def operator() -> Iterator[SmsOperator]:
    ref: list[SmsOperator] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    ref.append(SmsOperator(server))
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield ref[0]
    finally:
        ref[0].stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


class Clock:
    """A clock that moves only when told to. It starts a minute ahead of the real one, so that
    messages ``enqueue`` (which stamps the real time) are due at once."""

    def __init__(self) -> None:
        self.now = utc_now() + dt.timedelta(minutes=1)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(
    scope="package", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def shared_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """One migrated database per engine for all the SMS tests."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path_factory.mktemp('sms') / 'workstation.sqlite3'}")
        db.upgrade()
        yield db
        db.dispose()
        return
    server: str = request.getfixturevalue("postgres_server")
    name = f"ws_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(server).set(database=name).render_as_string(hide_password=False))
    try:
        db.upgrade()
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database(shared_database: Database) -> Database:
    """The shared database with no messages in it."""
    with shared_database.session() as session:
        session.execute(delete(SmsMessage))
    return shared_database
