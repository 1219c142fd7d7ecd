"""A doctor's schedule by weeks, as the manual shows it, with the way to the booking dialog.

The doctor's name over week navigation («‹ предыдущая неделя», «10.08 - 16.08», «следующая
неделя ›»), the week table (days × times, free ones green), «Ближайшее доступное время приема:
05 августа 2015 09:00», and the buttons «Записаться» and «Выбрать дату…» (the «Запись на прием»
dialog). Keyboard: arrows move between times and days, PgUp/PgDn change the week, Enter on a
free time chooses it. Weeks are read through the database worker; a result that arrives after
the operator moved to another doctor or week is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.services.schedule import DoctorWeek, SlotCell, doctor_week, labels, monday_of
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.doctor_week_model import DoctorWeekModel
from workstation.ui.slot_dialog import SlotDialog, load_error_message

__all__ = ["DoctorWeekView", "SlotTableView"]

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_PAGE_KEYS = {Qt.Key.Key_PageUp: -1, Qt.Key.Key_PageDown: 1}


class SlotTableView(QTableView):
    """A read-only table of times: Enter or a double click chooses the current cell; with
    ``page_keys``, PgUp/PgDn ask for the previous/next page instead of scrolling."""

    chosen = Signal(QModelIndex)
    """Enter on the current cell, or a double click on a cell."""

    pageRequested = Signal(int)
    """-1 for PgUp, 1 for PgDn (only with ``page_keys``)."""

    def __init__(self, parent: QWidget | None = None, *, page_keys: bool = False) -> None:
        super().__init__(parent)
        self._page_keys = page_keys
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        self.doubleClicked.connect(self.chosen)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if plain and event.key() in _ENTER_KEYS:
            # Handled here, so that Enter never reaches a dialog's default button as well.
            if self.currentIndex().isValid():
                self.chosen.emit(self.currentIndex())
            event.accept()
            return
        if plain and self._page_keys and event.key() in _PAGE_KEYS:
            self.pageRequested.emit(_PAGE_KEYS[Qt.Key(event.key())])
            event.accept()
            return
        super().keyPressEvent(event)


class DoctorWeekView(QWidget):
    """One doctor's schedule by weeks; emits the slot the operator chose."""

    slotChosen = Signal(int)
    """A free time was chosen (Enter, a double click, «Записаться» or the dialog): its slot id."""

    hint = Signal(str)
    """A short explanation for the operator (e.g. a taken time was chosen)."""

    loaded = Signal()
    """A week page is shown."""

    loadFailed = Signal(str)
    """A week could not be read; the text is for the operator."""

    def __init__(
        self,
        worker: DatabaseWorker,
        now: Callable[[], dt.datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._now = now
        self._doctor_id: int | None = None
        # Bumped per request: a result carrying an older number is dropped.
        self._serial = 0
        self._request: int | None = None
        self._dialog: SlotDialog | None = None

        self._title = QLabel(self.tr("Выберите врача"))
        title_font = self._title.font()
        title_font.setBold(True)
        self._title.setFont(title_font)
        self._title.setWordWrap(True)

        self._previous = QPushButton(self.tr("‹ предыдущая неделя"))
        self._previous.setToolTip(self.tr("Предыдущая неделя (PgUp)"))
        self._next = QPushButton(self.tr("следующая неделя ›"))
        self._next.setToolTip(self.tr("Следующая неделя (PgDn)"))
        self._week_label = QLabel()
        self._week_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._week_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        week_font = self._week_label.font()
        week_font.setBold(True)
        self._week_label.setFont(week_font)
        navigation = QHBoxLayout()
        navigation.addWidget(self._previous)
        navigation.addWidget(self._week_label)
        navigation.addWidget(self._next)

        self._model = DoctorWeekModel(self)
        self._table = SlotTableView(self, page_keys=True)
        self._table.setModel(self._model)
        self._table.verticalHeader().hide()
        self._table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self._table.setAccessibleName(self.tr("Расписание врача на неделю"))

        self._hint_label = QLabel()
        self._hint_label.setWordWrap(True)
        self._nearest_label = QLabel()
        self._nearest_button = QPushButton(self.tr("Показать"))
        self._nearest_button.setToolTip(self.tr("Перейти к ближайшему свободному времени"))
        nearest_row = QHBoxLayout()
        nearest_row.addWidget(self._nearest_label, 1)
        nearest_row.addWidget(self._nearest_button)

        self._book = QPushButton(self.tr("Записаться"))
        self._book.setToolTip(self.tr("Записаться на выбранное время (Enter)"))
        self._pick_date = QPushButton(self.tr("Выбрать дату…"))
        self._pick_date.setToolTip(self.tr("Календарь врача на месяц"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self._book)
        buttons.addWidget(self._pick_date)

        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addLayout(navigation)
        layout.addWidget(self._table, 1)
        layout.addWidget(self._hint_label)
        layout.addLayout(nearest_row)
        layout.addLayout(buttons)
        self.setFocusProxy(self._table)

        self._previous.clicked.connect(self.show_previous_week)
        self._next.clicked.connect(self.show_next_week)
        self._table.pageRequested.connect(self._turn_page)
        self._table.chosen.connect(self._choose)
        self._table.selectionModel().currentChanged.connect(self._hint_label.clear)
        self._nearest_button.clicked.connect(self.go_nearest)
        self._book.clicked.connect(self.choose_current)
        self._pick_date.clicked.connect(self.open_slot_dialog)
        self.hint.connect(self._hint_label.setText)
        self.loadFailed.connect(self._hint_label.setText)
        self._update_controls()

    # --- public API -------------------------------------------------------------------------

    @property
    def doctor_id(self) -> int | None:
        """The doctor shown (or being loaded)."""
        return self._doctor_id

    @property
    def week(self) -> DoctorWeek | None:
        """The week page shown."""
        return self._model.week

    @property
    def model(self) -> DoctorWeekModel:
        """The week table's model."""
        return self._model

    @property
    def table(self) -> SlotTableView:
        """The week table."""
        return self._table

    @property
    def slot_dialog(self) -> SlotDialog | None:
        """The «Запись на прием» dialog while it is open."""
        return self._dialog

    @property
    def is_loading(self) -> bool:
        """True while a week is being read."""
        return self._request is not None

    def week_label(self) -> str:
        """«10.08 - 16.08»."""
        return self._week_label.text()

    def nearest_text(self) -> str:
        """«Ближайшее доступное время приема: 05 августа 2015 09:00»."""
        return self._nearest_label.text()

    def show_doctor(self, doctor_id: int, day: dt.date | None = None) -> None:
        """Show the doctor's week containing ``day`` (today by default)."""
        if doctor_id != self._doctor_id:
            self._doctor_id = doctor_id
            self._model.clear()
            self._title.setText(self.tr("Загрузка…"))
        self._load(day or self._now().date())

    def show_week(self, monday: dt.date) -> None:
        """Show the current doctor's week containing ``monday``."""
        if self._doctor_id is not None:
            self._load(monday)

    def show_previous_week(self) -> None:
        """The week before (not before the current week: past times are never offered)."""
        week = self._model.week
        if week is not None and week.monday > monday_of(self._now().date()):
            self._load(week.previous_monday)

    def show_next_week(self) -> None:
        """The week after."""
        week = self._model.week
        if week is not None:
            self._load(week.next_monday)

    def reload(self) -> None:
        """Read the page shown again (the selection stays on its slot)."""
        week = self._model.week
        if week is not None and self._doctor_id == week.doctor.id:
            self._load(week.monday)

    def go_nearest(self) -> None:
        """Select the nearest free time, turning to its week if needed."""
        week = self._model.week
        if week is None:
            return
        if week.nearest_free is None:
            self.hint.emit(labels.NO_FREE_SLOTS)
            return
        index = self._model.index_of_slot(week.nearest_free.slot_id)
        if index.isValid():
            self._select(index)
        else:
            self._load(week.nearest_free.start.date(), select_slot=week.nearest_free.slot_id)

    def current_slot(self) -> SlotCell | None:
        """The time selected in the table."""
        return self._model.slot_at(self._table.currentIndex())

    def choose_current(self) -> None:
        """«Записаться»: choose the selected time if it is free, otherwise explain."""
        self._choose(self._table.currentIndex())

    def open_slot_dialog(self) -> SlotDialog | None:
        """«Выбрать дату…»: the «Запись на прием» dialog on the selected date (window-modal)."""
        if self._doctor_id is None:
            return None
        if self._dialog is not None and shiboken6.isValid(self._dialog):
            self._dialog.raise_()
            return self._dialog
        slot = self.current_slot()
        week = self._model.week
        day = slot.start.date() if slot is not None else (week.monday if week else None)
        dialog = SlotDialog(self._worker, self._now, self._doctor_id, self, day=day)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.slotConfirmed.connect(self.slotChosen)
        dialog.finished.connect(self._forget_dialog)
        self._dialog = dialog
        # open(), not exec(): exec() cannot run inside the application's asyncio loop.
        dialog.open()
        return dialog

    # --- Qt -----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # PgUp/PgDn pressed on the buttons arrive here; in the table the table handles them.
        if event.modifiers() == Qt.KeyboardModifier.NoModifier and event.key() in _PAGE_KEYS:
            self._turn_page(_PAGE_KEYS[Qt.Key(event.key())])
            event.accept()
            return
        super().keyPressEvent(event)

    # --- internals ----------------------------------------------------------------------------

    def _load(self, day: dt.date, *, select_slot: int | None = None) -> None:
        doctor_id = self._doctor_id
        if doctor_id is None:
            return
        self._serial += 1
        serial, moment = self._serial, self._now()
        if self._request is not None:
            self._worker.cancel(self._request)

        def job(session: Session) -> DoctorWeek:
            return doctor_week(session, doctor_id, day, moment)

        self._request = self._worker.submit(
            job,
            lambda week: self._on_loaded(serial, week, select_slot),
            lambda error: self._on_failed(serial, error),
            owner=self,
        )
        self._update_controls()

    def _on_loaded(self, serial: int, week: DoctorWeek, select_slot: int | None) -> None:
        if serial != self._serial or week.doctor.id != self._doctor_id:
            return
        self._request = None
        previous = self._model.week
        kept = self.current_slot()
        self._model.set_week(week)
        self._title.setText(week.doctor.title)
        self._week_label.setText(week.label)
        self._nearest_label.setText(
            self.tr("{0}: {1}").format(labels.NEAREST_FREE_TITLE, week.nearest_label)
        )
        target = QModelIndex()
        if select_slot is not None:
            target = self._model.index_of_slot(select_slot)
        same_page = previous is not None and previous.monday == week.monday
        if not target.isValid() and kept is not None and same_page:
            target = self._model.index_of_slot(kept.slot_id)  # a reload keeps the place
        if not target.isValid():
            target = self._model.first_free_index()
        if not target.isValid():
            target = self._model.first_slot_index()
        if target.isValid():
            self._select(target)
        self._update_controls()
        self.loaded.emit()

    def _on_failed(self, serial: int, error: BaseException) -> None:
        if serial != self._serial:
            return
        self._request = None
        self._update_controls()
        self.loadFailed.emit(load_error_message(error))

    def _select(self, index: QModelIndex) -> None:
        self._table.setCurrentIndex(index)
        self._table.scrollTo(index)

    def _turn_page(self, step: int) -> None:
        if step < 0:
            self.show_previous_week()
        else:
            self.show_next_week()

    def _choose(self, index: QModelIndex) -> None:
        slot = self._model.slot_at(index)
        if slot is None:
            self.hint.emit(self.tr("Выберите свободное (зелёное) время в расписании."))
        elif not slot.is_free:
            self.hint.emit(self.tr("Это время занято: выберите свободное (зелёное)."))
        else:
            self.slotChosen.emit(slot.slot_id)

    def _forget_dialog(self) -> None:
        self._dialog = None

    def _update_controls(self) -> None:
        week = self._model.week
        has_week = week is not None
        self._previous.setEnabled(week is not None and week.monday > monday_of(self._now().date()))
        self._next.setEnabled(has_week)
        self._book.setEnabled(has_week)
        self._pick_date.setEnabled(self._doctor_id is not None)
        self._nearest_button.setEnabled(week is not None and week.nearest_free is not None)
