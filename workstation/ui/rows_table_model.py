"""A read-only table of frozen rows that a new query replaces as a whole.

The part every such table shares (rows, reset on a new query, counts, the header, flags, index
checks); a subclass names its ``HEADERS`` and says what a cell shows in ``cell(row, column,
role)``. Lists whose rows are merged in place (to keep the operator's selection across refreshes)
use ``KeyedRowsModel`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()
RowT = TypeVar("RowT")


class RowsTableModel(QAbstractTableModel, Generic[RowT]):
    """Rows of one query; ``set_rows`` resets the model."""

    HEADERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RowT] = []

    @property
    def rows(self) -> tuple[RowT, ...]:
        """The rows shown, top to bottom."""
        return tuple(self._rows)

    def set_rows(self, rows: Sequence[RowT]) -> None:
        """Show the rows of a new query."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, index: AnyIndex) -> RowT | None:
        """The row of ``index``, or None for an index of no row."""
        return self._rows[index.row()] if self._valid(index) else None

    def cell(self, row: RowT, column: int, role: int) -> Any:
        """What the cell shows for ``role`` (None: nothing); subclasses say."""
        return None

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not self._valid(index):
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._valid(index):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def _valid(self, index: AnyIndex) -> bool:
        return (
            index.isValid()
            and index.model() is self
            and 0 <= index.row() < len(self._rows)
            and 0 <= index.column() < len(self.HEADERS)
        )
