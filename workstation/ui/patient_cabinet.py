"""«Личный кабинет» of a patient: what the operator sees on a call and the patient at a kiosk.

The manual's tabs: «Талоны на прием» (the active tickets with «Отменить» / «Распечатать»; the
past visits with «Оценить прием» — five stars — and «Оставить отзыв»; «Скрыть прошлые
посещения»), «Запись на прием» (the schedule; a booking from the cabinet is made without the SMS
confirmation, as the manual says), «Карта пациента», «Журнал событий» (Дата, IP-адрес, Действие,
a page at a time) and «Профиль» (the policy, e-mail, phone, «Получать sms-напоминания»; at the
kiosk also the password).

Medical secrecy: nothing about a patient is shown until the caller is identified and
``set_patient`` is called; without a patient every tab says so. Every read and write goes
through the database worker; whatever reaches an institution's MIS (hold, booking, cancel) runs
on the booking controller's hub thread.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QFocusEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyleOptionFocusRect,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models import AppointmentState
from workstation.models.base import utc_now
from workstation.models.identity import InvalidDocument
from workstation.services.booking import Bookings
from workstation.services.booking.patient_tickets import (
    PAST_BOOKED_LABEL,
    PatientTicket,
    patient_tickets,
)
from workstation.services.booking.tickets import TicketView
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.patient_card import PatientCard, PatientNotFound, patient_card
from workstation.services.patient_journal import JournalPage, JournalRow, journal_page
from workstation.services.ratings import MAX_STARS, Rating, rate_visit, ratings_of
from workstation.ui.booking_controller import BookingController
from workstation.ui.booking_dialogs import AlternativesDialog, TicketIssuedDialog
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.hold_bar import HoldBar
from workstation.ui.patient_tickets_panel import PatientTicketsPanel, Section
from workstation.ui.rows_table_model import RowsTableModel
from workstation.ui.schedule_panel import SchedulePanel
from workstation.ui.ticket_print_actions import TicketPrintActions

AnyIndex = QModelIndex | QPersistentModelIndex
BookingsFactory = Callable[[], Bookings]
Clock = Callable[[], dt.datetime]

_NO_PARENT = QModelIndex()

NO_PATIENT_TEXT = "Пациент не выбран: найдите и идентифицируйте пациента (F2)."
"""What every tab shows before a patient is identified."""

TAB_TICKETS = "Талоны на прием"
TAB_BOOKING = "Запись на прием"
TAB_CARD = "Карта пациента"
TAB_JOURNAL = "Журнал событий"
TAB_PROFILE = "Профиль"

HIDE_PAST = "Скрыть прошлые посещения"
SHOW_PAST = "Показать прошлые посещения"
RATE_VISIT = "Оценить прием"
LEAVE_REVIEW = "Оставить отзыв"
CABINET_BOOKING_HINT = (
    "Выберите свободное время в расписании (Enter), затем «Записаться». При записи из личного "
    "кабинета смс-уведомление не приходит: талон появится в разделе «Талоны на прием»."
)
REVIEW_MAX = 2000
"""The longest review the dialog takes."""

VISIT_KEY_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""The key a past visit is rated by (str), or None when it cannot be rated."""


def stars_text(stars: int) -> str:
    """«★★★★☆» for 4 of 5."""
    stars = max(0, min(MAX_STARS, stars))
    return "★" * stars + "☆" * (MAX_STARS - stars)


# --- the five stars ------------------------------------------------------------------------------


class StarRating(QWidget):
    """«Оценить прием»: five stars, operable by mouse and keyboard.

    1-5 set the stars and rate at once (as a click on a star does); the arrows, Home and End
    move the stars and Enter or Space rates with what is shown.
    """

    valueChanged = Signal(int)
    """The stars shown changed (0: none)."""

    activated = Signal(int)
    """The user rated: the stars (1-5)."""

    def __init__(self, parent: QWidget | None = None, *, value: int = 0) -> None:
        super().__init__(parent)
        self.setObjectName("starRating")
        self._value = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(RATE_VISIT)
        self.setToolTip(
            "Оценка приема: клавиши 1–5 или стрелки и Enter; можно щелкнуть по звезде."
        )
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.setFont(font)
        self.setValue(value)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:
        value = max(0, min(MAX_STARS, int(value)))
        if value == self._value and self.accessibleDescription():
            return
        self._value = value
        self.setAccessibleDescription(
            f"{value} из {MAX_STARS}" if value else "оценка не поставлена"
        )
        self.update()
        self.valueChanged.emit(value)

    def _star_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("★") + 4

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(self._star_width() * MAX_STARS + 6, metrics.height() + 6)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        enabled = self.isEnabled()
        width = self._star_width()
        height = self.height()
        for position in range(MAX_STARS):
            filled = position < self._value
            if filled and enabled:
                painter.setPen(Qt.GlobalColor.darkYellow)
            else:
                painter.setPen(palette.color(
                    QPalette.ColorGroup.Normal if enabled else QPalette.ColorGroup.Disabled,
                    QPalette.ColorRole.WindowText,
                ))
            painter.drawText(
                QRect(3 + position * width, 0, width, height),
                Qt.AlignmentFlag.AlignCenter,
                "★" if filled else "☆",
            )
        if self.hasFocus():
            option = QStyleOptionFocusRect()
            option.initFrom(self)
            option.rect = self.rect().adjusted(1, 1, -1, -1)
            self.style().drawPrimitive(
                QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter, self
            )
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        digit = key - int(Qt.Key.Key_0)
        if 1 <= digit <= MAX_STARS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.setValue(digit)
            self.activated.emit(digit)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Up):
            self.setValue(min(MAX_STARS, self._value + 1))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Down):
            self.setValue(max(1, self._value - 1))
        elif key == Qt.Key.Key_Home:
            self.setValue(1)
        elif key == Qt.Key.Key_End:
            self.setValue(MAX_STARS)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self._value:
            self.activated.emit(self._value)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        star = int(event.position().x() - 3) // self._star_width() + 1
        if 1 <= star <= MAX_STARS:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.setValue(star)
            self.activated.emit(star)
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()


