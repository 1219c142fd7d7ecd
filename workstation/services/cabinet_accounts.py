"""Patients' personal-cabinet accounts («Личный кабинет»): issuing, managing and signing in.

The manual («Личный кабинет», «Получение доступа в личный кабинет»): the patient prepares the
obligatory documents, **СНИЛС** and **полис ОМС**, calls the contact center (8-800-100-86-03) to
register, gets a login (the СНИЛС) and a one-time password, and signs in with «логин (СНИЛС) и
пароль»; optionally (two-factor authorisation) «после успешного ввода логина и пароля
пользователю на мобильный телефон будет направлен СМС-код для ввода». The cabinet's «Профиль»
changes the password, the ОМС policy, the e-mail, the mobile phone and «Получать
sms-напоминания»; its «Журнал событий» shows «Вход в систему», «Изменение пароля», «Изменение
контактной информации».

Operator side: :func:`issue_account`, :func:`reset_password`, :func:`set_blocked`,
:func:`update_profile`, :func:`record_consent_signed`. Patient side (the kiosk):
:func:`sign_in`, :func:`verify_sign_in_code`, :func:`change_password`.

Passwords: a one-time password comes from ``secrets`` (see ``services.passwords``), is returned
once in :class:`IssuedPassword` (kept out of ``repr``) and stored only as an Argon2id hash;
nothing here logs, and journal lines carry the masked login and times, never a password or a
code. Every function works in the caller's transaction and writes its journal line into it, so a
change and its line are committed together or not at all. That is also why a refused sign-in is
a :class:`SignInResult` with step ``REFUSED`` rather than an exception: the failure counter and
the journal line must be committed, and the caller's session rolls back on an exception.

One account per СНИЛС and per patient is enforced by unique constraints; issuing flushes in a
savepoint, so the loser of two workstations issuing at once gets :class:`AccountExists`. On
SQLite run read-then-write calls in ``Database.write_session()`` when several connections write.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workstation.models import CabinetAccount, JournalEvent, Patient, SmsKind
from workstation.models.base import utc_now
from workstation.models.identity import Email, InvalidDocument, OmsPolicy, Phone, Snils
from workstation.services.booking.confirmation import code_matches, hash_code, new_code
from workstation.services.booking.journal_text import (
    CONTACTS_CHANGED,
    PASSWORD_CHANGED,
    SIGN_IN,
)
from workstation.services.journal import Actor, record
from workstation.services.passwords import (
    WeakPassword,
    check_new_password,
    hash_password,
    needs_rehash,
    one_time_password,
    verify_password,
)
from workstation.services.sms.queue import enqueue
from workstation.services.tickets.contacts import CONTACT_CENTER_PHONE
from workstation.services.tickets.dates import local_moment
from workstation.services.tickets.slips import ConsentForm, CredentialsSlip, credentials_slip

__all__ = [
    "ACCOUNT_ACTIONS",
    "CABINET_BLOCKED",
    "CABINET_ISSUED",
    "CABINET_UNBLOCKED",
    "CONSENT_FORM_SIGNED",
    "CONTACTS_CHANGED",
    "DEFAULT_POLICY",
    "OMS_CHANGED",
    "PASSWORD_CHANGED",
    "PASSWORD_RESET",
    "REMINDERS_CHANGED",
    "SECOND_FACTOR_CHANGED",
    "SIGN_IN",
    "SIGN_IN_CODE_SENT",
    "SIGN_IN_REFUSED",
    "WRONG_CREDENTIALS",
    "AccountBlocked",
    "AccountEvent",
    "AccountExists",
    "AccountNotFound",
    "CabinetAccountView",
    "CabinetError",
    "CabinetPolicy",
    "CabinetSession",
    "DocumentsMissing",
    "IssuedPassword",
    "OneTimePasswordExpired",
    "PasswordRejected",
    "PatientNotFound",
    "ProfileInvalid",
    "SignInResult",
    "SignInStep",
    "account_history",
    "account_of",
    "change_password",
    "consent_form_for",
    "credentials_slip_for",
    "issue_account",
    "mask_login",
    "record_consent_signed",
    "reset_password",
    "set_blocked",
    "sign_in",
    "update_profile",
    "verify_sign_in_code",
]

# -- journal actions (the manual's words where it has them) -----------------------------------

CABINET_ISSUED: Final = "Выдача доступа в личный кабинет"
PASSWORD_RESET: Final = "Сброс пароля личного кабинета"
CABINET_BLOCKED: Final = "Блокировка личного кабинета"
CABINET_UNBLOCKED: Final = "Разблокировка личного кабинета"
OMS_CHANGED: Final = "Изменение номера полиса ОМС"
SECOND_FACTOR_CHANGED: Final = "Изменение входа по коду из СМС"
REMINDERS_CHANGED: Final = "Изменение получения sms-напоминаний"
CONSENT_FORM_SIGNED: Final = "Подписание согласия на обработку персональных данных"
SIGN_IN_REFUSED: Final = "Отказ во входе в систему"
SIGN_IN_CODE_SENT: Final = "Отправка кода для входа по СМС"

ACCOUNT_ACTIONS: Final = (
    CABINET_ISSUED,
    PASSWORD_RESET,
    CABINET_BLOCKED,
    CABINET_UNBLOCKED,
    OMS_CHANGED,
    CONTACTS_CHANGED,
    SECOND_FACTOR_CHANGED,
    REMINDERS_CHANGED,
    CONSENT_FORM_SIGNED,
    SIGN_IN,
    SIGN_IN_REFUSED,
    SIGN_IN_CODE_SENT,
    PASSWORD_CHANGED,
)
"""The journal actions that concern a cabinet account (what :func:`account_history` shows)."""

# -- messages ---------------------------------------------------------------------------------

WRONG_CREDENTIALS: Final = "Неверный логин или пароль."
"""The one answer to a wrong login and to a wrong password: it must not tell which was wrong."""

_ASK_CONTACT_CENTER: Final = f"Обратитесь в контакт-центр по телефону {CONTACT_CENTER_PHONE}"
_NOT_ISSUED: Final = "Личный кабинет не выдан"


class CabinetError(Exception):
    """An account operation that cannot be done; ``message`` says why, in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PatientNotFound(CabinetError):
    """The patient is not (or no longer) in the registry."""


