"""Where the connector writes journal events about refused bookings (no connection)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from workstation.services.database import Database
from workstation.services.journal import Actor, record

log = logging.getLogger(__name__)

BOOKING_UNAVAILABLE = "Нет ответа ЛПУ на запрос записи (нет связи)"
REFUSAL_UNAVAILABLE = "Нет ответа ЛПУ на запрос отмены записи (нет связи)"


@dataclass(frozen=True)
class HubJournal:
    """A database and the actor the connector's journal events are written as."""

    database: Database
    actor: Actor

    def record(self, action: str, details: str) -> None:
        """Write one event in its own transaction; a database failure is logged, not raised
        (the operator must still see the connection error)."""
        try:
            with self.database.session() as session:
                record(session, self.actor, action, details)
        except SQLAlchemyError:
            log.exception("journal event %r was not written", action)
