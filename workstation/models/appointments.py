"""Tickets (appointments) the workstation made or knows of."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workstation.models.base import Base, UtcDateTime, enum_values, utc_now
from workstation.models.directory import Doctor, Institution
from workstation.models.patients import Patient
from workstation.models.schedule import Slot


class AppointmentState(enum.StrEnum):
    """The booking lifecycle.

    held → booked, or held → pending_confirmation → booked (the SMS code, «Вариант 1»);
    booked → cancelled / annulled / visited / no_show; a hold that never became a booking
    (expired, dropped, or refused by the hub) ends released.
    """

    HELD = "held"
    PENDING_CONFIRMATION = "pending_confirmation"
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ANNULLED = "annulled"
    VISITED = "visited"
    NO_SHOW = "no_show"
    RELEASED = "released"


ACTIVE_STATES = (
    AppointmentState.HELD,
    AppointmentState.PENDING_CONFIRMATION,
    AppointmentState.BOOKED,
)
"""States in which the appointment occupies its slot: at most one per slot (a unique index)."""

_ACTIVE_SQL = "state IN ('held', 'pending_confirmation', 'booked')"


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
        # Two workstations on one database can never both hold or book one slot.
        Index(
            "uq_appointment_active_slot",
            "institution_id",
            "hub_appointment_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_number: Mapped[str] = mapped_column(String(32), unique=True)
    # The slot row may be replaced by a later sync; the fields below keep the ticket readable.
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="SET NULL"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id"))
    hub_appointment_id: Mapped[str] = mapped_column(String(128))
    # The patient's IdPat in the institution's MIS the booking was made with (cancel needs it).
    hub_patient_id: Mapped[str] = mapped_column(String(64), default="")
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
    # The mobile phone (E.164) given for this booking: SMS code, annulment, reminders.
    phone: Mapped[str | None] = mapped_column(String(16))
    operator: Mapped[str] = mapped_column(String(64), default="")
    workstation: Mapped[str] = mapped_column(String(128), default="")
    hold_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    booked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reminder_sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    slot: Mapped[Slot | None] = relationship()
    patient: Mapped[Patient] = relationship()
    institution: Mapped[Institution] = relationship()
    doctor: Mapped[Doctor] = relationship()

    @property
    def visit_label(self) -> str:
        """«14.08.2015 10:30», as the manual's journal writes the visit."""
        return self.visit_start.strftime("%d.%m.%Y %H:%M")


class BookingConfirmation(Base):
    """The SMS confirmation of a booking («Вариант 1»): only the code's Argon2id hash is kept."""

    __tablename__ = "booking_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), unique=True
    )
    code_hash: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    appointment: Mapped[Appointment] = relationship()


class TicketCounter(Base):
    """Ticket numbers: one row per series, incremented in the booking's own transaction."""

    __tablename__ = "ticket_counter"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column()
