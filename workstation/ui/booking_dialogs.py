"""The dialogs of the booking flow, in the manual's words.

* ``TicketIssuedDialog`` — «Вариант 2»: «Ждем вас на прием …», the ticket number, «Распечатать
  талон?».
* ``ConfirmationCodeDialog`` — «Вариант 1»: «Введите код подтверждения», then «Запись на прием
  подтверждена. Вы можете распечатать талон», «Распечатать талон?».
* ``AlternativesDialog`` — the slot is taken: the nearest free times of the same doctor or
  specialty, one Enter away, instead of a bare error.

All of them are opened with ``open()`` (never ``exec()``: a nested event loop would stall the
worker callbacks) and answer through signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workstation.models.base import utc_now
from workstation.services.booking.errors import SlotOffer
from workstation.services.booking.tickets import TicketView
from workstation.services.schedule.labels import MONTHS_GENITIVE, clock

WAIT_TEXT = (
    "Теперь необходимо распечатать талон либо записать его номер. В день приема обратитесь "
    "в регистратуру вашего мед. учреждения."
)
CODE_HINT = (
    "Для подтверждения брони записи введите код подтверждения, присланный на мобильный номер "
    "телефона, указанный вами при записи."
)
CODE_AFTER = "После отправки кода подтверждения с данной формы вы сможете распечатать талон."
CONFIRMED_TEXT = "Запись на прием подтверждена.\nВы можете распечатать талон"
PRINT_QUESTION = "Распечатать талон?"
CODE_LENGTH = (4, 8)


def visit_phrase(moment: dt.datetime) -> str:
    """«14 августа 2015 в 11:00», as in «Ждем вас на прием 14 августа 2015 в 11:00»."""
    return f"{moment.day} {MONTHS_GENITIVE[moment.month - 1]} {moment.year} в {clock(moment)}"


def time_left_label(seconds: int) -> str:
    """«мм:сс» (or «ч:мм:сс» from an hour up)."""
    seconds = max(0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def _bold(label: QLabel, size_delta: int = 2) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSize(max(1, font.pointSize() + size_delta))
    label.setFont(font)
    return label


def _print_buttons(dialog: QDialog) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """«Распечатать талон?» «Нет» / «Да»: «Да» is the default (a desk prints every ticket)."""
    buttons = QDialogButtonBox(dialog)
    no = buttons.addButton("Нет", QDialogButtonBox.ButtonRole.RejectRole)
    yes = buttons.addButton("Да", QDialogButtonBox.ButtonRole.AcceptRole)
    assert no is not None and yes is not None
    yes.setDefault(True)
    return buttons, yes, no


class TicketIssuedDialog(QDialog):
    """«Ждем вас на прием …»: the ticket is booked; print it?"""

    printRequested = Signal(str)
    """The operator answered «Да»: the ticket number to print."""

    def __init__(self, ticket: TicketView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketIssuedDialog")
        self.setWindowTitle("Запись на прием")
        self.ticket = ticket
        self.heading = _bold(QLabel(f"Ждем вас на прием {visit_phrase(ticket.visit_start)}", self))
        self.heading.setObjectName("waitHeading")
        details = QLabel(
            f"{ticket.doctor}, {ticket.specialty}\n{ticket.institution}"
            + (f", кабинет {ticket.room}" if ticket.room else ""),
            self,
        )
        hint = QLabel(WAIT_TEXT, self)
        hint.setWordWrap(True)
        self.number_label = _bold(QLabel(f"Талон №{ticket.ticket_number}", self), 4)
        self.number_label.setObjectName("ticketNumber")
        question = QLabel(PRINT_QUESTION, self)
        buttons, self.yes_button, self.no_button = _print_buttons(self)
        buttons.accepted.connect(self._print)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.heading, details, hint, self.number_label, question, buttons):
            layout.addWidget(widget)

    def _print(self) -> None:
        self.accept()
        self.printRequested.emit(self.ticket.ticket_number)


class ConfirmationCodeDialog(QDialog):
    """«Введите код подтверждения» for a ticket booked with a mobile phone (F7)."""

    codeEntered = Signal(str, str)
    """Ticket number and the code typed: the window checks it off the GUI thread."""

    printRequested = Signal(str)
    """After the confirmation, «Распечатать талон?» — «Да»."""

    def __init__(
        self,
        ticket: TicketView,
        parent: QWidget | None = None,
        *,
        clock_now: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("confirmationCodeDialog")
        self.setWindowTitle(f"Подтверждение записи: талон №{ticket.ticket_number}")
        self.ticket = ticket
        self._now = clock_now
        self._confirmed = False

        heading = _bold(QLabel(f"Талон №{ticket.ticket_number}", self))
        details = QLabel(
            f"{ticket.doctor}, {ticket.specialty}\n{visit_phrase(ticket.visit_start)}", self
        )
        self.hint_label = QLabel(f"{CODE_HINT}\n{CODE_AFTER}", self)
        self.hint_label.setWordWrap(True)
        self.code_field = QLineEdit(self)
        self.code_field.setObjectName("codeField")
        self.code_field.setPlaceholderText("Введите код подтверждения")
        self.code_field.setValidator(QRegularExpressionValidator(r"\d{0,8}", self.code_field))
        self.code_field.setMaxLength(CODE_LENGTH[1])
        self.time_left = QLabel(self)
        self.time_left.setObjectName("timeLeft")
        self.error_label = QLabel(self)
        self.error_label.setObjectName("codeError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: palette(link-visited); font-weight: bold;")
        self.error_label.setVisible(False)
        self.confirm_button = QPushButton("Подтвердить", self)
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self.submit)
        cancel = QPushButton("Закрыть", self)
        cancel.clicked.connect(self.reject)
        entry_buttons = QDialogButtonBox(self)
        entry_buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        entry_buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self._entry_widgets: list[QWidget] = [
            self.hint_label, self.code_field, self.time_left, entry_buttons,
        ]

        self.confirmed_label = _bold(QLabel(CONFIRMED_TEXT, self))
        self.confirmed_label.setObjectName("confirmedLabel")
        question = QLabel(PRINT_QUESTION, self)
        print_buttons, self.yes_button, self.no_button = _print_buttons(self)
        # Until the code is accepted Enter means «Подтвердить», not the hidden «Да».
        self.yes_button.setDefault(False)
        self.yes_button.setAutoDefault(False)
        self.no_button.setAutoDefault(False)
        print_buttons.accepted.connect(self._print)
        print_buttons.rejected.connect(self.accept)
        self._done_widgets: list[QWidget] = [self.confirmed_label, question, print_buttons]

        layout = QVBoxLayout(self)
        for widget in (heading, details, self.error_label, *self._entry_widgets,
                       *self._done_widgets):
            layout.addWidget(widget)
        for widget in self._done_widgets:
            widget.setVisible(False)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._update_time_left)
        self._timer.start()
        self._update_time_left()
        self.code_field.setFocus()

    @property
    def is_confirmed(self) -> bool:
        """True once the code was accepted."""
        return self._confirmed

    def submit(self) -> bool:
        """Send the typed code (Enter, «Подтвердить»); False when it is obviously incomplete."""
        code = self.code_field.text().strip()
        if not CODE_LENGTH[0] <= len(code) <= CODE_LENGTH[1]:
            self.show_error("Введите код подтверждения из СМС: только цифры, как в сообщении.")
            return False
        self.confirm_button.setEnabled(False)
        self.error_label.setVisible(False)
        self.codeEntered.emit(self.ticket.ticket_number, code)
        return True

    def show_error(self, message: str) -> None:
        """The code was not accepted: say why, keep the dialog, select the code to retype."""
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        self.confirm_button.setEnabled(True)
        self.code_field.selectAll()
        self.code_field.setFocus()

    def show_confirmed(self) -> None:
        """«Запись на прием подтверждена», then «Распечатать талон?»."""
        self._confirmed = True
        self._timer.stop()
        self.error_label.setVisible(False)
        for widget in self._entry_widgets:
            widget.setVisible(False)
        for widget in self._done_widgets:
            widget.setVisible(True)
        self.confirm_button.setDefault(False)
        self.yes_button.setDefault(True)
        self.yes_button.setFocus()

    def _update_time_left(self) -> None:
        confirm_by = self.ticket.confirm_by
        if confirm_by is None:
            self.time_left.setText("")
            return
        left = int((confirm_by - self._now()).total_seconds())
        self.time_left.setText(f"Осталось на подтверждение: {time_left_label(left)}")

    def _print(self) -> None:
        self.accept()
        self.printRequested.emit(self.ticket.ticket_number)


class AlternativesDialog(QDialog):
    """The chosen time cannot be had: the nearest free ones instead (Enter books the first)."""

    offerChosen = Signal(int)
    """The slot id of the alternative the operator chose."""

    def __init__(
        self, message: str, offers: Sequence[SlotOffer], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("alternativesDialog")
        self.setWindowTitle("Выбранное время недоступно")
        self.offers = tuple(offers)
        text = QLabel(message, self)
        text.setWordWrap(True)
        _bold(text, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        self.offers_list = QListWidget(self)
        self.offers_list.setObjectName("alternativesList")
        if self.offers:
            layout.addWidget(QLabel("Ближайшее свободное время:", self))
            for offer in self.offers:
                item = QListWidgetItem(
                    f"{offer.start_label} — {offer.doctor}, {offer.specialty}"
                    + (f", каб. {offer.room}" if offer.room else "")
                )
                self.offers_list.addItem(item)
            self.offers_list.setCurrentRow(0)
            self.offers_list.activated.connect(self._choose_index)
            layout.addWidget(self.offers_list)
        else:
            self.offers_list.setVisible(False)
            layout.addWidget(
                QLabel("Свободного времени рядом нет: выберите другой день или другого врача.",
                       self)
            )
        buttons = QDialogButtonBox(self)
        self.choose_button = buttons.addButton(
            "Выбрать это время", QDialogButtonBox.ButtonRole.AcceptRole
        )
        close = buttons.addButton("Закрыть", QDialogButtonBox.ButtonRole.RejectRole)
        assert self.choose_button is not None and close is not None
        self.choose_button.setEnabled(bool(self.offers))
        self.choose_button.setDefault(bool(self.offers))
        buttons.accepted.connect(self.choose_current)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.offers_list if self.offers else close).setFocus()

    def choose_current(self) -> None:
        """Take the highlighted alternative."""
        row = self.offers_list.currentRow()
        if 0 <= row < len(self.offers):
            self.accept()
            self.offerChosen.emit(self.offers[row].slot_id)

    def _choose_index(self, index: QModelIndex) -> None:
        self.offers_list.setCurrentRow(index.row())
        self.choose_current()
