"""Settlements of the region (the settlement selector and distances)."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workstation.models.base import Base, search_text


class Settlement(Base):
    """A city or settlement of ХМАО-Югра with its coordinates and classifier codes."""

    __tablename__ = "settlement"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_norm: Mapped[str] = mapped_column(search_text(120), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="")
    municipal_district: Mapped[str] = mapped_column(String(120), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    okato: Mapped[str | None] = mapped_column(String(11))
    oktmo: Mapped[str | None] = mapped_column(String(11))
    fias_guid: Mapped[str | None] = mapped_column(String(36))
    population: Mapped[int | None] = mapped_column(Integer)
    in_portal_selector: Mapped[bool] = mapped_column(Boolean, default=False)
