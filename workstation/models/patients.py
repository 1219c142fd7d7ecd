"""The local patient registry and each patient's identity in each institution's MIS."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workstation.models.base import Base, UtcDateTime, search_text, utc_now
from workstation.models.text import normalise_name


class Patient(Base):
    """A patient; documents are stored in their canonical forms (see ``models.identity``)."""

    __tablename__ = "patient"
    __table_args__ = (
        Index("ix_patient_birth_last_name", "birth_date", "last_name_norm"),
        Index("ix_patient_last_name_first_name", "last_name_norm", "first_name_norm"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str] = mapped_column(String(100), default="")
    last_name_norm: Mapped[str] = mapped_column(search_text(100))
    first_name_norm: Mapped[str] = mapped_column(search_text(100))
    search_name: Mapped[str] = mapped_column(search_text(310))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    snils: Mapped[str | None] = mapped_column(String(11), unique=True)
    oms_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    oms_kind: Mapped[str | None] = mapped_column(String(16))
    passport: Mapped[str | None] = mapped_column(String(10), index=True)
    dms_insurer: Mapped[str | None] = mapped_column(String(200))
    dms_number: Mapped[str | None] = mapped_column(String(40), index=True)
    phone: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    consent_given_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)

    def set_name(self, last_name: str, first_name: str, patronymic: str = "") -> None:
        """Set the name and keep the normalised search columns in step with it."""
        self.last_name = last_name.strip()
        self.first_name = first_name.strip()
        self.patronymic = patronymic.strip()
        self.last_name_norm = normalise_name(last_name)
        self.first_name_norm = normalise_name(first_name)
        self.search_name = normalise_name(f"{last_name} {first_name} {patronymic}")

    @property
    def full_name(self) -> str:
        """«Фамилия Имя Отчество»."""
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        """«Фамилия И. О.», what a ticket may show."""
        initials = " ".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip()


class PatientLpuLink(Base):
    """The patient's ``IdPat`` in one institution's MIS (identifiers are local to each MIS)."""

    __tablename__ = "patient_lpu_link"
    __table_args__ = (UniqueConstraint("patient_id", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    hub_patient_id: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)

    patient: Mapped[Patient] = relationship()
