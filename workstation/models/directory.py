"""Institutions and what is bookable in them: departments, specialties, doctors."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workstation.models.base import Base, UtcDateTime, search_text
from workstation.models.geography import Settlement


class Institution(Base):
    """A medical institution (ЛПУ), identified at the hub by ``IdLPU``."""

    __tablename__ = "institution"
    __table_args__ = (Index("ix_institution_settlement_short_name", "settlement_id", "short_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(Integer, unique=True)
    # A hub does not say where an institution is; the sync infers it from the address and
    # leaves it empty when it cannot.
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlement.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    # The endpoint the institution's schedules come from (a regional hub or its own MIS).
    endpoint_url: Mapped[str | None] = mapped_column(String(400))
    synced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(400))
    short_name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(80), default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    registry_phones: Mapped[str] = mapped_column(String(200), default="")
    working_hours: Mapped[str] = mapped_column(String(200), default="")
    site: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    oid: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    settlement: Mapped[Settlement | None] = relationship()
    parent: Mapped[Institution | None] = relationship(remote_side=[id])


class Department(Base):
    """A department (отделение) of an institution."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("institution_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(400), default="")


class Specialty(Base):
    """A doctor's specialty as one institution's MIS names it (``IdSpesiality`` is local)."""

    __tablename__ = "specialty"
    __table_args__ = (UniqueConstraint("institution_id", "hub_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    hub_id: Mapped[str] = mapped_column(String(64))
    federal_code: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)


class Doctor(Base):
    """A bookable doctor (``IdDoc``) of an institution."""

    __tablename__ = "doctor"
    __table_args__ = (
        UniqueConstraint("institution_id", "hub_id"),
        Index("ix_doctor_department_specialty", "department_id", "specialty_id"),
        # Doctors without a department («Без отделения») are found through this one.
        Index("ix_doctor_institution_department", "institution_id", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    hub_id: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    full_name_norm: Mapped[str] = mapped_column(search_text(200), index=True)
    specialty_id: Mapped[int] = mapped_column(ForeignKey("specialty.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    area_number: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    # When the doctor's schedule was last read from the hub: the UI shows how fresh it is.
    fetched_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    specialty: Mapped[Specialty] = relationship()
    department: Mapped[Department | None] = relationship()
