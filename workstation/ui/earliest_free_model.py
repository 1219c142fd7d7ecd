"""The earliest-free grid of a specialty: a row per doctor, then his first free times.

Columns «Врач», «Учреждение», then «1», «2», … one per free time (as many as the doctor with the
most has; a doctor with fewer leaves disabled empty cells, which the keyboard skips). A refresh
of the same search (the same doctors in the same order) changes the cells in place; anything
else resets the model.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from workstation.services.schedule import EarliestFreeRow, FreeSlot
from workstation.ui.doctor_week_model import SLOT_ID_ROLE, bold_font, free_slot_color

__all__ = ["DOCTOR_ID_ROLE", "ROW_DATA_ROLE", "SLOT_ID_ROLE", "Column", "EarliestFreeModel"]

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()

DOCTOR_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 3
"""The row's doctor id, on every cell of the row."""
ROW_DATA_ROLE = int(Qt.ItemDataRole.UserRole) + 4
"""The row's ``EarliestFreeRow``."""
# SLOT_ID_ROLE (UserRole + 1, shared with the week table): the slot id of a time cell.

_CHANGED_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.FontRole,
    SLOT_ID_ROLE,
    ROW_DATA_ROLE,
]


class Column(enum.IntEnum):
    """The fixed columns; the free times follow from ``FIRST_SLOT`` on."""

    DOCTOR = 0
    INSTITUTION = 1
    FIRST_SLOT = 2


class EarliestFreeModel(QAbstractTableModel):
    """Doctors of a specialty with their first free times, earliest doctor first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[EarliestFreeRow] = []
        self._slot_columns = 0
        self._bold = bold_font()

    # --- public API -------------------------------------------------------------------------

    @property
    def rows(self) -> tuple[EarliestFreeRow, ...]:
        """The rows shown, top to bottom."""
        return tuple(self._rows)

    @property
    def slot_columns(self) -> int:
        """How many free-time columns there are."""
        return self._slot_columns

    def set_rows(self, rows: Sequence[EarliestFreeRow]) -> None:
        """Show ``rows``: in place when the doctors and the columns stay, otherwise a reset."""
        new = list(rows)
        columns = _slot_columns(new)
        same_doctors = [row.doctor_id for row in new] == [row.doctor_id for row in self._rows]
        if same_doctors and columns == self._slot_columns and new:
            old, self._rows = self._rows, new
            last_column = self.columnCount() - 1
            for position, (before, after) in enumerate(zip(old, new, strict=True)):
                if before != after:
                    self.dataChanged.emit(
                        self.index(position, 0), self.index(position, last_column), _CHANGED_ROLES
                    )
            return
        self.beginResetModel()
        self._rows = new
        self._slot_columns = columns
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.set_rows([])

    def row_at(self, row: int) -> EarliestFreeRow | None:
        """The doctor of a row."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def slot_at(self, index: AnyIndex) -> FreeSlot | None:
        """The free time of a cell (``None`` for the doctor's cells and empty ones)."""
        if not index.isValid() or index.model() is not self:
            return None
        row = self.row_at(index.row())
        position = index.column() - Column.FIRST_SLOT
        if row is None or not 0 <= position < len(row.slots):
            return None
        return row.slots[position]

    def first_slot_index(self) -> QModelIndex:
        """The first free time of the first doctor (invalid when there are no rows)."""
        if not self._rows:
            return QModelIndex()
        return self.index(0, Column.FIRST_SLOT)

    def index_of_slot(self, slot_id: int) -> QModelIndex:
        """The cell of a slot (invalid when it is not shown)."""
        for row, entry in enumerate(self._rows):
            for position, slot in enumerate(entry.slots):
                if slot.slot_id == slot_id:
                    return self.index(row, Column.FIRST_SLOT + position)
        return QModelIndex()

    # --- QAbstractItemModel -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else Column.FIRST_SLOT + self._slot_columns

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not self._valid(index):
            return Qt.ItemFlag.NoItemFlags
        if index.column() >= Column.FIRST_SLOT and self.slot_at(index) is None:
            return Qt.ItemFlag.ItemNeverHasChildren  # the doctor has fewer free times
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == Column.DOCTOR:
                return self.tr("Врач")
            if section == Column.INSTITUTION:
                return self.tr("Учреждение")
            return str(section - Column.FIRST_SLOT + 1)
        if role == Qt.ItemDataRole.ToolTipRole and section >= Column.FIRST_SLOT:
            return self.tr("{0}-е свободное время врача").format(section - Column.FIRST_SLOT + 1)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._valid(index):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == DOCTOR_ID_ROLE:
            return row.doctor_id
        if role == ROW_DATA_ROLE:
            return row
        if column == Column.DOCTOR:
            if role == Qt.ItemDataRole.DisplayRole:
                return row.doctor_name
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{row.doctor_name}\n{row.specialty_name}"
            return None
        if column == Column.INSTITUTION:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return row.institution_short_name or ""
            return None
        slot = self.slot_at(index)
        if slot is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return slot.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return ", ".join(filter(None, [slot.long_label, slot.room]))
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(free_slot_color())
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == SLOT_ID_ROLE:
            return slot.slot_id
        return None

    # --- internals ----------------------------------------------------------------------------

    def _valid(self, index: AnyIndex) -> bool:
        return (
            index.isValid()
            and index.model() is self
            and 0 <= index.row() < len(self._rows)
            and 0 <= index.column() < self.columnCount()
        )


def _slot_columns(rows: Sequence[EarliestFreeRow]) -> int:
    return max((len(row.slots) for row in rows), default=0)