class DocumentsMissing(CabinetError):
    """The patient lacks the СНИЛС or the ОМС policy the manual requires for a cabinet."""


class AccountExists(CabinetError):
    """The patient (or the СНИЛС) already has an account."""


class AccountNotFound(CabinetError):
    """The patient has no account."""


class AccountBlocked(CabinetError):
    """The account is blocked by an operator."""


class OneTimePasswordExpired(CabinetError):
    """The one-time password is past its validity: a new one must be issued."""


class PasswordRejected(CabinetError):
    """The current password is wrong or the new one breaks the rules."""


class ProfileInvalid(CabinetError):
    """A profile value is not acceptable; ``field`` names it (``oms``, ``phone``, ``email``,
    ``sms_second_factor``, ``sms_reminders``), the message starts with its label."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class CabinetPolicy:
    """The limits of passwords and sign-ins (configurable per installation)."""

    one_time_validity: dt.timedelta = dt.timedelta(hours=72)
    max_failures: int = 5
    """Wrong passwords in a row before the sign-in is locked for ``lockout``."""
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    sign_in_code_validity: dt.timedelta = dt.timedelta(minutes=5)
    max_code_attempts: int = 3


DEFAULT_POLICY: Final = CabinetPolicy()


@dataclass(frozen=True)
class IssuedPassword:
    """A one-time password just issued: shown once and printed on the slip, never stored."""

    login_display: str
    """The login as the patient types it, «112-233-445 95»."""
    password: str = field(repr=False)
    valid_until: dt.datetime
    patient: str
    """«Фамилия И. О.»."""


@dataclass(frozen=True)
class CabinetAccountView:
    """What the operator sees of an account (no hashes, no codes)."""

    patient_id: int
    login_display: str
    status_label: str
    is_blocked: bool
    must_change_password: bool
    one_time_valid_until: dt.datetime | None
    sms_second_factor: bool
    sms_reminders: bool
    consent_form_signed_at: dt.datetime | None
    created_at: dt.datetime
    created_by: str
    last_sign_in_at: dt.datetime | None
    patient_name: str = ""
    oms: str = ""
    """The policy as the operator types it («8600 0000 0000 0015»), empty when none."""
    phone: str = ""
    """«+7 912 345-67-89», empty when none."""
    email: str = ""
    locked_until: dt.datetime | None = None
    """Set while the sign-in is locked after too many wrong passwords."""


@dataclass(frozen=True)
class AccountEvent:
    """One journal line about an account: when, who, from which workstation, what."""

    at: dt.datetime
    operator: str
    workstation: str
    action: str
    details: str


@dataclass(frozen=True)
class CabinetSession:
    """A patient signed in to the cabinet."""

    patient_id: int
    patient_name: str


class SignInStep(enum.Enum):
    """What the sign-in screen shows next."""

    SIGNED_IN = "signed_in"
    CHANGE_PASSWORD = "change_password"
    """Signed in with a one-time password: a password of one's own must be set first."""
    SMS_CODE = "sms_code"
    """The password was right; the code sent by SMS is asked for (the second factor)."""
    REFUSED = "refused"
    """Not signed in; ``message`` says why."""


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in step; ``patient_id`` is ``None`` only for an unknown login."""

    step: SignInStep
    patient_id: int | None
    message: str = ""
    patient_name: str = ""

    @property
    def cabinet_session(self) -> CabinetSession | None:
        """The signed-in patient, once the step is ``SIGNED_IN``."""
        if self.step is not SignInStep.SIGNED_IN or self.patient_id is None:
            return None
        return CabinetSession(self.patient_id, self.patient_name)


# -- helpers ----------------------------------------------------------------------------------


def mask_login(login: str) -> str:
    """The login (11 digits of the СНИЛС) as lists and journals show it: «***-***-445 95»."""
    try:
        return Snils(login).masked
    except InvalidDocument:
        return "***"


def _display_login(login: str) -> str:
    try:
        return Snils(login).display
    except InvalidDocument:
        return login


def _patient(session: Session, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise PatientNotFound("Пациент не найден в регистре: найдите его ещё раз.")
    return patient


def _account(session: Session, patient_id: int, *, lock: bool = False) -> CabinetAccount | None:
    statement = select(CabinetAccount).where(CabinetAccount.patient_id == patient_id)
    if lock:  # PostgreSQL: two kiosks counting failures of one account take turns
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def _required_account(session: Session, patient_id: int) -> CabinetAccount:
    account = _account(session, patient_id, lock=True)
    if account is None:
        raise AccountNotFound(f"{_NOT_ISSUED}: сначала выдайте доступ.")
    return account


def _masked_phone(e164: str) -> str:
    try:
        return Phone(e164).masked
    except InvalidDocument:
        return "***"


def _oms_display(patient: Patient) -> str:
    if not patient.oms_number:
        return ""
    try:
        if patient.oms_kind == "old_style":
            series, _, number = patient.oms_number.partition(" ")
            return OmsPolicy.from_parts(series, number).display
        return OmsPolicy.parse(patient.oms_number).display
    except InvalidDocument:
        return patient.oms_number


def _phone_display(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        return Phone(e164).display
    except InvalidDocument:
        return e164


def _status_label(account: CabinetAccount, now: dt.datetime) -> str:
    if account.is_blocked:
        return "Заблокирован оператором"
    if account.locked_until is not None and account.locked_until > now:
        return (
            "Вход временно заблокирован после неудачных попыток до "
            f"{local_moment(account.locked_until)}"
        )
    if account.must_change_password and account.one_time_expires_at is not None:
        if account.one_time_expires_at <= now:
            return "Срок одноразового пароля истёк: сбросьте пароль"
        return (
            "Ожидает первого входа: одноразовый пароль действует до "
            f"{local_moment(account.one_time_expires_at)}"
        )
    if account.must_change_password:
        return "Ожидает смены пароля при входе"
    return "Действует"


def _view(
    account: CabinetAccount, patient: Patient, now: dt.datetime, full: bool
) -> CabinetAccountView:
    return CabinetAccountView(
        patient_id=account.patient_id,
        login_display=_display_login(account.login) if full else mask_login(account.login),
        status_label=_status_label(account, now),
        is_blocked=account.is_blocked,
        must_change_password=account.must_change_password,
        one_time_valid_until=account.one_time_expires_at,
        sms_second_factor=account.sms_second_factor,
        sms_reminders=account.sms_reminders,
        consent_form_signed_at=account.consent_form_signed_at,
        created_at=account.created_at,
        created_by=account.created_by,
        last_sign_in_at=account.last_sign_in_at,
        patient_name=patient.full_name,
        oms=_oms_display(patient),
        phone=_phone_display(patient.phone),
        email=patient.email or "",
        locked_until=account.locked_until,
    )


def _new_one_time_password(account: CabinetAccount, now: dt.datetime, policy: CabinetPolicy) -> str:
    password = one_time_password()
    account.password_hash = hash_password(password)
    account.one_time_expires_at = now + policy.one_time_validity
    account.must_change_password = True
    account.failed_attempts = 0
    account.locked_until = None
    _forget_code(account)
    return password


def _forget_code(account: CabinetAccount) -> None:
    account.sign_in_code_hash = None
    account.sign_in_code_expires_at = None
    account.sign_in_code_attempts = 0


# -- operator side ----------------------------------------------------------------------------


def account_of(
    session: Session, patient_id: int, *, full: bool = False, now: dt.datetime | None = None
) -> CabinetAccountView | None:
    """The patient's account, or ``None`` when none was issued.

    The login is masked («***-***-445 95») unless ``full``; ``now`` (default: the clock) decides
    whether a one-time password or a lockout is still in force.
    """
    account = _account(session, patient_id)
    if account is None:
        return None
    return _view(account, account.patient, now or utc_now(), full)


def account_history(session: Session, patient_id: int, *, limit: int = 100) -> list[AccountEvent]:
    """The journal lines about the patient's account, newest first."""
    rows = session.scalars(
        select(JournalEvent)
        .where(JournalEvent.patient_id == patient_id, JournalEvent.action.in_(ACCOUNT_ACTIONS))
        .order_by(JournalEvent.at.desc(), JournalEvent.id.desc())
        .limit(limit)
    )
    return [
        AccountEvent(row.at, row.operator, row.workstation_address, row.action, row.details)
        for row in rows
    ]


