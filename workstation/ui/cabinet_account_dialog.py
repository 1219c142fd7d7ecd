"""The operator's «Личный кабинет» dialog for the identified patient.

The manual: the patient calls the contact center with the СНИЛС and the полис ОМС, and gets a
login (the СНИЛС) and a one-time password. Here the operator issues the access («Выдать доступ в
личный кабинет»), resets the password, blocks and unblocks the cabinet, edits the profile the
cabinet's «Профиль» has (policy, phone, e-mail, «Получать sms-напоминания», and the optional
second factor, a code by SMS), prints the separate consent form and records that it was signed.
The account's journal lines (who, when, from which workstation) are listed below.

The one-time password is shown once, in a large monospace label with «Распечатать памятку», and
forgotten when the dialog closes: it exists nowhere else. All database work runs on the
:class:`DatabaseWorker`; without the right to manage cabinets (``can_manage=False``) the
changing controls are disabled and say why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models.base import utc_now
from workstation.services.cabinet_accounts import (
    DEFAULT_POLICY,
    AccountEvent,
    CabinetAccountView,
    CabinetError,
    CabinetPolicy,
    IssuedPassword,
    ProfileInvalid,
    account_history,
    account_of,
    consent_form_for,
    credentials_slip_for,
    issue_account,
    record_consent_signed,
    reset_password,
    set_blocked,
    update_profile,
)
from workstation.services.journal import Actor
from workstation.services.tickets.dates import local_moment
from workstation.services.tickets.slips import (
    CONSENT_TITLE,
    SLIP_TITLE,
    render_consent_form,
    render_credentials_slip,
)
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.document_printing import Document, DocumentPrinter

PrinterFactory = Callable[[], QPrinter]
Clock = Callable[[], dt.datetime]

NOT_ISSUED = "Личный кабинет не выдан"
NO_RIGHT = "У вашей роли нет права изменять личные кабинеты пациентов."
HISTORY_TIME_FORMAT = "%d.%m.%Y %H:%M:%S"


@dataclass(frozen=True)
class _Loaded:
    patient_name: str
    account: CabinetAccountView | None
    history: list[AccountEvent]


def _load(session: Session, patient_id: int, now: dt.datetime) -> _Loaded:
    account = account_of(session, patient_id, full=True, now=now)
    name = (
        account.patient_name
        if account is not None
        else consent_form_for(session, patient_id, now.date()).patient_full_name
    )
    return _Loaded(name, account, account_history(session, patient_id))


def _moment(value: dt.datetime | None) -> str:
    return local_moment(value) if value is not None else "—"


class CabinetAccountDialog(QDialog):
    """Issue and manage the personal-cabinet account of one patient."""

    loaded = Signal()
    """The account's state (and history) was read and shown."""
    messageShown = Signal(str)
    """A result or an error was shown to the operator."""

    def __init__(
        self,
        worker: DatabaseWorker,
        patient_id: int,
        *,
        actor: Actor,
        can_manage: bool,
        document_printer: DocumentPrinter | None = None,
        printer_factory: PrinterFactory | None = None,
        policy: CabinetPolicy = DEFAULT_POLICY,
        clock: Clock = utc_now,
        parent: QWidget | None = None,
    ) -> None:
        """``printer_factory`` gives the printer of «Распечатать…» (by default the remembered or
        the system's default printer); ``clock`` the current moment (tests pin it)."""
        super().__init__(parent)
        self.setWindowTitle("Личный кабинет пациента")
        self.setObjectName("cabinetAccountDialog")
        self._worker = worker
        self._patient_id = patient_id
        self._actor = actor
        self._can_manage = can_manage
        self._policy = policy
        self._clock = clock
        self._printer_factory = printer_factory
        self._printer = document_printer if document_printer is not None else DocumentPrinter(self)
        self._printer.printed.connect(self._on_printed)
        self._printer.failed.connect(self._show_message)
        self._account: CabinetAccountView | None = None
        self._issued: IssuedPassword | None = None
        self._confirm_box: QMessageBox | None = None
        self._busy = False
        self._is_loaded = False
        self._build()
        self._update_controls()
        self.reload()

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)

        self.patient_label = QLabel()
        self.patient_label.setObjectName("patientName")
        title_font = QFont(self.patient_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setBold(True)
        self.patient_label.setFont(title_font)
        layout.addWidget(self.patient_label)

        account_box = QGroupBox("Учётная запись")
        account_form = QFormLayout(account_box)
        self.status_label = QLabel(NOT_ISSUED)
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        self.login_label = QLabel("—")
        self.login_label.setObjectName("login")
        self.login_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.created_label = QLabel("—")
        self.last_sign_in_label = QLabel("—")
        self.consent_label = QLabel("—")
        self.consent_label.setObjectName("consentState")
        account_form.addRow("Состояние:", self.status_label)
        account_form.addRow("Логин (СНИЛС):", self.login_label)
        account_form.addRow("Выдан:", self.created_label)
        account_form.addRow("Последний вход:", self.last_sign_in_label)
        account_form.addRow("Согласие на обработку ПДн:", self.consent_label)
        layout.addWidget(account_box)

        buttons = QHBoxLayout()
        self.issue_button = QPushButton("Выдать доступ в личный кабинет")
        self.issue_button.setObjectName("issueButton")
        self.issue_button.clicked.connect(self.issue)
        self.reset_button = QPushButton("Сбросить пароль")
        self.reset_button.setObjectName("resetButton")
        self.reset_button.clicked.connect(self.ask_reset_password)
        self.block_reason = QLineEdit()
        self.block_reason.setObjectName("blockReason")
        self.block_reason.setPlaceholderText("Причина блокировки (необязательно)")
        self.block_button = QPushButton("Заблокировать")
        self.block_button.setObjectName("blockButton")
        self.block_button.clicked.connect(self.ask_toggle_blocked)
        for widget in (self.issue_button, self.reset_button, self.block_reason, self.block_button):
            buttons.addWidget(widget)
        layout.addLayout(buttons)

        self.password_frame = QFrame()
        self.password_frame.setObjectName("oneTimePasswordFrame")
        self.password_frame.setFrameShape(QFrame.Shape.StyledPanel)
        password_layout = QVBoxLayout(self.password_frame)
        password_layout.addWidget(
            QLabel("Одноразовый пароль (показывается один раз — продиктуйте или распечатайте):")
        )
        self.password_label = QLabel()
        self.password_label.setObjectName("oneTimePassword")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(mono.pointSizeF(), 10) * 2.2)
        mono.setBold(True)
        mono.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 3)
        self.password_label.setFont(mono)
        self.password_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        password_layout.addWidget(self.password_label)
        self.validity_label = QLabel()
        self.validity_label.setObjectName("oneTimeValidity")
        password_layout.addWidget(self.validity_label)
        self.print_slip_button = QPushButton("Распечатать памятку")
        self.print_slip_button.setObjectName("printSlipButton")
        self.print_slip_button.clicked.connect(self.print_slip)
        password_layout.addWidget(self.print_slip_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.password_frame.hide()
        layout.addWidget(self.password_frame)

        profile_box = QGroupBox("Профиль")
        profile_form = QFormLayout(profile_box)
        self.oms_edit = QLineEdit()
        self.oms_edit.setObjectName("omsEdit")
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("phoneEdit")
        self.phone_edit.setPlaceholderText("например 8 912 345-67-89")
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("emailEdit")
        self.second_factor_check = QCheckBox("Второй фактор: код по СМС")
        self.second_factor_check.setObjectName("secondFactorCheck")
        self.reminders_check = QCheckBox("Получать sms-напоминания")
        self.reminders_check.setObjectName("remindersCheck")
        self.save_button = QPushButton("Сохранить")
        self.save_button.setObjectName("saveProfileButton")
        self.save_button.clicked.connect(self.save_profile)
        profile_form.addRow("Полис ОМС:", self.oms_edit)
        profile_form.addRow("Телефон:", self.phone_edit)
        profile_form.addRow("E-mail:", self.email_edit)
        profile_form.addRow(self.second_factor_check)
        profile_form.addRow(self.reminders_check)
        profile_form.addRow(self.save_button)
        layout.addWidget(profile_box)

        consent_row = QHBoxLayout()
        self.print_consent_button = QPushButton("Распечатать согласие")
        self.print_consent_button.setObjectName("printConsentButton")
        self.print_consent_button.clicked.connect(self.print_consent)
        self.consent_signed_button = QPushButton("Согласие подписано")
        self.consent_signed_button.setObjectName("consentSignedButton")
        self.consent_signed_button.clicked.connect(self.record_consent)
        consent_row.addWidget(self.print_consent_button)
        consent_row.addWidget(self.consent_signed_button)
        consent_row.addStretch(1)
        layout.addLayout(consent_row)

        self.message_label = QLabel()
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)

        self.history_table = QTableWidget(0, 5)
        self.history_table.setObjectName("history")
        self.history_table.setHorizontalHeaderLabels(
            ["Дата", "Оператор", "Рабочее место", "Действие", "Подробности"]
        )
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.verticalHeader().hide()
        self.history_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.history_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(QLabel("Журнал событий личного кабинета:"))
        layout.addWidget(self.history_table, 1)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.resize(820, 760)

    # -- state ---------------------------------------------------------------------------------

    @property
    def is_loaded(self) -> bool:
        """True once the account's state was read."""
        return self._is_loaded

    @property
    def is_busy(self) -> bool:
        """True while a request runs (its buttons are disabled meanwhile)."""
        return self._busy

    @property
    def account(self) -> CabinetAccountView | None:
        """The account as last read (``None`` when not issued)."""
        return self._account

    @property
    def message(self) -> str:
        return self.message_label.text()

    def _managing_widgets(self) -> list[QWidget]:
        return [
            self.issue_button,
            self.reset_button,
            self.block_button,
            self.block_reason,
            self.save_button,
            self.oms_edit,
            self.phone_edit,
            self.email_edit,
            self.second_factor_check,
            self.reminders_check,
            self.consent_signed_button,
        ]

    def _update_controls(self) -> None:
        account = self._account
        has_account = account is not None
        idle = not self._busy and self._is_loaded
        allowed = idle and self._can_manage
        self.issue_button.setEnabled(allowed and not has_account)
        account_actions: tuple[QWidget, ...] = (
            self.reset_button,
            self.block_button,
            self.block_reason,
            self.save_button,
        )
        for action in account_actions:
            action.setEnabled(allowed and has_account)
        profile_fields: tuple[QWidget, ...] = (
            self.oms_edit,
            self.phone_edit,
            self.email_edit,
            self.second_factor_check,
            self.reminders_check,
        )
        for profile_field in profile_fields:
            profile_field.setEnabled(has_account and self._can_manage)
        self.consent_signed_button.setEnabled(allowed and has_account)
        self.print_consent_button.setEnabled(idle)
        self.print_slip_button.setEnabled(self._issued is not None)
        self.block_button.setText(
            "Разблокировать" if account is not None and account.is_blocked else "Заблокировать"
        )
        tooltip = "" if self._can_manage else NO_RIGHT
        for widget in self._managing_widgets():
            widget.setToolTip(tooltip)

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.messageShown.emit(text)

    # -- requests ------------------------------------------------------------------------------

    def _submit(
        self,
        job: Callable[[Session], Any],
        on_result: Callable[[Any], None],
    ) -> None:
        self._busy = True
        self._update_controls()

        def done(result: Any) -> None:
            self._busy = False
            on_result(result)
            self._update_controls()

        self._worker.submit(job, done, self._on_error, owner=self)

    def _on_error(self, error: BaseException) -> None:
        self._busy = False
        if isinstance(error, ProfileInvalid):
            field = {
                "oms": self.oms_edit,
                "phone": self.phone_edit,
                "email": self.email_edit,
                "sms_second_factor": self.second_factor_check,
                "sms_reminders": self.reminders_check,
            }.get(error.field)
            if field is not None:
                field.setFocus()
        if isinstance(error, CabinetError):
            self._show_message(error.message)
        else:
            self._show_message(
                f"Не удалось выполнить действие: {describe_error(error)}. Повторите попытку."
            )
        self._update_controls()

    def reload(self) -> None:
        """Read the account's state and history again."""
        patient_id, now = self._patient_id, self._clock()
        self._submit(lambda session: _load(session, patient_id, now), self._on_loaded)

    def _on_loaded(self, loaded: _Loaded) -> None:
        self._account = loaded.account
        self._is_loaded = True
        self.patient_label.setText(loaded.patient_name)
        account = loaded.account
        if account is None:
            self.status_label.setText(NOT_ISSUED)
            for label in (self.login_label, self.created_label, self.last_sign_in_label):
                label.setText("—")
            self.consent_label.setText("—")
        else:
            self.status_label.setText(account.status_label)
            self.login_label.setText(account.login_display)
            self.created_label.setText(f"{_moment(account.created_at)}, {account.created_by}")
            self.last_sign_in_label.setText(_moment(account.last_sign_in_at))
            self.consent_label.setText(
                f"подписано {_moment(account.consent_form_signed_at)}"
                if account.consent_form_signed_at is not None
                else "не подписано"
            )
            self.oms_edit.setText(account.oms)
            self.phone_edit.setText(account.phone)
            self.email_edit.setText(account.email)
            self.second_factor_check.setChecked(account.sms_second_factor)
            self.reminders_check.setChecked(account.sms_reminders)
        self._show_history(loaded.history)
        self._update_controls()
        self.loaded.emit()

    def _show_history(self, history: list[AccountEvent]) -> None:
        self.history_table.setRowCount(len(history))
        for row, event in enumerate(history):
            values = (
                event.at.astimezone().strftime(HISTORY_TIME_FORMAT),
                event.operator,
                event.workstation,
                event.action,
                event.details,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.history_table.setItem(row, column, item)

    # -- actions -------------------------------------------------------------------------------

    def issue(self) -> None:
        """«Выдать доступ в личный кабинет»."""
        patient_id, actor, now, policy = self._patient_id, self._actor, self._clock(), self._policy
        self._submit(
            lambda session: issue_account(session, patient_id, actor=actor, now=now, policy=policy),
            self._on_password_issued,
        )

    @property
    def confirm_box(self) -> QMessageBox | None:
        """The open «Сбросить пароль?» / «Заблокировать?» question, if any."""
        return self._confirm_box

    def ask_reset_password(self) -> None:
        """«Сбросить пароль» asks first: the patient's current password stops working."""
        self._ask(
            "Сбросить пароль личного кабинета?",
            "Текущий пароль пациента перестанет действовать; будет выдан новый одноразовый "
            "пароль.",
            self.reset_password,
        )

    def ask_toggle_blocked(self) -> None:
        """«Заблокировать» asks first (unblocking does not: it takes nothing away)."""
        if self._account is not None and not self._account.is_blocked:
            self._ask(
                "Заблокировать личный кабинет?",
                "Пациент не сможет войти в личный кабинет, пока его не разблокируют.",
                self.toggle_blocked,
            )
        else:
            self.toggle_blocked()

    def _ask(self, question: str, consequence: str, then: Callable[[], None]) -> None:
        if self._confirm_box is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(), question,
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("cabinetConfirmBox")
        box.setInformativeText(consequence)
        no = box.addButton("Нет", QMessageBox.ButtonRole.NoRole)
        yes = box.addButton("Да", QMessageBox.ButtonRole.YesRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)

        def answered() -> None:
            self._confirm_box = None
            if box.clickedButton() is yes:
                then()

        box.finished.connect(answered)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._confirm_box = box
        box.open()

    def reset_password(self) -> None:
        """«Сбросить пароль»: a new one-time password."""
        patient_id, actor, now, policy = self._patient_id, self._actor, self._clock(), self._policy
        self._submit(
            lambda session: reset_password(
                session, patient_id, actor=actor, now=now, policy=policy
            ),
            self._on_password_issued,
        )

    def _on_password_issued(self, issued: IssuedPassword) -> None:
        self._issued = issued
        self.password_label.setText(issued.password)
        self.validity_label.setText(
            f"Логин: {issued.login_display}. Пароль действует до {local_moment(issued.valid_until)}"
            "; при первом входе его нужно сменить."
        )
        self.password_frame.show()
        self._show_message(
            "Доступ выдан: продиктуйте логин и пароль или распечатайте памятку. "
            "Пароль больше нигде не сохраняется."
        )
        self.reload()

    def toggle_blocked(self) -> None:
        """«Заблокировать» / «Разблокировать»."""
        if self._account is None:
            return
        patient_id, actor = self._patient_id, self._actor
        blocked = not self._account.is_blocked
        reason = self.block_reason.text()

        def done(_: object) -> None:
            self.block_reason.clear()
            self._show_message(
                "Личный кабинет заблокирован." if blocked else "Личный кабинет разблокирован."
            )
            self.reload()

        self._submit(
            lambda session: set_blocked(session, patient_id, blocked, actor=actor, reason=reason),
            done,
        )

    def save_profile(self) -> None:
        """«Сохранить» the profile (each value is checked by the service)."""
        patient_id, actor = self._patient_id, self._actor
        oms, phone, email = self.oms_edit.text(), self.phone_edit.text(), self.email_edit.text()
        second_factor = self.second_factor_check.isChecked()
        reminders = self.reminders_check.isChecked()

        def done(_: object) -> None:
            self._show_message("Профиль сохранён.")
            self.reload()

        self._submit(
            lambda session: update_profile(
                session,
                patient_id,
                actor=actor,
                oms=oms,
                phone=phone,
                email=email,
                sms_second_factor=second_factor,
                sms_reminders=reminders,
            ),
            done,
        )

    def record_consent(self) -> None:
        """«Согласие подписано»: the patient signed the printed form."""
        patient_id, actor, now = self._patient_id, self._actor, self._clock()

        def done(_: object) -> None:
            self._show_message("Подписание согласия записано.")
            self.reload()

        self._submit(
            lambda session: record_consent_signed(session, patient_id, actor=actor, now=now),
            done,
        )

    def print_consent(self) -> None:
        """«Распечатать согласие»: the separate form (rendered on the worker thread)."""
        patient_id, today = self._patient_id, self._clock().astimezone().date()
        self._submit(
            lambda session: render_consent_form(consent_form_for(session, patient_id, today)),
            lambda pdf: self._print(Document(pdf, CONSENT_TITLE)),
        )

    def print_slip(self) -> None:
        """«Распечатать памятку»: the credentials slip with the password shown."""
        if self._issued is None:
            return
        slip = credentials_slip_for(self._issued, issued_by=self._actor.operator, now=self._clock())
        self._print(Document(render_credentials_slip(slip, "a6"), SLIP_TITLE))

    def _print(self, document: Document) -> None:
        printer = self._printer_factory() if self._printer_factory is not None else None
        self._printer.print_now(document, printer)

    def _on_printed(self, title: str) -> None:
        self._show_message(f"Отправлено на печать: {title}.")

    @property
    def document_printer(self) -> DocumentPrinter:
        """The printer service the slip and the form go through."""
        return self._printer

    # -- closing -------------------------------------------------------------------------------

    def _forget_password(self) -> None:
        self._issued = None
        self.password_label.clear()
        self.validity_label.clear()
        self.password_frame.hide()
        self._update_controls()

    def done(self, result: int) -> None:
        """Closing forgets the one-time password: it is shown once."""
        self._forget_password()
        super().done(result)
