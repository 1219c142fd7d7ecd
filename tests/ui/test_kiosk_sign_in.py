"""The kiosk's «Вход в личный кабинет», real widgets offscreen on a real database: the one-time
password and the forced change, a wrong password, the SMS code, and reset()."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.helpers.sample_data import SampleIds
from workstation.models import Patient, SmsMessage
from workstation.services.cabinet_accounts import (
    WRONG_CREDENTIALS,
    IssuedPassword,
    change_password,
    issue_account,
    update_profile,
)
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.kiosk_sign_in import TOUCH_HEIGHT, KioskPage, KioskSignIn

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

NOW = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
OPERATOR = Actor("Петрова А. А.", "cc-12 (10.0.0.12)")
KIOSK = Actor("киоск", "kiosk-1 (10.0.5.1)")
OWN_PASSWORD = "Moj1Parol7"
WAIT_MS = 10_000


@pytest.fixture
def database(sample_db: tuple[Database, SampleIds]) -> Database:
    return sample_db[0]


@pytest.fixture
def patient_id(database: Database) -> int:
    with database.session() as session:
        patient = Patient(
            birth_date=dt.date(1980, 5, 17),
            snils="11223344595",
            oms_number="8600000000000015",
            oms_kind="unified",
            phone="+79123456789",
        )
        patient.set_name("Ёлкин", "Пётр", "Семёнович")
        session.add(patient)
        session.flush()
        return patient.id


@pytest.fixture
def issued(database: Database, patient_id: int) -> IssuedPassword:
    with database.session() as session:
        return issue_account(session, patient_id, actor=OPERATOR, now=NOW)


@pytest.fixture
def kiosk(qtbot: QtBot, worker: DatabaseWorker) -> KioskSignIn:
    widget = KioskSignIn(worker, KIOSK, clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def sign_in(qtbot: QtBot, kiosk: KioskSignIn, password: str) -> None:
    kiosk.snils_edit.setText("11223344595")
    qtbot.keyClicks(kiosk.password_edit, password)
    qtbot.mouseClick(kiosk.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not kiosk.is_busy, timeout=WAIT_MS)


def test_the_page_is_made_for_a_touch_screen(kiosk: KioskSignIn) -> None:
    assert kiosk.page == KioskPage.SIGN_IN
    assert kiosk.sign_in_button.text() == "Войти"
    assert kiosk.sign_in_button.minimumHeight() >= TOUCH_HEIGHT
    assert kiosk.snils_edit.font().pointSize() >= 20
    kiosk.snils_edit.setText("11223344595")
    assert kiosk.snils_edit.text() == "112-233-445 95"


def test_a_one_time_password_leads_to_the_change_then_signs_in(
    qtbot: QtBot, kiosk: KioskSignIn, issued: IssuedPassword, patient_id: int
) -> None:
    sign_in(qtbot, kiosk, issued.password)
    assert kiosk.page == KioskPage.CHANGE_PASSWORD
    assert kiosk.password_edit.text() == ""

    qtbot.keyClicks(kiosk.new_password_edit, OWN_PASSWORD)
    qtbot.keyClicks(kiosk.repeat_password_edit, "Other1234")
    qtbot.mouseClick(kiosk.change_button, Qt.MouseButton.LeftButton)
    assert "не совпадают" in kiosk.change_message.text()

    qtbot.keyClicks(kiosk.repeat_password_edit, "short1")
    kiosk.new_password_edit.setText("short1")
    with qtbot.waitSignal(kiosk.messageShown, timeout=WAIT_MS):
        qtbot.mouseClick(kiosk.change_button, Qt.MouseButton.LeftButton)
    assert "слишком короткий" in kiosk.change_message.text()

    kiosk.new_password_edit.setText(OWN_PASSWORD)
    kiosk.repeat_password_edit.setText(OWN_PASSWORD)
    with qtbot.waitSignal(kiosk.signedIn, timeout=WAIT_MS) as signal:
        qtbot.mouseClick(kiosk.change_button, Qt.MouseButton.LeftButton)
    assert signal.args == [patient_id, "Ёлкин Пётр Семёнович"]

    kiosk.reset()
    with qtbot.waitSignal(kiosk.signedIn, timeout=WAIT_MS):
        sign_in(qtbot, kiosk, OWN_PASSWORD)


def test_a_wrong_password_gets_the_generic_message(
    qtbot: QtBot, kiosk: KioskSignIn, issued: IssuedPassword
) -> None:
    with qtbot.assertNotEmitted(kiosk.signedIn):
        sign_in(qtbot, kiosk, "Wrong12345")
    assert kiosk.page == KioskPage.SIGN_IN
    assert kiosk.sign_in_message.text() == WRONG_CREDENTIALS
    assert kiosk.password_edit.text() == ""


def test_the_second_factor_asks_for_the_sms_code(
    qtbot: QtBot,
    kiosk: KioskSignIn,
    database: Database,
    issued: IssuedPassword,
    patient_id: int,
) -> None:
    with database.session() as session:
        change_password(session, patient_id, issued.password, OWN_PASSWORD, now=NOW, actor=KIOSK)
        update_profile(session, patient_id, actor=OPERATOR, sms_second_factor=True)

    sign_in(qtbot, kiosk, OWN_PASSWORD)
    assert kiosk.page == KioskPage.SMS_CODE
    assert "+7 912 ***-**-89" in kiosk.code_hint.text()
    with database.session() as session:
        text = session.scalars(select(SmsMessage.text)).one()
    match = re.search(r"\b\d{6}\b", text)
    assert match is not None
    code = match.group(0)

    qtbot.keyClicks(kiosk.code_edit, "000000" if code != "000000" else "111111")
    with qtbot.waitSignal(kiosk.messageShown, timeout=WAIT_MS):
        qtbot.mouseClick(kiosk.code_button, Qt.MouseButton.LeftButton)
    assert "Осталось попыток" in kiosk.code_message.text()

    qtbot.keyClicks(kiosk.code_edit, code)
    with qtbot.waitSignal(kiosk.signedIn, timeout=WAIT_MS) as signal:
        qtbot.mouseClick(kiosk.code_button, Qt.MouseButton.LeftButton)
    assert signal.args[0] == patient_id


def test_reset_clears_everything(qtbot: QtBot, kiosk: KioskSignIn, issued: IssuedPassword) -> None:
    sign_in(qtbot, kiosk, issued.password)
    assert kiosk.page == KioskPage.CHANGE_PASSWORD
    kiosk.new_password_edit.setText(OWN_PASSWORD)

    kiosk.reset()

    assert kiosk.page == KioskPage.SIGN_IN
    assert not any(ch.isdigit() for ch in kiosk.snils_edit.text())
    for field in (kiosk.password_edit, kiosk.new_password_edit, kiosk.repeat_password_edit):
        assert field.text() == ""
    # Without the sign-in, «Сохранить пароль» has nothing to change.
    with qtbot.assertNotEmitted(kiosk.signedIn, wait=200):
        kiosk.submit_new_password()
