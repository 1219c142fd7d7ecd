"""Slots of doctors' schedules, as cached from the hub."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workstation.models.base import Base, UtcDateTime, enum_values
from workstation.models.directory import Doctor


class SlotState(enum.StrEnum):
    """What the workstation last knew of a slot."""

    FREE = "free"
    TAKEN = "taken"  # the hub said it is booked or locked (error 39)
    HELD = "held"  # held by an operator of this contact center during a call
    BOOKED = "booked"  # booked by us


class Slot(Base):
    """One appointment slot (``IdAppointment``); times are the institution's local wall clock."""

    __tablename__ = "slot"
    __table_args__ = (
        UniqueConstraint("doctor_id", "hub_id"),
        Index("ix_slot_doctor_start", "doctor_id", "start"),
        Index("ix_slot_start_state", "start", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    hub_id: Mapped[str] = mapped_column(String(128))
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)
    room: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    state: Mapped[SlotState] = mapped_column(
        Enum(SlotState, native_enum=False, length=16, values_callable=enum_values),
        default=SlotState.FREE,
    )
    fetched_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    doctor: Mapped[Doctor] = relationship()
