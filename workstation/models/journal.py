"""The event journal: every state-changing action, who did it, from where."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workstation.models.base import Base, UtcDateTime, utc_now


class JournalEvent(Base):
    """One journal line (the manual's «Журнал событий»: date, address, action)."""

    __tablename__ = "journal_event"
    __table_args__ = (
        Index("ix_journal_event_at", "at"),
        Index("ix_journal_event_patient_at", "patient_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    operator: Mapped[str] = mapped_column(String(64), default="")
    workstation_address: Mapped[str] = mapped_column(String(128), default="")
    action: Mapped[str] = mapped_column(String(200))
    # Never holds passwords or full documents: callers pass masked values.
    details: Mapped[str] = mapped_column(Text, default="")
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id", ondelete="SET NULL"))
