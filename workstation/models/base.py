"""Declarative base and column types shared by every entity."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Explicit constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of all persistent entities."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment in time, stored as naive UTC and returned timezone-aware.

    SQLite has no time zone type; storing naive UTC on both databases keeps the values
    comparable and sortable everywhere, and the Python side never sees a naive moment.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError("UtcDateTime needs a timezone-aware datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


def utc_now() -> dt.datetime:
    """The current moment, timezone-aware."""
    return dt.datetime.now(dt.UTC)


def enum_values(enum_type: type[enum.StrEnum]) -> list[str]:
    """Stored values of a string enum (its values, not its member names)."""
    return [member.value for member in enum_type]


def search_text(length: int) -> String:
    """A normalised search column, compared in code-point order on every engine.

    Prefix searches use ``col >= p AND col < p'`` (see ``text.prefix_upper_bound``), which is
    only correct under binary ordering; SQLite compares that way, PostgreSQL needs ``C``.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")
