"""The «Талоны» dock: recent tickets, a search by number or surname, and printing of the selected
one (F9, Shift+F9, Ctrl+P, Ctrl+Shift+S).

A barcode scanner at the desk types the ticket number and Enter into the search field, which is
a search like any other: the exact match comes first and is selected, so F9 right after the scan
prints it. The list is read through the database worker, again every few seconds while the dock
is visible; a refresh merges the rows in place, so the selection and the place in the list stay.
``TicketListDock`` is the part shared with the journal dock.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTime, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workstation.services.tickets.listing import DEFAULT_TICKET_LIMIT, TicketRow, recent_tickets
from workstation.ui.db_worker import DatabaseWorker, Job, describe_error
from workstation.ui.keyed_rows_view import KeyedRowsView
from workstation.ui.ticket_print_actions import SourceActions, TicketPrintActions
from workstation.ui.tickets_model import (
    TICKET_NUMBER_ROLE,
    Column,
    KeyedRowsModel,
    TicketsModel,
)

DEFAULT_INTERVAL_MS = 10_000
"""How often a visible list reads its rows again."""

_CELL_PADDING = 24


class TicketListDock(QDockWidget):
    """A dock with a list whose rows may name a ticket, and the ticket printing actions."""

    refreshed = Signal()
    """The rows of a load are shown (and no further load was waiting for it)."""

    refreshFailed = Signal(str)
    """Loading failed; the text (also in the status line) is for the operator."""

    def __init__(
        self,
        worker: DatabaseWorker,
        print_actions: TicketPrintActions,
        model: KeyedRowsModel[Any],
        parent: QWidget | None = None,
        *,
        interval_ms: int = DEFAULT_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        self._worker = worker
        self._print_actions = print_actions
        self._model = model
        self._model.setParent(self)
        self._request_id: int | None = None
        self._again = False
        self._reset_pending = False
        self._reset_next = False

        self._view = KeyedRowsView(self)
        self._source = print_actions.add_source(self, self.current_ticket)
        self._status_label = QLabel(self)
        self._toolbar = QToolBar(self)
        self.refresh_action = QAction(self.tr("Обновить"), self)
        self._content = QWidget(self)
        self._layout = QVBoxLayout(self._content)
        self._build_view()
        self._build_toolbar()
        self._build_layout()

        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer)
        self.visibilityChanged.connect(self._on_visibility_changed)
        print_actions.printed.connect(self._on_print_message)
        print_actions.failed.connect(self._on_print_message)

    # --- public API -------------------------------------------------------------------------

    @property
    def model(self) -> KeyedRowsModel[Any]:
        """The table model."""
        return self._model

    @property
    def view(self) -> QTableView:
        """The table view."""
        return self._view

    @property
    def toolbar(self) -> QToolBar:
        """The buttons above the list."""
        return self._toolbar

    @property
    def status_label(self) -> QLabel:
        """The status line under the list."""
        return self._status_label

    @property
    def source_actions(self) -> SourceActions:
        """This list's own «Распечатать», «Просмотр», «Сохранить PDF» (the toolbar buttons)."""
        return self._source

    @property
    def print_actions(self) -> TicketPrintActions:
        """The printing actions the list uses."""
        return self._print_actions

    @property
    def is_refreshing(self) -> bool:
        """True while a load is waiting for the database."""
        return self._request_id is not None

    @property
    def auto_refresh_active(self) -> bool:
        """True while the periodic refresh runs (the dock is visible)."""
        return self._timer.isActive()

    def current_ticket(self) -> str | None:
        """The ticket number of the selected row, if the row names one."""
        index = self._view.currentIndex()
        if not index.isValid() or not self._view.selectionModel().isRowSelected(
            index.row(), index.parent()
        ):
            return None
        number = index.siblingAtColumn(0).data(TICKET_NUMBER_ROLE)
        return number if isinstance(number, str) and number else None

    @Slot()
    def refresh(self) -> None:
        """Read the rows now (after the load in progress, if there is one)."""
        self._load(reset=False)

    def focus_view(self) -> None:
        """Show the dock and put the keyboard focus on the list (on the current or first row)."""
        self.show()
        self.raise_()
        self._view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self._view.currentIndex().isValid() and self._model.rowCount() > 0:
            self._view.setCurrentIndex(self._model.index(0, 0))

    # --- for subclasses -----------------------------------------------------------------------

    def load_job(self) -> Job:
        """The database job that returns the rows to show."""
        raise NotImplementedError

    def describe(self, rows: list[Any]) -> str:
        """The status line after a load."""
        return self.tr("Строк: {0}").format(len(rows))

    def load_failed_text(self, reason: str) -> str:
        """The status line when a load failed."""
        return self.tr(
            "Не удалось обновить список: {0}. Список обновится сам через несколько секунд; если "
            "ошибка повторится, обратитесь в службу технической поддержки."
        ).format(reason)

    def column_widths(self) -> dict[int, int]:
        """Widths of the fixed columns (the last one stretches)."""
        return {}

    def add_top_widgets(self, layout: QVBoxLayout) -> None:
        """Put widgets above the toolbar (a search field)."""

    def rows_shown(self, *, reset: bool) -> None:
        """The rows of a load are in the model (``reset``: of a new query)."""

    # --- loading ------------------------------------------------------------------------------

    def _load(self, *, reset: bool) -> None:
        if not self._worker.is_running:
            self._timer.stop()  # the window is closing
            return
        if self._request_id is not None:
            self._again = True
            self._reset_pending = self._reset_pending or reset
            return
        self._reset_next = reset
        self._request_id = self._worker.submit(
            self.load_job(), self._on_loaded, self._on_failed, owner=self
        )

    def _on_loaded(self, rows: list[Any]) -> None:
        self._request_id = None
        if self._reset_next:
            self._model.reset_rows(rows)
            if rows:
                self._view.setCurrentIndex(self._model.index(0, 0))
                self._view.scrollToTop()
        else:
            anchor = self._view.top_anchor()
            self._model.set_rows(rows)
            self._view.restore_anchor(anchor, self._model)
        self._source.update()
        text = self.describe(rows)
        self._status_label.setText(text)
        self._status_label.setToolTip(
            self.tr("Обновлено в {0}").format(QTime.currentTime().toString("HH:mm:ss"))
        )
        self.rows_shown(reset=self._reset_next)
        self._after_load()

    def _on_failed(self, error: BaseException) -> None:
        self._request_id = None
        message = self.load_failed_text(describe_error(error))
        self._status_label.setText(message)
        self._status_label.setToolTip(message)
        self.refreshFailed.emit(message)
        self._after_load(emit=False)

    def _after_load(self, *, emit: bool = True) -> None:
        if self._again:
            reset = self._reset_pending
            self._again = False
            self._reset_pending = False
            self._load(reset=reset)
        elif emit:
            self.refreshed.emit()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.refresh()
            if self._worker.is_running:
                self._timer.start()
        else:
            self._timer.stop()

    def _on_timer(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._timer.stop()

    # --- printing -----------------------------------------------------------------------------

    def _on_print_message(self, message: str) -> None:
        if self._print_actions.active_source is self._source:
            self._status_label.setText(message)
            self._status_label.setToolTip(message)

    def context_menu(self) -> QMenu:
        """The list's context menu: the printing actions (on this list) and «Формат талона»."""
        self._print_actions.activate_source(self._source)
        menu = QMenu(self)
        menu.setObjectName("ticketContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for action in self._print_actions.shared_actions:
            menu.addAction(action)
        menu.addSeparator()
        menu.addMenu(self._print_actions.make_format_menu(menu))
        return menu

    def _show_context_menu(self, position: QPoint) -> None:
        self.context_menu().popup(self._view.viewport().mapToGlobal(position))

    # --- construction -------------------------------------------------------------------------

    def _build_view(self) -> None:
        view = self._view
        view.setModel(self._model)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setCornerButtonEnabled(False)
        view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._show_context_menu)
        view.selectionModel().currentChanged.connect(self._on_current_changed)
        view.selectionModel().selectionChanged.connect(self._on_current_changed)
        self._model.modelReset.connect(self._on_current_changed)

    def _on_current_changed(self, *_args: object) -> None:
        self._source.update()

    def _build_toolbar(self) -> None:
        toolbar = self._toolbar
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for action in self._source.actions:
            toolbar.addAction(action)
        format_button = QToolButton(toolbar)
        format_button.setObjectName("ticketFormatButton")
        format_button.setText(self.tr("Формат талона"))
        format_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        format_button.setMenu(self._print_actions.make_format_menu(format_button))
        toolbar.addSeparator()
        toolbar.addWidget(format_button)

        self.refresh_action.setShortcut(QKeySequence("Ctrl+R"))
        self.refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh_action.setToolTip(self.tr("Обновить список (Ctrl+R)"))
        self.refresh_action.triggered.connect(self.refresh)
        self.addAction(self.refresh_action)

    def _build_layout(self) -> None:
        header = self._view.horizontalHeader()
        header.setHighlightSections(False)
        widths = self.column_widths()
        for column, pixels in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, pixels)
        header.setStretchLastSection(True)

        self._status_label.setTextFormat(Qt.TextFormat.PlainText)
        self._status_label.setText(self.tr("Загрузка…"))
        self._status_label.setWordWrap(True)

        refresh_button = QToolButton(self._content)
        refresh_button.setDefaultAction(self.refresh_action)
        refresh_button.setAutoRaise(True)
        refresh_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self._status_label, 1)
        bottom.addWidget(refresh_button)

        layout = self._layout
        layout.setContentsMargins(2, 2, 2, 2)
        self.add_top_widgets(layout)
        layout.addWidget(self._toolbar)
        layout.addWidget(self._view, 1)
        layout.addLayout(bottom)
        self.setWidget(self._content)
        self.setFocusProxy(self._view)

    def text_width(self, *samples: str) -> int:
        """Pixels a column needs for the widest of ``samples``."""
        metrics = self._view.fontMetrics()
        return max(metrics.horizontalAdvance(sample) for sample in samples) + _CELL_PADDING


