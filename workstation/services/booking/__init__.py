"""The booking lifecycle: holds, booking with SMS confirmation, cancel, reconciliation, jobs."""

from workstation.services.booking.errors import (
    BookingError,
    BookingInProgress,
    BookingRefused,
    BookingUnavailable,
    CancelRefused,
    ConfirmationError,
    ConfirmationExpired,
    ConsentMissing,
    HoldExpired,
    InvalidTransition,
    OutcomeUnknown,
    PatientNotIdentified,
    SlotOffer,
    SlotUnavailable,
    TicketNotFound,
    WrongCode,
)
from workstation.services.booking.policy import BookingPolicy
from workstation.services.booking.service import Bookings
from workstation.services.booking.tickets import TicketView

__all__ = [
    "BookingError",
    "BookingInProgress",
    "BookingPolicy",
    "BookingRefused",
    "BookingUnavailable",
    "Bookings",
    "CancelRefused",
    "ConfirmationError",
    "ConfirmationExpired",
    "ConsentMissing",
    "HoldExpired",
    "InvalidTransition",
    "OutcomeUnknown",
    "PatientNotIdentified",
    "SlotOffer",
    "SlotUnavailable",
    "TicketNotFound",
    "TicketView",
    "WrongCode",
]