def issue_account(
    session: Session,
    patient_id: int,
    *,
    actor: Actor,
    now: dt.datetime,
    policy: CabinetPolicy = DEFAULT_POLICY,
) -> IssuedPassword:
    """Open the patient's cabinet: login = the СНИЛС, a new one-time password (returned once).

    Raises :class:`DocumentsMissing` without a valid СНИЛС or an ОМС policy, and
    :class:`AccountExists` when the patient or the СНИЛС already has an account (also when
    another workstation issued it a moment ago).
    """
    patient = _patient(session, patient_id)
    missing = [
        label
        for label, value in (("СНИЛС", patient.snils), ("полис ОМС", patient.oms_number))
        if not value
    ]
    if missing:
        raise DocumentsMissing(
            "Для доступа в личный кабинет нужны СНИЛС и полис ОМС пациента. "
            f"Не указан{'ы' if len(missing) > 1 else ''}: {' и '.join(missing)} — "
            "внесите в карточку пациента по документам."
        )
    assert patient.snils is not None
    try:
        snils = Snils(patient.snils)
    except InvalidDocument as error:
        raise DocumentsMissing(
            f"СНИЛС в карточке пациента неверен: {error.message} Исправьте его по документу."
        ) from None
    existing = session.scalars(
        select(CabinetAccount).where(
            or_(CabinetAccount.patient_id == patient_id, CabinetAccount.login == snils.canonical)
        )
    ).first()
    if existing is not None:
        raise _exists(existing, patient_id)
    account = CabinetAccount(
        patient_id=patient_id,
        login=snils.canonical,
        created_at=now,
        created_by=actor.operator,
        is_blocked=False,
        sms_second_factor=False,
        sms_reminders=False,
    )
    password = _new_one_time_password(account, now, policy)
    try:
        with session.begin_nested():
            session.add(account)
            session.flush()
    except IntegrityError:
        # Another workstation issued it between our check and our insert.
        raise AccountExists(
            f"Доступ в личный кабинет по СНИЛС {snils.masked} только что выдан на другом "
            "рабочем месте. Обновите карточку пациента."
        ) from None
    valid_until = now + policy.one_time_validity
    record(
        session,
        actor,
        CABINET_ISSUED,
        f"Логин {snils.masked}; одноразовый пароль действует до {local_moment(valid_until)}",
        patient_id=patient_id,
    )
    return IssuedPassword(snils.display, password, valid_until, patient.short_name)


