"""A doctor's week page as a table: a column per day (Monday to Sunday), a row per slot position.

Row ``i`` of a day's column is the day's ``i``-th slot; shorter days leave empty cells at the
bottom, which are disabled so that the keyboard skips them. Free times are bold on a green
background, taken ones grey, as in the manual's schedule. The green follows the palette (a light
green under dark text, a dark green under light text), and so does the grey.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from workstation.services.schedule import DoctorWeek, SlotCell, labels

__all__ = [
    "SLOT_ID_ROLE",
    "SLOT_ROLE",
    "DoctorWeekModel",
    "free_slot_color",
    "taken_slot_color",
]

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()
DAYS_IN_WEEK = 7

SLOT_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""The slot's id (int); ``None`` on an empty cell."""
SLOT_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""The cell's ``SlotCell``; ``None`` on an empty cell."""

_LIGHT_GREEN = QColor(0xC8, 0xE6, 0xC9)
_DARK_GREEN = QColor(0x1B, 0x5E, 0x20)

# Every role a changed slot redraws.
_CELL_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
    SLOT_ID_ROLE,
    SLOT_ROLE,
]


def free_slot_color(palette: QPalette | None = None) -> QColor:
    """The background of a free time: light green on a light base, dark green on a dark one."""
    base = (palette or QGuiApplication.palette()).color(QPalette.ColorRole.Base)
    return QColor(_LIGHT_GREEN if base.lightness() >= 128 else _DARK_GREEN)


def taken_slot_color(palette: QPalette | None = None) -> QColor:
    """The text colour of a taken time: the palette's disabled text."""
    return (palette or QGuiApplication.palette()).color(
        QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
    )


def bold_font() -> QFont:
    """The font of a free time."""
    font = QFont()
    font.setBold(True)
    return font


def slot_tooltip(slot: SlotCell) -> str:
    """«Свободно, каб. 101» and, for a free time, the booking prompt below it."""
    first = ", ".join(filter(None, [slot.state_label, slot.room]))
    return f"{first}\n{slot.booking_prompt}" if slot.is_free else first


class DoctorWeekModel(QAbstractTableModel):
    """Seven columns (the days of a ``DoctorWeek``), a row per slot position."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._week: DoctorWeek | None = None
        self._row_count = 0
        self._bold = bold_font()

    # --- public API -------------------------------------------------------------------------

    @property
    def week(self) -> DoctorWeek | None:
        """The week shown."""
        return self._week

    def set_week(self, week: DoctorWeek | None) -> None:
        """Show ``week``: a refresh of the same page changes cells in place, another page resets."""
        old = self._week
        if (
            old is not None
            and week is not None
            and old.doctor.id == week.doctor.id
            and old.monday == week.monday
            and _row_count(week) == self._row_count
        ):
            self._week = week
            self._update_changed(old, week)
            return
        self.beginResetModel()
        self._week = week
        self._row_count = _row_count(week)
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.set_week(None)

    def slot_at(self, index: AnyIndex) -> SlotCell | None:
        """The slot of a cell (``None`` for an empty cell)."""
        if not index.isValid() or index.model() is not self or self._week is None:
            return None
        if not 0 <= index.column() < DAYS_IN_WEEK:
            return None
        slots = self._week.days[index.column()].slots
        return slots[index.row()] if 0 <= index.row() < len(slots) else None

    def index_of_slot(self, slot_id: int) -> QModelIndex:
        """The cell of the slot (invalid when it is not on this page)."""
        if self._week is not None:
            for column, day in enumerate(self._week.days):
                for row, slot in enumerate(day.slots):
                    if slot.slot_id == slot_id:
                        return self.index(row, column)
        return QModelIndex()

    def first_free_index(self) -> QModelIndex:
        """The earliest free time of the page (invalid when there is none)."""
        if self._week is not None:
            for column, day in enumerate(self._week.days):
                for row, slot in enumerate(day.slots):
                    if slot.is_free:
                        return self.index(row, column)
        return QModelIndex()

    def first_slot_index(self) -> QModelIndex:
        """The earliest time of the page, free or not (invalid when the page is empty)."""
        if self._week is not None:
            for column, day in enumerate(self._week.days):
                if day.slots:
                    return self.index(0, column)
        return QModelIndex()

    def column_of(self, day: dt.date) -> int | None:
        """The column of a date of the page."""
        if self._week is None:
            return None
        offset = (day - self._week.monday).days
        return offset if 0 <= offset < DAYS_IN_WEEK else None

    # --- QAbstractItemModel -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else DAYS_IN_WEEK

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if self.slot_at(index) is None:
            return Qt.ItemFlag.ItemNeverHasChildren if index.isValid() else Qt.ItemFlag.NoItemFlags
        # Taken times stay selectable: choosing one explains why it cannot be booked.
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < DAYS_IN_WEEK:
            return None
        if self._week is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return labels.WEEKDAYS_SHORT[section]
            return None
        day = self._week.days[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return day.label
        if role == Qt.ItemDataRole.ToolTipRole:
            if not day.slots:
                return self.tr("{0}: приема нет").format(labels.day_heading(day.date))
            return self.tr("{0}: прием {1}, {2}").format(
                labels.day_heading(day.date), day.hours_label, labels.tickets(day.free_count)
            )
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        slot = self.slot_at(index)
        if slot is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return slot.time_label
        if role == Qt.ItemDataRole.ToolTipRole:
            return slot_tooltip(slot)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(free_slot_color()) if slot.is_free else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return None if slot.is_free else taken_slot_color()
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if slot.is_free else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == SLOT_ID_ROLE:
            return slot.slot_id
        if role == SLOT_ROLE:
            return slot
        return None

    # --- internals ----------------------------------------------------------------------------

    def _update_changed(self, old: DoctorWeek, new: DoctorWeek) -> None:
        for column, (old_day, new_day) in enumerate(zip(old.days, new.days, strict=True)):
            if old_day.slots == new_day.slots:
                continue
            changed = [
                row
                for row in range(self._row_count)
                if _nth(old_day.slots, row) != _nth(new_day.slots, row)
            ]
            if changed:
                self.dataChanged.emit(
                    self.index(changed[0], column), self.index(changed[-1], column), _CELL_ROLES
                )
            # The day's tooltip counts its free times.
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)


def _row_count(week: DoctorWeek | None) -> int:
    return 0 if week is None else max((len(day.slots) for day in week.days), default=0)


def _nth(slots: tuple[SlotCell, ...], row: int) -> SlotCell | None:
    return slots[row] if row < len(slots) else None
