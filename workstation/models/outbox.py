"""Outboxes: hub requests about to be sent (intents) and SMS messages to the patients.

An intent is written before ``SetAppointment`` or ``CreateClaimForRefusal`` leaves the
workstation, in its own committed transaction, so that a lost answer or a crash always leaves a
record to reconcile against the hub.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workstation.models.appointments import Appointment
from workstation.models.base import Base, UtcDateTime, enum_values, utc_now


class IntentKind(enum.StrEnum):
    BOOK = "book"  # SetAppointment
    CANCEL = "cancel"  # CreateClaimForRefusal


class IntentStatus(enum.StrEnum):
    PENDING = "pending"  # written; the hub's answer is not known yet
    DONE = "done"  # the hub did it and the local record says so
    REFUSED = "refused"  # the hub answered Success=false; nothing happened there
    ROLLED_BACK = "rolled_back"  # the hub does not have it (checked); the local record undone


class HubIntent(Base):
    """One request to the hub that changes a booking, from before it is sent until it is known."""

    __tablename__ = "hub_intent"
    __table_args__ = (Index("ix_hub_intent_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"))
    kind: Mapped[IntentKind] = mapped_column(
        Enum(IntentKind, native_enum=False, length=16, values_callable=enum_values)
    )
    status: Mapped[IntentStatus] = mapped_column(
        Enum(IntentStatus, native_enum=False, length=16, values_callable=enum_values),
        default=IntentStatus.PENDING,
    )
    # Why a cancel is sent: «operator», «annulment» (not confirmed), «orphan» (a late booking).
    purpose: Mapped[str] = mapped_column(String(32), default="")
    endpoint_url: Mapped[str] = mapped_column(String(400), default="")
    operator: Mapped[str] = mapped_column(String(64), default="")
    workstation: Mapped[str] = mapped_column(String(128), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # A booking rolled back after a timeout may still be committed by a slow MIS: until this
    # moment the reconciler looks again and cancels such a late booking at the hub.
    recheck_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    appointment: Mapped[Appointment] = relationship()


class SmsKind(enum.StrEnum):
    CONFIRMATION_CODE = "confirmation_code"
    BOOKED = "booked"
    ANNULMENT = "annulment"
    CANCELLATION = "cancellation"
    REMINDER = "reminder"
    OTHER = "other"


class SmsStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting to be sent (or to be retried at ``next_attempt_at``)
    SENT = "sent"  # the gateway accepted it
    DELIVERED = "delivered"  # the operator reported delivery to the phone
    FAILED = "failed"  # given up: rejected, undeliverable, or out of attempts


class SmsMessage(Base):
    """One SMS to a patient. With the default (outbox) gateway this table is the delivery."""

    __tablename__ = "sms_message"
    __table_args__ = (Index("ix_sms_message_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[SmsKind] = mapped_column(
        Enum(SmsKind, native_enum=False, length=24, values_callable=enum_values)
    )
    status: Mapped[SmsStatus] = mapped_column(
        Enum(SmsStatus, native_enum=False, length=16, values_callable=enum_values),
        default=SmsStatus.QUEUED,
    )
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL"), index=True
    )
    gateway: Mapped[str] = mapped_column(String(32), default="")
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