def _exists(existing: CabinetAccount, patient_id: int) -> AccountExists:
    if existing.patient_id == patient_id:
        return AccountExists(
            f"Пациенту уже выдан доступ в личный кабинет (логин {mask_login(existing.login)}). "
            "Если пароль утерян или истёк, нажмите «Сбросить пароль»."
        )
    return AccountExists(
        f"По СНИЛС {mask_login(existing.login)} доступ в личный кабинет уже выдан другому "
        "пациенту: один СНИЛС — один личный кабинет. Проверьте СНИЛС по документу."
    )


def reset_password(
    session: Session,
    patient_id: int,
    *,
    actor: Actor,
    now: dt.datetime,
    policy: CabinetPolicy = DEFAULT_POLICY,
) -> IssuedPassword:
    """A new one-time password (the old password stops working); a lockout is lifted."""
    account = _required_account(session, patient_id)
    password = _new_one_time_password(account, now, policy)
    assert account.one_time_expires_at is not None
    record(
        session,
        actor,
        PASSWORD_RESET,
        f"Логин {mask_login(account.login)}; новый одноразовый пароль действует до "
        f"{local_moment(account.one_time_expires_at)}",
        patient_id=patient_id,
    )
    return IssuedPassword(
        _display_login(account.login),
        password,
        account.one_time_expires_at,
        account.patient.short_name,
    )


