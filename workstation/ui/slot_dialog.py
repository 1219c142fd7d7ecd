"""The «Запись на прием» dialog: a doctor's month calendar and the time list of the chosen date.

As in the manual: the header «ФИО врача, специальность», a month calendar «← Август 2015 →»
whose dates with free times are green, «05 августа 2015. Выберите время:» over the list of the
date's times (free ones green, taken ones disabled), and the question «Записаться на 05 августа
09:00» with «Да» / «Нет». Months and days are read through the database worker; a result that
arrives after the operator moved on to another month or date is dropped.

Keyboard: the arrows move in the calendar, PgUp/PgDn change the month, Enter (or Tab) goes to
the time list, Enter on a free time is «Да», Esc is «Нет».
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QKeyEvent, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.services.schedule import (
    DaySchedule,
    DoctorMonth,
    DoctorNotFound,
    SlotCell,
    doctor_day,
    doctor_month,
    labels,
)
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.doctor_week_model import (
    SLOT_ID_ROLE,
    SLOT_ROLE,
    bold_font,
    free_slot_color,
    slot_tooltip,
    taken_slot_color,
)

__all__ = ["SLOT_ID_ROLE", "SLOT_ROLE", "DaySlotsModel", "SlotDialog", "load_error_message"]

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def load_error_message(error: BaseException) -> str:
    """The operator's text for a schedule that could not be read."""
    if isinstance(error, DoctorNotFound):
        return QCoreApplication.translate(
            "SlotDialog",
            "Врача больше нет в справочнике учреждения: обновите расписание и выберите врача "
            "еще раз.",
        )
    return QCoreApplication.translate(
        "SlotDialog",
        "Не удалось загрузить расписание врача: {0}. Повторите попытку; если ошибка повторится, "
        "обратитесь в техническую поддержку.",
    ).format(describe_error(error))


