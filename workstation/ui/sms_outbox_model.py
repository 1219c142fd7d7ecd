"""Table of the SMS outbox for the «СМС-сообщения» dock, newest message first.

The model holds plain ``OutboxRow`` values (phones already masked). ``set_rows`` merges a fresh
list into the one shown: rows that left the list are removed, new ones inserted where they
belong (normally at the top) and changed ones redrawn with ``dataChanged``, so that a view keeps
its selection and place. The model is reset only when the order of the rows it already has
changed (which a list ordered by id never does) and by ``clear()``.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from workstation.models import SmsKind, SmsStatus
from workstation.services.sms.outbox_view import OutboxRow

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()

MESSAGE_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""Database id (int) of the message in the row."""
ROW_DATA_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""The row's ``OutboxRow``."""

TIME_FORMAT = "%d.%m.%Y %H:%M:%S"
FAILED_COLOR = QColor(0xC6, 0x28, 0x28)

# Every role the cells serve: what a changed row redraws.
_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    MESSAGE_ID_ROLE,
    ROW_DATA_ROLE,
]


class Column(enum.IntEnum):
    """Columns of the outbox table."""

    TIME = 0
    PHONE = 1
    KIND = 2
    STATUS = 3
    TEXT = 4


def _rich(text: str) -> str:
    """Tooltip text that Qt wraps instead of showing as one endless line; markup escaped."""
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