def set_blocked(
    session: Session, patient_id: int, blocked: bool, *, actor: Actor, reason: str = ""
) -> None:
    """Block or unblock the account; the same state again changes nothing and writes nothing."""
    account = _required_account(session, patient_id)
    if account.is_blocked == blocked:
        return
    account.is_blocked = blocked
    _forget_code(account)
    if not blocked:
        account.failed_attempts = 0
        account.locked_until = None
    details = " ".join(reason.split())[:500]
    record(
        session,
        actor,
        CABINET_BLOCKED if blocked else CABINET_UNBLOCKED,
        f"Причина: {details}" if details else "",
        patient_id=patient_id,
    )


def _parsed_oms(text: str) -> OmsPolicy:
    if not text.strip():
        raise ProfileInvalid("oms", "Полис ОМС: для личного кабинета полис обязателен.")
    try:
        return OmsPolicy.parse(text)
    except InvalidDocument as error:
        raise ProfileInvalid("oms", f"Полис ОМС: {error.message}") from None


def _parsed_phone(text: str) -> Phone | None:
    if not text.strip():
        return None
    try:
        return Phone.parse(text)
    except InvalidDocument as error:
        raise ProfileInvalid("phone", f"Телефон: {error.message}") from None


def _parsed_email(text: str) -> Email | None:
    if not text.strip():
        return None
    try:
        return Email.parse(text)
    except InvalidDocument as error:
        raise ProfileInvalid("email", f"E-mail: {error.message}") from None


def _on_off(value: bool) -> str:
    return "включено" if value else "выключено"


