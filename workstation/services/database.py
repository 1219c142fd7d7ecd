"""Engine, sessions and schema migrations for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the GUI read while a background sync writes; foreign keys are off by default.
    # The driver's own transaction handling is switched off: ``_begin_sqlite`` emits BEGIN, so
    # that a write transaction can take SQLite's write lock up front (see ``write_session``).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


WRITE_LOCK_OPTION = "sqlite_begin_immediate"


def _begin_sqlite(connection: Connection) -> None:
    # A deferred transaction that reads, then writes, fails at once with SQLITE_BUSY when
    # another connection wrote in between (WAL snapshot); BEGIN IMMEDIATE waits its turn instead.
    immediate = connection.get_execution_options().get(WRITE_LOCK_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings this application relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the bundled migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Run the migrations of the database at ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (``None`` for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration revision the application ships."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


class Database:
    """An engine plus a session factory; one per process and database URL."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(**{WRITE_LOCK_OPTION: True}), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        upgrade(self.url)

    def is_current(self) -> bool:
        """True when the schema is at the newest migration."""
        return current_revision(self.engine) == head_revision()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session for a read-then-write transaction that must not fail on a concurrent write.

        On SQLite it takes the database's write lock at BEGIN (waiting up to the busy timeout);
        on PostgreSQL it is an ordinary transaction (rows are locked with FOR UPDATE).
        """
        with self._write_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()
