"""Holding a slot for an operator during a call, and offering the nearest free alternatives.

The contract has no hold: it lives in the workstation's database as an appointment in the
``held`` state. The partial unique index ``uq_appointment_active_slot`` makes it exclusive
across every workstation of a shared database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from workstation.models import (
    Appointment,
    AppointmentState,
    Doctor,
    HubIntent,
    IntentStatus,
    Slot,
    SlotState,
)
from workstation.services.booking.errors import SlotOffer


def local_now(utc: dt.datetime) -> dt.datetime:
    """The wall clock slots are written in (naive local time) for a UTC instant."""
    return utc.astimezone().replace(tzinfo=None)


def _pending_intent() -> object:
    return exists().where(
        HubIntent.appointment_id == Appointment.id, HubIntent.status == IntentStatus.PENDING
    )


def release_expired_holds(
    session: Session, now: dt.datetime, slot_hub_id: str | None = None
) -> int:
    """Release holds whose time is up and that have no request to the hub in flight."""
    expired = (
        select(Appointment)
        .where(
            Appointment.state == AppointmentState.HELD,
            Appointment.hold_expires_at < now,
            ~_pending_intent(),  # type: ignore[operator]
        )
        .with_for_update(skip_locked=True)
    )
    if slot_hub_id is not None:
        expired = expired.where(Appointment.hub_appointment_id == slot_hub_id)
    released = 0
    for appointment in session.scalars(expired):
        release(session, appointment, now)
        released += 1
    return released


def release(session: Session, appointment: Appointment, now: dt.datetime) -> None:
    """End a hold (or a booking the hub refused): the slot is offered again."""
    appointment.state = AppointmentState.RELEASED
    appointment.closed_at = now
    if appointment.slot_id is not None:
        session.execute(
            update(Slot)
            .where(Slot.id == appointment.slot_id, Slot.state == SlotState.HELD)
            .values(state=SlotState.FREE)
        )


def alternatives(session: Session, slot: Slot, now: dt.datetime, limit: int) -> list[SlotOffer]:
    """The nearest free slots of the same doctor from the wanted time on (then before it), and
    if there are fewer than ``limit``, of the doctor's colleagues of the same specialty."""
    today = local_now(now)
    doctor = session.get_one(Doctor, slot.doctor_id)
    colleagues = select(Doctor.id).where(
        Doctor.institution_id == doctor.institution_id,
        Doctor.specialty_id == doctor.specialty_id,
        Doctor.id != doctor.id,
    )
    held = select(Appointment.hub_appointment_id).where(
        Appointment.institution_id == doctor.institution_id,
        Appointment.state.in_(
            (AppointmentState.HELD, AppointmentState.PENDING_CONFIRMATION, AppointmentState.BOOKED)
        ),
    )
    free = select(Slot).where(
        Slot.state == SlotState.FREE,
        Slot.id != slot.id,
        Slot.start >= today,
        Slot.hub_id.not_in(held),
    )
    found: list[Slot] = []
    for doctors in (select(Doctor.id).where(Doctor.id == doctor.id), colleagues):
        base = free.where(Slot.doctor_id.in_(doctors))
        for statement in (
            base.where(Slot.start >= slot.start).order_by(Slot.start),
            base.where(Slot.start < slot.start).order_by(Slot.start.desc()),
        ):
            if len(found) >= limit:
                break
            found.extend(session.scalars(statement.limit(limit - len(found))))
    return [
        SlotOffer(
            slot_id=s.id,
            doctor=s.doctor.full_name,
            specialty=s.doctor.specialty.name,
            start_label=s.start.strftime("%d.%m.%Y %H:%M"),
            room=s.room,
        )
        for s in found
    ]