def update_profile(
    session: Session,
    patient_id: int,
    *,
    actor: Actor,
    oms: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    sms_second_factor: bool | None = None,
    sms_reminders: bool | None = None,
) -> CabinetAccountView:
    """Change what is given (``None`` leaves a value as it is; an empty phone or e-mail clears
    it). Every value is checked before anything changes: :class:`ProfileInvalid` names the field.
    A code by SMS and the reminders need a mobile phone.
    """
    account = _required_account(session, patient_id)
    patient = account.patient
    new_oms = _parsed_oms(oms) if oms is not None else None
    new_phone = _parsed_phone(phone) if phone is not None else None
    new_email = _parsed_email(email) if email is not None else None

    new_phone_e164 = new_phone.canonical if new_phone else None
    final_phone = patient.phone if phone is None else new_phone_e164
    mobile = final_phone is not None and _is_mobile(final_phone)
    final_second_factor = (
        account.sms_second_factor if sms_second_factor is None else sms_second_factor
    )
    final_reminders = account.sms_reminders if sms_reminders is None else sms_reminders
    if final_second_factor and not mobile:
        raise ProfileInvalid(
            "sms_second_factor" if sms_second_factor else "phone",
            "Второй фактор: код по СМС приходит на мобильный телефон — укажите номер "
            "мобильного телефона.",
        )
    if final_reminders and not mobile:
        raise ProfileInvalid(
            "sms_reminders" if sms_reminders else "phone",
            "Получать sms-напоминания: нужен номер мобильного телефона.",
        )
    if new_oms is not None and new_oms.canonical != patient.oms_number:
        other = session.scalars(
            select(Patient.id).where(
                Patient.oms_number == new_oms.canonical, Patient.id != patient_id
            )
        ).first()
        if other is not None:
            raise ProfileInvalid(
                "oms",
                "Полис ОМС: этот номер уже записан у другого пациента — проверьте его по полису.",
            )
        patient.oms_number = new_oms.canonical
        patient.oms_kind = new_oms.kind.value
        record(
            session,
            actor,
            OMS_CHANGED,
            f"Полис: {new_oms.masked}",
            patient_id=patient_id,
        )

    contact_changes: list[str] = []
    if phone is not None:
        canonical = new_phone.canonical if new_phone else None
        if canonical != patient.phone:
            patient.phone = canonical
            contact_changes.append(
                f"телефон: {new_phone.masked}" if new_phone else "телефон удалён"
            )
    if email is not None:
        canonical = new_email.canonical if new_email else None
        if canonical != patient.email:
            patient.email = canonical
            contact_changes.append(f"e-mail: {new_email.masked}" if new_email else "e-mail удалён")
    if contact_changes:
        record(session, actor, CONTACTS_CHANGED, "; ".join(contact_changes), patient_id=patient_id)
    if final_second_factor != account.sms_second_factor:
        account.sms_second_factor = final_second_factor
        if not final_second_factor:
            _forget_code(account)
        record(
            session,
            actor,
            SECOND_FACTOR_CHANGED,
            f"Второй фактор: код по СМС — {_on_off(final_second_factor)}",
            patient_id=patient_id,
        )
    if final_reminders != account.sms_reminders:
        account.sms_reminders = final_reminders
        record(
            session,
            actor,
            REMINDERS_CHANGED,
            f"Получать sms-напоминания — {_on_off(final_reminders)}",
            patient_id=patient_id,
        )
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # The same policy was written for another patient a moment ago.
        raise ProfileInvalid(
            "oms", "Полис ОМС: этот номер уже записан у другого пациента — проверьте его по полису."
        ) from None
    return _view(account, patient, utc_now(), full=False)


def _is_mobile(e164: str) -> bool:
    try:
        return Phone(e164).is_mobile
    except InvalidDocument:
        return False


def record_consent_signed(
    session: Session, patient_id: int, *, actor: Actor, now: dt.datetime
) -> None:
    """The patient signed the printed consent form (152-ФЗ, a separate document)."""
    account = _required_account(session, patient_id)
    account.consent_form_signed_at = now
    record(
        session,
        actor,
        CONSENT_FORM_SIGNED,
        "Личный кабинет пациента; подписанный бланк принят",
        patient_id=patient_id,
    )


def consent_form_for(session: Session, patient_id: int, today: dt.date) -> ConsentForm:
    """The consent form filled with the patient's name and the date."""
    return ConsentForm(patient_full_name=_patient(session, patient_id).full_name, date=today)


def credentials_slip_for(
    issued: IssuedPassword, *, issued_by: str, now: dt.datetime
) -> CredentialsSlip:
    """The printed slip with the login and the one-time password just issued."""
    return credentials_slip(
        issued.login_display,
        issued.password,
        patient=issued.patient,
        valid_until=issued.valid_until,
        issued_at=now,
        issued_by=issued_by,
    )


# -- patient side (the kiosk) -----------------------------------------------------------------


