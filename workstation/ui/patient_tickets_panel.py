"""«ТАЛОНЫ ПАЦИЕНТА»: the right column of the booking screen.

The patient's tickets in three sections — «Активные талоны», «Ожидают подтверждения» (with the
time left to enter the SMS code, counted down each second) and «Прошлые посещения» — with
«Отменить» (also Delete, and F8 through the window), «Распечатать» (F9) and «Перенести».

The local tickets are read on the database worker; whatever reaches an institution's MIS (the
cancel, the past visits of ``GetPatientHistory``) runs on the hub worker, so a slow MIS never
holds up the screen's database reads. The past visits from the MIS are asked for only when the
operator presses «Показать прошлые посещения»: one network call per institution.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFont, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models.base import utc_now
from workstation.services.booking import Bookings
from workstation.services.booking.errors import BookingError
from workstation.services.booking.patient_tickets import (
    HUB_VISIT_LABEL,
    HubHistory,
    HubVisit,
    PatientTicket,
    PatientTickets,
    hub_history,
    patient_tickets,
    visits_not_ticketed,
)
from workstation.services.booking.tickets import TicketView
from workstation.services.tickets.dates import MONTHS_GENITIVE
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.ticket_print_actions import SourceActions, TicketPrintActions

AnyIndex = QModelIndex | QPersistentModelIndex
Clock = Callable[[], dt.datetime]
BookingsFactory = Callable[[], "Bookings | None"]

_NO_PARENT = QModelIndex()
_SECTION_ID = 0
"""``internalId`` of a section row; a ticket row's is its section's number + 1."""

TICKET_NUMBER_ROLE = int(Qt.ItemDataRole.UserRole) + 3
"""The ticket number of a row (str), or None (a section, a visit known only to the MIS)."""
ROW_DATA_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""The row's frozen value (``PatientTicket`` or ``HubVisit``), or None for a section."""

NO_HUB_TEXT = (
    "Нет подключения к сервису записи: не настроен адрес ЛПУ. Обратитесь в службу "
    "технической поддержки МИАЦ."
)


class Section(enum.IntEnum):
    ACTIVE = 0
    PENDING = 1
    PAST = 2


class Column(enum.IntEnum):
    VISIT = 0
    DOCTOR = 1
    NUMBER = 2
    STATE = 3


_HEADERS = {
    Column.VISIT: "Приём",
    Column.DOCTOR: "Врач",
    Column.NUMBER: "Талон",
    Column.STATE: "Состояние",
}

Row = PatientTicket | HubVisit


def visit_words(visit_start: dt.datetime) -> str:
    """«11 декабря 2015, 14:30», as the cancel dialog's title names the visit."""
    month = MONTHS_GENITIVE[visit_start.month - 1]
    return f"{visit_start.day} {month} {visit_start.year}, {visit_start:%H:%M}"


