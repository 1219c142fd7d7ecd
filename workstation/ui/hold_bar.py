"""The strip under the schedule that shows the held slot, its countdown and «Записаться».

A chosen slot is held for the operator while the call goes on; this strip says which one, how
long it stays held, takes the mobile phone for the SMS code («Вариант 1»; empty — the ticket is
issued at once, «Вариант 2») and books it (F6) or lets it go (Esc in the strip).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from workstation.services.booking.tickets import TicketView
from workstation.ui.booking_dialogs import time_left_label, visit_phrase

IDLE_TEXT = (
    "Выберите свободное время в расписании (Enter): оно будет удержано для пациента, "
    "пока идет разговор."
)
LOW_TIME_S = 60


class HoldBar(QWidget):
    """The held slot, the time left, the phone for the SMS, «Записаться» and «Отпустить»."""

    bookRequested = Signal(str)
    """«Записаться» (F6 in the window): the phone typed (may be empty)."""

    releaseRequested = Signal()
    """«Отпустить»: let the slot go."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("holdBar")
        self.summary = QLabel(IDLE_TEXT, self)
        self.summary.setObjectName("holdSummary")
        self.summary.setWordWrap(True)
        self.countdown = QLabel(self)
        self.countdown.setObjectName("holdCountdown")
        self.phone_field = QLineEdit(self)
        self.phone_field.setObjectName("holdPhone")
        self.phone_field.setPlaceholderText("Мобильный для СМС-кода (необязательно)")
        self.phone_field.setToolTip(
            "С номером мобильного телефона запись подтверждается кодом из СМС (Вариант 1); "
            "без него талон выдается сразу (Вариант 2)."
        )
        self.phone_field.setMaximumWidth(220)
        self.phone_field.returnPressed.connect(self._book)
        self.book_button = QPushButton("Записаться (F6)", self)
        self.book_button.setObjectName("bookButton")
        self.book_button.clicked.connect(self._book)
        self.release_button = QPushButton("Отпустить", self)
        self.release_button.setObjectName("releaseButton")
        self.release_button.clicked.connect(self.releaseRequested.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.countdown)
        layout.addWidget(self.phone_field)
        layout.addWidget(self.book_button)
        layout.addWidget(self.release_button)
        self._hold: TicketView | None = None
        self._busy = False
        self._update_enabled()

    @property
    def hold(self) -> TicketView | None:
        """The held ticket shown, if any."""
        return self._hold

    def set_phone(self, phone: str) -> None:
        """Prefill the phone from the patient's card (the operator may change it)."""
        self.phone_field.setText(phone)

    def show_hold(self, ticket: TicketView) -> None:
        """A slot is held: show it and the time left."""
        self._hold = ticket
        room = f", кабинет {ticket.room}" if ticket.room else ""
        self.summary.setText(
            f"<b>{visit_phrase(ticket.visit_start)}</b> — {ticket.doctor}, {ticket.specialty}"
            f"{room}; пациент {ticket.patient}"
        )
        self._update_enabled()

    def show_idle(self, text: str = IDLE_TEXT) -> None:
        """Nothing held."""
        self._hold = None
        self.summary.setText(text)
        self.countdown.setText("")
        self._update_enabled()

    def set_seconds_left(self, seconds: int) -> None:
        """The hold's countdown (red in its last minute)."""
        if self._hold is None:
            self.countdown.setText("")
            return
        self.countdown.setText(f"удерживается: {time_left_label(seconds)}")
        colour = "color: #c62828; font-weight: bold;" if seconds <= LOW_TIME_S else ""
        self.countdown.setStyleSheet(colour)

    def set_busy(self, busy: bool) -> None:
        """A request is under way: «Записаться» waits for it."""
        self._busy = busy
        self.book_button.setText("Запрос к ЛПУ…" if busy else "Записаться (F6)")
        self._update_enabled()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._hold is not None:
            self.releaseRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _book(self) -> None:
        if self._hold is not None and not self._busy:
            self.bookRequested.emit(self.phone_field.text().strip())

    def _update_enabled(self) -> None:
        held = self._hold is not None
        self.book_button.setEnabled(held and not self._busy)
        self.release_button.setEnabled(held and not self._busy)
        self.phone_field.setEnabled(held)
