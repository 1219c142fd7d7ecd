"""Journal lines are stored with who, where and when, in the same transaction as the change."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from workstation.models import JournalEvent
from workstation.services.database import Database
from workstation.services.journal import Actor, record


def test_a_recorded_event_keeps_who_where_and_when(database: Database) -> None:
    before = dt.datetime.now(dt.UTC)
    actor = Actor(operator="ivanova", workstation="desk-3 (10.0.0.3)")
    with database.session() as session:
        record(session, actor, "Отказ в записи (нет связи)", "http://lpu.example/HubService.svc")
    with database.session() as session:
        event = session.scalars(select(JournalEvent)).one()
    assert (event.operator, event.workstation_address) == ("ivanova", "desk-3 (10.0.0.3)")
    assert event.action == "Отказ в записи (нет связи)"
    assert event.details == "http://lpu.example/HubService.svc"
    assert before <= event.at <= dt.datetime.now(dt.UTC)


def test_an_event_is_rolled_back_with_the_change_it_describes(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        record(session, Actor.system(), "Запись на прием")
        raise RuntimeError("the booking failed")
    with database.session() as session:
        assert session.scalars(select(JournalEvent)).all() == []


def test_the_system_actor_names_this_machine() -> None:
    actor = Actor.system()
    assert actor.operator.startswith("система")
    assert actor.workstation


@pytest.mark.parametrize(
    "statement",
    ["UPDATE journal_event SET action = 'подделка'", "DELETE FROM journal_event"],
)
def test_the_database_refuses_to_edit_or_delete_journal_lines(
    database: Database, statement: str
) -> None:
    with database.session() as session:
        record(session, Actor.system(), "Вход в систему")
    with pytest.raises(DBAPIError, match="append-only"), database.session() as session:
        session.execute(text(statement))
    with database.session() as session:
        assert session.scalars(select(JournalEvent.action)).all() == ["Вход в систему"]