@cache
def _unknown_login_hash() -> str:
    """Verified when the login is unknown, so that an unknown login takes as long as a wrong
    password and the answer time does not tell which logins exist."""
    return hash_password(one_time_password())


def _refused(
    session: Session,
    actor: Actor,
    patient_id: int | None,
    login: str,
    reason: str,
    message: str,
) -> SignInResult:
    record(
        session,
        actor,
        SIGN_IN_REFUSED,
        f"Логин {mask_login(login)}: {reason}",
        patient_id=patient_id,
    )
    return SignInResult(SignInStep.REFUSED, patient_id, message)


def _blocked_message() -> str:
    return f"Доступ в личный кабинет заблокирован. {_ASK_CONTACT_CENTER}."


def _locked_message(until: dt.datetime) -> str:
    return (
        "Слишком много неудачных попыток входа. Вход временно заблокирован до "
        f"{local_moment(until)}: попробуйте позже или обратитесь в контакт-центр по телефону "
        f"{CONTACT_CENTER_PHONE}."
    )


def _expired_message() -> str:
    return (
        "Срок действия одноразового пароля истёк. "
        f"{_ASK_CONTACT_CENTER}, чтобы получить новый пароль."
    )


def _signed_in(
    session: Session, account: CabinetAccount, actor: Actor, now: dt.datetime
) -> SignInResult:
    account.last_sign_in_at = now
    account.failed_attempts = 0
    account.locked_until = None
    record(session, actor, SIGN_IN, patient_id=account.patient_id)
    name = account.patient.full_name
    if account.must_change_password:
        return SignInResult(
            SignInStep.CHANGE_PASSWORD,
            account.patient_id,
            "Вы вошли по одноразовому паролю: придумайте свой пароль.",
            name,
        )
    return SignInResult(SignInStep.SIGNED_IN, account.patient_id, "", name)


def sign_in(
    session: Session,
    login_text: str,
    password: str,
    *,
    now: dt.datetime,
    actor: Actor,
    policy: CabinetPolicy = DEFAULT_POLICY,
) -> SignInResult:
    """Check the login (the СНИЛС in any format) and the password.

    The step is ``SMS_CODE`` when the account has the second factor (a code is queued by SMS),
    ``CHANGE_PASSWORD`` after a one-time password, ``SIGNED_IN`` otherwise, and ``REFUSED``
    with the reason: a wrong login or password (one message for both), a lockout after
    ``policy.max_failures`` wrong passwords, a blocked account, an expired one-time password.
    Every outcome is journalled, never with the password.
    """
    try:
        login = Snils.parse(login_text).canonical
    except InvalidDocument as error:
        return SignInResult(SignInStep.REFUSED, None, f"Логин — это ваш СНИЛС. {error.message}")
    account = session.scalars(
        select(CabinetAccount).where(CabinetAccount.login == login).with_for_update()
    ).one_or_none()
    if account is None:
        verify_password(_unknown_login_hash(), password)
        return _refused(session, actor, None, login, "неверный логин", WRONG_CREDENTIALS)
    patient_id = account.patient_id
    if account.locked_until is not None and account.locked_until > now:
        return _refused(
            session,
            actor,
            patient_id,
            login,
            f"вход временно заблокирован до {local_moment(account.locked_until)}",
            _locked_message(account.locked_until),
        )
    if not verify_password(account.password_hash, password):
        account.failed_attempts += 1
        if account.failed_attempts >= policy.max_failures:
            account.failed_attempts = 0
            account.locked_until = now + policy.lockout
            return _refused(
                session,
                actor,
                patient_id,
                login,
                f"неверный пароль; вход заблокирован до {local_moment(account.locked_until)}",
                f"{WRONG_CREDENTIALS} {_locked_message(account.locked_until)}",
            )
        return _refused(
            session,
            actor,
            patient_id,
            login,
            f"неверный пароль (попытка {account.failed_attempts} из {policy.max_failures})",
            WRONG_CREDENTIALS,
        )
    if account.is_blocked:
        return _refused(
            session, actor, patient_id, login, "кабинет заблокирован", _blocked_message()
        )
    if account.one_time_expires_at is not None and account.one_time_expires_at <= now:
        return _refused(
            session,
            actor,
            patient_id,
            login,
            "срок одноразового пароля истёк",
            _expired_message(),
        )
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    if not account.sms_second_factor:
        return _signed_in(session, account, actor, now)
    phone = account.patient.phone
    if not phone:
        return _refused(
            session,
            actor,
            patient_id,
            login,
            "нет телефона для кода по СМС",
            f"Для входа нужен код из СМС, но номер телефона не указан. {_ASK_CONTACT_CENTER}.",
        )
    code = new_code()
    account.sign_in_code_hash = hash_code(code)
    account.sign_in_code_expires_at = now + policy.sign_in_code_validity
    account.sign_in_code_attempts = 0
    enqueue(
        session,
        phone,
        f"Код для входа в личный кабинет: {code}. Никому не сообщайте его.",
        SmsKind.OTHER,
    )
    record(
        session,
        actor,
        SIGN_IN_CODE_SENT,
        f"Логин {mask_login(login)}; на номер {_masked_phone(phone)}",
        patient_id=patient_id,
    )
    return SignInResult(
        SignInStep.SMS_CODE,
        patient_id,
        f"Код отправлен по СМС на номер {_masked_phone(phone)}. Введите его.",
        account.patient.full_name,
    )


