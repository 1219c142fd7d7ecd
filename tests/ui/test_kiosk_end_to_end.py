"""The kiosk with its real pages: a one-time password issued by an operator, the patient's first
sign-in with the forced change, the cabinet shown, sign-out — no stand-in widgets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds
from workstation.models import Patient
from workstation.services.cabinet_accounts import issue_account
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.patient_registry import IdentificationWay, PatientForm, save_patient
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.kiosk_app import kiosk_factories
from workstation.ui.kiosk_sign_in import KioskSignIn
from workstation.ui.kiosk_window import KioskPage, KioskWindow
from workstation.ui.patient_cabinet import PatientCabinet

TIMEOUT_MS = 10_000
NEW_PASSWORD = "Киоск2026пароль"

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")


@pytest.fixture
def issued(sample_db: tuple[Database, SampleIds]) -> Iterator[tuple[Database, str, str]]:
    """A patient with СНИЛС and ОМС and a freshly issued one-time password."""
    database = sample_db[0]
    form = PatientForm(
        way=IdentificationWay.SNILS, last_name="Киоскова", first_name="Нина",
        patronymic="Павловна", birth_date=dt.date(1968, 2, 3), document="112-233-445 95",
        consent=True,
    )
    operator = Actor("оператор", "ws-1")
    with database.session() as session:
        patient_id = save_patient(session, form, operator)
        session.get_one(Patient, patient_id).oms_number = "8600000000000015"
    with database.session() as session:
        password = issue_account(
            session, patient_id, actor=operator, now=dt.datetime.now(dt.UTC)
        ).password
    yield database, "11223344595", password


def test_first_sign_in_changes_the_one_time_password_and_opens_the_cabinet(
    qtbot: QtBot, issued: tuple[Database, str, str]
) -> None:
    database, snils, one_time = issued
    worker = DatabaseWorker(database)
    keep: list[object] = []
    sign_in_factory, cabinet_factory = kiosk_factories(database, worker, keep=keep)  # type: ignore[arg-type]
    window = KioskWindow(database, sign_in_factory=sign_in_factory,
                         cabinet_factory=cabinet_factory, worker=worker)
    qtbot.addWidget(window)
    window.show()
    try:
        window.go(KioskPage.SIGN_IN)
        page = window.sign_in_widget
        assert isinstance(page, KioskSignIn)
        page.snils_edit.setText(snils)
        page.password_edit.setText(one_time)
        page.submit_sign_in()
        qtbot.waitUntil(lambda: page.new_password_edit.isVisible(), timeout=TIMEOUT_MS)
        page.new_password_edit.setText(NEW_PASSWORD)
        page.repeat_password_edit.setText(NEW_PASSWORD)
        with qtbot.waitSignal(page.signedIn, timeout=TIMEOUT_MS):
            page.submit_new_password()
        qtbot.waitUntil(lambda: window.current_page == KioskPage.CABINET, timeout=TIMEOUT_MS)
        assert "Киоскова" in window.patient_label.text()
        cabinet = window.cabinet_widget
        assert isinstance(cabinet, PatientCabinet)
        assert window.patient_id is not None

        window.sign_out()
        assert window.current_page == KioskPage.START
        assert window.patient_id is None
        # The one-time password is spent; the new one works.
        window.go(KioskPage.SIGN_IN)
        page.snils_edit.setText(snils)
        page.password_edit.setText(one_time)
        page.submit_sign_in()
        qtbot.waitUntil(lambda: not page.is_busy, timeout=TIMEOUT_MS)
        assert window.current_page == KioskPage.SIGN_IN
        page.password_edit.setText(NEW_PASSWORD)
        with qtbot.waitSignal(page.signedIn, timeout=TIMEOUT_MS):
            page.submit_sign_in()
    finally:
        window.close()
        window.shutdown()
        worker.stop()
