"""Tickets (appointments) the workstation made or knows of."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workstation.models.base import Base, UtcDateTime, enum_values, utc_now
from workstation.models.directory import Doctor, Institution
from workstation.models.patients import Patient
from workstation.models.schedule import Slot


class AppointmentState(enum.StrEnum):
    """The booking lifecycle (the booking-lifecycle issue drives the transitions)."""

    HELD = "held"
    PENDING_CONFIRMATION = "pending_confirmation"
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ANNULLED = "annulled"
    VISITED = "visited"
    NO_SHOW = "no_show"


class AppointmentSource(enum.StrEnum):
    """Where the booking was made."""

    CONTACT_CENTER = "contact_center"
    REGISTRY = "registry"
    CABINET = "cabinet"
    PORTAL = "portal"


class Appointment(Base):
    """A ticket: a patient booked into a slot, with its own number («Талон №…»)."""

    __tablename__ = "appointment"
    __table_args__ = (
        Index("ix_appointment_patient_start", "patient_id", "visit_start"),
        Index("ix_appointment_doctor_start", "doctor_id", "visit_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_number: Mapped[str] = mapped_column(String(32), unique=True)
    # The slot row may be replaced by a later sync; the fields below keep the ticket readable.
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="SET NULL"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id"))
    hub_appointment_id: Mapped[str] = mapped_column(String(128))
    visit_start: Mapped[dt.datetime] = mapped_column(DateTime)
    visit_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    room: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[AppointmentState] = mapped_column(
        Enum(AppointmentState, native_enum=False, length=24, values_callable=enum_values),
        index=True,
    )
    source: Mapped[AppointmentSource] = mapped_column(
        Enum(AppointmentSource, native_enum=False, length=24, values_callable=enum_values)
    )
    operator: Mapped[str] = mapped_column(String(64), default="")
    workstation: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    slot: Mapped[Slot | None] = relationship()
    patient: Mapped[Patient] = relationship()
    institution: Mapped[Institution] = relationship()
    doctor: Mapped[Doctor] = relationship()
