"""What the schedule cache keeps about the hubs themselves: districts and sync runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workstation.models.base import Base, UtcDateTime, utc_now


class District(Base):
    """A district of the region as a hub lists it (``IdDistrict``, with its ОКАТО)."""

    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    okato: Mapped[float | None] = mapped_column(Float)


class SyncRun(Base):
    """One ``workstation sync`` (or background sync): when, from where, what changed."""

    __tablename__ = "sync_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_url: Mapped[str] = mapped_column(String(400))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[str] = mapped_column(Text, default="")
