"""Shared fixtures: Qt offscreen, a private WORKSTATION_HOME, and databases on both engines.

Database tests take the ``database`` fixture and run twice: on a SQLite file and on a fresh
PostgreSQL database created on the server at 127.0.0.1:5432 (``WORKSTATION_TEST_PG`` overrides
the server URL). Without a reachable server the PostgreSQL runs are skipped with the reason;
with ``WORKSTATION_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workstation.services.database import Database

PG_SERVER_URL = os.environ.get(
    "WORKSTATION_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def workstation_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data and config directories."""
    home = tmp_path / "home"
    monkeypatch.setenv("WORKSTATION_HOME", str(home))
    monkeypatch.delenv("WORKSTATION_DB", raising=False)
    return home


def _postgres_unavailable_reason() -> str | None:
    try:
        engine = create_engine(PG_SERVER_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:  # any failure to reach the server means "not available"
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        server = make_url(PG_SERVER_URL).render_as_string()
        return f"PostgreSQL at {server} unavailable: {first_line}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The server URL, or a skip (a failure under WORKSTATION_REQUIRE_POSTGRES=1)."""
    reason = _postgres_unavailable_reason()
    if reason is not None:
        if os.environ.get("WORKSTATION_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return PG_SERVER_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"ws_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file URL in the test's directory."""
    return f"sqlite:///{tmp_path / 'workstation.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL, once per engine."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A migrated, empty database on each engine."""
    db = Database(db_url)
    db.upgrade()
    yield db
    db.dispose()
