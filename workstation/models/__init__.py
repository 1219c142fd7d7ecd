"""Persistent entities (SQLAlchemy) and value types; no Qt, no services."""

from workstation.models.accounts import CabinetAccount, StaffAccount, StaffRole
from workstation.models.addresses import (
    DistrictKind,
    DistrictRule,
    House,
    MedicalDistrict,
    RuleKind,
    Street,
)
from workstation.models.appointments import (
    ACTIVE_STATES,
    Appointment,
    AppointmentSource,
    AppointmentState,
    BookingConfirmation,
    TicketCounter,
)
from workstation.models.base import Base
from workstation.models.directory import Department, Doctor, Institution, Specialty
from workstation.models.feedback import FeedbackRequest, FeedbackStatus, VisitRating
from workstation.models.geography import Settlement
from workstation.models.hub_cache import District, SyncRun
from workstation.models.journal import JournalEvent
from workstation.models.outbox import (
    HubIntent,
    IntentKind,
    IntentStatus,
    SmsKind,
    SmsMessage,
    SmsStatus,
)
from workstation.models.patients import Patient, PatientLpuLink
from workstation.models.schedule import Slot, SlotState

__all__ = [
    "ACTIVE_STATES",
    "Appointment",
    "AppointmentSource",
    "AppointmentState",
    "Base",
    "BookingConfirmation",
    "CabinetAccount",
    "Department",
    "District",
    "DistrictKind",
    "DistrictRule",
    "Doctor",
    "FeedbackRequest",
    "FeedbackStatus",
    "House",
    "HubIntent",
    "Institution",
    "IntentKind",
    "IntentStatus",
    "JournalEvent",
    "MedicalDistrict",
    "Patient",
    "PatientLpuLink",
    "RuleKind",
    "Settlement",
    "Slot",
    "SlotState",
    "SmsKind",
    "SmsMessage",
    "SmsStatus",
    "Specialty",
    "StaffAccount",
    "StaffRole",
    "Street",
    "SyncRun",
    "TicketCounter",
    "VisitRating",
]