class SmsOutboxModel(QAbstractTableModel):
    """SMS messages newest first: time, masked phone, kind, status, text."""

    def __init__(self, parent: QObject | None = None, *, tz: dt.tzinfo | None = None) -> None:
        """``tz``: the zone times are shown in; the computer's local zone by default."""
        super().__init__(parent)
        self._tz = tz
        self._rows: list[OutboxRow] = []
        self._row_by_id: dict[int, int] = {}
        self._kind_names = {
            SmsKind.CONFIRMATION_CODE: self.tr("код подтверждения"),
            SmsKind.BOOKED: self.tr("запись"),
            SmsKind.ANNULMENT: self.tr("аннулирование"),
            SmsKind.CANCELLATION: self.tr("отмена"),
            SmsKind.REMINDER: self.tr("напоминание"),
            SmsKind.OTHER: self.tr("прочее"),
        }
        self._status_names = {
            SmsStatus.QUEUED: self.tr("в очереди"),
            SmsStatus.SENT: self.tr("отправлено"),
            SmsStatus.DELIVERED: self.tr("доставлено"),
            SmsStatus.FAILED: self.tr("ошибка"),
        }

    # --- public API -------------------------------------------------------------------------

    @property
    def rows(self) -> tuple[OutboxRow, ...]:
        """The rows shown, top to bottom."""
        return tuple(self._rows)

    def row_data(self, row: int) -> OutboxRow | None:
        """The message in ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, message_id: int) -> int | None:
        """The row showing message ``message_id``."""
        return self._row_by_id.get(message_id)

    def kind_name(self, kind: SmsKind) -> str:
        """The Russian name of an SMS kind."""
        return self._kind_names[kind]

    def status_name(self, status: SmsStatus) -> str:
        """The Russian name of an SMS status."""
        return self._status_names[status]

    def format_time(self, moment: dt.datetime) -> str:
        """``dd.mm.yyyy HH:MM:SS`` in the model's time zone."""
        return moment.astimezone(self._tz).strftime(TIME_FORMAT)

    def set_rows(self, rows: Sequence[OutboxRow]) -> None:
        """Show ``rows`` (newest first), changing the rows in place where possible."""
        new = list(rows)
        new_ids = [row.id for row in new]
        new_set = set(new_ids)
        if len(new_set) != len(new_ids):
            raise ValueError("the outbox rows repeat a message id")
        old_set = set(self._row_by_id)
        kept_in_old_order = [row.id for row in self._rows if row.id in new_set]
        kept_in_new_order = [message_id for message_id in new_ids if message_id in old_set]
        if kept_in_old_order != kept_in_new_order:
            self._reset(new)
            return
        self._remove_missing(new_set)
        self._insert_new(new, old_set)
        self._update_changed(new)
        self._reindex()

    def clear(self) -> None:
        """Show nothing."""
        self._reset([])

    # --- QAbstractItemModel -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(Column)

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
        if orientation != Qt.Orientation.Horizontal or section not in tuple(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == Column.TIME:
                return self.tr("Время")
            if section == Column.PHONE:
                return self.tr("Телефон")
            if section == Column.KIND:
                return self.tr("Вид")
            if section == Column.STATUS:
                return self.tr("Статус")
            return self.tr("Текст")
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == Column.TIME:
                return self.tr("Когда сообщение поставлено в очередь (местное время)")
            if section == Column.STATUS:
                return self.tr("Наведите указатель на статус: число попыток и последняя ошибка")
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._valid(index):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == Column.STATUS and row.status is SmsStatus.FAILED:
                return FAILED_COLOR
            return None
        if role == MESSAGE_ID_ROLE:
            return row.id
        if role == ROW_DATA_ROLE:
            return row
        return None

    # --- internals ----------------------------------------------------------------------------

    def _valid(self, index: AnyIndex) -> bool:
        return (
            index.isValid()
            and index.model() is self
            and 0 <= index.row() < len(self._rows)
            and 0 <= index.column() < len(Column)
        )

    def _display(self, row: OutboxRow, column: int) -> str:
        if column == Column.TIME:
            return self.format_time(row.created_at)
        if column == Column.PHONE:
            return row.masked_phone
        if column == Column.KIND:
            return self.kind_name(row.kind)
        if column == Column.STATUS:
            return self.status_name(row.status)
        # One line per message: the view elides it, the tooltip has it whole.
        return " ".join(row.text.split())

    def _tooltip(self, row: OutboxRow, column: int) -> str | None:
        if column == Column.TIME:
            lines = [self.tr("Поставлено в очередь: {0}").format(self.format_time(row.created_at))]
            if row.sent_at is not None:
                lines.append(self.tr("Отправлено: {0}").format(self.format_time(row.sent_at)))
            if row.delivered_at is not None:
                lines.append(self.tr("Доставлено: {0}").format(self.format_time(row.delivered_at)))
            return "\n".join(lines)
        if column == Column.STATUS:
            return self._status_tooltip(row)
        if column == Column.TEXT:
            return _rich(row.text)
        return None

    def _status_tooltip(self, row: OutboxRow) -> str:
        lines = [
            self.status_name(row.status),
            self.tr("Попыток отправки: {0}").format(row.attempts),
        ]
        if row.status is SmsStatus.QUEUED and row.next_attempt_at is not None and row.attempts:
            lines.append(
                self.tr("Следующая попытка: {0}").format(self.format_time(row.next_attempt_at))
            )
        if row.last_error:
            lines.append(self.tr("Последняя ошибка: {0}").format(row.last_error))
        if row.gateway:
            lines.append(self.tr("Шлюз: {0}").format(row.gateway))
        return _rich("\n".join(lines))

    def _reset(self, rows: list[OutboxRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        self._row_by_id = {row.id: position for position, row in enumerate(self._rows)}

    def _remove_missing(self, keep: set[int]) -> None:
        # Bottom up, so that the row numbers of the runs still to remove stay valid.
        position = len(self._rows) - 1
        while position >= 0:
            if self._rows[position].id in keep:
                position -= 1
                continue
            last = position
            while position >= 0 and self._rows[position].id not in keep:
                position -= 1
            first = position + 1
            self.beginRemoveRows(_NO_PARENT, first, last)  # inclusive last
            del self._rows[first : last + 1]
            self.endRemoveRows()

    def _insert_new(self, new: list[OutboxRow], old_ids: set[int]) -> None:
        # What is left of the old rows is, in order, a subsequence of ``new``: insert each run
        # of new rows before the kept row that follows it.
        position = 0
        index = 0
        while index < len(new):
            if new[index].id in old_ids:
                position += 1
                index += 1
                continue
            run_start = index
            while index < len(new) and new[index].id not in old_ids:
                index += 1
            run = new[run_start:index]
            self.beginInsertRows(_NO_PARENT, position, position + len(run) - 1)  # inclusive
            self._rows[position:position] = run
            self.endInsertRows()
            position += len(run)

    def _update_changed(self, new: list[OutboxRow]) -> None:
        last_column = len(Column) - 1
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
