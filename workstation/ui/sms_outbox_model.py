"""Table of the SMS outbox for the «СМС-сообщения» dock, newest message first.

The model holds plain ``OutboxRow`` values (phones already masked), merged in place on a refresh
(``KeyedRowsModel``), so that the view keeps its selection and place.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from workstation.models import SmsKind, SmsStatus
from workstation.services.sms.outbox_view import OutboxRow
from workstation.ui.keyed_rows_model import ROW_DATA_ROLE, ROW_ID_ROLE, KeyedRowsModel

MESSAGE_ID_ROLE = ROW_ID_ROLE
"""Database id (int) of the message in the row."""

__all__ = ["MESSAGE_ID_ROLE", "ROW_DATA_ROLE", "Column", "SmsOutboxModel"]

TIME_FORMAT = "%d.%m.%Y %H:%M:%S"
FAILED_COLOR = QColor(0xC6, 0x28, 0x28)


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


class SmsOutboxModel(KeyedRowsModel[OutboxRow]):
    """SMS messages newest first: time, masked phone, kind, status, text."""

    column_count = len(Column)

    def __init__(self, parent: QObject | None = None, *, tz: dt.tzinfo | None = None) -> None:
        """``tz``: the zone times are shown in; the computer's local zone by default."""
        super().__init__(parent)
        self._tz = tz
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

    def kind_name(self, kind: SmsKind) -> str:
        """The Russian name of an SMS kind."""
        return self._kind_names[kind]

    def status_name(self, status: SmsStatus) -> str:
        """The Russian name of an SMS status."""
        return self._status_names[status]

    def format_time(self, moment: dt.datetime) -> str:
        """``dd.mm.yyyy HH:MM:SS`` in the model's time zone."""
        return moment.astimezone(self._tz).strftime(TIME_FORMAT)

    # --- KeyedRowsModel -----------------------------------------------------------------------

    def header(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.TIME:
                return self.tr("Время")
            if column == Column.PHONE:
                return self.tr("Телефон")
            if column == Column.KIND:
                return self.tr("Вид")
            if column == Column.STATUS:
                return self.tr("Статус")
            return self.tr("Текст")
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.TIME:
                return self.tr("Когда сообщение поставлено в очередь (местное время)")
            if column == Column.STATUS:
                return self.tr("Наведите указатель на статус: число попыток и последняя ошибка")
        return None

    def foreground(self, row: OutboxRow, column: int) -> QColor | None:
        if column == Column.STATUS and row.status is SmsStatus.FAILED:
            return FAILED_COLOR
        return None

    def display(self, row: OutboxRow, column: int) -> str:
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

    def tooltip(self, row: OutboxRow, column: int) -> str | None:
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
