"""What patients tell the registry: ratings of past visits and the «Обратная связь» form."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workstation.models.base import Base, UtcDateTime, enum_values, utc_now


class VisitRating(Base):
    """«Оценить прием» (1-5 stars) and «Оставить отзыв» for one past visit."""

    __tablename__ = "visit_rating"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),
        Index("ix_visit_rating_patient", "patient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    # The ticket number of a local ticket, or the MIS's appointment id of a visit from its history.
    visit_key: Mapped[str] = mapped_column(String(64))
    stars: Mapped[int] = mapped_column(Integer)
    review: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")  # operator, or «пациент»


class FeedbackStatus(enum.StrEnum):
    """Where a feedback request is in the operators' work."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


class FeedbackRequest(Base):
    """The manual's «Обратная связь» form, kept for the operators to work through."""

    __tablename__ = "feedback_request"
    __table_args__ = (Index("ix_feedback_request_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(16), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[FeedbackStatus] = mapped_column(
        Enum(FeedbackStatus, native_enum=False, length=16,
             values_callable=enum_values),
        default=FeedbackStatus.NEW,
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
