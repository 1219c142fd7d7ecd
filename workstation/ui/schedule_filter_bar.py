"""«Поиск расписания»: the manual's filters above the schedule tree.

Department name, doctor's specialty, doctor's full name, the reception interval, «Учитывать
только свободные талоны при записи» and «Очистить». Typing is debounced briefly: the query
itself takes about a millisecond (see ``benchmarks/booking_screen.py``), the pause only spares
the tree a rebuild per keystroke of a fast typist.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from workstation.services.schedule import ScheduleFilter
from workstation.services.schedule.labels import CLEAR_LABEL, ONLY_FREE_LABEL

DEBOUNCE_MS = 120
_UNSET = " "  # what an interval end shows while it is not set


class _OptionalDate(QDateEdit):
    """A date field that may be empty: its minimum stands for «not set»."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("dd.MM.yyyy")
        self.setSpecialValueText(_UNSET)
        self.clear_date()

    def clear_date(self) -> None:
        today = QDate.currentDate()
        self.setMinimumDate(today.addDays(-1))
        self.setDate(self.minimumDate())

    def value(self) -> dt.date | None:
        if self.date() == self.minimumDate():
            return None
        day = self.date()
        return dt.date(day.year(), day.month(), day.day())

    def set_value(self, day: dt.date | None) -> None:
        if day is None:
            self.clear_date()
        else:
            self.setDate(QDate(day.year, day.month, day.day))


class ScheduleFilterBar(QWidget):
    """The filter form; ``filterChanged`` carries the whole ``ScheduleFilter``."""

    filterChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleFilterBar")
        self.doctor_field = QLineEdit(self)
        self.doctor_field.setObjectName("doctorFilter")
        self.doctor_field.setPlaceholderText("ФИО врача (F3)")
        self.doctor_field.setClearButtonEnabled(True)
        self.specialty_field = QLineEdit(self)
        self.specialty_field.setObjectName("specialtyFilter")
        self.specialty_field.setPlaceholderText("Специальность врача")
        self.specialty_field.setClearButtonEnabled(True)
        self.department_field = QLineEdit(self)
        self.department_field.setObjectName("departmentFilter")
        self.department_field.setPlaceholderText("Поиск отделения")
        self.department_field.setClearButtonEnabled(True)
        self.date_from = _OptionalDate(self)
        self.date_from.setObjectName("dateFrom")
        self.date_to = _OptionalDate(self)
        self.date_to.setObjectName("dateTo")
        self.only_free = QCheckBox(ONLY_FREE_LABEL, self)
        self.only_free.setObjectName("onlyFree")
        self.clear_button = QPushButton(CLEAR_LABEL, self)
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.clicked.connect(self.clear)

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.doctor_field, 0, 0, 1, 2)
        layout.addWidget(self.specialty_field, 0, 2, 1, 2)
        layout.addWidget(self.department_field, 0, 4, 1, 2)
        interval = QLabel("Временной интервал приема: с", self)
        interval.setBuddy(self.date_from)
        layout.addWidget(interval, 1, 0)
        layout.addWidget(self.date_from, 1, 1)
        layout.addWidget(QLabel("по", self), 1, 2)
        layout.addWidget(self.date_to, 1, 3)
        layout.addWidget(self.only_free, 1, 4)
        layout.addWidget(self.clear_button, 1, 5)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("filterError")
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setVisible(False)
        layout.addWidget(self.error_label, 2, 0, 1, 6)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit)
        for field in (self.doctor_field, self.specialty_field, self.department_field):
            field.textChanged.connect(self._debounce.start)
        self.date_from.dateChanged.connect(self._debounce.start)
        self.date_to.dateChanged.connect(self._debounce.start)
        self.only_free.toggled.connect(self._emit)
        self._last = ScheduleFilter()

    def current(self) -> ScheduleFilter:
        """The filter the form shows now."""
        return ScheduleFilter(
            department=self.department_field.text().strip(),
            specialty=self.specialty_field.text().strip(),
            doctor=self.doctor_field.text().strip(),
            date_from=self.date_from.value(),
            date_to=self.date_to.value(),
            only_free=self.only_free.isChecked(),
        )

    def set_filter(self, filters: ScheduleFilter) -> None:
        """Fill the form (and apply it at once)."""
        for field, text in (
            (self.doctor_field, filters.doctor),
            (self.specialty_field, filters.specialty),
            (self.department_field, filters.department),
        ):
            field.setText(text)
        self.date_from.set_value(filters.date_from)
        self.date_to.set_value(filters.date_to)
        self.only_free.setChecked(filters.only_free)
        self.apply_now()

    def clear(self) -> None:
        """«Очистить»: every filter off."""
        self.set_filter(ScheduleFilter())

    def has_pending_change(self) -> bool:
        """True while typed text waits for the typing pause to end."""
        return self._debounce.isActive()

    def apply_now(self) -> None:
        """Skip the typing pause (Enter in a field)."""
        self._debounce.stop()
        self._emit()

    def _emit(self) -> None:
        current = self.current()
        if current.date_from and current.date_to and current.date_to < current.date_from:
            # Nothing can match: say what to fix and keep showing the last valid search.
            self.error_label.setText(
                "Конец интервала приема раньше его начала: исправьте даты «с» и «по»."
            )
            self.error_label.setVisible(True)
            return
        self.error_label.setVisible(False)
        if current == self._last:
            return
        self._last = current
        self.filterChanged.emit(current)
