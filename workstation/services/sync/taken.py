"""Marking a cached slot taken the moment the hub says so (``IdError`` 39 on booking).

The cache is for browsing; booking always asks the hub. When the hub answers that a slot is
taken, the operator must see it greyed at once, not after the next sync.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workstation.models import Doctor, Institution, Slot, SlotState


def mark_slot_taken(session: Session, institution_hub_id: int, hub_slot_id: str) -> bool:
    """Mark the cached slot ``hub_slot_id`` of the institution taken; False if not cached."""
    doctors = (
        select(Doctor.id)
        .join(Institution, Institution.id == Doctor.institution_id)
        .where(Institution.hub_id == institution_hub_id)
    )
    result = session.execute(
        update(Slot)
        .where(Slot.hub_id == hub_slot_id, Slot.doctor_id.in_(doctors))
        .values(state=SlotState.TAKEN, fetched_at=dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
