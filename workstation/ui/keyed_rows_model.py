"""A read-only table of plain rows keyed by their database id, refreshed in place.

``set_rows`` merges a fresh list of the same query into the one shown: rows that left are
removed, new ones inserted where they belong and changed ones redrawn with ``dataChanged``, so a
view keeps its selection and place on a refresh. ``reset_rows`` (a new query) and a change in
the order of the kept rows reset the model. The SMS outbox, the tickets and the journal use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()

ROW_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""Database id (int) of the row."""
ROW_DATA_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""The row's dataclass."""
TICKET_NUMBER_ROLE = int(Qt.ItemDataRole.UserRole) + 3
"""The ticket number the row is about (str), or None."""

# Every role the cells serve: what a changed row redraws.
_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    ROW_ID_ROLE,
    ROW_DATA_ROLE,
    TICKET_NUMBER_ROLE,
]


class _Keyed(Protocol):
    @property
    def id(self) -> int: ...


Row = TypeVar("Row", bound=_Keyed)


class KeyedRowsModel(QAbstractTableModel, Generic[Row]):
    """A read-only table of frozen rows with an ``id``, newest first, updated in place."""

    column_count = 0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._row_by_id: dict[int, int] = {}

    # --- for subclasses -----------------------------------------------------------------------

    def display(self, row: Row, column: int) -> str:
        """The text of a cell."""
        raise NotImplementedError

    def tooltip(self, row: Row, column: int) -> str | None:
        """The tooltip of a cell."""
        return None

    def foreground(self, row: Row, column: int) -> QColor | None:
        """The text colour of a cell (None: the style's)."""
        return None

    def ticket_number(self, row: Row) -> str | None:
        """The ticket the row is about."""
        return None

    def header(self, column: int, role: int) -> Any:
        """Header data of a column."""
        return None

    # --- public API -------------------------------------------------------------------------

    @property
    def rows(self) -> tuple[Row, ...]:
        """The rows shown, top to bottom."""
        return tuple(self._rows)

    def row_data(self, row: int) -> Row | None:
        """The row at position ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, row_id: int) -> int | None:
        """The position of the row with database id ``row_id``."""
        return self._row_by_id.get(row_id)

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show ``rows`` (a refresh of the same query), changing the rows in place."""
        new = list(rows)
        new_ids = [self._id(row) for row in new]
        new_set = set(new_ids)
        if len(new_set) != len(new_ids):
            raise ValueError("the rows repeat an id")  # (a refresh of one query never does)
        old_set = set(self._row_by_id)
        kept_in_old_order = [self._id(row) for row in self._rows if self._id(row) in new_set]
        kept_in_new_order = [row_id for row_id in new_ids if row_id in old_set]
        if kept_in_old_order != kept_in_new_order:
            self.reset_rows(new)
            return
        self._remove_missing(new_set)
        self._insert_new(new, old_set)
        self._update_changed(new)
        self._reindex()

    def reset_rows(self, rows: Sequence[Row]) -> None:
        """Show the rows of a new query."""
        self.beginResetModel()
        self._rows = list(rows)
        self._reindex()
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.reset_rows([])

    # --- QAbstractItemModel -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else self.column_count

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not self._valid(index):
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.column_count:
            return None
        return self.header(section, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._valid(index):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row, column)
        if role == ROW_ID_ROLE:
            return self._id(row)
        if role == ROW_DATA_ROLE:
            return row
        if role == TICKET_NUMBER_ROLE:
            return self.ticket_number(row)
        return None

    # --- internals ----------------------------------------------------------------------------

    @staticmethod
    def _id(row: Row) -> int:
        return row.id

    def _valid(self, index: AnyIndex) -> bool:
        return (
            index.isValid()
            and index.model() is self
            and 0 <= index.row() < len(self._rows)
            and 0 <= index.column() < self.column_count
        )

    def _reindex(self) -> None:
        self._row_by_id = {self._id(row): position for position, row in enumerate(self._rows)}

    def _remove_missing(self, keep: set[int]) -> None:
        # Bottom up, so that the positions of the runs still to remove stay valid.
        position = len(self._rows) - 1
        while position >= 0:
            if self._id(self._rows[position]) in keep:
                position -= 1
                continue
            last = position
            while position >= 0 and self._id(self._rows[position]) not in keep:
                position -= 1
            first = position + 1
            self.beginRemoveRows(_NO_PARENT, first, last)  # inclusive last
            del self._rows[first : last + 1]
            self.endRemoveRows()

    def _insert_new(self, new: list[Row], old_ids: set[int]) -> None:
        # What is left of the old rows is, in order, a subsequence of ``new``: insert each run
        # of new rows before the kept row that follows it.
        position = 0
        index = 0
        while index < len(new):
            if self._id(new[index]) in old_ids:
                position += 1
                index += 1
                continue
            run_start = index
            while index < len(new) and self._id(new[index]) not in old_ids:
                index += 1
            run = new[run_start:index]
            self.beginInsertRows(_NO_PARENT, position, position + len(run) - 1)  # inclusive
            self._rows[position:position] = run
            self.endInsertRows()
            position += len(run)

    def _update_changed(self, new: list[Row]) -> None:
        last_column = self.column_count - 1
        position = 0
        while position < len(new):
            if self._rows[position] == new[position]:
                position += 1
                continue
            first = position
            while position < len(new) and self._rows[position] != new[position]:
                self._rows[position] = new[position]
                position += 1
            self.dataChanged.emit(
                self.index(first, 0), self.index(position - 1, last_column), _ROLES
            )
