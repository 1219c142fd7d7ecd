"""«Вход в систему»: login and password, then a new password when one must be chosen.

The check (Argon2id, ~30 ms, and a database write) runs on the database worker, off the GUI
thread. A password set by the administrator must be replaced before the dialog accepts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models.base import utc_now
from workstation.services.database import Database
from workstation.services.journal import workstation_address
from workstation.services.passwords import MIN_PASSWORD_LENGTH, WeakPassword
from workstation.services.staff import (
    SignedInStaff,
    SignInRefused,
    StaffError,
    authenticate,
    change_password,
)
from workstation.ui.db_worker import DatabaseWorker, describe_error

Clock = Callable[[], dt.datetime]
SIGN_IN_PAGE, CHANGE_PAGE = 0, 1


def password_field(parent: QWidget, name: str) -> QLineEdit:
    """A line edit that shows dots and keeps nothing in the clipboard."""
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def message_label(parent: QWidget, name: str) -> QLabel:
    """An inline message under a form (hidden while empty)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.setVisible(False)
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class SignInDialog(QDialog):
    """Sign-in to the workstation; ``signed_in()`` after it is accepted."""

    def __init__(
        self,
        source: DatabaseWorker | Database,
        parent: QWidget | None = None,
        *,
        login: str = "",
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle(self.tr("Вход в систему"))
        # A worker of its own when started before the main window (which has one).
        self._own_worker = isinstance(source, Database)
        self._worker = (
            DatabaseWorker(source, self, thread_name="sign-in")
            if isinstance(source, Database) else source
        )
        self._clock = clock
        self._staff: SignedInStaff | None = None
        self._password = ""  # the one typed, until it is replaced in the change step
        self._busy = False

        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._build_sign_in_page(login))
        self._pages.addWidget(self._build_change_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self._pages)
        self.setMinimumWidth(420)
        (self.password_field if login else self.login_field).setFocus(
            Qt.FocusReason.OtherFocusReason
        )

    # --- public API -------------------------------------------------------------------------

    def signed_in(self) -> SignedInStaff:
        """Who signed in (after ``accepted``)."""
        if self._staff is None or self._staff.must_change_password:
            raise RuntimeError("nobody has signed in yet")
        return self._staff

    @property
    def is_busy(self) -> bool:
        """True while a check runs on the database worker."""
        return self._busy

    @property
    def changing_password(self) -> bool:
        """True on the «choose a new password» step."""
        return self._pages.currentIndex() == CHANGE_PAGE

    def sign_in(self) -> None:
        """«Войти»: check the login and password off the GUI thread."""
        login, password = self.login_field.text().strip(), self.password_field.text()
        if not login or not password:
            show_message(self.message_label, self.tr("Введите логин и пароль."))
            return
        clock = self._clock
        workstation = workstation_address()

        def job(session: Session) -> SignedInStaff | SignInRefused:
            try:
                return authenticate(
                    session, login, password, now=clock(), workstation=workstation
                )
            except SignInRefused as refusal:  # already committed; a result, not a failure
                return refusal

        self._password = password
        self._submit(job, self._on_signed_in)

    def change(self) -> None:
        """«Сменить пароль и войти»: the new password, typed twice."""
        staff = self._staff
        if staff is None:
            return
        new, repeated = self.new_password_field.text(), self.repeat_password_field.text()
        if new != repeated:
            show_message(self.change_message_label, self.tr("Пароли не совпадают."))
            return
        old, clock = self._password, self._clock

        def job(session: Session) -> SignedInStaff | StaffError | WeakPassword:
            try:
                return change_password(
                    session, staff.id, old, new, now=clock(), actor=staff.actor()
                )
            except (StaffError, WeakPassword) as refusal:  # nothing was changed
                return refusal

        self._submit(job, self._on_changed)

    # --- Qt overrides -------------------------------------------------------------------------

    def done(self, result: int) -> None:
        self._password = ""
        if self._own_worker:
            self._worker.stop()
        super().done(result)

    # --- internals ----------------------------------------------------------------------------

    def _build_sign_in_page(self, login: str) -> QWidget:
        page = QWidget(self)
        title = QLabel(self.tr("АРМ оператора «Электронной регистратуры»"), page)
        title.setObjectName("signInTitle")
        self.login_field = QLineEdit(login, page)
        self.login_field.setObjectName("loginField")
        self.login_field.setMaxLength(64)
        self.password_field = password_field(page, "passwordField")
        self.message_label = message_label(page, "signInMessage")
        buttons = QDialogButtonBox(page)
        self.sign_in_button = QPushButton(self.tr("Войти"), page)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button.clicked.connect(self.sign_in)
        buttons.rejected.connect(self.reject)
        self.login_field.returnPressed.connect(self.password_field.setFocus)
        self.password_field.returnPressed.connect(self.sign_in)
        form = QFormLayout()
        form.addRow(self.tr("Логин:"), self.login_field)
        form.addRow(self.tr("Пароль:"), self.password_field)
        layout = QVBoxLayout(page)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        return page

    def _build_change_page(self) -> QWidget:
        page = QWidget(self)
        self.change_hint = QLabel(
            self.tr(
                "Пароль задан администратором: придумайте свой. Не меньше {0} символов, буквы "
                "и цифры, не совпадает с логином и с прежним паролем."
            ).format(MIN_PASSWORD_LENGTH),
            page,
        )
        self.change_hint.setWordWrap(True)
        self.new_password_field = password_field(page, "newPasswordField")
        self.repeat_password_field = password_field(page, "repeatPasswordField")
        self.change_message_label = message_label(page, "changeMessage")
        buttons = QDialogButtonBox(page)
        self.change_button = QPushButton(self.tr("Сменить пароль и войти"), page)
        self.change_button.setObjectName("changePasswordButton")
        buttons.addButton(self.change_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.change_button.clicked.connect(self.change)
        buttons.rejected.connect(self.reject)
        self.new_password_field.returnPressed.connect(self.repeat_password_field.setFocus)
        self.repeat_password_field.returnPressed.connect(self.change)
        form = QFormLayout()
        form.addRow(self.tr("Новый пароль:"), self.new_password_field)
        form.addRow(self.tr("Еще раз:"), self.repeat_password_field)
        layout = QVBoxLayout(page)
        layout.addWidget(self.change_hint)
        layout.addLayout(form)
        layout.addWidget(self.change_message_label)
        layout.addWidget(buttons)
        return page

    def _submit(self, job: Callable[[Session], Any], on_result: Callable[[Any], None]) -> None:
        if self._busy:
            return
        self._set_busy(True)
        self._worker.submit(job, on_result, self._on_error, owner=self)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sign_in_button.setEnabled(not busy)
        self.change_button.setEnabled(not busy)

    def _on_signed_in(self, result: SignedInStaff | SignInRefused) -> None:
        self._set_busy(False)
        if isinstance(result, SignInRefused):
            self._password = ""
            show_message(self.message_label, result.message)
            self.password_field.clear()
            self.password_field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._staff = result
        self.password_field.clear()
        if result.must_change_password:
            self._pages.setCurrentIndex(CHANGE_PAGE)
            self.new_password_field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.accept()

    def _on_changed(self, result: SignedInStaff | StaffError | WeakPassword) -> None:
        self._set_busy(False)
        if isinstance(result, StaffError | WeakPassword):
            show_message(self.change_message_label, result.message)
            self.new_password_field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._staff = result
        self.new_password_field.clear()
        self.repeat_password_field.clear()
        self.accept()

    def _on_error(self, error: BaseException) -> None:
        self._set_busy(False)
        label = self.change_message_label if self.changing_password else self.message_label
        show_message(
            label,
            self.tr("Нет связи с базой данных: {0}. Повторите попытку или обратитесь в "
                    "техническую поддержку.").format(describe_error(error)),
        )
