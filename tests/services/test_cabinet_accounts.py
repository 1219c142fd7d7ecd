"""Personal-cabinet accounts on both engines: issuing, one account per СНИЛС (also when two
workstations issue at once), passwords never in clear, expiry, forced change, lockout, the SMS
second factor, block/unblock, the profile and the journal line of each change."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.engine import make_url

from workstation.models import CabinetAccount, JournalEvent, Patient, SmsMessage
from workstation.services.cabinet_accounts import (
    CABINET_BLOCKED,
    CABINET_ISSUED,
    CABINET_UNBLOCKED,
    CONSENT_FORM_SIGNED,
    CONTACTS_CHANGED,
    OMS_CHANGED,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    REMINDERS_CHANGED,
    SECOND_FACTOR_CHANGED,
    SIGN_IN,
    SIGN_IN_CODE_SENT,
    SIGN_IN_REFUSED,
    WRONG_CREDENTIALS,
    AccountBlocked,
    AccountExists,
    AccountNotFound,
    CabinetPolicy,
    DocumentsMissing,
    IssuedPassword,
    OneTimePasswordExpired,
    PasswordRejected,
    ProfileInvalid,
    SignInResult,
    SignInStep,
    account_history,
    account_of,
    change_password,
    consent_form_for,
    credentials_slip_for,
    issue_account,
    record_consent_signed,
    reset_password,
    set_blocked,
    sign_in,
    update_profile,
    verify_sign_in_code,
)
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.passwords import ONE_TIME_ALPHABET
from workstation.services.tickets.slips import render_credentials_slip

NOW = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
OPERATOR = Actor("Петрова А. А.", "cc-12 (10.0.0.12)")
KIOSK = Actor("киоск", "kiosk-1 (10.0.5.1)")
SNILS = "112-233-445 95"
SNILS_DIGITS = "11223344595"
ENP = "8600000000000015"
PHONE = "+79123456789"
NEW_PASSWORD = "Moj1Parol7"


def add_patient(
    database: Database,
    *,
    snils: str | None = SNILS_DIGITS,
    oms: str | None = ENP,
    phone: str | None = PHONE,
    name: tuple[str, str, str] = ("Ёлкин", "Пётр", "Семёнович"),
) -> int:
    with database.session() as session:
        patient = Patient(
            birth_date=dt.date(1980, 5, 17),
            snils=snils,
            oms_number=oms,
            oms_kind="unified" if oms else None,
            phone=phone,
        )
        patient.set_name(*name)
        session.add(patient)
        session.flush()
        return patient.id


def issue(database: Database, patient_id: int, **kwargs: object) -> IssuedPassword:
    with database.write_session() as session:
        return issue_account(session, patient_id, actor=OPERATOR, now=NOW, **kwargs)  # type: ignore[arg-type]


def kiosk_sign_in(
    database: Database, password: str, *, login: str = SNILS, now: dt.datetime = NOW
) -> SignInResult:
    with database.session() as session:
        return sign_in(session, login, password, now=now, actor=KIOSK)


def journal(database: Database) -> list[JournalEvent]:
    with database.session() as session:
        return list(session.scalars(select(JournalEvent).order_by(JournalEvent.id)))


def actions(database: Database) -> list[str]:
    return [event.action for event in journal(database)]


def stored_account(database: Database, patient_id: int) -> CabinetAccount:
    with database.session() as session:
        return session.scalars(
            select(CabinetAccount).where(CabinetAccount.patient_id == patient_id)
        ).one()


@pytest.fixture
def patient_id(database: Database) -> int:
    return add_patient(database)


@pytest.fixture
def issued(database: Database, patient_id: int) -> IssuedPassword:
    return issue(database, patient_id)


def signed_up(database: Database, issued: IssuedPassword, patient_id: int) -> None:
    """The first sign-in and the forced change: the patient now has ``NEW_PASSWORD``."""
    assert kiosk_sign_in(database, issued.password).step is SignInStep.CHANGE_PASSWORD
    with database.session() as session:
        change_password(session, patient_id, issued.password, NEW_PASSWORD, now=NOW, actor=KIOSK)


# -- issuing ----------------------------------------------------------------------------------


def test_issuing_gives_a_one_time_password_for_the_snils_login(
    database: Database, patient_id: int
) -> None:
    issued = issue(database, patient_id)

    assert issued.login_display == SNILS
    assert issued.patient == "Ёлкин П. С."
    assert issued.valid_until == NOW + dt.timedelta(hours=72)
    assert len(issued.password) >= 10
    assert set(issued.password) <= set(ONE_TIME_ALPHABET)
    assert issued.password not in repr(issued)
    stored = stored_account(database, patient_id)
    assert stored.login == SNILS_DIGITS
    assert stored.password_hash.startswith("$argon2id$")
    assert stored.must_change_password
    with database.session() as session:
        view = account_of(session, patient_id, now=NOW)
        full = account_of(session, patient_id, full=True, now=NOW)
    assert view is not None and full is not None
    assert view.login_display == "***-***-445 95"
    assert full.login_display == SNILS
    assert view.must_change_password and not view.is_blocked
    assert view.one_time_valid_until == NOW + dt.timedelta(hours=72)
    assert view.status_label.startswith("Ожидает первого входа")
    assert view.created_by == OPERATOR.operator
    assert (view.oms, view.phone) == ("8600 0000 0000 0015", "+7 912 345-67-89")
    [event] = journal(database)
    assert (event.action, event.operator, event.workstation_address, event.patient_id) == (
        CABINET_ISSUED,
        OPERATOR.operator,
        OPERATOR.workstation,
        patient_id,
    )
    assert "***-***-445 95" in event.details
    assert SNILS_DIGITS not in event.details


def test_the_validity_of_a_one_time_password_is_configurable(
    database: Database, patient_id: int
) -> None:
    issued = issue(
        database, patient_id, policy=CabinetPolicy(one_time_validity=dt.timedelta(hours=24))
    )
    assert issued.valid_until == NOW + dt.timedelta(hours=24)


def test_a_patient_without_a_cabinet_has_no_account_view(
    database: Database, patient_id: int
) -> None:
    with database.session() as session:
        assert account_of(session, patient_id) is None
        with pytest.raises(AccountNotFound, match="Личный кабинет не выдан"):
            reset_password(session, patient_id, actor=OPERATOR, now=NOW)


@pytest.mark.parametrize(
    ("snils", "oms", "missing"),
    [
        (None, ENP, "Не указан: СНИЛС"),
        (SNILS_DIGITS, None, "Не указан: полис ОМС"),
        (None, None, "Не указаны: СНИЛС и полис ОМС"),
    ],
)
def test_issuing_requires_the_snils_and_the_oms_policy(
    database: Database, snils: str | None, oms: str | None, missing: str
) -> None:
    patient_id = add_patient(database, snils=snils, oms=oms)
    with pytest.raises(DocumentsMissing) as refused:
        issue(database, patient_id)
    assert "нужны СНИЛС и полис ОМС" in refused.value.message
    assert missing in refused.value.message
    with database.session() as session:
        assert session.scalars(select(CabinetAccount)).all() == []
    assert actions(database) == []


def test_a_second_account_for_the_same_patient_is_refused(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    with pytest.raises(AccountExists, match="«Сбросить пароль»"):
        issue(database, patient_id)
    assert actions(database) == [CABINET_ISSUED]


def _issue_from_own_workstation(
    url: str, patient_id: int, name: str, barrier: threading.Barrier, outcomes: dict[str, object]
) -> None:
    database = Database(url)
    try:
        barrier.wait(timeout=30)
        with database.write_session() as session:
            issue_account(session, patient_id, actor=Actor(name, name), now=NOW)
        outcomes[name] = "issued"
    except Exception as error:  # the outcome is what the test checks
        outcomes[name] = error
    finally:
        database.dispose()


def test_two_workstations_issuing_at_once_get_one_account(
    database: Database, patient_id: int
) -> None:
    outcomes: dict[str, object] = {}
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(
            target=_issue_from_own_workstation,
            args=(database.url, patient_id, name, barrier, outcomes),
        )
        for name in ("cc-1", "cc-2")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(map(str, outcomes.values())).count("issued") == 1, outcomes
    [loser] = [o for o in outcomes.values() if o != "issued"]
    assert isinstance(loser, AccountExists), loser
    with database.session() as session:
        assert len(session.scalars(select(CabinetAccount)).all()) == 1
    assert actions(database) == [CABINET_ISSUED]


def test_one_snils_opens_one_cabinet_even_for_another_patient_record(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    # Patient.snils is unique too; a registry that once held the digits elsewhere (e.g. a
    # corrected card) must still not get a second cabinet for them.
    other = add_patient(database, snils=None, oms="8600000000000023", phone=None)
    with database.session() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        patient.snils = None
    with database.session() as session:
        patient = session.get(Patient, other)
        assert patient is not None
        patient.snils = SNILS_DIGITS
    with pytest.raises(AccountExists, match="один СНИЛС — один личный кабинет"):
        issue(database, other)


# -- passwords never in clear -----------------------------------------------------------------


def _all_stored_text(database: Database) -> str:
    """Every value of every table, as text."""
    metadata = MetaData()
    metadata.reflect(database.engine)
    parts: list[str] = []
    with database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            parts.extend(repr(tuple(row)) for row in connection.execute(table.select()))
    return "\n".join(parts)


def _database_files(database: Database) -> Iterator[Path]:
    path = Path(make_url(database.url).database or "")
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
        if candidate.is_file():
            yield candidate


def test_passwords_are_never_stored_or_logged_in_clear(
    database: Database, patient_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # SQLAlchemy sets its own loggers to WARNING: let its statements and parameters through.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    issued = issue(database, patient_id)
    kiosk_sign_in(database, "неверный-пароль-1")
    assert kiosk_sign_in(database, issued.password).step is SignInStep.CHANGE_PASSWORD
    with database.session() as session:
        change_password(session, patient_id, issued.password, NEW_PASSWORD, now=NOW, actor=KIOSK)
    with database.session() as session:
        reset = reset_password(session, patient_id, actor=OPERATOR, now=NOW)
    secrets = [issued.password, NEW_PASSWORD, reset.password, "неверный-пароль-1"]

    assert "SELECT" in caplog.text  # the statements were logged, so the check below means much
    stored = _all_stored_text(database)
    journal_text = " ".join(f"{e.action} {e.details}" for e in journal(database))
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in stored
        assert secret not in journal_text
    if database.is_sqlite:
        database.dispose()
        for file in _database_files(database):
            content = file.read_bytes()
            for secret in secrets:
                assert secret.encode() not in content, file.name


# -- expiry, forced change, reset -------------------------------------------------------------


def test_the_first_sign_in_forces_a_password_change(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    result = kiosk_sign_in(database, issued.password, login="11223344595")
    assert result.step is SignInStep.CHANGE_PASSWORD
    assert (result.patient_id, result.patient_name) == (patient_id, "Ёлкин Пётр Семёнович")
    assert result.cabinet_session is None

    with database.session() as session:
        change_password(session, patient_id, issued.password, NEW_PASSWORD, now=NOW, actor=KIOSK)

    signed = kiosk_sign_in(database, NEW_PASSWORD, login=" 112 233 445 95 ")
    assert signed.step is SignInStep.SIGNED_IN
    assert signed.cabinet_session is not None
    assert signed.cabinet_session.patient_id == patient_id
    assert kiosk_sign_in(database, issued.password).message == WRONG_CREDENTIALS
    stored = stored_account(database, patient_id)
    assert not stored.must_change_password
    assert stored.one_time_expires_at is None
    assert stored.password_changed_at == NOW
    assert stored.last_sign_in_at == NOW
    assert actions(database) == [
        CABINET_ISSUED,
        SIGN_IN,
        PASSWORD_CHANGED,
        SIGN_IN,
        SIGN_IN_REFUSED,
    ]
    assert journal(database)[2].operator == "киоск"


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("abc12", "слишком короткий"),
        ("abcdefghij", "и буквы, и цифры"),
        ("x11223344595", "не должен совпадать с логином"),
    ],
)
def test_a_weak_new_password_is_refused_with_the_rule(
    database: Database,
    patient_id: int,
    issued: IssuedPassword,
    new_password: str,
    message: str,
) -> None:
    with pytest.raises(PasswordRejected, match=message), database.session() as session:
        change_password(session, patient_id, issued.password, new_password, now=NOW, actor=KIOSK)
    assert stored_account(database, patient_id).must_change_password


def test_the_one_time_password_must_be_given_to_change_it(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    with pytest.raises(PasswordRejected, match="Текущий пароль"), database.session() as session:
        change_password(session, patient_id, "Wrong12345", NEW_PASSWORD, now=NOW, actor=KIOSK)


def test_an_expired_one_time_password_sends_the_patient_to_the_contact_center(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    later = issued.valid_until + dt.timedelta(seconds=1)
    result = kiosk_sign_in(database, issued.password, now=later)
    assert result.step is SignInStep.REFUSED
    assert "Срок действия одноразового пароля истёк" in result.message
    assert "8-800-100-86-03" in result.message and "новый пароль" in result.message
    # A wrong password says nothing about the expiry.
    assert kiosk_sign_in(database, "Wrong12345", now=later).message == WRONG_CREDENTIALS
    with pytest.raises(OneTimePasswordExpired), database.session() as session:
        change_password(session, patient_id, issued.password, NEW_PASSWORD, now=later, actor=KIOSK)
    with database.session() as session:
        view = account_of(session, patient_id, now=later)
    assert view is not None and "истёк" in view.status_label


def test_a_reset_issues_a_new_one_time_password_and_voids_the_old_one(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    signed_up(database, issued, patient_id)
    later = NOW + dt.timedelta(days=30)
    with database.session() as session:
        reset = reset_password(session, patient_id, actor=OPERATOR, now=later)
    assert reset.password != issued.password
    assert reset.valid_until == later + dt.timedelta(hours=72)
    assert reset.login_display == SNILS
    assert kiosk_sign_in(database, NEW_PASSWORD, now=later).message == WRONG_CREDENTIALS
    assert kiosk_sign_in(database, reset.password, now=later).step is SignInStep.CHANGE_PASSWORD
    assert PASSWORD_RESET in actions(database)


# -- lockout ----------------------------------------------------------------------------------


def test_too_many_wrong_passwords_lock_the_sign_in_for_a_while(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    messages = [kiosk_sign_in(database, f"Wrong{n}abc").message for n in range(5)]
    assert messages[:4] == [WRONG_CREDENTIALS] * 4
    assert messages[4].startswith(WRONG_CREDENTIALS)
    assert "заблокирован до" in messages[4]

    # The right password does not help during the lockout...
    during = kiosk_sign_in(database, issued.password, now=NOW + dt.timedelta(minutes=14))
    assert during.step is SignInStep.REFUSED
    assert "временно заблокирован" in during.message
    with database.session() as session:
        view = account_of(session, patient_id, now=NOW)
    assert view is not None and view.locked_until == NOW + dt.timedelta(minutes=15)
    # ...and does after it.
    after = kiosk_sign_in(database, issued.password, now=NOW + dt.timedelta(minutes=15))
    assert after.step is SignInStep.CHANGE_PASSWORD
    refusals = [e for e in journal(database) if e.action == SIGN_IN_REFUSED]
    assert len(refusals) == 6
    assert "попытка 1 из 5" in refusals[0].details
    assert "вход заблокирован до" in refusals[4].details


def test_an_unknown_login_gets_the_same_answer_as_a_wrong_password(
    database: Database, issued: IssuedPassword
) -> None:
    result = kiosk_sign_in(database, issued.password, login="123-456-789 64")
    assert (result.step, result.patient_id, result.message) == (
        SignInStep.REFUSED,
        None,
        WRONG_CREDENTIALS,
    )
    refusal = journal(database)[-1]
    assert (refusal.action, refusal.patient_id) == (SIGN_IN_REFUSED, None)
    assert "***-***-789 64" in refusal.details


def test_a_login_that_is_not_a_snils_says_how_to_type_it(database: Database) -> None:
    result = kiosk_sign_in(database, "secret", login="12345")
    assert result.step is SignInStep.REFUSED
    assert "Логин — это ваш СНИЛС" in result.message
    assert "11 цифр" in result.message


# -- the SMS second factor --------------------------------------------------------------------


def _sent_codes(database: Database) -> list[str]:
    with database.session() as session:
        texts = session.scalars(select(SmsMessage.text).order_by(SmsMessage.id)).all()
    return [match.group(0) for text in texts if (match := re.search(r"\b\d{6}\b", text))]


def _with_second_factor(database: Database, patient_id: int) -> None:
    with database.session() as session:
        update_profile(session, patient_id, actor=OPERATOR, sms_second_factor=True)


def test_the_second_factor_asks_for_the_code_sent_by_sms(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    signed_up(database, issued, patient_id)
    _with_second_factor(database, patient_id)

    result = kiosk_sign_in(database, NEW_PASSWORD)
    assert result.step is SignInStep.SMS_CODE
    assert "+7 912 ***-**-89" in result.message
    with database.session() as session:
        [sms] = session.scalars(select(SmsMessage)).all()
    assert sms.phone == PHONE
    assert NEW_PASSWORD not in sms.text
    [code] = _sent_codes(database)
    wrong = "000000" if code != "000000" else "111111"

    with database.session() as session:
        refused = verify_sign_in_code(session, patient_id, wrong, now=NOW, actor=KIOSK)
    assert refused.step is SignInStep.REFUSED and "Осталось попыток: 2" in refused.message
    with database.session() as session:
        signed = verify_sign_in_code(
            session, patient_id, f"{code[:3]} {code[3:]}", now=NOW, actor=KIOSK
        )
    assert signed.step is SignInStep.SIGNED_IN
    with database.session() as session:
        again = verify_sign_in_code(session, patient_id, code, now=NOW, actor=KIOSK)
    assert again.step is SignInStep.REFUSED and "уже использован" in again.message
    assert code not in " ".join(e.details for e in journal(database))
    assert actions(database)[-3:] == [SIGN_IN_CODE_SENT, SIGN_IN_REFUSED, SIGN_IN]


def test_a_one_time_password_with_the_second_factor_asks_the_code_then_the_change(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    _with_second_factor(database, patient_id)
    assert kiosk_sign_in(database, issued.password).step is SignInStep.SMS_CODE
    [code] = _sent_codes(database)
    with database.session() as session:
        result = verify_sign_in_code(session, patient_id, code, now=NOW, actor=KIOSK)
    assert result.step is SignInStep.CHANGE_PASSWORD


def test_an_sms_code_expires_and_runs_out_of_attempts(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    _with_second_factor(database, patient_id)
    kiosk_sign_in(database, issued.password)
    [code] = _sent_codes(database)
    with database.session() as session:
        late = verify_sign_in_code(
            session, patient_id, code, now=NOW + dt.timedelta(minutes=5), actor=KIOSK
        )
    assert late.step is SignInStep.REFUSED and "Срок действия кода истёк" in late.message

    kiosk_sign_in(database, issued.password)
    code = _sent_codes(database)[-1]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        with database.session() as session:
            verify_sign_in_code(session, patient_id, wrong, now=NOW, actor=KIOSK)
    with database.session() as session:
        last = verify_sign_in_code(session, patient_id, wrong, now=NOW, actor=KIOSK)
    assert "Попытки исчерпаны" in last.message
    with database.session() as session:
        void = verify_sign_in_code(session, patient_id, code, now=NOW, actor=KIOSK)
    assert void.step is SignInStep.REFUSED


# -- block / unblock --------------------------------------------------------------------------


def test_a_blocked_cabinet_refuses_the_right_password_until_unblocked(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    with database.session() as session:
        set_blocked(session, patient_id, True, actor=OPERATOR, reason="заявление пациента")
    blocked = kiosk_sign_in(database, issued.password)
    assert blocked.step is SignInStep.REFUSED
    assert "заблокирован" in blocked.message and "8-800-100-86-03" in blocked.message
    assert kiosk_sign_in(database, "Wrong12345").message == WRONG_CREDENTIALS
    with database.session() as session:
        view = account_of(session, patient_id)
        with pytest.raises(AccountBlocked):
            change_password(
                session, patient_id, issued.password, NEW_PASSWORD, now=NOW, actor=KIOSK
            )
    assert view is not None and view.is_blocked and view.status_label == "Заблокирован оператором"

    with database.session() as session:
        set_blocked(session, patient_id, True, actor=OPERATOR)  # already blocked: nothing
        set_blocked(session, patient_id, False, actor=OPERATOR)
    assert kiosk_sign_in(database, issued.password).step is SignInStep.CHANGE_PASSWORD
    events = journal(database)
    assert [e.action for e in events].count(CABINET_BLOCKED) == 1
    block = next(e for e in events if e.action == CABINET_BLOCKED)
    assert block.details == "Причина: заявление пациента"
    assert (block.operator, block.workstation_address) == (OPERATOR.operator, OPERATOR.workstation)
    assert CABINET_UNBLOCKED in [e.action for e in events]


# -- the profile ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "start"),
    [
        ({"oms": "12345"}, "oms", "Полис ОМС: "),
        ({"oms": " "}, "oms", "Полис ОМС: для личного кабинета полис обязателен"),
        ({"phone": "12345"}, "phone", "Телефон: "),
        ({"email": "ivanov@"}, "email", "E-mail: "),
        ({"phone": "", "sms_second_factor": True}, "sms_second_factor", "Второй фактор: "),
        ({"phone": "+7 3467 33-33-33", "sms_reminders": True}, "sms_reminders", "Получать sms"),
    ],
)
def test_a_bad_profile_value_is_refused_naming_the_field_and_nothing_changes(
    database: Database,
    patient_id: int,
    issued: IssuedPassword,
    change: dict[str, object],
    field: str,
    start: str,
) -> None:
    with pytest.raises(ProfileInvalid) as refused, database.session() as session:
        update_profile(
            session,
            patient_id,
            actor=OPERATOR,
            **{"email": "new@mail.ru", **change},  # type: ignore[arg-type]
        )
    assert refused.value.field == field
    assert refused.value.message.startswith(start), refused.value.message
    with database.session() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        assert (patient.oms_number, patient.phone, patient.email) == (ENP, PHONE, None)
    assert actions(database) == [CABINET_ISSUED]


def test_a_policy_of_another_patient_is_refused(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    add_patient(database, snils=None, oms="8600000000000023", phone=None)
    with pytest.raises(ProfileInvalid, match="другого пациента"), database.session() as session:
        update_profile(session, patient_id, actor=OPERATOR, oms="8600 0000 0000 0023")


def test_profile_changes_are_saved_and_journalled_each_in_its_words(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    with database.session() as session:
        view = update_profile(
            session,
            patient_id,
            actor=OPERATOR,
            oms="123 456 789",
            phone="8 (922) 111-22-33",
            email="Ivanov.P@Mail.RU",
            sms_second_factor=True,
            sms_reminders=True,
        )
    assert (view.oms, view.phone, view.email) == (
        "123 456 789",
        "+7 922 111-22-33",
        "Ivanov.P@mail.ru",
    )
    assert view.sms_second_factor and view.sms_reminders
    with database.session() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        assert (patient.oms_number, patient.oms_kind, patient.phone) == (
            "123456789",
            "temporary",
            "+79221112233",
        )
    events = journal(database)[1:]
    assert [e.action for e in events] == [
        OMS_CHANGED,
        CONTACTS_CHANGED,
        SECOND_FACTOR_CHANGED,
        REMINDERS_CHANGED,
    ]
    details = " | ".join(e.details for e in events)
    assert "+79221112233" not in details and "922 111-22-33" not in details
    assert "123456789" not in details
    assert "Второй фактор: код по СМС — включено" in details
    assert "Получать sms-напоминания — включено" in details
    assert all(e.operator == OPERATOR.operator for e in events)

    # The same values again change nothing and write nothing.
    with database.session() as session:
        update_profile(
            session, patient_id, actor=OPERATOR, phone="+79221112233", sms_reminders=True
        )
    assert len(journal(database)) == 5


def test_turning_the_second_factor_off_lets_the_password_alone_sign_in(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    _with_second_factor(database, patient_id)
    with database.session() as session:
        view = update_profile(session, patient_id, actor=OPERATOR, sms_second_factor=False)
    assert not view.sms_second_factor
    assert kiosk_sign_in(database, issued.password).step is SignInStep.CHANGE_PASSWORD


# -- the consent form, the slip, the history --------------------------------------------------


def test_the_consent_form_is_filled_and_its_signing_recorded(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    with database.session() as session:
        form = consent_form_for(session, patient_id, NOW.date())
        record_consent_signed(session, patient_id, actor=OPERATOR, now=NOW)
    assert (form.patient_full_name, form.date) == ("Ёлкин Пётр Семёнович", NOW.date())
    with database.session() as session:
        view = account_of(session, patient_id)
    assert view is not None and view.consent_form_signed_at == NOW
    assert actions(database)[-1] == CONSENT_FORM_SIGNED


def test_the_credentials_slip_carries_the_login_and_the_password(
    issued: IssuedPassword,
) -> None:
    slip = credentials_slip_for(issued, issued_by=OPERATOR.operator, now=NOW)
    assert (slip.login, slip.password, slip.patient) == (SNILS, issued.password, "Ёлкин П. С.")
    assert slip.valid_until == issued.valid_until
    assert "72 часа" in slip.validity_label
    assert render_credentials_slip(slip, "a6").startswith(b"%PDF")


def test_the_history_lists_the_account_lines_newest_first(
    database: Database, patient_id: int, issued: IssuedPassword
) -> None:
    signed_up(database, issued, patient_id)
    with database.session() as session:
        set_blocked(session, patient_id, True, actor=OPERATOR)
        history = account_history(session, patient_id)
    assert [e.action for e in history] == [
        CABINET_BLOCKED,
        PASSWORD_CHANGED,
        SIGN_IN,
        CABINET_ISSUED,
    ]
    assert history[-1].operator == OPERATOR.operator
    assert history[-1].workstation == OPERATOR.workstation
