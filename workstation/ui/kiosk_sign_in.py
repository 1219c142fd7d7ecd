"""The self-service kiosk's «Вход в личный кабинет»: СНИЛС and password, then what the service
asks for next.

As the manual says: «Введите логин (СНИЛС) и пароль в соответствующие поля», «Нажмите на кнопку
Войти»; with the optional two-factor authorisation a code is sent by SMS «для ввода». A one-time
password must be replaced first («Смена пароля»: the new password twice). Large fonts and
buttons for a touch screen. ``reset()`` (sign-out, idle timeout) clears every field and forgets
the password kept for the change; results of requests made before a reset are dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models.base import utc_now
from workstation.services.cabinet_accounts import (
    DEFAULT_POLICY,
    CabinetError,
    CabinetPolicy,
    OneTimePasswordExpired,
    SignInResult,
    SignInStep,
    change_password,
    sign_in,
    verify_sign_in_code,
)
from workstation.services.journal import Actor
from workstation.ui.db_worker import DatabaseWorker

Clock = Callable[[], dt.datetime]

SNILS_MASK = "999-999-999 99;_"
FIELD_POINT_SIZE = 22
TITLE_POINT_SIZE = 30
TOUCH_HEIGHT = 72
UNAVAILABLE = "Вход сейчас недоступен. Попробуйте ещё раз или обратитесь в регистратуру."


class KioskPage:
    """Indexes of the pages in the stack."""

    SIGN_IN = 0
    CHANGE_PASSWORD = 1
    SMS_CODE = 2


def _font(size: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    return font


def _field(name: str, placeholder: str, *, password: bool = False) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    field.setFont(_font(FIELD_POINT_SIZE))
    field.setMinimumHeight(TOUCH_HEIGHT)
    if password:
        field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _button(name: str, text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setFont(_font(FIELD_POINT_SIZE, bold=True))
    button.setMinimumHeight(TOUCH_HEIGHT)
    button.setMinimumWidth(280)
    return button


def _label(text: str, size: int = FIELD_POINT_SIZE, *, bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setFont(_font(size, bold=bold))
    label.setWordWrap(True)
    return label


class KioskSignIn(QWidget):
    """Sign-in to the patient's cabinet on the kiosk: emits ``signedIn(patient_id, name)``."""

    signedIn = Signal(int, str)
    messageShown = Signal(str)
    """A message (a refusal, a hint) was shown on the current page."""

    def __init__(
        self,
        worker: DatabaseWorker,
        actor: Actor,
        *,
        policy: CabinetPolicy = DEFAULT_POLICY,
        clock: Clock = utc_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskSignIn")
        self._worker = worker
        self._actor = actor
        self._policy = policy
        self._clock = clock
        self._generation = 0  # bumped by reset(): results of older requests are dropped
        self._busy = False
        self._patient_id: int | None = None
        self._patient_name = ""
        # The one-time password, kept only between the sign-in and the forced change.
        self._current_password = ""
        self._stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self._stack)
        self._stack.addWidget(self._sign_in_page())
        self._stack.addWidget(self._change_page())
        self._stack.addWidget(self._code_page())
        self._update_buttons()

    # -- pages ---------------------------------------------------------------------------------

    def _page(self, title: str) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(18)
        layout.setContentsMargins(60, 40, 60, 40)
        layout.addWidget(_label(title, TITLE_POINT_SIZE, bold=True))
        return page, layout

    def _message_label(self, name: str) -> QLabel:
        label = _label("")
        label.setObjectName(name)
        label.setStyleSheet("color: #b00020;")
        return label

    def _sign_in_page(self) -> QWidget:
        page, layout = self._page("Вход в личный кабинет")
        layout.addWidget(_label("Логин (СНИЛС):"))
        self.snils_edit = _field("snilsEdit", "")
        self.snils_edit.setInputMask(SNILS_MASK)
        self.snils_edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        layout.addWidget(self.snils_edit)
        layout.addWidget(_label("Пароль:"))
        self.password_edit = _field("passwordEdit", "Пароль", password=True)
        layout.addWidget(self.password_edit)
        self.sign_in_button = _button("signInButton", "Войти")
        self.sign_in_button.clicked.connect(self.submit_sign_in)
        self.password_edit.returnPressed.connect(self.submit_sign_in)
        layout.addWidget(self.sign_in_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.sign_in_message = self._message_label("signInMessage")
        layout.addWidget(self.sign_in_message)
        layout.addStretch(1)
        return page

    def _change_page(self) -> QWidget:
        page, layout = self._page("Смена пароля")
        self.change_hint = _label(
            "Вы вошли по одноразовому паролю. Придумайте свой пароль: не меньше 8 символов, "
            "буквы и цифры. Никому его не сообщайте."
        )
        layout.addWidget(self.change_hint)
        self.new_password_edit = _field("newPasswordEdit", "Новый пароль", password=True)
        self.repeat_password_edit = _field(
            "repeatPasswordEdit", "Новый пароль ещё раз", password=True
        )
        layout.addWidget(self.new_password_edit)
        layout.addWidget(self.repeat_password_edit)
        row = QHBoxLayout()
        self.change_button = _button("changePasswordButton", "Сохранить пароль")
        self.change_button.clicked.connect(self.submit_new_password)
        self.repeat_password_edit.returnPressed.connect(self.submit_new_password)
        self.change_cancel_button = _button("changeCancelButton", "Отмена")
        self.change_cancel_button.clicked.connect(self.reset)
        row.addWidget(self.change_button)
        row.addWidget(self.change_cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.change_message = self._message_label("changeMessage")
        layout.addWidget(self.change_message)
        layout.addStretch(1)
        return page

    def _code_page(self) -> QWidget:
        page, layout = self._page("Код из СМС")
        self.code_hint = _label("")
        self.code_hint.setObjectName("codeHint")
        layout.addWidget(self.code_hint)
        self.code_edit = _field("codeEdit", "6 цифр")
        self.code_edit.setMaxLength(6)
        self.code_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{0,6}"), self.code_edit)
        )
        self.code_edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        layout.addWidget(self.code_edit)
        row = QHBoxLayout()
        self.code_button = _button("codeButton", "Подтвердить")
        self.code_button.clicked.connect(self.submit_code)
        self.code_edit.returnPressed.connect(self.submit_code)
        self.code_back_button = _button("codeBackButton", "Назад")
        self.code_back_button.clicked.connect(self.reset)
        row.addWidget(self.code_button)
        row.addWidget(self.code_back_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.code_message = self._message_label("codeMessage")
        layout.addWidget(self.code_message)
        layout.addStretch(1)
        return page

    # -- state ---------------------------------------------------------------------------------

    @property
    def page(self) -> int:
        """The page shown (see :class:`KioskPage`)."""
        return self._stack.currentIndex()

    @property
    def is_busy(self) -> bool:
        return self._busy

    def _show_page(self, page: int) -> None:
        self._stack.setCurrentIndex(page)
        focus = {
            KioskPage.SIGN_IN: self.snils_edit,
            KioskPage.CHANGE_PASSWORD: self.new_password_edit,
            KioskPage.SMS_CODE: self.code_edit,
        }[page]
        focus.setFocus()

    def _message_of_page(self) -> QLabel:
        return {
            KioskPage.SIGN_IN: self.sign_in_message,
            KioskPage.CHANGE_PASSWORD: self.change_message,
            KioskPage.SMS_CODE: self.code_message,
        }[self.page]

    def _show_message(self, text: str) -> None:
        self._message_of_page().setText(text)
        self.messageShown.emit(text)

    def _update_buttons(self) -> None:
        for button in (self.sign_in_button, self.change_button, self.code_button):
            button.setEnabled(not self._busy)

    def reset(self) -> None:
        """Back to an empty «Вход в личный кабинет» (sign-out, idle): nothing typed is kept."""
        self._generation += 1
        self._busy = False
        self._patient_id = None
        self._patient_name = ""
        self._current_password = ""
        for field in (
            self.snils_edit,
            self.password_edit,
            self.new_password_edit,
            self.repeat_password_edit,
            self.code_edit,
        ):
            field.clear()
        for label in (self.sign_in_message, self.change_message, self.code_message, self.code_hint):
            label.clear()
        self._show_page(KioskPage.SIGN_IN)
        self._update_buttons()

    # -- requests ------------------------------------------------------------------------------

    def _submit(self, job: Callable[[Session], Any], on_result: Callable[[Any], None]) -> None:
        generation = self._generation
        self._busy = True
        self._update_buttons()

        def finished(result: Any) -> None:
            if generation != self._generation:
                return
            self._busy = False
            self._update_buttons()
            on_result(result)

        def failed(error: BaseException) -> None:
            if generation != self._generation:
                return
            self._busy = False
            self._update_buttons()
            self._on_error(error)

        self._worker.submit(job, finished, failed, owner=self)

    def _on_error(self, error: BaseException) -> None:
        if isinstance(error, OneTimePasswordExpired):
            self.reset()
            self._show_message(error.message)
        elif isinstance(error, CabinetError):
            self._show_message(error.message)
        else:
            self._show_message(UNAVAILABLE)

    def submit_sign_in(self) -> None:
        """«Войти»."""
        if self._busy:
            return
        login = self.snils_edit.text()
        password = self.password_edit.text()
        if not password:
            self._show_message("Введите пароль.")
            return
        actor, policy, now = self._actor, self._policy, self._clock()
        self._current_password = password
        self._submit(
            lambda session: sign_in(session, login, password, now=now, actor=actor, policy=policy),
            self._on_step,
        )

    def submit_code(self) -> None:
        """«Подтвердить» the code from the SMS."""
        if self._busy or self._patient_id is None:
            return
        patient_id, code = self._patient_id, self.code_edit.text()
        actor, policy, now = self._actor, self._policy, self._clock()
        self._submit(
            lambda session: verify_sign_in_code(
                session, patient_id, code, now=now, actor=actor, policy=policy
            ),
            self._on_step,
        )

    def submit_new_password(self) -> None:
        """«Сохранить пароль» on the «Смена пароля» page."""
        if self._busy or self._patient_id is None:
            return
        new, repeated = self.new_password_edit.text(), self.repeat_password_edit.text()
        if new != repeated:
            self.repeat_password_edit.clear()
            self._show_message("Пароли не совпадают: введите новый пароль ещё раз.")
            return
        patient_id, old = self._patient_id, self._current_password
        actor, now = self._actor, self._clock()
        self._submit(
            lambda session: change_password(session, patient_id, old, new, now=now, actor=actor),
            lambda _: self._finish(),
        )

    def _on_step(self, result: SignInResult) -> None:
        self.password_edit.clear()
        self.code_edit.clear()
        if result.step is SignInStep.REFUSED:
            if self.page == KioskPage.SIGN_IN:
                self._current_password = ""
            self._show_message(result.message)
            return
        self._patient_id = result.patient_id
        self._patient_name = result.patient_name
        if result.step is SignInStep.SMS_CODE:
            self._show_page(KioskPage.SMS_CODE)
            self.code_hint.setText(result.message)
            self.code_message.clear()
        elif result.step is SignInStep.CHANGE_PASSWORD:
            self._show_page(KioskPage.CHANGE_PASSWORD)
            self.change_message.clear()
        else:
            self._finish()

    def _finish(self) -> None:
        patient_id, name = self._patient_id, self._patient_name
        self._current_password = ""
        self.new_password_edit.clear()
        self.repeat_password_edit.clear()
        if patient_id is not None:
            self.signedIn.emit(patient_id, name)