# --- «Оставить отзыв» ----------------------------------------------------------------------------


class ReviewDialog(QDialog):
    """«Оставить отзыв» about one past visit: the stars and the words."""

    reviewEntered = Signal(str, int, str)
    """The visit key, the stars and the review text."""

    def __init__(
        self,
        visit_key: str,
        visit_title: str,
        rating: Rating | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewDialog")
        self.setWindowTitle(LEAVE_REVIEW)
        self.visit_key = visit_key
        title = QLabel(visit_title, self)
        title.setWordWrap(True)
        self.stars = StarRating(self, value=rating.stars if rating is not None else 0)
        self.text_field = QPlainTextEdit(self)
        self.stars.activated.connect(lambda _stars: self.text_field.setFocus())
        self.text_field.setObjectName("reviewText")
        self.text_field.setTabChangesFocus(True)
        self.text_field.setPlaceholderText("Что понравилось, что нет: ваш отзыв о приеме")
        if rating is not None:
            self.text_field.setPlainText(rating.review)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("reviewError")
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(self)
        self.send_button = buttons.addButton(
            "Отправить отзыв", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.send)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(RATE_VISIT + ":", self.stars)
        form.addRow("Отзыв:", self.text_field)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        (self.text_field if self.stars.value() else self.stars).setFocus()

    def send(self) -> None:
        """«Отправить отзыв»: needs the stars; the text is at most ``REVIEW_MAX`` characters."""
        text = self.text_field.toPlainText().strip()
        if not self.stars.value():
            self._error("Поставьте оценку приема: от 1 до 5 звезд (клавиши 1–5).")
            self.stars.setFocus()
            return
        if not text:
            self._error("Напишите отзыв о приеме или нажмите «Отмена».")
            self.text_field.setFocus()
            return
        if len(text) > REVIEW_MAX:
            self._error(
                f"Отзыв не может быть длиннее {REVIEW_MAX} знаков, введено {len(text)}: "
                "сократите его."
            )
            return
        self.accept()
        self.reviewEntered.emit(self.visit_key, self.stars.value(), text)

    def _error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()


# --- models --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PastVisit:
    """A past visit as the cabinet lists it, with the patient's rating if any."""

    key: str
    visit_start: dt.datetime
    doctor: str
    institution: str
    ticket_number: str
    state_label: str
    ratable: bool
    rating: Rating | None

    @property
    def visit_label(self) -> str:
        return self.visit_start.strftime("%d.%m.%Y %H:%M")

    @property
    def title(self) -> str:
        """«Талон №21752, 14.08.2015 10:30 — Иванова А. П., терапевт»."""
        return f"Талон №{self.ticket_number}, {self.visit_label} — {self.doctor}"


class PastColumn(enum.IntEnum):
    VISIT = 0
    DOCTOR = 1
    INSTITUTION = 2
    NUMBER = 3
    STATE = 4
    RATING = 5
    REVIEW = 6


_PAST_HEADERS = {
    PastColumn.VISIT: "Прием",
    PastColumn.DOCTOR: "Врач",
    PastColumn.INSTITUTION: "Учреждение",
    PastColumn.NUMBER: "Талон",
    PastColumn.STATE: "Состояние",
    PastColumn.RATING: "Оценка",
    PastColumn.REVIEW: "Отзыв",
}


class PastVisitsModel(RowsTableModel[PastVisit]):
    """«Прошлые посещения» with the stars given; read-only."""

    HEADERS = tuple(_PAST_HEADERS[column] for column in PastColumn)

    def set_visits(self, visits: tuple[PastVisit, ...]) -> None:
        self.set_rows(visits)

    def clear(self) -> None:
        self.set_rows(())

    def visits(self) -> tuple[PastVisit, ...]:
        return self.rows

    def visit_at(self, index: AnyIndex) -> PastVisit | None:
        return self.row_at(index)

    def row_of(self, key: str) -> int:
        """The row of the visit ``key`` (-1 when not listed)."""
        return next((n for n, visit in enumerate(self._rows) if visit.key == key), -1)

    def cell(self, visit: PastVisit, column_number: int, role: int) -> Any:
        column = PastColumn(column_number)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(visit, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is PastColumn.REVIEW and visit.rating is not None and visit.rating.review:
                return visit.rating.review
            return f"{visit.title}\n{visit.institution}\n{visit.state_label}"
        if role == VISIT_KEY_ROLE:
            return visit.key if visit.ratable else None
        return None

    @staticmethod
    def _display(visit: PastVisit, column: PastColumn) -> str:
        rating = visit.rating
        if column is PastColumn.VISIT:
            return visit.visit_label
        if column is PastColumn.DOCTOR:
            return visit.doctor
        if column is PastColumn.INSTITUTION:
            return visit.institution
        if column is PastColumn.NUMBER:
            return f"№{visit.ticket_number}"
        if column is PastColumn.STATE:
            return visit.state_label
        if column is PastColumn.RATING:
            if rating is not None:
                return stars_text(rating.stars)
            return "не оценен" if visit.ratable else ""
        if rating is None or not rating.review:
            return ""
        review = rating.review.replace("\n", " ")
        return review if len(review) <= 60 else review[:59] + "…"


class JournalColumn(enum.IntEnum):
    AT = 0
    ADDRESS = 1
    ACTION = 2


_JOURNAL_HEADERS = {
    JournalColumn.AT: "Дата",
    JournalColumn.ADDRESS: "IP-адрес",
    JournalColumn.ACTION: "Действие",
}


class JournalModel(RowsTableModel[JournalRow]):
    """A page of «Журнал событий»: Дата, IP-адрес, Действие; read-only."""

    HEADERS = tuple(_JOURNAL_HEADERS[column] for column in JournalColumn)

    def clear(self) -> None:
        self.set_rows(())

    def cell(self, row: JournalRow, column_number: int, role: int) -> Any:
        column = JournalColumn(column_number)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column is JournalColumn.AT:
                return row.at_label
            if column is JournalColumn.ADDRESS:
                return row.address
            return row.action
        return None


# --- jobs (on the database worker's thread) ------------------------------------------------------


@dataclass(frozen=True)
class _Refused:
    """A refusal of the service (a Russian sentence), returned rather than raised so that the
    worker does not log it as a failure."""

    message: str


@dataclass(frozen=True)
class _NoModule:
    """The personal-cabinet accounts service is not installed in this build."""


@dataclass(frozen=True)
class _Past:
    tickets: tuple[PatientTicket, ...]
    ratings: dict[str, Rating]


def _past_job(session: Session, *, patient_id: int, now: dt.datetime) -> _Past:
    return _Past(patient_tickets(session, patient_id, now).past, ratings_of(session, patient_id))


def _rate_job(
    session: Session, *, patient_id: int, key: str, stars: int, review: str, actor: Actor
) -> _Refused | None:
    try:
        rate_visit(session, patient_id, key, stars, review, actor=actor)
    except ValueError as error:
        return _Refused(str(error))
    return None


def _card_job(session: Session, *, patient_id: int) -> PatientCard | _Refused:
    try:
        return patient_card(session, patient_id)
    except PatientNotFound as error:
        return _Refused(error.message)


def _journal_job(session: Session, *, patient_id: int, page: int) -> JournalPage:
    return journal_page(session, patient_id, page)


def _account_job(session: Session, *, patient_id: int) -> object:
    try:
        from workstation.services.cabinet_accounts import account_of
    except ImportError:
        return _NoModule()
    return account_of(session, patient_id)


def _refusal(error: Exception) -> _Refused | None:
    message = getattr(error, "message", None)
    return _Refused(message) if isinstance(message, str) and message else None


def _profile_job(
    session: Session, *, patient_id: int, actor: Actor, changes: dict[str, Any]
) -> object:
    try:
        from workstation.services.cabinet_accounts import CabinetError, update_profile
    except ImportError:
        return _NoModule()
    # A refusal is returned, not raised: whatever the service recorded (the journal) commits.
    try:
        return update_profile(session, patient_id, actor=actor, **changes)
    except (CabinetError, InvalidDocument) as error:
        return _refusal(error) or _Refused(str(error))


def _password_job(
    session: Session, *, patient_id: int, old: str, new: str, now: dt.datetime, actor: Actor
) -> object:
    try:
        from workstation.services.cabinet_accounts import CabinetError, change_password
    except ImportError:
        return _NoModule()
    from workstation.services.passwords import WeakPassword

    # Returned, not raised: a wrong old password counts as a failed attempt (committed).
    try:
        change_password(session, patient_id, old, new, now=now, actor=actor)
    except (CabinetError, WeakPassword) as error:
        return _refusal(error) or _Refused(str(error))
    return None


NO_MODULE_TEXT = (
    "Сведения об учетной записи личного кабинета недоступны в этой версии АРМ: обратитесь в "
    "службу технической поддержки."
)


def _guarded(page: QWidget, parent: QWidget) -> tuple[QStackedWidget, QLabel]:
    """A tab: the «Пациент не выбран» text, or ``page``."""
    stack = QStackedWidget(parent)
    placeholder = QLabel(NO_PATIENT_TEXT, stack)
    placeholder.setObjectName("noPatientLabel")
    placeholder.setWordWrap(True)
    placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
    stack.addWidget(placeholder)
    stack.addWidget(page)
    return stack, placeholder


def _value_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


# --- the cabinet ---------------------------------------------------------------------------------


class PatientCabinet(QTabWidget):
    """The patient's personal cabinet in five tabs (see the module's description)."""

    message = Signal(str)
    """Text for the status line."""

    pastVisitsLoaded = Signal()
    cardLoaded = Signal()
    journalLoaded = Signal()
    profileLoaded = Signal()
    ratingStored = Signal(str)
    """A rating (or review) of the visit with this key was stored."""
    profileSaved = Signal()
    passwordChanged = Signal()
    booked = Signal(object)
    """A ticket was booked from «Запись на прием» (``TicketView``)."""

    def __init__(
        self,
        worker: DatabaseWorker,
        database: Database,
        bookings_factory: BookingsFactory | None,
        ticket_actions: TicketPrintActions,
        *,
        actor: Actor,
        kiosk: bool = False,
        parent: QWidget | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientCabinet")
        self.setDocumentMode(True)
        self._worker = worker
        self._actor = actor
        self._kiosk = kiosk
        self._clock = clock
        self._ticket_actions = ticket_actions
        self._patient_id: int | None = None
        self._requests: dict[str, int] = {}
        self._card: PatientCard | None = None
        self._account: Any = None
        self._journal = JournalPage((), 1, 1, 0)
        self._wanted_institution: int | None = None
        self._dialogs: list[QWidget] = []
        self._last_message = ""

        self._booking = BookingController(database, bookings_factory, self, clock=clock)
        self._guards: list[QStackedWidget] = []
        self._build_tickets_tab()
        self._build_booking_tab()
        self._build_card_tab()
        self._build_journal_tab()
        self._build_profile_tab()
        self._connect_booking()
        self._show_guards()

    # --- public API -------------------------------------------------------------------------

    @property
    def patient_id(self) -> int | None:
        return self._patient_id

    @property
    def kiosk(self) -> bool:
        return self._kiosk

    @property
    def booking(self) -> BookingController:
        return self._booking

    @property
    def is_busy(self) -> bool:
        """True while a read or a write of this cabinet is awaited."""
        return bool(self._requests) or self.tickets_panel.is_busy or self._booking.is_busy

    @property
    def card(self) -> PatientCard | None:
        """The loaded card of the current patient."""
        return self._card

    @property
    def journal(self) -> JournalPage:
        """The page of the journal shown."""
        return self._journal

    def tab_titles(self) -> list[str]:
        return [self.tabText(n) for n in range(self.count())]

    def show_tab(self, title: str) -> None:
        """Make the tab with this title current."""
        for n in range(self.count()):
            if self.tabText(n) == title:
                self.setCurrentIndex(n)
                return
        raise KeyError(title)

    def set_patient(self, patient_id: int | None) -> None:
        """Show the cabinet of ``patient_id``; None hides everything about the last one."""
        if patient_id == self._patient_id and patient_id is not None:
            self.refresh()
            return
        held_for = self._booking.hold_patient_id
        if held_for is not None and held_for != patient_id:
            self._booking.release()
        for request in self._requests.values():
            self._worker.cancel(request)
        self._requests.clear()
        self._patient_id = patient_id
        self._card = None
        self._account = None
        self._journal = JournalPage((), 1, 1, 0)
        self._clear_views()
        self.tickets_panel.set_patient(patient_id)
        self._show_guards()
        if patient_id is not None:
            self.refresh()

    def refresh(self) -> None:
        """Read everything of the current patient again."""
        if self._patient_id is None:
            return
        self.tickets_panel.refresh()
        self.load_past_visits()
        self.load_card()
        self.load_journal(self._journal.page)
        self.load_profile()

    def set_settlement(self, settlement_id: int) -> None:
        """«Запись на прием»: list this settlement's institutions."""
        self.schedule_panel.set_settlement(settlement_id)

    def shutdown(self) -> None:
        """Let the held slot go and stop the booking thread (before the window closes)."""
        for request in self._requests.values():
            self._worker.cancel(request)
        self._requests.clear()
        self._booking.release()
        self._booking.shutdown()

    # --- «Талоны на прием» ------------------------------------------------------------------

    def load_past_visits(self) -> None:
        self._submit(
            "past",
            partial(_past_job, patient_id=self._require_patient(), now=self._clock()),
            self._on_past,
        )

    def selected_visit(self) -> PastVisit | None:
        index = self.past_view.currentIndex()
        return self.past_model.visit_at(index) if index.isValid() else None

    def select_visit(self, key: str) -> bool:
        row = self.past_model.row_of(key)
        if row < 0:
            return False
        self.past_view.setCurrentIndex(self.past_model.index(row, 0))
        return True

    def toggle_past_visits(self) -> None:
        """«Скрыть прошлые посещения» / «Показать прошлые посещения»."""
        self.set_past_visits_shown(not self.past_visits_shown)

    def set_past_visits_shown(self, shown: bool) -> None:
        self.past_box.setVisible(shown)
        self.past_toggle.setText(HIDE_PAST if shown else SHOW_PAST)

    @property
    def past_visits_shown(self) -> bool:
        return not self.past_box.isHidden()

    def rate_selected(self, stars: int | None = None) -> None:
        """«Оценить прием»: store the stars (those shown, by default) for the selected visit."""
        visit = self.selected_visit()
        if visit is None or not visit.ratable or self._patient_id is None:
            self._rating_say(
                "Выберите прошедший прием в списке «Прошлые посещения», затем оцените его."
            )
            return
        value = self.star_rating.value() if stars is None else stars
        if not value:
            self._rating_say("Поставьте оценку приема: от 1 до 5 звезд (клавиши 1–5).")
            return
        review = visit.rating.review if visit.rating is not None else ""
        self._store_rating(visit.key, value, review)

    def open_review(self) -> ReviewDialog | None:
        """«Оставить отзыв» about the selected visit."""
        visit = self.selected_visit()
        if visit is None or not visit.ratable:
            self._rating_say(
                "Выберите прошедший прием в списке «Прошлые посещения», затем оставьте отзыв."
            )
            return None
        dialog = ReviewDialog(visit.key, visit.title, visit.rating, self)
        if not visit.rating and self.star_rating.value():
            dialog.stars.setValue(self.star_rating.value())
        dialog.reviewEntered.connect(self._store_rating)
        self._open(dialog)
        return dialog

    # --- «Карта пациента», «Журнал событий», «Профиль» ----------------------------------

    def load_card(self) -> None:
        self._submit("card", partial(_card_job, patient_id=self._require_patient()),
                     self._on_card)

    def load_journal(self, page: int = 1) -> None:
        self._submit(
            "journal",
            partial(_journal_job, patient_id=self._require_patient(), page=page),
            self._on_journal,
        )

    def next_journal_page(self) -> None:
        if self._journal.has_next:
            self.load_journal(self._journal.page + 1)

    def previous_journal_page(self) -> None:
        if self._journal.has_previous:
            self.load_journal(self._journal.page - 1)

    def load_profile(self) -> None:
        self._submit("profile", partial(_account_job, patient_id=self._require_patient()),
                     self._on_account)

    def save_profile(self) -> None:
        """«Сохранить изменения»: the changed contacts and settings."""
        if self._patient_id is None or self._account is None:
            return
        changes: dict[str, Any] = {}
        for name, field in (("oms", self.oms_field), ("email", self.email_field),
                            ("phone", self.phone_field)):
            text = field.text().strip()
            if text:
                changes[name] = text
        for name, box in (("sms_reminders", self.reminders_box),
                          ("sms_second_factor", self.second_factor_box)):
            if box.isChecked() != bool(getattr(self._account, name, False)):
                changes[name] = box.isChecked()
        if not changes:
            self._profile_say("Изменений нет: введите новые данные или измените настройки.")
            return
        self.save_profile_button.setEnabled(False)
        self._submit(
            "profile-save",
            partial(_profile_job, patient_id=self._patient_id, actor=self._actor,
                    changes=changes),
            self._on_profile_saved,
        )

    def change_password(self) -> None:
        """«Смена пароля» (the kiosk only): the old password and the new one twice."""
        if not self._kiosk or self._patient_id is None:
            return
        old = self.old_password.text()
        new = self.new_password.text()
        if not old or not new:
            self._password_say("Введите действующий пароль и новый пароль.")
            return
        if new != self.repeat_password.text():
            self._password_say("Новый пароль и его повтор не совпадают: введите их еще раз.")
            self.repeat_password.clear()
            self.repeat_password.setFocus()
            return
        self.change_password_button.setEnabled(False)
        self._submit(
            "password",
            partial(_password_job, patient_id=self._patient_id, old=old, new=new,
                    now=self._clock(), actor=self._actor),
            self._on_password_changed,
        )

    # --- results ------------------------------------------------------------------------------

    def _on_past(self, patient_id: int, result: _Past) -> None:
        if patient_id != self._patient_id:
            return
        selected = self.selected_visit()
        visits = tuple(
            PastVisit(
                key=ticket.ticket_number,
                visit_start=ticket.visit_start,
                doctor=", ".join(p for p in (ticket.doctor, ticket.specialty) if p),
                institution=ticket.institution,
                ticket_number=ticket.ticket_number,
                state_label=ticket.state_label,
                ratable=ticket.state == AppointmentState.VISITED
                or (ticket.state == AppointmentState.BOOKED
                    and ticket.state_label == PAST_BOOKED_LABEL),
                rating=result.ratings.get(ticket.ticket_number),
            )
            for ticket in result.tickets
        )
        self.past_model.set_visits(visits)
        self.past_empty.setVisible(not visits)
        if not (selected is not None and self.select_visit(selected.key)) and visits:
            self.past_view.setCurrentIndex(self.past_model.index(0, 0))
        self._update_rating_controls()
        self.pastVisitsLoaded.emit()

    def _store_rating(self, key: str, stars: int, review: str) -> None:
        if self._patient_id is None:
            return
        self._submit(
            f"rate-{key}",
            partial(_rate_job, patient_id=self._patient_id, key=key, stars=stars,
                    review=review, actor=self._actor),
            partial(self._on_rated, key, stars, bool(review)),
        )

    def _on_rated(
        self, key: str, stars: int, with_review: bool, patient_id: int, result: _Refused | None
    ) -> None:
        if patient_id != self._patient_id:
            return
        if isinstance(result, _Refused):
            self._rating_say(result.message)
            return
        if with_review:
            self._rating_say(f"Спасибо! Отзыв о приеме по талону №{key} сохранен.")
        else:
            self._rating_say(f"Спасибо! Прием по талону №{key} оценен: {stars} из {MAX_STARS}.")
        self.ratingStored.emit(key)
        self.load_past_visits()
        self.load_journal(1)

    def _on_card(self, patient_id: int, card: PatientCard | _Refused) -> None:
        if patient_id != self._patient_id:
            return
        if isinstance(card, _Refused):
            self._say(card.message)
            return
        self._card = card
        fields = self._card_fields
        fields["name"].setText(card.full_name)
        fields["birth"].setText(card.birth_date_label)
        fields["snils"].setText(card.snils or "не указан")
        fields["oms"].setText(card.oms or "не указан")
        fields["passport"].setText(card.passport or "не указан")
        fields["phone"].setText(card.phone or "не указан")
        fields["email"].setText(card.email or "не указан")
        fields["consent"].setText(
            f"дано {card.consent_label}" if card.consent_given_at is not None else "не дано"
        )
        fields["institutions"].setText(
            "\n".join(place.name for place in card.institutions) or "нет"
        )
        fields["cabinet"].setText(card.cabinet_status)
        self.policy_label.setText(card.oms or "не указан")
        self.email_field.setPlaceholderText(card.email or "не указан")
        self.phone_field.setPlaceholderText(card.phone or "не указан")
        self._choose_settlement(card)
        self.cardLoaded.emit()

    def _on_journal(self, patient_id: int, page: JournalPage) -> None:
        if patient_id != self._patient_id:
            return
        self._journal = page
        self.journal_model.set_rows(page.rows)
        self.page_label.setText(f"Страница {page.page} из {page.pages}")
        self.previous_button.setEnabled(page.has_previous)
        self.next_button.setEnabled(page.has_next)
        self.journal_empty.setVisible(page.total == 0)
        self.journalLoaded.emit()

    def _on_account(self, patient_id: int, account: object) -> None:
        if patient_id != self._patient_id:
            return
        if isinstance(account, _NoModule):
            self._account = None
            self.account_status.setText(NO_MODULE_TEXT)
        elif account is None:
            self._account = None
            self.account_status.setText(
                "Личный кабинет пациенту не выдан: логин и одноразовый пароль выдает "
                "контакт-центр по СНИЛС и полису ОМС."
            )
        else:
            self._account = account
            login = getattr(account, "login_display", "")
            status = getattr(account, "status_label", "")
            self.account_status.setText(f"Логин: {login}; {status}")
            self.reminders_box.setChecked(bool(getattr(account, "sms_reminders", False)))
            self.second_factor_box.setChecked(bool(getattr(account, "sms_second_factor", False)))
        has_account = self._account is not None
        self.contacts_box.setEnabled(has_account)
        self.password_box.setEnabled(has_account)
        self.profileLoaded.emit()

    def _on_profile_saved(self, patient_id: int, result: object) -> None:
        self.save_profile_button.setEnabled(True)
        if patient_id != self._patient_id:
            return
        if isinstance(result, _NoModule):
            self._profile_say(NO_MODULE_TEXT)
            return
        if isinstance(result, _Refused):
            self._profile_say(result.message)
            return
        for field in (self.oms_field, self.email_field, self.phone_field):
            field.clear()
        self._profile_say("Изменения профиля сохранены.")
        self._on_account(patient_id, result)
        self.load_card()
        self.load_journal(1)
        self.profileSaved.emit()

    def _on_password_changed(self, patient_id: int, result: object) -> None:
        self.change_password_button.setEnabled(True)
        if patient_id != self._patient_id:
            return
        if isinstance(result, _NoModule):
            self._password_say(NO_MODULE_TEXT)
            return
        if isinstance(result, _Refused):
            self._password_say(result.message)
            return
        for field in (self.old_password, self.new_password, self.repeat_password):
            field.clear()
        self._password_say("Пароль изменен. Используйте новый пароль при следующем входе.")
        self.load_profile()
        self.load_journal(1)
        self.passwordChanged.emit()

    def _on_failed(self, what: str, patient_id: int, error: BaseException) -> None:
        if what == "profile-save":
            self.save_profile_button.setEnabled(True)
        elif what == "password":
            self.change_password_button.setEnabled(True)
        if patient_id != self._patient_id:
            return
        self._say(
            f"Не удалось выполнить запрос: {describe_error(error)}. Повторите; если ошибка "
            "повторится, обратитесь в службу технической поддержки."
        )

    # --- «Запись на прием» ------------------------------------------------------------------

    def _choose_settlement(self, card: PatientCard) -> None:
        """The first time: the settlement and institution the patient is attached to."""
        if self.schedule_panel.settlement_id is not None:
            return
        place = next((p for p in card.institutions if p.settlement_id is not None), None)
        if place is None or place.settlement_id is None:
            return
        self._wanted_institution = place.institution_id
        self.schedule_panel.set_settlement(place.settlement_id)

    def _on_schedule_settled(self) -> None:
        wanted, self._wanted_institution = self._wanted_institution, None
        if wanted is not None and self.schedule_panel.institution_id != wanted:
            self.schedule_panel.set_institution(wanted)

    def hold_slot(self, slot_id: int) -> bool:
        """A free slot was chosen: hold it for this patient."""
        if self._patient_id is None:
            self._say(NO_PATIENT_TEXT)
            return False
        if not self._booking.available:
            self._booking_failed(
                "Запись недоступна: не настроено подключение к сервису записи. Обратитесь в "
                "службу технической поддержки МИАЦ."
            )
            return False
        self._booking.hold(slot_id, self._patient_id)
        return True

    def book_held_slot(self) -> bool:
        """«Записаться»: without the SMS confirmation (a booking from the personal cabinet)."""
        if self._booking.current_hold is None:
            self._say("Нет выбранного времени: выберите свободное время в расписании.")
            return False
        return self._booking.book(None)

    def _on_held(self, ticket: TicketView) -> None:
        self.hold_bar.show_hold(ticket)
        self.hold_bar.book_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.schedule_panel.refresh_schedule()

    def _on_hold_released(self) -> None:
        self.hold_bar.show_idle(CABINET_BOOKING_HINT)
        self.schedule_panel.refresh_schedule()

    def _on_hold_expired(self) -> None:
        self.hold_bar.show_idle(
            "Время удержания истекло, и талон освобожден. Выберите время приема заново."
        )
        self.schedule_panel.refresh_schedule()

    def _on_booked(self, ticket: TicketView) -> None:
        self.hold_bar.show_idle(CABINET_BOOKING_HINT)
        self.schedule_panel.refresh_schedule()
        self.tickets_panel.refresh()
        if self._patient_id is not None:
            self.load_journal(1)
        self._say(f"Записан: талон №{ticket.ticket_number}")
        dialog = TicketIssuedDialog(ticket, self)
        dialog.printRequested.connect(self._ticket_actions.print_ticket)
        self._open(dialog)
        self.booked.emit(ticket)

    def _on_slot_unavailable(self, message: str, offers: object) -> None:
        self.schedule_panel.refresh_schedule()
        self._say(message)
        dialog = AlternativesDialog(message, offers if isinstance(offers, tuple) else (), self)
        dialog.offerChosen.connect(self.hold_slot)
        self._open(dialog)

    def _on_hub_unreachable(self, message: str, endpoint_url: str) -> None:
        self.schedule_panel.refresh_schedule()
        self._booking_failed(message, f"Адрес сервиса: {endpoint_url}", "Нет связи с ЛПУ")

    def _booking_failed(
        self, message: str, details: str = "", title: str = TAB_BOOKING
    ) -> None:
        self._say(message)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("cabinetBookingError")
        if details:
            box.setInformativeText(details)
        self._open(box)

    def _connect_booking(self) -> None:
        booking, hold_bar, schedule = self._booking, self.hold_bar, self.schedule_panel
        schedule.slotChosen.connect(self.hold_slot)
        schedule.hint.connect(self._say)
        schedule.settled.connect(self._on_schedule_settled)
        hold_bar.bookRequested.connect(lambda _phone: self.book_held_slot())
        hold_bar.releaseRequested.connect(booking.release)
        booking.held.connect(self._on_held)
        booking.countdownChanged.connect(hold_bar.set_seconds_left)
        booking.holdReleased.connect(self._on_hold_released)
        booking.holdExpired.connect(self._on_hold_expired)
        booking.busyChanged.connect(hold_bar.set_busy)
        booking.booked.connect(self._on_booked)
        booking.slotUnavailable.connect(self._on_slot_unavailable)
        booking.hubUnreachable.connect(self._on_hub_unreachable)
        booking.failed.connect(self._booking_failed)
        self.tickets_panel.message.connect(self._say)
        self.tickets_panel.ticketCancelled.connect(self._on_ticket_cancelled)

    def _on_ticket_cancelled(self, _number: str) -> None:
        self.schedule_panel.refresh_schedule()
        if self._patient_id is not None:
            self.load_past_visits()
            self.load_journal(1)

    # --- plumbing -----------------------------------------------------------------------------

    def _require_patient(self) -> int:
        if self._patient_id is None:
            raise RuntimeError("no patient is chosen")
        return self._patient_id

    def _submit(
        self, what: str, job: Callable[[Session], Any], on_result: Callable[[int, Any], None]
    ) -> None:
        if self._patient_id is None or not self._worker.is_running:
            return
        previous = self._requests.pop(what, None)
        if previous is not None:
            self._worker.cancel(previous)  # its answer would be older than this one
        patient_id = self._patient_id

        def done(result: Any) -> None:
            self._requests.pop(what, None)
            on_result(patient_id, result)

        def failed(error: BaseException) -> None:
            self._requests.pop(what, None)
            self._on_failed(what, patient_id, error)

        self._requests[what] = self._worker.submit(job, done, failed, owner=self)

    def _open(self, dialog: QWidget) -> None:
        self._dialogs = [d for d in self._dialogs if shiboken6.isValid(d) and d.isVisible()]
        self._dialogs.append(dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(dialog, QDialog):
            dialog.open()  # not exec(): the workers' answers keep coming while it is open
        else:
            dialog.show()

    def open_dialogs(self) -> list[QWidget]:
        """The dialogs of this cabinet that are open (tests and the window's shutdown)."""
        return [d for d in self._dialogs if shiboken6.isValid(d) and d.isVisible()]

    @property
    def last_message(self) -> str:
        """The last text of ``message``."""
        return self._last_message

    def _say(self, text: str) -> None:
        self._last_message = text
        self.message.emit(text)

    def _rating_say(self, text: str) -> None:
        self.rating_status.setText(text)
        self._say(text)

    def _profile_say(self, text: str) -> None:
        self.profile_status.setText(text)
        self._say(text)

    def _password_say(self, text: str) -> None:
        self.password_status.setText(text)
        self._say(text)

    def _show_guards(self) -> None:
        chosen = self._patient_id is not None
        for guard in self._guards:
            guard.setCurrentIndex(1 if chosen else 0)

    def _clear_views(self) -> None:
        self.past_model.clear()
        self.past_empty.hide()
        self.star_rating.setValue(0)
        self.journal_model.clear()
        self.page_label.setText("")
        self.previous_button.setEnabled(False)
        self.next_button.setEnabled(False)
        self.journal_empty.hide()
        for label in self._card_fields.values():
            label.clear()
        self.policy_label.clear()
        self.account_status.clear()
        self.profile_status.clear()
        self.password_status.clear()
        for field in (self.oms_field, self.email_field, self.phone_field, self.old_password,
                      self.new_password, self.repeat_password):
            field.clear()
            field.setPlaceholderText("")
        self.reminders_box.setChecked(False)
        self.second_factor_box.setChecked(False)
        self.contacts_box.setEnabled(False)
        self.password_box.setEnabled(False)
        self.rating_status.clear()
        self._last_message = ""
        self.hold_bar.show_idle(CABINET_BOOKING_HINT)
        self._update_rating_controls()

    def _update_rating_controls(self, *_args: object) -> None:
        visit = self.selected_visit()
        ratable = visit is not None and visit.ratable
        self.star_rating.setEnabled(ratable)
        self.rate_button.setEnabled(ratable)
        self.review_button.setEnabled(ratable)
        rating = visit.rating if visit is not None else None
        self.star_rating.setValue(rating.stars if rating is not None else 0)

    # --- construction -------------------------------------------------------------------------

    def _add_tab(self, page: QWidget, title: str) -> None:
        guard, _placeholder = _guarded(page, self)
        guard.setObjectName(f"cabinetTab{len(self._guards)}")
        self._guards.append(guard)
        self.addTab(guard, title)

    def _build_tickets_tab(self) -> None:
        page = QWidget(self)
        self.tickets_panel = PatientTicketsPanel(
            self._worker, self._booking.hub_worker, self._booking.bookings,
            self._ticket_actions, page, clock=self._clock,
        )
        panel = self.tickets_panel
        # The cabinet lists the past visits itself (with the stars): the panel shows the active
        # tickets and those waiting for the code, with «Отменить» and «Распечатать».
        panel.reschedule_button.hide()
        panel.history_button.hide()
        panel.model.modelReset.connect(
            lambda: panel.view.setRowHidden(Section.PAST, _NO_PARENT, True)
        )
        panel.view.setRowHidden(Section.PAST, _NO_PARENT, True)

        self.past_toggle = QPushButton(HIDE_PAST, page)
        self.past_toggle.setObjectName("pastVisitsToggle")
        self.past_toggle.setAutoDefault(False)
        self.past_toggle.clicked.connect(self.toggle_past_visits)
        self.past_box = QWidget(page)
        self.past_box.setObjectName("pastVisitsBox")
        title = QLabel("Прошлые посещения", self.past_box)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.past_model = PastVisitsModel(self)
        self.past_view = QTableView(self.past_box)
        self.past_view.setObjectName("pastVisitsView")
        self.past_view.setAccessibleName("Прошлые посещения")
        self.past_view.setModel(self.past_model)
        self.past_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.past_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.past_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.past_view.setAlternatingRowColors(True)
        self.past_view.verticalHeader().hide()
        header = self.past_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PastColumn.DOCTOR, QHeaderView.ResizeMode.Stretch)
        self.past_view.selectionModel().currentChanged.connect(self._update_rating_controls)
        title.setBuddy(self.past_view)
        self.past_empty = QLabel("Прошлых посещений нет.", self.past_box)
        self.past_empty.hide()
        self.star_rating = StarRating(self.past_box)
        self.star_rating.activated.connect(self.rate_selected)
        rate_label = QLabel(f"{RATE_VISIT}:", self.past_box)
        rate_label.setBuddy(self.star_rating)
        self.rate_button = QPushButton(RATE_VISIT, self.past_box)
        self.rate_button.setObjectName("rateVisitButton")
        self.rate_button.setAutoDefault(False)
        self.rate_button.clicked.connect(lambda: self.rate_selected())
        self.review_button = QPushButton(LEAVE_REVIEW, self.past_box)
        self.review_button.setObjectName("leaveReviewButton")
        self.review_button.setAutoDefault(False)
        self.review_button.clicked.connect(self.open_review)
        rating_row = QHBoxLayout()
        rating_row.setContentsMargins(0, 0, 0, 0)
        rating_row.addWidget(rate_label)
        rating_row.addWidget(self.star_rating)
        rating_row.addWidget(self.rate_button)
        rating_row.addWidget(self.review_button)
        rating_row.addStretch(1)
        past_layout = QVBoxLayout(self.past_box)
        past_layout.setContentsMargins(0, 0, 0, 0)
        past_layout.addWidget(title)
        past_layout.addWidget(self.past_view, 1)
        past_layout.addWidget(self.past_empty)
        past_layout.addLayout(rating_row)

        self.rating_status = QLabel(self.past_box)
        self.rating_status.setObjectName("ratingStatus")
        self.rating_status.setWordWrap(True)
        self.rating_status.setTextFormat(Qt.TextFormat.PlainText)
        past_layout.addWidget(self.rating_status)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(panel, 1)
        layout.addWidget(self.past_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.past_box, 1)
        self._add_tab(page, TAB_TICKETS)

    def _build_booking_tab(self) -> None:
        page = QWidget(self)
        self.schedule_panel = SchedulePanel(self._worker, page)
        self.hold_bar = HoldBar(page)
        # From the personal cabinet the booking is made without the SMS code (the manual):
        # the phone for the code is not asked.
        self.hold_bar.phone_field.hide()
        self.hold_bar.show_idle(CABINET_BOOKING_HINT)
        book = QAction("Записаться", page)
        book.setShortcut(QKeySequence(Qt.Key.Key_F6))
        book.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        book.triggered.connect(self.book_held_slot)
        page.addAction(book)
        self.book_action = book
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.schedule_panel, 1)
        layout.addWidget(self.hold_bar)
        self._add_tab(page, TAB_BOOKING)

    def _build_card_tab(self) -> None:
        page = QWidget(self)
        form = QFormLayout(page)
        self._card_fields: dict[str, QLabel] = {}
        for key, label in (
            ("name", "ФИО:"),
            ("birth", "Дата рождения:"),
            ("snils", "СНИЛС:"),
            ("oms", "Полис ОМС:"),
            ("passport", "Паспорт:"),
            ("phone", "Телефон:"),
            ("email", "E-mail:"),
            ("consent", "Согласие на обработку персональных данных:"),
            ("institutions", "Медицинские организации:"),
            ("cabinet", "Личный кабинет:"),
        ):
            value = _value_label(page)
            value.setObjectName(f"card_{key}")
            self._card_fields[key] = value
            form.addRow(label, value)
        self._add_tab(page, TAB_CARD)

    @property
    def card_fields(self) -> dict[str, QLabel]:
        """The value labels of «Карта пациента» by key."""
        return dict(self._card_fields)

    def _build_journal_tab(self) -> None:
        page = QWidget(self)
        self.journal_model = JournalModel(self)
        self.journal_view = QTableView(page)
        self.journal_view.setObjectName("journalView")
        self.journal_view.setAccessibleName(TAB_JOURNAL)
        self.journal_view.setModel(self.journal_model)
        self.journal_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.journal_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.journal_view.setAlternatingRowColors(True)
        self.journal_view.verticalHeader().hide()
        header = self.journal_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(JournalColumn.ACTION, QHeaderView.ResizeMode.Stretch)
        self.journal_empty = QLabel("Событий пока нет.", page)
        self.journal_empty.hide()
        self.previous_button = QPushButton("‹ Назад", page)
        self.previous_button.setObjectName("journalPrevious")
        self.next_button = QPushButton("Далее ›", page)
        self.next_button.setObjectName("journalNext")
        self.page_label = QLabel(page)
        self.page_label.setObjectName("journalPage")
        for button, slot in ((self.previous_button, self.previous_journal_page),
                             (self.next_button, self.next_journal_page)):
            button.setAutoDefault(False)
            button.setEnabled(False)
            button.clicked.connect(slot)
        pager = QHBoxLayout()
        pager.addWidget(self.previous_button)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_button)
        pager.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.journal_view, 1)
        layout.addWidget(self.journal_empty)
        layout.addLayout(pager)
        self._add_tab(page, TAB_JOURNAL)

    def _build_profile_tab(self) -> None:
        page = QWidget(self)
        account_box = QGroupBox("Учетная запись", page)
        self.policy_label = _value_label(account_box)
        self.policy_label.setObjectName("profilePolicy")
        self.account_status = _value_label(account_box)
        self.account_status.setObjectName("profileAccount")
        account_form = QFormLayout(account_box)
        account_form.addRow("Полис:", self.policy_label)
        account_form.addRow("Личный кабинет:", self.account_status)

        self.contacts_box = QGroupBox("Контактная информация", page)
        self.oms_field = QLineEdit(self.contacts_box)
        self.oms_field.setObjectName("profileOms")
        self.email_field = QLineEdit(self.contacts_box)
        self.email_field.setObjectName("profileEmail")
        self.phone_field = QLineEdit(self.contacts_box)
        self.phone_field.setObjectName("profilePhone")
        self.reminders_box = QCheckBox("Получать sms-напоминания", self.contacts_box)
        self.reminders_box.setObjectName("profileReminders")
        self.second_factor_box = QCheckBox(
            "Подтверждать вход кодом из СМС", self.contacts_box
        )
        self.second_factor_box.setObjectName("profileSecondFactor")
        self.save_profile_button = QPushButton("Сохранить изменения", self.contacts_box)
        self.save_profile_button.setObjectName("profileSave")
        self.save_profile_button.setAutoDefault(False)
        self.save_profile_button.clicked.connect(self.save_profile)
        self.profile_status = _value_label(self.contacts_box)
        self.profile_status.setObjectName("profileStatus")
        contacts = QFormLayout(self.contacts_box)
        contacts.addRow("Новый номер полиса ОМС:", self.oms_field)
        contacts.addRow("E-mail:", self.email_field)
        contacts.addRow("Телефон:", self.phone_field)
        contacts.addRow(self.reminders_box)
        contacts.addRow(self.second_factor_box)
        contacts.addRow(self.save_profile_button)
        contacts.addRow(self.profile_status)

        self.password_box = QGroupBox("Изменение пароля доступа к личному кабинету", page)
        self.old_password = QLineEdit(self.password_box)
        self.old_password.setObjectName("oldPassword")
        self.new_password = QLineEdit(self.password_box)
        self.new_password.setObjectName("newPassword")
        self.repeat_password = QLineEdit(self.password_box)
        self.repeat_password.setObjectName("repeatPassword")
        for field in (self.old_password, self.new_password, self.repeat_password):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_password.returnPressed.connect(self.change_password)
        self.change_password_button = QPushButton("Сменить пароль", self.password_box)
        self.change_password_button.setObjectName("changePassword")
        self.change_password_button.setAutoDefault(False)
        self.change_password_button.clicked.connect(self.change_password)
        self.password_status = _value_label(self.password_box)
        self.password_status.setObjectName("passwordStatus")
        passwords = QFormLayout(self.password_box)
        passwords.addRow("Действующий пароль:", self.old_password)
        passwords.addRow("Новый пароль:", self.new_password)
        passwords.addRow("Новый пароль еще раз:", self.repeat_password)
        passwords.addRow(self.change_password_button)
        passwords.addRow(self.password_status)
        # The operator never learns the patient's password: only the kiosk changes it.
        self.password_box.setVisible(self._kiosk)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(account_box)
        layout.addWidget(self.contacts_box)
        layout.addWidget(self.password_box)
        layout.addStretch(1)
        self._add_tab(page, TAB_PROFILE)