def verify_sign_in_code(
    session: Session,
    patient_id: int,
    code: str,
    *,
    now: dt.datetime,
    actor: Actor,
    policy: CabinetPolicy = DEFAULT_POLICY,
) -> SignInResult:
    """The second factor: the code from the SMS. ``REFUSED`` for a wrong, used-up or expired
    code (after ``policy.max_code_attempts`` wrong codes the code is void: sign in again)."""
    account = _account(session, patient_id, lock=True)
    if account is None or account.sign_in_code_hash is None:
        return SignInResult(
            SignInStep.REFUSED,
            patient_id,
            "Код не запрашивался или уже использован: войдите по СНИЛС и паролю ещё раз.",
        )
    login = account.login
    if account.is_blocked:
        _forget_code(account)
        return _refused(
            session, actor, patient_id, login, "кабинет заблокирован", _blocked_message()
        )
    expires = account.sign_in_code_expires_at
    if expires is None or expires <= now:
        _forget_code(account)
        return _refused(
            session,
            actor,
            patient_id,
            login,
            "срок кода из СМС истёк",
            "Срок действия кода истёк: войдите ещё раз, чтобы получить новый код.",
        )
    if not code_matches(account.sign_in_code_hash, code):
        account.sign_in_code_attempts += 1
        left = policy.max_code_attempts - account.sign_in_code_attempts
        if left <= 0:
            _forget_code(account)
            return _refused(
                session,
                actor,
                patient_id,
                login,
                "неверный код из СМС; попытки исчерпаны",
                "Неверный код. Попытки исчерпаны: войдите ещё раз, чтобы получить новый код.",
            )
        return _refused(
            session,
            actor,
            patient_id,
            login,
            "неверный код из СМС",
            f"Неверный код из СМС. Осталось попыток: {left}.",
        )
    _forget_code(account)
    return _signed_in(session, account, actor, now)


def change_password(
    session: Session,
    patient_id: int,
    old_password: str,
    new_password: str,
    *,
    now: dt.datetime,
    actor: Actor,
) -> None:
    """Replace the password (the one-time one, or one's own): the rules of
    ``check_new_password``, not the login, not the old password. Raises
    :class:`PasswordRejected`, :class:`AccountBlocked` or :class:`OneTimePasswordExpired`."""
    account = _required_account(session, patient_id)
    if account.is_blocked:
        raise AccountBlocked(_blocked_message())
    if not verify_password(account.password_hash, old_password):
        raise PasswordRejected("Текущий пароль введён неверно.")
    if account.one_time_expires_at is not None and account.one_time_expires_at <= now:
        raise OneTimePasswordExpired(_expired_message())
    try:
        check_new_password(new_password, login=account.login, previous_hash=account.password_hash)
    except WeakPassword as weak:
        raise PasswordRejected(weak.message) from None
    account.password_hash = hash_password(new_password)
    account.must_change_password = False
    account.one_time_expires_at = None
    account.password_changed_at = now
    record(session, actor, PASSWORD_CHANGED, patient_id=patient_id)