class TicketsDock(TicketListDock):
    """«Талоны»: recent tickets, a search by ticket number or surname, printing."""

    searched = Signal(str)
    """The rows of a new search are shown; the query."""

    def __init__(
        self,
        worker: DatabaseWorker,
        print_actions: TicketPrintActions,
        parent: QWidget | None = None,
        *,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        limit: int = DEFAULT_TICKET_LIMIT,
    ) -> None:
        self._limit = limit
        self._query = ""
        self._search_field = QLineEdit()
        super().__init__(worker, print_actions, TicketsModel(), parent, interval_ms=interval_ms)
        self.setWindowTitle(self.tr("Талоны"))
        # QMainWindow.saveState() needs the name to restore the dock's place.
        self.setObjectName("ticketsDock")
        self._view.setObjectName("ticketsView")
        self._search_field.returnPressed.connect(self._on_return_pressed)

    # --- public API -------------------------------------------------------------------------

    @property
    def search_field(self) -> QLineEdit:
        """The search field (ticket number or surname; Enter searches)."""
        return self._search_field

    @property
    def query(self) -> str:
        """The query of the rows shown."""
        return self._query

    def search(self, query: str) -> None:
        """Show the tickets matching ``query`` (all recent ones for an empty query)."""
        if self._search_field.text() != query:
            self._search_field.setText(query)
        self._query = query.strip()
        self._load(reset=True)

    def focus_search(self) -> None:
        """Show the dock and put the focus in the search field, its text selected."""
        self.show()
        self.raise_()
        self._search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search_field.selectAll()

    # --- TicketListDock -----------------------------------------------------------------------

    def load_job(self) -> Job:
        return partial(recent_tickets, query=self._query, limit=self._limit)

    def describe(self, rows: list[TicketRow]) -> str:
        if rows:
            if self._query:
                return self.tr("Найдено талонов: {0}").format(len(rows))
            return self.tr("Последние талоны: {0}").format(len(rows))
        if self._query:
            return self.tr(
                "По запросу «{0}» талонов нет. Проверьте номер талона или фамилию пациента."
            ).format(self._query)
        return self.tr("Талонов нет")

    def load_failed_text(self, reason: str) -> str:
        return self.tr(
            "Не удалось прочитать список талонов: {0}. Повторите поиск (Enter); если ошибка "
            "повторится, обратитесь в службу технической поддержки."
        ).format(reason)

    def column_widths(self) -> dict[int, int]:
        model = self._model

        def title(column: Column) -> str:
            return str(model.headerData(column, Qt.Orientation.Horizontal))

        return {
            Column.NUMBER: self.text_width("000000000", title(Column.NUMBER)),
            Column.STATE: self.text_width("ожидает кода из СМС", title(Column.STATE)),
            Column.VISIT: self.text_width("00.00.0000 00:00", title(Column.VISIT)),
            Column.PATIENT: self.text_width("Константинопольский К. К."),
            Column.SPECIALTY: self.text_width("Врач общей практики"),
            Column.DOCTOR: self.text_width("Константинопольская Анна Петровна"),
        }

    def rows_shown(self, *, reset: bool) -> None:
        if reset:
            self.searched.emit(self._query)

    def add_top_widgets(self, layout: QVBoxLayout) -> None:
        field = self._search_field
        field.setParent(self._content)
        field.setObjectName("ticketsSearch")
        field.setPlaceholderText(self.tr("Номер талона или фамилия пациента, Enter — найти"))
        field.setToolTip(
            self.tr(
                "Номер талона (целиком или начало; сканер штрихкода вводит его сам) или начало "
                "фамилии. Enter — найти, ↓ — к списку, F9 — распечатать выбранный талон."
            )
        )
        field.setClearButtonEnabled(True)
        field.installEventFilter(self)
        layout.addWidget(field)

    # --- internals ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self._search_field
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown)
            and self._model.rowCount() > 0
        ):
            self.focus_view()
            return True
        return super().eventFilter(watched, event)

    def _on_return_pressed(self) -> None:
        self.search(self._search_field.text())
        # The next scan replaces this number.
        self._search_field.selectAll()