def countdown(left: dt.timedelta) -> str:
    """«59:07»: minutes and seconds (the code is accepted for an hour at most)."""
    seconds = max(0, int(left.total_seconds()))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class PatientTicketsModel(QAbstractItemModel):
    """Three section rows with the tickets under them; read-only.

    A load replaces the rows (a patient has a few dozen tickets at most, and the view puts the
    selection back by ticket number); the countdown of the tickets waiting for the SMS code
    redraws only their «Состояние» cells.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: dict[Section, list[Row]] = {section: [] for section in Section}
        self._now = utc_now()
        self._bold = QFont()
        self._bold.setBold(True)

    # --- public API -------------------------------------------------------------------------

    def set_tickets(
        self, tickets: PatientTickets, hub_visits: tuple[HubVisit, ...], now: dt.datetime
    ) -> None:
        """Show the patient's tickets (and the MIS's visits without a local ticket)."""
        self.beginResetModel()
        self._now = now
        self._rows = {
            Section.ACTIVE: list(tickets.active),
            Section.PENDING: list(tickets.pending),
            Section.PAST: self._past(tickets.past, hub_visits),
        }
        self.endResetModel()

    def clear(self) -> None:
        """Show the empty sections (no patient)."""
        self.set_tickets(PatientTickets(), (), utc_now())

    def tick(self, now: dt.datetime) -> None:
        """Count down: redraw the time left of the tickets waiting for the SMS code."""
        self._now = now
        pending = self._rows[Section.PENDING]
        if pending:
            parent = self.index(Section.PENDING, 0)
            self.dataChanged.emit(
                self.index(0, Column.STATE, parent),
                self.index(len(pending) - 1, Column.STATE, parent),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )

    def rows(self, section: Section) -> tuple[Row, ...]:
        """The rows of a section, top to bottom."""
        return tuple(self._rows[section])

    def section_of(self, index: AnyIndex) -> Section | None:
        """The section a ticket row is in (None for a section row or an invalid index)."""
        if not index.isValid() or index.model() is not self or index.internalId() == _SECTION_ID:
            return None
        return Section(index.internalId() - 1)

    def row_at(self, index: AnyIndex) -> Row | None:
        """The ticket or visit of a row (None for a section row)."""
        section = self.section_of(index)
        if section is None:
            return None
        rows = self._rows[section]
        return rows[index.row()] if 0 <= index.row() < len(rows) else None

    def index_of_ticket(self, number: str) -> QModelIndex:
        """The first cell of the row of ticket ``number`` (invalid when not shown)."""
        for section in Section:
            for position, row in enumerate(self._rows[section]):
                if isinstance(row, PatientTicket) and row.ticket_number == number:
                    return self.index(position, 0, self.index(section, 0))
        return QModelIndex()

    def section_title(self, section: Section) -> str:
        count = len(self._rows[section])
        if section is Section.ACTIVE:
            return f"Активные талоны ({count})" if count else "Нет активных талонов"
        if section is Section.PENDING:
            return (
                f"Ожидают подтверждения ({count})"
                if count
                else "Нет талонов, ожидающих подтверждения"
            )
        return f"Прошлые посещения ({count})" if count else "Прошлых посещений нет"

    # --- QAbstractItemModel -----------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = _NO_PARENT) -> QModelIndex:
        if not 0 <= column < len(Column):
            return QModelIndex()
        if not parent.isValid():
            if 0 <= row < len(Section):
                return self.createIndex(row, column, _SECTION_ID)
            return QModelIndex()
        if parent.internalId() != _SECTION_ID or parent.column() != 0:
            return QModelIndex()
        section = Section(parent.row())
        if 0 <= row < len(self._rows[section]):
            return self.createIndex(row, column, section + 1)
        return QModelIndex()

    def parent(self, index: AnyIndex = _NO_PARENT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _SECTION_ID:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _SECTION_ID)

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        if not parent.isValid():
            return len(Section)
        if parent.internalId() == _SECTION_ID and parent.column() == 0:
            return len(self._rows[Section(parent.row())])
        return 0

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return len(Column)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == _SECTION_ID:
            return Qt.ItemFlag.ItemIsEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return _HEADERS[Column(section)]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.model() is not self:
            return None
        if index.internalId() == _SECTION_ID:
            return self._section_data(Section(index.row()), index.column(), role)
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, Column(index.column()))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        if role == TICKET_NUMBER_ROLE:
            return row.ticket_number if isinstance(row, PatientTicket) else None
        if role == ROW_DATA_ROLE:
            return row
        return None

    # --- internals ----------------------------------------------------------------------------

    @staticmethod
    def _past(
        tickets: tuple[PatientTicket, ...], hub_visits: tuple[HubVisit, ...]
    ) -> list[Row]:
        rows: list[Row] = [*tickets, *hub_visits]
        rows.sort(key=lambda row: row.visit_start, reverse=True)
        return rows

    def _section_data(self, section: Section, column: int, role: int) -> Any:
        if column != 0:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.section_title(section)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        return None

    def _display(self, row: Row, column: Column) -> str:
        if column is Column.VISIT:
            return row.visit_label
        if column is Column.DOCTOR:
            return ", ".join(part for part in (row.doctor, row.specialty) if part)
        if isinstance(row, HubVisit):
            return "" if column is Column.NUMBER else HUB_VISIT_LABEL
        if column is Column.NUMBER:
            return f"№{row.ticket_number}"
        left = row.time_left(self._now)
        if left is None:
            return row.state_label
        return f"осталось {countdown(left)}" if left else "время подтверждения истекло"

    def _tooltip(self, row: Row) -> str:
        lines = []
        if isinstance(row, PatientTicket):
            lines.append(f"Талон №{row.ticket_number} — {self._display(row, Column.STATE)}")
        else:
            lines.append(f"Посещение {HUB_VISIT_LABEL} (талон выдан не на этом рабочем месте)")
        lines.append(f"Приём: {row.visit_label}")
        lines.append(f"Врач: {self._display(row, Column.DOCTOR)}")
        lines.append(f"Учреждение: {row.institution}")
        if isinstance(row, PatientTicket) and row.room:
            lines.append(f"Кабинет: {row.room}")
        return "\n".join(lines)


@dataclass(frozen=True)
class _NoHub:
    """The bookings factory had nothing: no hub is configured."""


class PatientTicketsPanel(QWidget):
    """The patient's tickets: cancel, print, reschedule; the past visits from the MIS."""

    ticketCancelled = Signal(str)
    """A ticket was cancelled at the hub and locally; its number."""

    rescheduleRequested = Signal(str)
    """The operator chose «Перенести» on an active ticket; its number (the booking screen
    then books a new time with ``reschedule_of``)."""

    message = Signal(str)
    """Text for the window's status line."""

    loaded = Signal()
    """The tickets of the current patient are shown."""

    hubHistoryLoaded = Signal(object)
    """The past visits from the MIS arrived (``HubHistory``)."""

    def __init__(
        self,
        worker: DatabaseWorker,
        hub_worker: DatabaseWorker,
        bookings_factory: BookingsFactory,
        ticket_actions: TicketPrintActions,
        parent: QWidget | None = None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientTicketsPanel")
        self._worker = worker
        self._hub_worker = hub_worker
        self._bookings_factory = bookings_factory
        self._ticket_actions = ticket_actions
        self._clock = clock
        self._patient_id: int | None = None
        self._tickets = PatientTickets()
        self._hub_history: HubHistory | None = None
        self._load_request: int | None = None
        self._hub_request: int | None = None
        self._cancelling: str | None = None
        self._cancel_dialog: QMessageBox | None = None
        self._error_box: QMessageBox | None = None
        self._expired_seen: set[str] = set()

        self._model = PatientTicketsModel(self)
        self._title = QLabel(self.tr("ТАЛОНЫ ПАЦИЕНТА"), self)
        self._view = QTreeView(self)
        self._cancel_button = QPushButton(self.tr("Отменить"), self)
        self._print_button = QPushButton(self.tr("Распечатать"), self)
        self._reschedule_button = QPushButton(self.tr("Перенести"), self)
        self._history_button = QPushButton(self.tr("Показать прошлые посещения"), self)
        self._status = QLabel(self)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._on_tick)
        self._source: SourceActions | None = None
        self._build()
        self._source = ticket_actions.add_source(self, self._printable_ticket)
        self._model.clear()
        self._after_reset()

    # --- public API -------------------------------------------------------------------------

    @property
    def model(self) -> PatientTicketsModel:
        return self._model

    @property
    def view(self) -> QTreeView:
        return self._view

    @property
    def cancel_button(self) -> QPushButton:
        return self._cancel_button

    @property
    def print_button(self) -> QPushButton:
        return self._print_button

    @property
    def reschedule_button(self) -> QPushButton:
        return self._reschedule_button

    @property
    def history_button(self) -> QPushButton:
        return self._history_button

    @property
    def status_label(self) -> QLabel:
        return self._status

    @property
    def patient_id(self) -> int | None:
        return self._patient_id

    @property
    def countdown_active(self) -> bool:
        """True while the time left to confirm is counted down (visible, something waiting)."""
        return self._countdown.isActive()

    @property
    def cancel_dialog(self) -> QMessageBox | None:
        """The «Отменить посещение…» question while it is open."""
        return _open(self._cancel_dialog)

    @property
    def error_box(self) -> QMessageBox | None:
        """The message of the last failed cancel while it is open."""
        return _open(self._error_box)

    @property
    def is_busy(self) -> bool:
        """True while tickets, the MIS history or a cancel are awaited."""
        return (
            self._load_request is not None
            or self._hub_request is not None
            or self._cancelling is not None
        )

    def set_patient(self, patient_id: int | None) -> None:
        """Show the tickets of ``patient_id`` (None: nobody is chosen)."""
        if patient_id == self._patient_id:
            self.refresh()
            return
        self._patient_id = patient_id
        self._tickets = PatientTickets()
        self._hub_history = None
        self._expired_seen.clear()
        if self._load_request is not None:
            self._worker.cancel(self._load_request)
        if self._hub_request is not None:
            self._hub_worker.cancel(self._hub_request)
        self._load_request = self._hub_request = None
        self._history_button.setText(self.tr("Показать прошлые посещения"))
        self._model.clear()
        self._after_reset()
        self._status.clear()
        self.refresh()

    def refresh(self) -> None:
        """Read the patient's tickets again."""
        if self._patient_id is None or not self._worker.is_running:
            return
        if self._load_request is not None:
            self._worker.cancel(self._load_request)  # its answer would be older than this one
        patient_id = self._patient_id
        now = self._clock()
        self._load_request = self._worker.submit(
            partial(_tickets_job, patient_id=patient_id, now=now),
            partial(self._on_loaded, patient_id),
            partial(self._on_load_failed, patient_id),
            owner=self,
        )

    def selected_ticket(self) -> str | None:
        """The number of the selected ticket (None: nothing, or a visit known only to the MIS)."""
        row = self._selected_row()
        return row.ticket_number if isinstance(row, PatientTicket) else None

    def cancel_selected(self) -> None:
        """«Отменить»: ask «Отменить посещение?» about the selected active ticket."""
        ticket = self._cancellable()
        if ticket is None:
            self._say(
                self.tr("Выберите активный талон в списке «ТАЛОНЫ ПАЦИЕНТА», затем отмените.")
            )
            return
        if self._cancelling is not None or self.cancel_dialog is not None:
            return
        box = QMessageBox(self)
        box.setObjectName("cancelVisitDialog")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(
            self.tr("Отменить посещение {0}").format(visit_words(ticket.visit_start))
        )
        box.setText(
            self.tr("Талон №{0}\nВрач: {1}, {2}").format(
                ticket.ticket_number, ticket.doctor, ticket.specialty
            )
        )
        box.setInformativeText(self.tr("Отменить посещение?"))
        no = box.addButton(self.tr("Нет"), QMessageBox.ButtonRole.NoRole)
        yes = box.addButton(self.tr("Да"), QMessageBox.ButtonRole.YesRole)
        no.setObjectName("cancelVisitNo")
        yes.setObjectName("cancelVisitYes")
        # Cancelling by mistake loses the patient's time: «Нет» is what Enter and Esc do.
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(partial(self._on_cancel_answered, box, yes, ticket.ticket_number))
        self._cancel_dialog = box
        box.open()  # not exec(): the workers' answers keep coming while it is open

    def pending_ticket(self) -> TicketView | None:
        """The ticket to enter the SMS code for (F7): the selected one if it waits for the
        code, else the one whose time runs out first; None when nothing waits."""
        row = self._selected_row()
        if isinstance(row, PatientTicket) and row in self._tickets.pending:
            return row.view()
        return self._tickets.pending[0].view() if self._tickets.pending else None

    def print_selected(self) -> None:
        """«Распечатать» (F9): the selected active ticket."""
        self._ticket_actions.run("print", self._source)  # it says what to do when none is

    def reschedule_selected(self) -> None:
        """«Перенести»: hand the selected active ticket to the booking screen."""
        ticket = self._selected_row()
        if not isinstance(ticket, PatientTicket) or not self._is_active(ticket):
            self._say(self.tr("Перенести можно только активный талон: выберите его в списке."))
            return
        self.rescheduleRequested.emit(ticket.ticket_number)

    def show_past_visits(self) -> None:
        """«Показать прошлые посещения»: ask every institution's MIS that knows the patient."""
        if self._patient_id is None or self._hub_request is not None:
            return
        if not self._hub_worker.is_running:
            return
        patient_id = self._patient_id
        self._history_button.setEnabled(False)
        self._history_button.setText(self.tr("Загрузка прошлых посещений…"))
        self._say(self.tr("Запрос истории посещений в медицинских организациях…"))
        self._hub_request = self._hub_worker.submit(
            partial(_history_job, factory=self._bookings_factory, patient_id=patient_id),
            partial(self._on_history, patient_id),
            partial(self._on_history_failed, patient_id),
            owner=self,
        )

    # --- loading ------------------------------------------------------------------------------

    def _on_loaded(self, patient_id: int, tickets: PatientTickets) -> None:
        if patient_id != self._patient_id:
            return
        self._load_request = None
        self._tickets = tickets
        self._show()
        self.loaded.emit()

    def _on_load_failed(self, patient_id: int, error: BaseException) -> None:
        if patient_id != self._patient_id:
            return
        self._load_request = None
        self._say(
            self.tr(
                "Не удалось прочитать талоны пациента: {0}. Повторите выбор пациента; если "
                "ошибка повторится, обратитесь в службу технической поддержки."
            ).format(describe_error(error))
        )

    def _on_history(self, patient_id: int, result: HubHistory | _NoHub) -> None:
        if patient_id != self._patient_id:
            return
        self._hub_request = None
        self._history_button.setEnabled(True)
        self._history_button.setText(self.tr("Обновить прошлые посещения"))
        if isinstance(result, _NoHub):
            self._say(self.tr(NO_HUB_TEXT))
            return
        self._hub_history = result
        self._show()
        found = len(visits_not_ticketed(self._tickets, result))
        text = self.tr("Прошлые посещения по данным ЛПУ: {0}.").format(found)
        if result.unreachable:
            places = "; ".join(
                f"{failure.institution} — {failure.reason}" for failure in result.unreachable
            )
            text += " " + self.tr("Не ответили: {0}").format(places)
        elif result.asked == 0:
            text = self.tr(
                "Пациент ещё не обращался в медицинские организации через сервис записи: "
                "истории посещений нет."
            )
        self._say(text)
        self.hubHistoryLoaded.emit(result)

    def _on_history_failed(self, patient_id: int, error: BaseException) -> None:
        if patient_id != self._patient_id:
            return
        self._hub_request = None
        self._history_button.setEnabled(True)
        self._history_button.setText(self.tr("Показать прошлые посещения"))
        self._say(
            self.tr(
                "Не удалось получить прошлые посещения: {0}. Повторите позже; если ошибка "
                "повторится, обратитесь в службу технической поддержки."
            ).format(describe_error(error))
        )

    def _show(self) -> None:
        selected = self.selected_ticket()
        hub_visits = (
            visits_not_ticketed(self._tickets, self._hub_history)
            if self._hub_history is not None
            else ()
        )
        self._model.set_tickets(self._tickets, hub_visits, self._clock())
        self._after_reset(selected)

    def _after_reset(self, selected: str | None = None) -> None:
        view = self._view
        for section in Section:
            view.setFirstColumnSpanned(section, _NO_PARENT, True)
        view.expandAll()
        index = self._model.index_of_ticket(selected) if selected else QModelIndex()
        if not index.isValid():
            index = self._first_ticket_index()
        if index.isValid():
            view.setCurrentIndex(index)
        self._update_actions()
        self._update_countdown()

    def _first_ticket_index(self) -> QModelIndex:
        for section in Section:
            parent = self._model.index(section, 0)
            if self._model.rowCount(parent):
                return self._model.index(0, 0, parent)
        return QModelIndex()

    # --- cancel -------------------------------------------------------------------------------

    def _on_cancel_answered(
        self, box: QMessageBox, yes: QAbstractButton, number: str, _result: int
    ) -> None:
        self._cancel_dialog = None
        if box.clickedButton() is not yes or not self._hub_worker.is_running:
            return
        self._cancelling = number
        self._update_actions()
        self._say(self.tr("Отмена посещения по талону №{0}…").format(number))
        self._hub_worker.submit(
            partial(_cancel_job, factory=self._bookings_factory, number=number),
            partial(self._on_cancelled, number),
            partial(self._on_cancel_failed, number),
            owner=self,
        )

    def _on_cancelled(self, number: str, result: TicketView | BookingError | _NoHub) -> None:
        self._cancelling = None
        self._update_actions()
        if isinstance(result, _NoHub):
            self._show_error(self.tr(NO_HUB_TEXT))
            return
        if isinstance(result, BookingError):
            self._show_error(result.message)
            self.refresh()  # the ticket may have changed meanwhile (annulled, cancelled)
            return
        self._say(self.tr("Посещение по талону №{0} отменено.").format(number))
        self.ticketCancelled.emit(number)
        self.refresh()

    def _on_cancel_failed(self, number: str, error: BaseException) -> None:
        self._cancelling = None
        self._update_actions()
        self._show_error(
            self.tr(
                "Не удалось отменить посещение по талону №{0}: {1}. Повторите отмену; если "
                "ошибка повторится, обратитесь в службу технической поддержки."
            ).format(number, describe_error(error))
        )
        self.refresh()

    def _show_error(self, text: str) -> None:
        self._say(text)
        box = self.error_box
        if box is None:
            box = QMessageBox(self)
            box.setObjectName("cancelVisitError")
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(self.tr("Отмена посещения"))
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self._error_box = box
            box.setText(text)
            box.open()
        else:
            box.setText(text)

    # --- selection and actions ----------------------------------------------------------------

    def _selected_row(self) -> PatientTicket | HubVisit | None:
        index = self._view.currentIndex()
        selection = self._view.selectionModel()
        if not index.isValid() or selection is None or not selection.isSelected(index):
            return None
        return self._model.row_at(index)

    def _is_active(self, ticket: PatientTicket) -> bool:
        return ticket in self._tickets.active

    def _cancellable(self) -> PatientTicket | None:
        row = self._selected_row()
        if not isinstance(row, PatientTicket):
            return None
        if row in self._tickets.active or row in self._tickets.pending:
            return row
        return None

    def _printable_ticket(self) -> str | None:
        # A past ticket is not handed to the patient again: only active and waiting ones print.
        ticket = self._cancellable()
        return ticket.ticket_number if ticket is not None else None

    def _update_actions(self, *_args: object) -> None:
        cancellable = self._cancellable()
        self._cancel_button.setEnabled(cancellable is not None and self._cancelling is None)
        self._cancel_action.setEnabled(self._cancel_button.isEnabled())
        self._print_button.setEnabled(cancellable is not None)
        row = self._selected_row()
        self._reschedule_button.setEnabled(
            isinstance(row, PatientTicket) and self._is_active(row)
        )
        self._history_button.setEnabled(
            self._patient_id is not None and self._hub_request is None
        )
        if self._source is not None and shiboken6.isValid(self._source):
            self._source.update()

    def _say(self, text: str) -> None:
        self._status.setText(text)
        self._status.setToolTip(text)
        self.message.emit(text)

    # --- countdown ----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_countdown()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._countdown.stop()

    def _update_countdown(self) -> None:
        if self.isVisible() and self._model.rows(Section.PENDING):
            if not self._countdown.isActive():
                self._countdown.start()
        else:
            self._countdown.stop()

    def _on_tick(self) -> None:
        if not self.isVisible():
            self._countdown.stop()
            return
        now = self._clock()
        self._model.tick(now)
        # A code no longer accepted: the annulment job closes the ticket soon; read it again
        # (once per ticket) so that the list says so without waiting for the operator.
        expired = {
            ticket.ticket_number
            for ticket in self._tickets.pending
            if ticket.time_left(now) == dt.timedelta(0)
        }
        if expired - self._expired_seen:
            self._expired_seen |= expired
            self.refresh()

    # --- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        title_font = self._title.font()
        title_font.setBold(True)
        self._title.setFont(title_font)

        view = self._view
        view.setObjectName("patientTicketsView")
        view.setAccessibleName(self.tr("Талоны пациента"))
        view.setModel(self._model)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setUniformRowHeights(True)
        view.setAlternatingRowColors(True)
        view.setAllColumnsShowFocus(True)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.VISIT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.DOCTOR, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.NUMBER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.STATE, QHeaderView.ResizeMode.ResizeToContents)
        view.selectionModel().currentChanged.connect(self._update_actions)
        view.selectionModel().selectionChanged.connect(self._update_actions)

        # Delete asks before cancelling, like «Отменить» (F8 is the window's, which calls
        # ``cancel_selected``): a key on the list never cancels without the question.
        self._cancel_action = QAction(self.tr("Отменить посещение"), self)
        self._cancel_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self._cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._cancel_action.triggered.connect(self.cancel_selected)
        view.addAction(self._cancel_action)

        for button, tip, slot in (
            (self._cancel_button, "Отменить посещение по выбранному талону (F8, Delete)",
             self.cancel_selected),
            (self._print_button, "Распечатать выбранный талон (F9)", self.print_selected),
            (self._reschedule_button, "Перенести запись по выбранному талону на другое время",
             self.reschedule_selected),
            (self._history_button, "Запросить прошлые посещения пациента в медицинских "
             "организациях", self.show_past_visits),
        ):
            button.setToolTip(self.tr(tip))
            button.setAutoDefault(False)  # Enter in the list never presses a button
            button.clicked.connect(slot)
        self._cancel_button.setObjectName("cancelTicketButton")
        self._print_button.setObjectName("printTicketButton")
        self._reschedule_button.setObjectName("rescheduleTicketButton")
        self._history_button.setObjectName("pastVisitsButton")

        self._status.setWordWrap(True)
        self._status.setTextFormat(Qt.TextFormat.PlainText)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self._cancel_button)
        buttons.addWidget(self._print_button)
        buttons.addWidget(self._reschedule_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._title)
        layout.addWidget(view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self._history_button)
        layout.addWidget(self._status)
        self._title.setBuddy(view)
        self.setFocusProxy(view)


def _open(box: QMessageBox | None) -> QMessageBox | None:
    return box if box is not None and shiboken6.isValid(box) and box.isVisible() else None


# --- jobs (on the workers' threads) ---------------------------------------------------------------


def _tickets_job(session: Session, *, patient_id: int, now: dt.datetime) -> PatientTickets:
    return patient_tickets(session, patient_id, now)


def _history_job(
    _session: Session, *, factory: BookingsFactory, patient_id: int
) -> HubHistory | _NoHub:
    bookings = factory()
    if bookings is None:
        return _NoHub()
    return hub_history(bookings.connector, bookings.database, patient_id)


def _cancel_job(
    _session: Session, *, factory: BookingsFactory, number: str
) -> TicketView | BookingError | _NoHub:
    """The refusal of a cancel is an answer, not a broken request: it comes back as the
    error object, so that the worker does not log it as a failure."""
    bookings = factory()
    if bookings is None:
        return _NoHub()
    try:
        return bookings.cancel(number)
    except BookingError as error:
        return error
