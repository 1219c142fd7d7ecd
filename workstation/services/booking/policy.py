"""The numbers of the booking lifecycle, in one place (config may override them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class BookingPolicy:
    hold: dt.timedelta = dt.timedelta(minutes=5)
    """How long a chosen slot stays held for the operator during the call."""
    confirm_within: dt.timedelta = dt.timedelta(hours=1)
    """The manual: «Подтверждение талона возможно в течение 1 часа»."""
    max_wrong_codes: int = 5
    """Wrong confirmation codes allowed before the booking is annulled."""
    late_commit_watch: dt.timedelta = dt.timedelta(minutes=15)
    """After a timeout, how long the reconciler keeps checking the hub for a booking the MIS
    committed after the workstation gave up (such a booking is cancelled at the hub)."""
    stale_intent: dt.timedelta = dt.timedelta(seconds=90)
    """An intent older than this has no request in flight any more (the connector's
    timeouts are far shorter) and may be reconciled."""
    remind_before: dt.timedelta = dt.timedelta(hours=24)
    """Reminder SMS this long before the visit."""
    register_unknown_patients: bool = True
    """A patient the MIS does not know (CheckPatient: 20) is registered there (AddNewPatient);
    off where the institutions register new patients only at their own desk."""
    alternatives: int = 3
    """Free slots offered when the chosen one is taken."""