def _to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _to_date(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class DaySlotsModel(QAbstractListModel):
    """The times of one date, «09:00  Свободно»: free ones green and bold, taken ones disabled."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._day: DaySchedule | None = None
        self._bold = bold_font()

    @property
    def day(self) -> DaySchedule | None:
        """The date shown."""
        return self._day

    def set_day(self, day: DaySchedule | None) -> None:
        """Show the times of ``day`` (a new date: a reset)."""
        self.beginResetModel()
        self._day = day
        self.endResetModel()

    def slot_at(self, index: AnyIndex) -> SlotCell | None:
        """The slot of a row."""
        if not index.isValid() or index.model() is not self or self._day is None:
            return None
        slots = self._day.slots
        return slots[index.row()] if 0 <= index.row() < len(slots) else None

    def first_free_index(self) -> QModelIndex:
        """The first free time of the date (invalid when there is none)."""
        if self._day is not None:
            for row, slot in enumerate(self._day.slots):
                if slot.is_free:
                    return self.index(row, 0)
        return QModelIndex()

    def index_of_slot(self, slot_id: int) -> QModelIndex:
        """The row of a slot (invalid when it is not listed)."""
        if self._day is not None:
            for row, slot in enumerate(self._day.slots):
                if slot.slot_id == slot_id:
                    return self.index(row, 0)
        return QModelIndex()

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        if parent.isValid() or self._day is None:
            return 0
        return len(self._day.slots)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        slot = self.slot_at(index)
        if slot is None:
            return Qt.ItemFlag.NoItemFlags
        if not slot.is_free:
            return Qt.ItemFlag.ItemNeverHasChildren  # shown, but it cannot be chosen
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        slot = self.slot_at(index)
        if slot is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{slot.time_label}  {slot.state_label}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return slot_tooltip(slot)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(free_slot_color()) if slot.is_free else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return None if slot.is_free else taken_slot_color()
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if slot.is_free else None
        if role == SLOT_ID_ROLE:
            return slot.slot_id
        if role == SLOT_ROLE:
            return slot
        return None


class _TimeList(QListView):
    """The time list; Enter on the current time is a choice, not the dialog's default button."""

    chosen = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER_KEYS and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            self.chosen.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class SlotDialog(QDialog):
    """«Запись на прием» for one doctor: a month calendar, the date's times and a confirmation."""

    slotConfirmed = Signal(int)
    """«Да» on a free time: the slot's id."""

    monthLoaded = Signal()
    """A month's free dates are highlighted."""

    dayLoaded = Signal()
    """The chosen date's times are listed."""

    loadFailed = Signal(str)
    """A month or a date could not be read; the text (also shown in the dialog) is for the
    operator."""

    def __init__(
        self,
        worker: DatabaseWorker,
        now: Callable[[], dt.datetime],
        doctor_id: int,
        parent: QWidget | None = None,
        *,
        day: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._now = now
        self._doctor_id = doctor_id
        self._month: DoctorMonth | None = None
        self._chosen: int | None = None
        # The date to select once its month is in (the one asked for, or None: the first free).
        self._wanted_day = day
        self._first_month = True
        # Bumped per request: a result carrying an older number is dropped.
        self._month_serial = 0
        self._day_serial = 0
        self._month_request: int | None = None
        self._day_request: int | None = None

        self.setWindowTitle(self.tr("Запись на прием"))
        self._title = QLabel(self.tr("Загрузка…"))
        title_font = self._title.font()
        title_font.setBold(True)
        self._title.setFont(title_font)
        self._title.setWordWrap(True)

        self._previous_month = QToolButton()
        self._previous_month.setText("←")
        self._previous_month.setToolTip(self.tr("Предыдущий месяц (PgUp)"))
        self._next_month = QToolButton()
        self._next_month.setText("→")
        self._next_month.setToolTip(self.tr("Следующий месяц (PgDn)"))
        self._month_title = QLabel()
        self._month_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._month_title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # The arrows are reached with the mouse; the keyboard has PgUp/PgDn in the calendar.
        for button in (self._previous_month, self._next_month):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        navigation = QHBoxLayout()
        navigation.addWidget(self._previous_month)
        navigation.addWidget(self._month_title)
        navigation.addWidget(self._next_month)

        self._calendar = QCalendarWidget()
        self._calendar.setLocale(QLocale(QLocale.Language.Russian, QLocale.Country.Russia))
        self._calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self._calendar.setNavigationBarVisible(False)
        self._calendar.setVerticalHeaderFormat(
            QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader
        )
        self._calendar.setMinimumDate(_to_qdate(now().date()))

        self._day_title = QLabel()
        self._times_model = DaySlotsModel(self)
        self._times = _TimeList()
        self._times.setModel(self._times_model)
        self._times.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._times.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._times.setAccessibleName(self.tr("Время приема"))
        self._prompt = QLabel()
        prompt_font = self._prompt.font()
        prompt_font.setBold(True)
        self._prompt.setFont(prompt_font)
        self._status = QLabel()
        self._status.setWordWrap(True)

        self._buttons = QDialogButtonBox()
        self._yes = QPushButton(self.tr("Да"))
        self._no = QPushButton(self.tr("Нет"))
        self._buttons.addButton(self._yes, QDialogButtonBox.ButtonRole.AcceptRole)
        self._buttons.addButton(self._no, QDialogButtonBox.ButtonRole.RejectRole)
        self._yes.setDefault(True)
        self._yes.setEnabled(False)

        calendar_column = QVBoxLayout()
        calendar_column.addLayout(navigation)
        calendar_column.addWidget(self._calendar)
        times_column = QVBoxLayout()
        times_column.addWidget(self._day_title)
        times_column.addWidget(self._times)
        columns = QHBoxLayout()
        columns.addLayout(calendar_column, 3)
        columns.addLayout(times_column, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addLayout(columns)
        layout.addWidget(self._prompt)
        layout.addWidget(self._status)
        layout.addWidget(self._buttons)
        QWidget.setTabOrder(self._calendar, self._times)
        QWidget.setTabOrder(self._times, self._yes)
        QWidget.setTabOrder(self._yes, self._no)

        start = day or now().date()
        self._calendar.setSelectedDate(_to_qdate(start))
        self._calendar.setCurrentPage(start.year, start.month)
        self._previous_month.clicked.connect(self._calendar.showPreviousMonth)
        self._next_month.clicked.connect(self._calendar.showNextMonth)
        self._calendar.currentPageChanged.connect(self._on_page_changed)
        self._calendar.selectionChanged.connect(self._on_date_selected)
        self._calendar.activated.connect(self._go_to_times)
        self._times.selectionModel().currentChanged.connect(self._on_time_changed)
        self._times.chosen.connect(self._confirm_index)
        self._times.doubleClicked.connect(self._confirm_index)
        self._yes.clicked.connect(self._confirm)
        self._no.clicked.connect(self.reject)

        self._calendar.setFocus()
        self._load_month(start.replace(day=1))

    # --- public API -------------------------------------------------------------------------

    @property
    def doctor_id(self) -> int:
        """The doctor whose schedule is shown."""
        return self._doctor_id

    @property
    def calendar(self) -> QCalendarWidget:
        """The month calendar."""
        return self._calendar

    @property
    def times_view(self) -> QListView:
        """The time list of the chosen date."""
        return self._times

    @property
    def times_model(self) -> DaySlotsModel:
        """The model of the time list."""
        return self._times_model

    @property
    def month(self) -> DoctorMonth | None:
        """The month shown, once loaded."""
        return self._month

    def highlighted_dates(self) -> frozenset[dt.date]:
        """The dates the calendar shows as having free times."""
        return frozenset(
            _to_date(date)
            for date, text_format in self._calendar.dateTextFormat().items()
            if text_format.background().style() != Qt.BrushStyle.NoBrush
        )

    def header_text(self) -> str:
        """«ФИО врача, специальность»."""
        return self._title.text()

    def month_title(self) -> str:
        """«Август 2015»."""
        return self._month_title.text()

    def day_title(self) -> str:
        """«05 августа 2015. Выберите время:»."""
        return self._day_title.text()

    def prompt_text(self) -> str:
        """«Записаться на 05 августа 09:00» once a free time is chosen."""
        return self._prompt.text()

    def current_slot(self) -> SlotCell | None:
        """The time selected in the list."""
        return self._times_model.slot_at(self._times.currentIndex())

    def select_date(self, day: dt.date) -> None:
        """Show ``day``'s month and list its times."""
        self._calendar.setSelectedDate(_to_qdate(day))

    def chosen_slot_id(self) -> int | None:
        """The slot confirmed with «Да» (``None`` after «Нет» or Esc)."""
        return self._chosen

    # --- loading ------------------------------------------------------------------------------

    def _load_month(self, first_day: dt.date) -> None:
        self._month_serial += 1
        serial, doctor_id, moment = self._month_serial, self._doctor_id, self._now()
        if self._month_request is not None:
            self._worker.cancel(self._month_request)

        def job(session: Session) -> DoctorMonth:
            return doctor_month(session, doctor_id, first_day, moment)

        self._month_request = self._worker.submit(
            job,
            lambda month: self._on_month(serial, month),
            lambda error: self._on_failed(serial, None, error),
            owner=self,
        )

    def _load_day(self, day: dt.date) -> None:
        self._day_serial += 1
        serial, doctor_id, moment = self._day_serial, self._doctor_id, self._now()
        if self._day_request is not None:
            self._worker.cancel(self._day_request)
        self._times_model.set_day(None)
        self._day_title.setText(labels.long_date(day))
        self._show_prompt()

        def job(session: Session) -> DaySchedule:
            return doctor_day(session, doctor_id, day, moment)

        self._day_request = self._worker.submit(
            job,
            lambda schedule: self._on_day(serial, schedule),
            lambda error: self._on_failed(None, serial, error),
            owner=self,
        )

    def _on_month(self, serial: int, month: DoctorMonth) -> None:
        if serial != self._month_serial:
            return
        self._month_request = None
        first_month, self._first_month = self._first_month, False
        self._month = month
        self._title.setText(month.doctor.title)
        self._month_title.setText(month.title)
        self._highlight(month.free_dates)
        self._status.clear()
        free_dates = sorted(month.free_dates)
        if (
            first_month
            and self._wanted_day is None
            and not free_dates
            and month.nearest_free is not None
            and month.nearest_free.start.date() > month.first_day
        ):
            # Nothing free this month: open the month of the nearest free time instead.
            nearest = month.nearest_free.start.date()
            self._wanted_day = nearest
            self._calendar.setCurrentPage(nearest.year, nearest.month)
            return
        wanted, self._wanted_day = self._wanted_day, None
        selected = _to_date(self._calendar.selectedDate())
        selected_here = selected.replace(day=1) == month.first_day
        target: dt.date | None
        if wanted is not None and wanted.replace(day=1) == month.first_day:
            target = wanted
        elif selected_here and not first_month:
            target = selected  # the operator moved there with the keyboard
        elif free_dates:
            target = free_dates[0]
        else:
            target = selected if selected_here else None
        if target is not None and target != selected:
            self._calendar.setSelectedDate(_to_qdate(target))  # lists its times
        elif target is not None and (
            self._times_model.day is None or self._times_model.day.date != target
        ):
            self._load_day(target)
        if not free_dates:
            self._status.setText(self.tr("В этом месяце свободного времени нет."))
        self.monthLoaded.emit()

    def _on_day(self, serial: int, day: DaySchedule) -> None:
        if serial != self._day_serial:
            return
        self._day_request = None
        self._times_model.set_day(day)
        self._day_title.setText(day.title)
        first_free = self._times_model.first_free_index()
        if first_free.isValid():
            self._times.setCurrentIndex(first_free)
            self._status.clear()
        else:
            self._status.setText(
                self.tr("На {0} свободного времени нет: выберите зеленую дату.").format(
                    labels.long_date(day.date)
                )
            )
        self._show_prompt()
        self.dayLoaded.emit()

    def _on_failed(
        self, month_serial: int | None, day_serial: int | None, error: BaseException
    ) -> None:
        if month_serial is not None:
            if month_serial != self._month_serial:
                return
            self._month_request = None
        if day_serial is not None:
            if day_serial != self._day_serial:
                return
            self._day_request = None
        message = load_error_message(error)
        self._status.setText(message)
        self.loadFailed.emit(message)

    # --- reactions ------------------------------------------------------------------------------

    def _highlight(self, free_dates: frozenset[dt.date]) -> None:
        self._calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clears every date
        free_format = QTextCharFormat()
        free_format.setBackground(QBrush(free_slot_color(self.palette())))
        free_format.setFontWeight(QFont.Weight.Bold)
        free_format.setToolTip(self.tr("Есть свободное время"))
        for day in free_dates:
            self._calendar.setDateTextFormat(_to_qdate(day), free_format)

    def _on_page_changed(self, year: int, month: int) -> None:
        first_day = dt.date(year, month, 1)
        if self._month is not None and self._month.first_day == first_day:
            return
        self._month_title.setText(labels.month_title(first_day))
        self._load_month(first_day)

    def _on_date_selected(self) -> None:
        day = _to_date(self._calendar.selectedDate())
        if self._month is not None and day.replace(day=1) == self._month.first_day:
            self._load_day(day)
        # Otherwise the date's month is being loaded; it lists the selected date when it comes.

    def _go_to_times(self) -> None:
        self._times.setFocus(Qt.FocusReason.TabFocusReason)

    def _on_time_changed(self) -> None:
        self._show_prompt()

    def _show_prompt(self) -> None:
        slot = self.current_slot()
        if slot is not None and slot.is_free:
            self._prompt.setText(slot.booking_prompt)
            self._yes.setEnabled(True)
        else:
            self._prompt.setText(self.tr("Выберите свободное время."))
            self._yes.setEnabled(False)

    def _confirm_index(self, index: QModelIndex) -> None:
        slot = self._times_model.slot_at(index)
        if slot is not None and slot.is_free:
            self._times.setCurrentIndex(index)
            self._confirm()

    def _confirm(self) -> None:
        slot = self.current_slot()
        if slot is None or not slot.is_free:
            return
        self._chosen = slot.slot_id
        self.slotConfirmed.emit(slot.slot_id)
        self.accept()
