"""The «Журнал событий» dock: journal lines newest first, and reprint of the ticket a line names.

The manual's journal shows date, address and action; here also who did it. A line whose action
names a ticket («Запись на прием Талон №100000001, 14.08.2015 10:30») can be printed again with
the same keys as in the «Талоны» list (F9, Shift+F9, Ctrl+P, Ctrl+Shift+S). The list is read
through the database worker, again every few seconds while the dock is visible.
"""

from __future__ import annotations

import datetime as dt
import enum
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from workstation.services.tickets.listing import DEFAULT_JOURNAL_LIMIT, JournalRow, ticket_events
from workstation.ui.db_worker import DatabaseWorker, Job
from workstation.ui.keyed_rows_model import KeyedRowsModel
from workstation.ui.ticket_print_actions import TicketPrintActions
from workstation.ui.tickets_dock import DEFAULT_INTERVAL_MS, TicketListDock

TIME_FORMAT = "%d.%m.%Y %H:%M:%S"


class JournalColumn(enum.IntEnum):
    """Columns of the journal table."""

    TIME = 0
    OPERATOR = 1
    ADDRESS = 2
    ACTION = 3


class JournalModel(KeyedRowsModel[JournalRow]):
    """Journal lines newest first: date and time, operator, workstation address, action."""

    column_count = len(JournalColumn)

    def __init__(self, parent: QObject | None = None, *, tz: dt.tzinfo | None = None) -> None:
        """``tz``: the zone times are shown in; the computer's local zone by default."""
        super().__init__(parent)
        self._tz = tz

    def format_time(self, moment: dt.datetime) -> str:
        """``dd.mm.yyyy HH:MM:SS`` in the model's time zone."""
        return moment.astimezone(self._tz).strftime(TIME_FORMAT)

    def display(self, row: JournalRow, column: int) -> str:
        if column == JournalColumn.TIME:
            return self.format_time(row.at)
        if column == JournalColumn.OPERATOR:
            return row.operator
        if column == JournalColumn.ADDRESS:
            return row.workstation_address
        return " ".join(row.action.split())

    def tooltip(self, row: JournalRow, column: int) -> str | None:
        if column != JournalColumn.ACTION:
            return None
        lines = [row.action]
        if row.details:
            lines.append(row.details)
        if row.ticket_number is not None:
            lines.append(
                self.tr("Талон №{0}: F9 — распечатать, Shift+F9 — просмотр").format(
                    row.ticket_number
                )
            )
        return "\n".join(lines)

    def ticket_number(self, row: JournalRow) -> str | None:
        return row.ticket_number

    def header(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            titles = {
                JournalColumn.TIME: self.tr("Дата"),
                JournalColumn.OPERATOR: self.tr("Оператор"),
                JournalColumn.ADDRESS: self.tr("Адрес рабочего места"),
                JournalColumn.ACTION: self.tr("Действие"),
            }
            return titles[JournalColumn(column)]
        if role == Qt.ItemDataRole.ToolTipRole and column == JournalColumn.TIME:
            return self.tr("Когда выполнено действие (местное время)")
        return None


class JournalDock(TicketListDock):
    """«Журнал событий», with reprint of the ticket of the selected line."""

    def __init__(
        self,
        worker: DatabaseWorker,
        print_actions: TicketPrintActions,
        parent: QWidget | None = None,
        *,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        limit: int = DEFAULT_JOURNAL_LIMIT,
        model: JournalModel | None = None,
    ) -> None:
        self._limit = limit
        super().__init__(
            worker,
            print_actions,
            model if model is not None else JournalModel(),
            parent,
            interval_ms=interval_ms,
        )
        self.setWindowTitle(self.tr("Журнал событий"))
        self.setObjectName("journalDock")
        self._view.setObjectName("journalView")

    def load_job(self) -> Job:
        return partial(ticket_events, limit=self._limit)

    def describe(self, rows: list[JournalRow]) -> str:
        if not rows:
            return self.tr("Записей в журнале нет")
        text = self.tr("Последние записи журнала: {0}").format(len(rows))
        return text + self.tr(" · строку с номером талона можно распечатать (F9)")

    def load_failed_text(self, reason: str) -> str:
        return self.tr(
            "Не удалось прочитать журнал: {0}. Журнал обновится сам через несколько секунд; "
            "если ошибка повторится, обратитесь в службу технической поддержки."
        ).format(reason)

    def column_widths(self) -> dict[int, int]:
        model = self._model

        def title(column: JournalColumn) -> str:
            return str(model.headerData(column, Qt.Orientation.Horizontal))

        return {
            JournalColumn.TIME: self.text_width("00.00.0000 00:00:00", title(JournalColumn.TIME)),
            JournalColumn.OPERATOR: self.text_width("Константинопольская А. А."),
            JournalColumn.ADDRESS: self.text_width("reg-01 (000.000.000.000)"),
        }
