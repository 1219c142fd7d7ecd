"""«Карта пациента»: what the personal cabinet shows of the patient, documents masked.

The card is read for a patient who has been identified; even so, the documents and contacts
are shown masked (the operator compares the visible ends with what the caller reads out):
СНИЛС «***-***-445 95», the ОМС policy's last four characters, the passport «45 ** ***482»,
the phone «+7 912 ***-**-89», the e-mail «iv***@mail.ru».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import CabinetAccount, Institution, Patient, PatientLpuLink
from workstation.models.identity import (
    MASK_CHAR,
    Email,
    InvalidDocument,
    Passport,
    Phone,
    Snils,
    mask_middle,
)

__all__ = [
    "CABINET_BLOCKED",
    "CABINET_NOT_ISSUED",
    "AttachedInstitution",
    "PatientCard",
    "PatientNotFound",
    "cabinet_status",
    "masked_oms",
    "patient_card",
]

CABINET_NOT_ISSUED = "не выдан"
CABINET_BLOCKED = "заблокирован"
_OMS_VISIBLE = 4


class PatientNotFound(LookupError):
    """No patient with this id (deleted or merged meanwhile); ``message`` is for the operator."""

    def __init__(self, patient_id: int) -> None:
        self.message = "Пациент не найден: найдите и идентифицируйте его заново (F2)."
        super().__init__(self.message)
        self.patient_id = patient_id


@dataclass(frozen=True, slots=True)
class AttachedInstitution:
    """An institution whose MIS knows the patient (``PatientLpuLink``)."""

    institution_id: int
    name: str
    settlement_id: int | None


@dataclass(frozen=True, slots=True)
class PatientCard:
    """The card; empty strings where the registry holds nothing."""

    patient_id: int
    full_name: str
    birth_date: dt.date
    snils: str
    oms: str
    passport: str
    phone: str
    email: str
    consent_given_at: dt.datetime | None
    """When the consent to personal-data processing was given (UTC), or None."""
    institutions: tuple[AttachedInstitution, ...]
    cabinet_status: str
    """«выдан 10.08.2015», «заблокирован» or «не выдан»."""

    @property
    def birth_date_label(self) -> str:
        return self.birth_date.strftime("%d.%m.%Y")

    @property
    def consent_label(self) -> str:
        """«10.08.2015» (local date), or «нет»."""
        if self.consent_given_at is None:
            return "нет"
        return self.consent_given_at.astimezone().strftime("%d.%m.%Y")


def masked_oms(number: str | None) -> str:
    """The policy number with all but its last four characters hidden (series dropped)."""
    if not number:
        return ""
    body = number.split()[-1]
    return mask_middle(body, 0, _OMS_VISIBLE)


def _fully_masked(value: str) -> str:
    return MASK_CHAR * len(value)


def _masked_snils(value: str | None) -> str:
    if not value:
        return ""
    try:
        return Snils(value).masked
    except InvalidDocument:  # an old record that no longer validates: hide it all but the end
        return mask_middle(value, 0, 5)


def _masked_passport(value: str | None) -> str:
    if not value:
        return ""
    try:
        return Passport(value).masked
    except InvalidDocument:
        return mask_middle(value, 2, 3)


def _masked_phone(value: str | None) -> str:
    if not value:
        return ""
    try:
        return Phone(value).masked
    except InvalidDocument:
        return mask_middle(value, 0, 2)


def _masked_email(value: str | None) -> str:
    if not value:
        return ""
    try:
        return Email.parse(value).masked
    except InvalidDocument:
        return _fully_masked(value)


def cabinet_status(account: CabinetAccount | None) -> str:
    """«выдан 10.08.2015», «заблокирован» or «не выдан»."""
    if account is None:
        return CABINET_NOT_ISSUED
    if account.is_blocked:
        return CABINET_BLOCKED
    return f"выдан {account.created_at.astimezone():%d.%m.%Y}"


def patient_card(session: Session, patient_id: int) -> PatientCard:
    """The card of patient ``patient_id``; raises :class:`PatientNotFound`."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise PatientNotFound(patient_id)
    links = session.execute(
        select(Institution.id, Institution.short_name, Institution.full_name,
               Institution.settlement_id)
        .join(PatientLpuLink, PatientLpuLink.institution_id == Institution.id)
        .where(PatientLpuLink.patient_id == patient_id)
        .order_by(Institution.short_name, Institution.id)
    ).all()
    account = session.scalars(
        select(CabinetAccount).where(CabinetAccount.patient_id == patient_id)
    ).first()
    return PatientCard(
        patient_id=patient.id,
        full_name=patient.full_name,
        birth_date=patient.birth_date,
        snils=_masked_snils(patient.snils),
        oms=masked_oms(patient.oms_number),
        passport=_masked_passport(patient.passport),
        phone=_masked_phone(patient.phone),
        email=_masked_email(patient.email),
        consent_given_at=patient.consent_given_at,
        institutions=tuple(
            AttachedInstitution(institution_id, short or full, settlement_id)
            for institution_id, short, full, settlement_id in links
        ),
        cabinet_status=cabinet_status(account),
    )
