"""The operator's «Личный кабинет» dialog, real widgets offscreen on a real database: issuing
shows the one-time password once and prints the slip, management buttons, the profile, the
consent form, the journal lines, and a role without the right."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.helpers.sample_data import SampleIds
from tests.ui.test_ticket_printing import pdf_printer
from workstation.models import CabinetAccount, Patient
from workstation.services.cabinet_accounts import (
    CABINET_BLOCKED,
    CABINET_ISSUED,
    CABINET_UNBLOCKED,
    CONSENT_FORM_SIGNED,
    CONTACTS_CHANGED,
    PASSWORD_RESET,
)
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.passwords import verify_password
from workstation.ui.cabinet_account_dialog import NO_RIGHT, NOT_ISSUED, CabinetAccountDialog
from workstation.ui.db_worker import DatabaseWorker

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

NOW = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
OPERATOR = Actor("Петрова А. А.", "cc-12 (10.0.0.12)")
WAIT_MS = 10_000


def add_patient(database: Database, *, snils: str | None = "11223344595") -> int:
    with database.session() as session:
        patient = Patient(
            birth_date=dt.date(1980, 5, 17),
            snils=snils,
            oms_number="8600000000000015",
            oms_kind="unified",
            phone="+79123456789",
        )
        patient.set_name("Ёлкин", "Пётр", "Семёнович")
        session.add(patient)
        session.flush()
        return patient.id


class Desk:
    """The dialog under test and what it printed."""

    def __init__(self, qtbot: QtBot, worker: DatabaseWorker, tmp_path: Path) -> None:
        self.qtbot = qtbot
        self.worker = worker
        self.printed: list[Path] = []
        self._tmp_path = tmp_path

    def printer(self) -> object:
        path = self._tmp_path / f"printed-{len(self.printed)}.pdf"
        self.printed.append(path)
        return pdf_printer(path)

    def open(self, patient_id: int, *, can_manage: bool = True) -> CabinetAccountDialog:
        dialog = CabinetAccountDialog(
            self.worker,
            patient_id,
            actor=OPERATOR,
            can_manage=can_manage,
            printer_factory=self.printer,  # type: ignore[arg-type]
            clock=lambda: NOW,
        )
        self.qtbot.addWidget(dialog)
        dialog.open()
        self.idle(dialog)
        return dialog

    def idle(self, dialog: CabinetAccountDialog) -> None:
        self.qtbot.waitUntil(lambda: dialog.is_loaded and not dialog.is_busy, timeout=WAIT_MS)

    def click(self, dialog: CabinetAccountDialog, button: object, *, confirm: bool = False) -> None:
        """Click ``button``; with ``confirm``, answer «Да» to the question it asks first."""
        with self.qtbot.waitSignal(dialog.loaded, timeout=WAIT_MS):
            self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
            if confirm:
                box = dialog.confirm_box
                assert box is not None, "a question before the change"
                yes = next(b for b in box.buttons() if b.text() == "Да")
                yes.click()
        self.idle(dialog)


@pytest.fixture
def database(sample_db: tuple[Database, SampleIds]) -> Database:
    return sample_db[0]


@pytest.fixture
def desk(qtbot: QtBot, worker: DatabaseWorker, tmp_path: Path) -> Iterator[Desk]:
    yield Desk(qtbot, worker, tmp_path)


def history_actions(dialog: CabinetAccountDialog) -> list[str]:
    table = dialog.history_table
    return [table.item(row, 3).text() for row in range(table.rowCount())]


def test_issuing_shows_the_password_once_and_prints_the_slip(
    desk: Desk, database: Database
) -> None:
    patient_id = add_patient(database)
    dialog = desk.open(patient_id)
    assert dialog.patient_label.text() == "Ёлкин Пётр Семёнович"
    assert dialog.status_label.text() == NOT_ISSUED
    assert dialog.issue_button.isEnabled()
    assert not dialog.reset_button.isEnabled()
    assert not dialog.password_frame.isVisible()

    desk.click(dialog, dialog.issue_button)

    password = dialog.password_label.text()
    assert len(password) >= 10
    assert dialog.password_frame.isVisible()
    assert dialog.password_label.font().fixedPitch() or dialog.password_label.font().bold()
    assert "112-233-445 95" in dialog.validity_label.text()
    assert dialog.login_label.text() == "112-233-445 95"
    assert dialog.status_label.text().startswith("Ожидает первого входа")
    assert not dialog.issue_button.isEnabled()
    assert dialog.reset_button.isEnabled()
    assert history_actions(dialog) == [CABINET_ISSUED]
    assert dialog.history_table.item(0, 1).text() == OPERATOR.operator
    assert dialog.history_table.item(0, 2).text() == OPERATOR.workstation
    with database.session() as session:
        stored = session.scalars(select(CabinetAccount)).one()
    assert verify_password(stored.password_hash, password)

    with desk.qtbot.waitSignal(dialog.document_printer.printed, timeout=20_000):
        desk.qtbot.mouseClick(dialog.print_slip_button, Qt.MouseButton.LeftButton)
    dialog.document_printer.wait()
    printed = pdfium.PdfDocument(desk.printed[0].read_bytes())
    try:
        width_pt, _height = printed[0].get_size()
        assert round(width_pt / 72 * 25.4) == 105  # the A6 slip
    finally:
        printed.close()
    assert "Отправлено на печать" in dialog.message

    dialog.reject()
    assert dialog.password_label.text() == ""
    assert not dialog.print_slip_button.isEnabled()


def test_missing_documents_are_explained(desk: Desk, database: Database) -> None:
    patient_id = add_patient(database, snils=None)
    dialog = desk.open(patient_id)
    with desk.qtbot.waitSignal(dialog.messageShown, timeout=WAIT_MS):
        desk.qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    desk.idle(dialog)
    assert "нужны СНИЛС и полис ОМС" in dialog.message
    assert "Не указан: СНИЛС" in dialog.message
    assert dialog.password_label.text() == ""
    assert dialog.issue_button.isEnabled()


def test_reset_block_and_unblock(desk: Desk, database: Database) -> None:
    patient_id = add_patient(database)
    dialog = desk.open(patient_id)
    desk.click(dialog, dialog.issue_button)
    first = dialog.password_label.text()

    # «Нет» (the default) changes nothing.
    desk.qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None and box.defaultButton().text() == "Нет"
    box.defaultButton().click()
    assert dialog.confirm_box is None
    assert dialog.password_label.text() == first

    desk.click(dialog, dialog.reset_button, confirm=True)
    assert dialog.password_label.text() not in ("", first)

    dialog.block_reason.setText("заявление пациента")
    desk.click(dialog, dialog.block_button, confirm=True)
    assert dialog.status_label.text() == "Заблокирован оператором"
    assert dialog.block_button.text() == "Разблокировать"
    desk.click(dialog, dialog.block_button)
    assert dialog.block_button.text() == "Заблокировать"
    assert history_actions(dialog) == [
        CABINET_UNBLOCKED,
        CABINET_BLOCKED,
        PASSWORD_RESET,
        CABINET_ISSUED,
    ]
    assert dialog.history_table.item(1, 4).text() == "Причина: заявление пациента"


def test_the_profile_is_checked_and_saved(desk: Desk, database: Database) -> None:
    patient_id = add_patient(database)
    dialog = desk.open(patient_id)
    desk.click(dialog, dialog.issue_button)
    assert dialog.phone_edit.text() == "+7 912 345-67-89"
    assert dialog.oms_edit.text() == "8600 0000 0000 0015"

    dialog.phone_edit.setText("12345")
    with desk.qtbot.waitSignal(dialog.messageShown, timeout=WAIT_MS):
        desk.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    desk.idle(dialog)
    assert dialog.message.startswith("Телефон: ")

    dialog.phone_edit.setText("8 922 111-22-33")
    dialog.email_edit.setText("elkin@mail.ru")
    dialog.second_factor_check.setChecked(True)
    dialog.reminders_check.setChecked(True)
    desk.click(dialog, dialog.save_button)
    assert dialog.message == "Профиль сохранён."
    assert dialog.phone_edit.text() == "+7 922 111-22-33"
    with database.session() as session:
        account = session.scalars(select(CabinetAccount)).one()
        assert account.sms_second_factor and account.sms_reminders
        assert account.patient.email == "elkin@mail.ru"
    assert CONTACTS_CHANGED in history_actions(dialog)


def test_the_consent_form_is_printed_and_its_signing_recorded(
    desk: Desk, database: Database
) -> None:
    patient_id = add_patient(database)
    dialog = desk.open(patient_id)
    desk.click(dialog, dialog.issue_button)
    assert dialog.consent_label.text() == "не подписано"

    with desk.qtbot.waitSignal(dialog.document_printer.printed, timeout=20_000):
        desk.qtbot.mouseClick(dialog.print_consent_button, Qt.MouseButton.LeftButton)
    dialog.document_printer.wait()
    printed = pdfium.PdfDocument(desk.printed[0].read_bytes())
    try:
        width_pt, _height = printed[0].get_size()
        assert round(width_pt / 72 * 25.4) == 210  # a separate A4 form
    finally:
        printed.close()

    desk.click(dialog, dialog.consent_signed_button)
    assert dialog.consent_label.text().startswith("подписано ")
    assert history_actions(dialog)[0] == CONSENT_FORM_SIGNED


def test_a_role_without_the_right_sees_but_cannot_change(desk: Desk, database: Database) -> None:
    patient_id = add_patient(database)
    dialog = desk.open(patient_id, can_manage=False)
    for widget in (
        dialog.issue_button,
        dialog.reset_button,
        dialog.block_button,
        dialog.save_button,
        dialog.consent_signed_button,
        dialog.phone_edit,
        dialog.second_factor_check,
    ):
        assert not widget.isEnabled()
        assert widget.toolTip() == NO_RIGHT
    assert dialog.print_consent_button.isEnabled()
