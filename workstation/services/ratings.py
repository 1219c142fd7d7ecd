"""«Оценить прием» and «Оставить отзыв»: the patient's stars and words about a past visit.

One rating per patient and visit: rating the same visit again replaces the stars (and the
review) of the earlier rating — the row is updated, not added. Every rating is journalled as
«Оценка приема» with the visit and the stars; of the review the journal keeps at most the first
100 characters (the whole text stays in ``visit_rating``).

A visit is named by its key: the ticket number of a ticket of this workstation, or the MIS's
appointment id of a visit known only from the institution's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import Appointment, AppointmentState, Patient, VisitRating
from workstation.models.base import utc_now
from workstation.services.booking.holds import local_now
from workstation.services.journal import Actor, record

__all__ = [
    "MAX_STARS",
    "MIN_STARS",
    "RATING_ACTION",
    "REVIEW_IN_JOURNAL",
    "Rating",
    "rate_visit",
    "ratings_of",
]

MIN_STARS = 1
MAX_STARS = 5
RATING_ACTION = "Оценка приема"
"""The journal's action (followed by the visit and the stars)."""
REVIEW_IN_JOURNAL = 100
"""At most this many characters of the review go to the journal."""
_KEY_LENGTH = 64
_ACTION_LENGTH = 200

_RATABLE_STATES = (AppointmentState.VISITED, AppointmentState.BOOKED)
"""A visit that took place, or a booked one whose time has passed (nobody marked it yet)."""


@dataclass(frozen=True, slots=True)
class Rating:
    """The patient's rating of one visit."""

    visit_key: str
    stars: int
    review: str
    created_at: dt.datetime
    """When it was given (or last changed), UTC."""
    recorded_by: str
    """The operator who entered it, or «пациент» at the lobby terminal."""


def _check_stars(stars: int) -> None:
    if isinstance(stars, bool) or not isinstance(stars, int):
        raise ValueError("Оценка приема ставится целым числом звезд: от 1 до 5.")
    if not MIN_STARS <= stars <= MAX_STARS:
        raise ValueError(f"Оценка приема — от 1 до 5 звезд, а указано {stars}.")


def _visit_words(session: Session, patient_id: int, key: str) -> str:
    """«Талон №21752, 14.08.2015 10:30» for a local ticket of the patient, else «посещение …».

    Raises ``ValueError`` for another patient's ticket or a visit that has not taken place.
    """
    appointment = session.scalars(
        select(Appointment).where(Appointment.ticket_number == key)
    ).first()
    if appointment is None:
        return f"посещение {key}"
    if appointment.patient_id != patient_id:
        raise ValueError(f"Талон №{key} выдан другому пациенту: оценить его нельзя.")
    ended = appointment.state == AppointmentState.VISITED or (
        appointment.state == AppointmentState.BOOKED
        and appointment.visit_start <= local_now(utc_now())
    )
    if not ended:
        raise ValueError(
            f"Оценить можно только состоявшийся прием, а по талону №{key} прием не состоялся."
        )
    return f"Талон №{key}, {appointment.visit_label}"


def rate_visit(
    session: Session,
    patient_id: int,
    visit_key: str,
    stars: int,
    review: str = "",
    *,
    actor: Actor,
) -> None:
    """Store the patient's ``stars`` (1-5) and ``review`` of the visit ``visit_key``.

    A second rating of the same visit replaces the first. Raises ``ValueError`` (with a Russian
    message for the operator) for stars outside 1-5, an unknown patient, an empty key, or a
    ticket that is not this patient's past visit.
    """
    _check_stars(stars)
    key = visit_key.strip()
    if not key:
        raise ValueError("Не указано посещение, которое оценивает пациент.")
    if len(key) > _KEY_LENGTH:
        raise ValueError("Номер посещения слишком длинный: выберите посещение в списке.")
    # Lock the patient's row (PostgreSQL): two desks rating one visit at once update one row.
    found = session.scalar(
        select(Patient.id).where(Patient.id == patient_id).with_for_update()
    )
    if found is None:
        raise ValueError("Пациент не найден: найдите и идентифицируйте его заново (F2).")
    words = _visit_words(session, patient_id, key)
    text = review.strip()
    rating = session.scalars(
        select(VisitRating)
        .where(VisitRating.patient_id == patient_id, VisitRating.visit_key == key)
        .order_by(VisitRating.created_at.desc(), VisitRating.id.desc())
    ).first()
    now = utc_now()
    if rating is None:
        session.add(
            VisitRating(
                patient_id=patient_id,
                visit_key=key,
                stars=stars,
                review=text,
                created_at=now,
                recorded_by=actor.operator[:_KEY_LENGTH],
            )
        )
    else:
        rating.stars = stars
        rating.review = text
        rating.created_at = now
        rating.recorded_by = actor.operator[:_KEY_LENGTH]
    action = f"{RATING_ACTION} {words}: {stars} из {MAX_STARS}"
    if len(action) > _ACTION_LENGTH:
        action = action[: _ACTION_LENGTH - 1] + "…"
    details = ""
    if text:
        shown = text if len(text) <= REVIEW_IN_JOURNAL else text[: REVIEW_IN_JOURNAL - 1] + "…"
        details = f"Отзыв: {shown}"
    record(session, actor, action, details, patient_id=patient_id)
    session.flush()


def ratings_of(session: Session, patient_id: int) -> dict[str, Rating]:
    """The patient's ratings by visit key (the newest one where older duplicates exist)."""
    rows = session.scalars(
        select(VisitRating)
        .where(VisitRating.patient_id == patient_id)
        .order_by(VisitRating.created_at, VisitRating.id)
    )
    return {
        row.visit_key: Rating(
            visit_key=row.visit_key,
            stars=row.stars,
            review=row.review,
            created_at=row.created_at,
            recorded_by=row.recorded_by,
        )
        for row in rows
    }
