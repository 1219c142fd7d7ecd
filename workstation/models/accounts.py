"""Who signs in: the workstation's staff, and patients with a personal-cabinet account.

Passwords (and one-time passwords) are kept only as Argon2id hashes. A cabinet account's login
is the patient's normalised СНИЛС (11 digits): one account per СНИЛС, enforced by a unique
index, so two workstations issuing at once on a shared PostgreSQL cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workstation.models.base import Base, UtcDateTime, enum_values, utc_now
from workstation.models.patients import Patient


class StaffRole(enum.StrEnum):
    """What a member of staff is (and so may do)."""

    OPERATOR = "operator"  # contact-center operator
    CLERK = "clerk"  # registry clerk at a polyclinic desk
    ADMIN = "admin"  # administrator


class StaffAccount(Base):
    """A member of staff who signs in to the workstation."""

    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[StaffRole] = mapped_column(
        Enum(StaffRole, native_enum=False, length=16, values_callable=enum_values)
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class CabinetAccount(Base):
    """A patient's personal-cabinet account («Личный кабинет»); the login is the СНИЛС."""

    __tablename__ = "cabinet_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="RESTRICT"), unique=True
    )
    login: Mapped[str] = mapped_column(String(11), unique=True)  # the 11 digits of the СНИЛС
    password_hash: Mapped[str] = mapped_column(String(200))
    # A one-time password: valid until this moment, then it must be reset; None after the
    # patient set a password of their own.
    one_time_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    is_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sms_second_factor: Mapped[bool] = mapped_column(Boolean, default=False)
    # «Получать sms-напоминания».
    sms_reminders: Mapped[bool] = mapped_column(Boolean, default=False)
    # The SMS code of a sign-in with the second factor (Argon2id hash), while one is pending.
    sign_in_code_hash: Mapped[str | None] = mapped_column(String(200))
    sign_in_code_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sign_in_code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    consent_form_signed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    patient: Mapped[Patient] = relationship()
