"""The main window's issue-7 screens: the patient's cabinet tab, cabinet accounts, feedback and
the information pages — and what each role may do there. Real widgets on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds
from workstation.models import StaffRole
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.patient_registry import IdentificationWay, PatientForm, save_patient
from workstation.services.staff import SignedInStaff, add_staff, authenticate
from workstation.ui.cabinet_account_dialog import CabinetAccountDialog
from workstation.ui.info_pages import InfoPagesWidget
from workstation.ui.main_window import MainWindow
from workstation.ui.patient_cabinet import NO_PATIENT_TEXT

TIMEOUT_MS = 10_000
PASSWORD = "Пароль2026"

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")


def _staff(database: Database, login: str, role: StaffRole) -> SignedInStaff:
    with database.session() as session:
        add_staff(session, login, f"Тестова {login}", role, PASSWORD, actor=Actor.system())
    with database.session() as session:
        return authenticate(session, login, PASSWORD, now=dt.datetime.now(dt.UTC),
                            workstation="ws-test")


def _window(qtbot: QtBot, database: Database, staff: SignedInStaff | None) -> MainWindow:
    window = MainWindow(database, remember_geometry=False, staff=staff)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.is_loaded, timeout=TIMEOUT_MS)
    return window


@pytest.fixture
def patient_id(sample_db: tuple[Database, SampleIds]) -> Iterator[int]:
    database = sample_db[0]
    form = PatientForm(
        way=IdentificationWay.SNILS, last_name="Кабинетова", first_name="Вера",
        patronymic="Павловна", birth_date=dt.date(1975, 3, 4), document="112-233-445 95",
        consent=True,
    )
    with database.session() as session:
        saved = save_patient(session, form, Actor.system())
    yield saved


def _choose(qtbot: QtBot, window: MainWindow, text: str) -> None:
    panel = window.patient_panel
    with qtbot.waitSignal(panel.searchFinished, timeout=TIMEOUT_MS):
        panel.search_field.setText(text)
    with qtbot.waitSignal(panel.patientChosen, timeout=TIMEOUT_MS):
        assert panel.choose(0)


def test_nothing_of_a_patient_is_shown_before_the_caller_is_identified(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds], patient_id: int
) -> None:
    window = _window(qtbot, sample_db[0], None)
    assert not window.show_patient_cabinet()
    assert window.statusBar().currentMessage().startswith("Сначала найдите")
    assert window.show_cabinet_account() is None
    cabinet = window.patient_cabinet
    assert NO_PATIENT_TEXT in _visible_texts(cabinet)

    _choose(qtbot, window, "112-233-445 95")
    assert window.show_patient_cabinet()
    qtbot.waitUntil(lambda: NO_PATIENT_TEXT not in _visible_texts(cabinet), timeout=TIMEOUT_MS)
    window.new_call()  # Ctrl+N: the next caller sees nothing of this one
    qtbot.waitUntil(lambda: NO_PATIENT_TEXT in _visible_texts(cabinet), timeout=TIMEOUT_MS)


def _visible_texts(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel)
                    if label.isVisibleTo(widget))


@pytest.mark.parametrize(
    ("role", "can_manage", "feedback"),
    [(StaffRole.OPERATOR, True, True), (StaffRole.CLERK, False, False),
     (StaffRole.ADMIN, True, True)],
)
def test_what_each_role_may_do_with_cabinet_accounts_and_feedback(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds], patient_id: int,
    role: StaffRole, can_manage: bool, feedback: bool,
) -> None:
    staff = _staff(sample_db[0], f"user_{role.value}", role)
    window = _window(qtbot, sample_db[0], staff)
    _choose(qtbot, window, "112-233-445 95")
    dialog = window.show_cabinet_account()
    assert isinstance(dialog, CabinetAccountDialog)
    if can_manage:  # enabled once the account's state is loaded
        qtbot.waitUntil(dialog.issue_button.isEnabled, timeout=TIMEOUT_MS)
    else:
        qtbot.wait(300)
        assert not dialog.issue_button.isEnabled()
        assert "прав" in dialog.issue_button.toolTip()
    dialog.close()
    window.show_feedback()
    assert window.feedback_dock.isVisibleTo(window) is feedback
    assert window.admin_menu.menuAction().isVisible() is (role is StaffRole.ADMIN)


def test_the_information_pages_open_from_help(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds]
) -> None:
    window = _window(qtbot, sample_db[0], None)
    titles = [action.text().replace("&", "") for action in window.info_actions]
    assert titles == ["Вопросы и ответы", "Горячая линия", "Информация для населения"]
    dialog = window.show_info_page("faq")
    qtbot.waitExposed(dialog, timeout=TIMEOUT_MS)
    pages = dialog.findChild(InfoPagesWidget)
    assert isinstance(pages, InfoPagesWidget)
    assert pages.current_key == "faq"
    assert "Личный кабинет" in pages.browser.toPlainText()
    dialog.close()


def test_staff_change_their_own_password_from_the_file_menu(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds]
) -> None:
    database = sample_db[0]
    staff = _staff(database, "changer", StaffRole.CLERK)
    window = _window(qtbot, database, staff)
    dialog = window.show_change_password()
    assert dialog is not None
    dialog.old_field.setText("неверный1")
    dialog.new_field.setText("Новый2027пароль")
    dialog.repeat_field.setText("Новый2027пароль")
    dialog.change()
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=TIMEOUT_MS)
    assert dialog.isVisible() and dialog.message_label.text() != ""
    dialog.old_field.setText(PASSWORD)
    dialog.new_field.setText("Новый2027пароль")
    dialog.repeat_field.setText("Другой2027пароль")
    dialog.change()
    assert dialog.message_label.text() == "Новые пароли не совпадают."
    dialog.repeat_field.setText("Новый2027пароль")
    with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT_MS):
        dialog.change()
    with database.session() as session:
        assert authenticate(session, "changer", "Новый2027пароль", now=dt.datetime.now(dt.UTC),
                            workstation="ws").login == "changer"


def test_the_directorys_booking_form_opens_the_doctors_week_in_the_booking_screen(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds], sample_ids: SampleIds
) -> None:
    window = _window(qtbot, sample_db[0], None)
    panel = window.schedule_panel
    polyclinic, doctor = sample_ids.institutions["polyclinic"], sample_ids.doctors["smirnova"]
    with qtbot.waitSignal(panel.treeLoaded, timeout=TIMEOUT_MS):
        window.directory_panel.bookRequested.emit(polyclinic, doctor)
    assert panel.institution_id == polyclinic
    qtbot.waitUntil(lambda: panel.current_doctor_id() == doctor, timeout=TIMEOUT_MS)
    # Same institution, no doctor: the schedule stays, nothing is lost.
    assert window.open_booking_form(polyclinic)
    assert panel.institution_id == polyclinic
