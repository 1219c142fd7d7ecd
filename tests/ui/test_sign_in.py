"""Sign-in, the forced password change, the locked workstation and the staff administration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds
from workstation.models import StaffRole
from workstation.models.base import utc_now
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.staff import (
    Permission,
    SignedInStaff,
    SignInRefused,
    add_staff,
    authenticate,
    reset_password_by_admin,
)
from workstation.ui.app import NO_STAFF, run_gui, sign_in
from workstation.ui.main_window import MainWindow
from workstation.ui.sign_in_dialog import SignInDialog
from workstation.ui.staff_admin_dialog import HEADERS, STAFF_ID_ROLE, StaffAdminDialog

TIMEOUT_MS = 10_000
SETUP = Actor("setup", "test-host")

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")


@pytest.fixture
def database(sample_db: tuple[Database, SampleIds]) -> Database:
    """The sample database with an administrator, an operator and a clerk."""
    database = sample_db[0]
    with database.session() as session:
        add_staff(session, "boss", "Начальникова Н. Н.", StaffRole.ADMIN, "Glavnyi2025",
                  actor=SETUP)
        add_staff(session, "ivanova", "Иванова А. П.", StaffRole.OPERATOR, "Kolokol42",
                  actor=SETUP)
        add_staff(session, "petrov", "Петров П. П.", StaffRole.CLERK, "Petrov2025", actor=SETUP)
    return database


def _staff(database: Database, login: str, password: str) -> SignedInStaff:
    with database.session() as session:
        return authenticate(session, login, password, now=utc_now(), workstation="test")


@pytest.fixture
def dialog(qtbot: QtBot, database: Database) -> Iterator[SignInDialog]:
    sign_in_dialog = SignInDialog(database)
    qtbot.addWidget(sign_in_dialog)
    sign_in_dialog.show()
    yield sign_in_dialog
    sign_in_dialog.close()


def _window(qtbot: QtBot, database: Database, staff: SignedInStaff | None,
            idle_lock_ms: int | None = None) -> MainWindow:
    window = MainWindow(database, remember_geometry=False, staff=staff, idle_lock_ms=idle_lock_ms)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=TIMEOUT_MS)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.is_loaded, timeout=TIMEOUT_MS)
    return window


def test_signing_in_accepts_the_dialog(qtbot: QtBot, dialog: SignInDialog) -> None:
    assert dialog.windowTitle() == "Вход в систему"
    assert dialog.login_field.hasFocus() or not dialog.isActiveWindow()
    dialog.login_field.setText("Ivanova")
    dialog.password_field.setText("Kolokol42")
    with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    staff = dialog.signed_in()
    assert (staff.login, staff.role) == ("ivanova", StaffRole.OPERATOR)


def test_a_wrong_password_is_said_inline_and_cleared(
    qtbot: QtBot, dialog: SignInDialog
) -> None:
    dialog.login_field.setText("ivanova")
    dialog.password_field.setText("Wrong1234")
    QTest.keyClick(dialog.password_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message_label.isVisible(), timeout=TIMEOUT_MS)
    assert dialog.message_label.text() == "Неверный логин или пароль."
    assert dialog.password_field.text() == ""
    assert dialog.isVisible() and not dialog.is_busy
    with pytest.raises(RuntimeError):
        dialog.signed_in()
    dialog.password_field.setText("")
    dialog.sign_in()
    assert dialog.message_label.text() == "Введите логин и пароль."


def test_a_password_set_by_the_administrator_must_be_changed_first(
    qtbot: QtBot, database: Database, dialog: SignInDialog
) -> None:
    boss = _staff(database, "boss", "Glavnyi2025")
    with database.session() as session:
        reset_password_by_admin(session, boss, _staff(database, "petrov", "Petrov2025").id,
                                "Vremenno77")
    dialog.login_field.setText("petrov")
    dialog.password_field.setText("Vremenno77")
    dialog.sign_in()
    qtbot.waitUntil(lambda: dialog.changing_password, timeout=TIMEOUT_MS)
    assert dialog.isVisible()
    dialog.new_password_field.setText("Svoi2025x")
    dialog.repeat_password_field.setText("Svoi2025y")
    dialog.change_button.click()
    assert dialog.change_message_label.text() == "Пароли не совпадают."
    dialog.new_password_field.setText("Vremenno77")
    dialog.repeat_password_field.setText("Vremenno77")
    dialog.change_button.click()
    qtbot.waitUntil(
        lambda: dialog.change_message_label.text() == "Новый пароль должен отличаться от прежнего.",
        timeout=TIMEOUT_MS,
    )
    dialog.new_password_field.setText("Svoi2025x")
    dialog.repeat_password_field.setText("Svoi2025x")
    with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT_MS):
        dialog.change_button.click()
    assert not dialog.signed_in().must_change_password
    assert _staff(database, "petrov", "Svoi2025x").login == "petrov"


def test_ctrl_l_locks_the_window_and_only_the_password_unlocks_it(
    qtbot: QtBot, database: Database
) -> None:
    staff = _staff(database, "ivanova", "Kolokol42")
    window = _window(qtbot, database, staff)
    assert window.staff == staff
    assert window.ticket_actions.operator == "ivanova"
    assert "Иванова А. П. (ivanova), Оператор контакт-центра" in window.findChild(
        QLabel, "staffLabel"
    ).text()
    QTest.keyClick(window, Qt.Key.Key_F1)  # unlocked, F1 works
    hotkeys = window.findChild(QWidget, "hotkeysDialog")
    assert hotkeys is not None
    hotkeys.close()
    qtbot.waitUntil(lambda: window.findChild(QWidget, "hotkeysDialog") is None,
                    timeout=TIMEOUT_MS)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lock = window.lock_screen
    assert lock is not None
    qtbot.waitUntil(lambda: window.is_locked, timeout=TIMEOUT_MS)
    assert lock.geometry() == window.rect()
    assert "Иванова А. П. (ivanova)" in lock.who_label.text()
    # The window's own keys do nothing while locked: F1 opens no «Горячие клавиши».
    QTest.keyClick(lock.password_field, Qt.Key.Key_F1)
    assert window.findChild(QWidget, "hotkeysDialog") is None
    lock.password_field.setText("Wrong1234")
    lock.unlock()
    qtbot.waitUntil(lambda: lock.message_label.isVisible(), timeout=TIMEOUT_MS)
    assert lock.message_label.text() == "Неверный логин или пароль."
    assert window.is_locked
    lock.password_field.setText("Kolokol42")
    with qtbot.waitSignal(lock.unlocked, timeout=TIMEOUT_MS):
        QTest.keyClick(lock.password_field, Qt.Key.Key_Return)
    assert not window.is_locked
    assert window.staff == staff
    window.close()


def test_another_person_unlocking_takes_the_window_over(
    qtbot: QtBot, database: Database
) -> None:
    window = _window(qtbot, database, _staff(database, "ivanova", "Kolokol42"))
    assert window.allowed(Permission.ISSUE_CABINET_ACCOUNTS)
    assert window.lock()
    lock = window.lock_screen
    assert lock is not None
    dialog = lock.switch_user()
    qtbot.waitExposed(dialog, timeout=TIMEOUT_MS)
    dialog.login_field.setText("petrov")
    dialog.password_field.setText("Petrov2025")
    with qtbot.waitSignal(lock.unlocked, timeout=TIMEOUT_MS):
        dialog.sign_in()
    assert not window.is_locked
    assert window.staff is not None and window.staff.login == "petrov"
    assert window.ticket_actions.operator == "petrov"
    assert not window.allowed(Permission.ISSUE_CABINET_ACCOUNTS)
    assert window.allowed(Permission.BOOK)
    window.close()


def test_the_window_locks_itself_after_idle_time(qtbot: QtBot, database: Database) -> None:
    window = _window(qtbot, database, _staff(database, "ivanova", "Kolokol42"), idle_lock_ms=300)
    watcher = window.idle_watcher
    assert watcher is not None and watcher.interval_ms == 300
    qtbot.waitUntil(lambda: window.is_locked, timeout=TIMEOUT_MS)
    assert not watcher.is_watching  # no counting while locked
    lock = window.lock_screen
    assert lock is not None
    lock.password_field.setText("Kolokol42")
    with qtbot.waitSignal(lock.unlocked, timeout=TIMEOUT_MS):
        lock.unlock()
    assert watcher.is_watching
    window.close()


def test_nobody_signed_in_means_no_lock_and_no_gating(qtbot: QtBot, database: Database) -> None:
    window = _window(qtbot, database, None)
    assert window.staff is None and window.allowed(Permission.MANAGE_STAFF)
    assert not window.lock_action.isEnabled() and not window.lock()
    assert window.idle_watcher is None and not window.admin_menu.menuAction().isVisible()
    window.close()


def test_the_staff_menu_is_for_administrators_only(qtbot: QtBot, database: Database) -> None:
    operator = _window(qtbot, database, _staff(database, "ivanova", "Kolokol42"))
    assert not operator.admin_menu.menuAction().isVisible()
    assert operator.show_staff_admin() is None
    operator.close()
    admin = _window(qtbot, database, _staff(database, "boss", "Glavnyi2025"))
    assert admin.admin_menu.menuAction().isVisible()
    assert admin.admin_menu.title() == "&Администрирование"
    assert admin.staff_admin_action.text() == "&Сотрудники…"
    admin.staff_admin_action.trigger()
    dialog = admin.findChild(StaffAdminDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3, timeout=TIMEOUT_MS)
    admin.close()


def test_the_administrator_adds_resets_disables_and_changes_roles(
    qtbot: QtBot, database: Database, qtmodeltester: ModelTester
) -> None:
    window = _window(qtbot, database, _staff(database, "boss", "Glavnyi2025"))
    dialog = window.show_staff_admin()
    assert dialog is not None
    model = dialog.model
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=TIMEOUT_MS)
    qtmodeltester.check(model)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == list(HEADERS)
    assert [model.index(r, 0).data() for r in range(3)] == ["boss", "ivanova", "petrov"]
    assert model.index(1, 2).data() == "Оператор контакт-центра"
    assert model.index(1, 3).data() == "действует"
    assert isinstance(model.index(1, 0).data(STAFF_ID_ROLE), int)

    dialog.login_field.setText("Sidorova")
    dialog.name_field.setText("Сидорова С. С.")
    dialog.new_role_combo.setCurrentIndex(dialog.new_role_combo.findData(StaffRole.CLERK))
    dialog.add_button.click()
    qtbot.waitUntil(lambda: model.rowCount() == 4 and not dialog.is_busy, timeout=TIMEOUT_MS)
    message = dialog.message_label.text()
    assert message.startswith("Сотрудник «sidorova» добавлен. Временный пароль: ")
    temporary = message.split("Временный пароль: ")[1].split(" ")[0]
    assert dialog.selected() is not None and dialog.selected().login == "sidorova"
    assert model.index(3, 3).data() == "сменит пароль при входе"
    assert _staff(database, "sidorova", temporary).must_change_password

    dialog.add_button.setEnabled(True)
    dialog.login_field.setText("sidorova")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: "уже есть" in dialog.message_label.text(), timeout=TIMEOUT_MS)

    dialog.select(model.index(2, 0).data(STAFF_ID_ROLE))  # petrov
    dialog.reset_button.click()
    qtbot.waitUntil(lambda: "Временный пароль сотрудника «petrov»" in dialog.message_label.text()
                    and not dialog.is_busy, timeout=TIMEOUT_MS)
    temporary = dialog.message_label.text().split(": ")[1].split(" ")[0]
    assert _staff(database, "petrov", temporary).must_change_password

    dialog.select(model.index(1, 0).data(STAFF_ID_ROLE))  # ivanova
    assert dialog.active_button.text() == "Отключить"
    dialog.active_button.click()
    qtbot.waitUntil(lambda: model.index(1, 3).data() == "отключен", timeout=TIMEOUT_MS)
    assert dialog.active_button.text() == "Включить"
    with pytest.raises(SignInRefused):
        _staff(database, "ivanova", "Kolokol42")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(StaffRole.ADMIN))
    dialog.set_role_button.click()
    qtbot.waitUntil(lambda: model.index(1, 2).data() == "Администратор", timeout=TIMEOUT_MS)

    dialog.select(model.index(0, 0).data(STAFF_ID_ROLE))  # boss, the only active administrator
    dialog.active_button.click()
    qtbot.waitUntil(
        lambda: "последний действующий администратор" in dialog.message_label.text(),
        timeout=TIMEOUT_MS,
    )
    qtmodeltester.check(model)
    window.close()


def test_without_staff_the_gui_says_how_to_create_an_administrator(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds], capsys: pytest.CaptureFixture[str]
) -> None:
    def close_the_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            assert box.objectName() == "noStaffBox"
            box.accept()
        else:
            QTimer.singleShot(50, close_the_box)

    QTimer.singleShot(50, close_the_box)
    assert run_gui(sample_db[0].url) == 2
    assert "workstation staff add --role admin ЛОГИН" in capsys.readouterr().err
    assert "workstation staff add --role admin ЛОГИН" in NO_STAFF
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_the_start_up_sign_in_returns_who_signed_in_or_nothing(
    qtbot: QtBot, database: Database
) -> None:
    def answer(login: str, password: str) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignInDialog):
            QTimer.singleShot(50, lambda: answer(login, password))
            return
        if not login:
            dialog.reject()
            return
        dialog.login_field.setText(login)
        dialog.password_field.setText(password)
        dialog.sign_in()

    QTimer.singleShot(50, lambda: answer("boss", "Glavnyi2025"))
    staff = sign_in(database)
    assert isinstance(staff, SignedInStaff) and staff.role == StaffRole.ADMIN
    QTimer.singleShot(50, lambda: answer("", ""))
    assert sign_in(database) == 0

