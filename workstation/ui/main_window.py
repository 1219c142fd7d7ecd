"""The workstation's main window: settlement selector on top, the institution tree below.

This is the frame later screens (booking, patient search, tickets) are added to; the tree and the
selector are the reusable parts the booking screen builds on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    qVersion,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url

from workstation import __version__
from workstation.services import directory
from workstation.services.database import Database
from workstation.services.directory import SettlementRow
from workstation.services.hub.endpoints import HubEndpoint
from workstation.ui import settings
from workstation.ui.background_sync import BackgroundSync
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.institution_tree_model import Column, InstitutionTreeModel
from workstation.ui.journal_dock import JournalDock
from workstation.ui.patient_panel import PatientPanel
from workstation.ui.periodic_job import PeriodicJob
from workstation.ui.settlement_selector import SettlementSelector
from workstation.ui.sms_outbox_dock import SmsOutboxDock
from workstation.ui.ticket_print_actions import TicketPrintActions
from workstation.ui.tickets_dock import TicketsDock

DEFAULT_SETTLEMENT = "Ханты-Мансийск"
SETTINGS_KEY = "main_window"
ADDRESS_COLUMN_WIDTH = 420
ERROR_MESSAGE_MS = 15_000
LIFECYCLE_INTERVAL_MS = 60_000
PATIENT_COLUMN_WIDTH = 340

# The keyboard map of operator-ux.md: (key, action, works in this version).
HOTKEYS: tuple[tuple[str, object, bool], ...] = (
    ("F1", QT_TRANSLATE_NOOP("HotkeysDialog", "Горячие клавиши (эта таблица)"), True),
    ("F2", QT_TRANSLATE_NOOP("HotkeysDialog", "Перейти к поиску пациента"), True),
    (
        "F3",
        QT_TRANSLATE_NOOP(
            "HotkeysDialog",
            "Перейти к поиску по расписанию (врач, специальность, отделение); "
            "пока — к дереву учреждений",
        ),
        True,
    ),
    (
        "F4",
        QT_TRANSLATE_NOOP("HotkeysDialog", "«Ближайшие свободные» по выбранной специальности"),
        False,
    ),
    (
        "Enter",
        QT_TRANSLATE_NOOP(
            "HotkeysDialog", "Выбрать / подтвердить; пока — выбор населенного пункта"
        ),
        True,
    ),
    ("F5", QT_TRANSLATE_NOOP("HotkeysDialog", "Обновить расписания из сервиса записи"), True),
    ("F6", QT_TRANSLATE_NOOP("HotkeysDialog", "Записаться на выбранное время"), False),
    ("F7", QT_TRANSLATE_NOOP("HotkeysDialog", "Ввести код подтверждения из СМС"), False),
    (
        "F8",
        QT_TRANSLATE_NOOP("HotkeysDialog", "Отменить выбранный талон (с подтверждением)"),
        False,
    ),
    ("F9", QT_TRANSLATE_NOOP("HotkeysDialog", "Распечатать выбранный талон"), True),
    ("F12", QT_TRANSLATE_NOOP("HotkeysDialog", "СМС-сообщения (исходящие)"), True),
    ("Shift+F9", QT_TRANSLATE_NOOP("HotkeysDialog", "Предварительный просмотр талона"), True),
    ("Ctrl+P", QT_TRANSLATE_NOOP("HotkeysDialog", "Выбрать принтер и распечатать талон"), True),
    ("Ctrl+Shift+S", QT_TRANSLATE_NOOP("HotkeysDialog", "Сохранить талон в PDF"), True),
    (
        "Ctrl+T",
        QT_TRANSLATE_NOOP("HotkeysDialog", "Найти талон по номеру или фамилии (сканер — сюда же)"),
        True,
    ),
    (
        "Ctrl+N",
        QT_TRANSLATE_NOOP(
            "HotkeysDialog", "Новый звонок: очистить пациента и фильтры («Очистить»)"
        ),
        False,
    ),
    ("Ctrl+L", QT_TRANSLATE_NOOP("HotkeysDialog", "Заблокировать рабочее место"), False),
    (
        "Esc",
        QT_TRANSLATE_NOOP("HotkeysDialog", "Закрыть диалог (шаг назад — планируется)"),
        True,
    ),
    (
        "←/→, PgUp/PgDn",
        QT_TRANSLATE_NOOP(
            "HotkeysDialog", "Предыдущий/следующий день, предыдущая/следующая неделя расписания"
        ),
        False,
    ),
    ("Alt+Н", QT_TRANSLATE_NOOP("HotkeysDialog", "Перейти к выбору населенного пункта"), True),
    ("Ctrl+Q", QT_TRANSLATE_NOOP("HotkeysDialog", "Выйти из программы"), True),
)


def describe_database(url: str) -> str:
    """Which database is in use, for the status bar: a SQLite file name or host/database."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return "SQLite (в памяти)"
        return f"SQLite: {Path(parsed.database).name}"
    name = {"postgresql": "PostgreSQL"}.get(backend, backend)
    host = parsed.host or "localhost"
    if parsed.port:
        host = f"{host}:{parsed.port}"
    return f"{name}: {host}/{parsed.database or ''}"


class HotkeysDialog(QDialog):
    """Help → «Горячие клавиши»: the keyboard map, the keys that work now marked as such."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hotkeysDialog")
        self.setWindowTitle(self.tr("Горячие клавиши"))
        self.table = QTableWidget(len(HOTKEYS), 3, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Клавиша"), self.tr("Действие"), self.tr("Состояние")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        works, planned = self.tr("работает"), self.tr("планируется")
        for row, (key, action, available) in enumerate(HOTKEYS):
            self.table.setItem(row, 0, QTableWidgetItem(key))
            self.table.setItem(
                row, 1, QTableWidgetItem(QCoreApplication.translate("HotkeysDialog", str(action)))
            )
            self.table.setItem(row, 2, QTableWidgetItem(works if available else planned))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(760, 520)


@dataclass
class _ExpandChain:
    """Expanding the first expandable child level by level, waiting for each lazy load."""

    depth: int
    done: Callable[[], None]
    depth_left: int = 0
    waiting_for: QPersistentModelIndex | None = None


class MainWindow(QMainWindow):
    """The operator's main window."""

    initialLoadFinished = Signal()
    """Settlements, the default settlement's institutions and the first institution are shown."""

    firstBranchExpanded = Signal()
    """``expand_first_branch()`` reached the doctors (or found nothing more to expand)."""

    lifecycleRan = Signal(object)
    """The booking lifecycle's background job finished a run (its ``JobReport``)."""

    loadFailed = Signal(str)
    """A load failed; the text (also in the status bar) tells the operator what to do."""

    def __init__(
        self,
        database: Database,
        *,
        banner: str | None = None,
        remember_geometry: bool = True,
        endpoints: list[HubEndpoint] | None = None,
        lifecycle_job: Callable[[], object] | None = None,
        lifecycle_interval_ms: int = LIFECYCLE_INTERVAL_MS,
        operator: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("АРМ оператора — Электронная регистратура ХМАО-Югры"))
        self.setMinimumSize(800, 500)
        self._database = database
        self._remember_geometry = remember_geometry
        self._loaded = False
        self._expand_after_load = False
        self._chain: _ExpandChain | None = None
        self._shut_down = False

        self._worker = DatabaseWorker(database, self)
        self._model = InstitutionTreeModel(self._worker, self)
        self._sync = BackgroundSync(database, endpoints or [], self)
        self._sms_dock = SmsOutboxDock(self._worker, self)
        # Tickets print from the «Талоны» list and the journal; «Выдал» is ``operator``.
        self._ticket_actions = TicketPrintActions(self._worker, operator, self)
        self._tickets_dock = TicketsDock(self._worker, self._ticket_actions, self)
        self._journal_dock = JournalDock(self._worker, self._ticket_actions, self)
        # The booking lifecycle's background job (annulments, reconciliation, SMS): off the GUI
        # thread and off the database worker, since it talks to the hubs.
        self._lifecycle: PeriodicJob | None = None
        if lifecycle_job is not None:
            self._lifecycle = PeriodicJob(
                lifecycle_job, lifecycle_interval_ms, self, name="booking-lifecycle"
            )

        self._selector = SettlementSelector(self)
        self._patient_panel = PatientPanel(self._worker, database, self)
        self._tree = QTreeView(self)
        self._build_central_widget()
        self._build_status_bar(banner)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._sms_dock)
        self._sms_dock.hide()  # restoreState() brings back the operator's last choice
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._tickets_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._journal_dock)
        self.tabifyDockWidget(self._sms_dock, self._journal_dock)
        self._tickets_dock.hide()
        self._journal_dock.hide()
        self._build_actions()

        self._sync.progressed.connect(self._on_sync_progress)
        self._sync.finished.connect(self._on_sync_finished)
        self._sync.failed.connect(self._on_sync_failed)
        self._worker.busyChanged.connect(self._loading_label.setVisible)
        self._worker.errorOccurred.connect(self._show_error)
        self._ticket_actions.printed.connect(self._show_hint)
        self._ticket_actions.saved.connect(
            lambda path: self._show_hint(self.tr("Талон сохранён: {0}").format(path))
        )
        self._ticket_actions.failed.connect(self._show_error)
        self._selector.settlementChosen.connect(self._on_settlement_chosen)
        self._selector.settlementConfirmed.connect(self._on_settlement_confirmed)
        self._selector.noMatch.connect(self._on_no_match)
        self._model.modelReset.connect(self._on_model_reset)
        self._model.topLevelLoaded.connect(self._on_top_level_loaded)
        self._model.childrenLoaded.connect(self._on_children_loaded)
        self._model.loadFailed.connect(self._on_load_failed)
        # A view fetches on expand only when it lays itself out; this also covers a hidden view
        # and expand() calls made before the first show.
        self._tree.expanded.connect(self._fetch_children)

        # Start in the tree, ready for the arrow keys; the settlement field is one Alt+Н away.
        self._tree.setFocus(Qt.FocusReason.OtherFocusReason)

        restored = remember_geometry and settings.restore_window(self, SETTINGS_KEY)
        if not restored:
            self.resize(1280, 720)
        if remember_geometry:
            settings.restore_header(self._tree.header(), SETTINGS_KEY)

        self._worker.submit(
            directory.list_settlements, self._on_settlements, self._on_settlements_failed,
            owner=self,
        )
        if self._lifecycle is not None:
            self._lifecycle.finished.connect(self._on_lifecycle_run)
            self._lifecycle.failed.connect(self._on_lifecycle_failed)
            self._lifecycle.start()
            self._lifecycle.run_now()  # reconcile what a crash left unfinished, at once

    # --- public API -------------------------------------------------------------------------

    @property
    def is_loaded(self) -> bool:
        """True once the initial load is done (see ``initialLoadFinished``)."""
        return self._loaded

    @property
    def worker(self) -> DatabaseWorker:
        """The database worker of this window."""
        return self._worker

    @property
    def tree(self) -> QTreeView:
        """The institution tree view."""
        return self._tree

    @property
    def tree_model(self) -> InstitutionTreeModel:
        """The institution tree model."""
        return self._model

    @property
    def settlement_selector(self) -> SettlementSelector:
        """The settlement selector of the top bar."""
        return self._selector

    @property
    def database_label(self) -> QLabel:
        """The status bar label naming the database."""
        return self._database_label

    @property
    def loading_label(self) -> QLabel:
        """The status bar «Загрузка…» indicator."""
        return self._loading_label

    @property
    def banner_label(self) -> QLabel:
        """The status bar banner (hidden when there is none)."""
        return self._banner_label

    def expand_first_branch(self) -> None:
        """Expand the first institution down to its first doctors; then ``firstBranchExpanded``."""
        if not self._loaded:
            self._expand_after_load = True
            return
        self._start_chain(3, self.firstBranchExpanded.emit)

    def focus_tree(self) -> None:
        """Put the keyboard focus on the tree, on the current row or the first one (F3)."""
        self._tree.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self._tree.currentIndex().isValid() and self._model.rowCount() > 0:
            self._tree.setCurrentIndex(self._model.index(0, 0))

    def show_hotkeys(self) -> HotkeysDialog:
        """Open Help → «Горячие клавиши» (non-blocking)."""
        dialog = HotkeysDialog(self)
        self._open_dialog(dialog)
        return dialog

    def show_about(self) -> QMessageBox:
        """Open Help → «О программе» (non-blocking)."""
        box = QMessageBox(self)
        box.setObjectName("aboutBox")
        box.setWindowTitle(self.tr("О программе"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.tr("АРМ оператора «Электронной регистратуры» ХМАО-Югры"))
        box.setInformativeText(
            self.tr("Версия {0}\nБаза данных: {1}\nQt {2}, PySide6 {3}").format(
                __version__, describe_database(self._database.url), qVersion(), pyside_version
            )
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        self._open_dialog(box)
        return box

    @property
    def ticket_actions(self) -> TicketPrintActions:
        """Printing of tickets (F9, Shift+F9, Ctrl+P, Ctrl+Shift+S) and the ticket format."""
        return self._ticket_actions

    @property
    def tickets_dock(self) -> TicketsDock:
        """The «Талоны» dock."""
        return self._tickets_dock

    @property
    def journal_dock(self) -> JournalDock:
        """The «Журнал событий» dock."""
        return self._journal_dock

    @property
    def patient_panel(self) -> PatientPanel:
        """The ПАЦИЕНТ column: search and identification of the caller."""
        return self._patient_panel

    @property
    def sms_dock(self) -> SmsOutboxDock:
        """The «СМС-сообщения» dock (the outbox)."""
        return self._sms_dock

    @property
    def lifecycle_job(self) -> PeriodicJob | None:
        """The booking lifecycle's background job, when the window runs one."""
        return self._lifecycle

    def show_sms_outbox(self) -> None:
        """Show the SMS outbox and put the focus in it (F12)."""
        self._sms_dock.show()
        self._sms_dock.raise_()
        self._sms_dock.focus_view()
        self._sms_dock.refresh()

    def _on_lifecycle_run(self, report: object) -> None:
        self.lifecycleRan.emit(report)
        if self._sms_dock.isVisible():
            self._sms_dock.refresh()

    def _on_lifecycle_failed(self, message: str) -> None:
        self._show_error(
            self.tr("Фоновая задача записи не выполнена: {0}. Она будет повторена через минуту.")
            .format(message)
        )

    @property
    def background_sync(self) -> BackgroundSync:
        """The schedule-cache sync behind the window."""
        return self._sync

    @property
    def sync_progress_bar(self) -> QProgressBar:
        """The status-bar progress of a running sync."""
        return self._sync_progress

    def start_sync(self) -> bool:
        """Refresh the schedule cache from the hubs in the background (F5)."""
        started = self._sync.start()
        if started:
            self._sync_progress.setRange(0, 0)
            self._sync_progress.setVisible(True)
        return started

    def _on_sync_progress(self, done: int, total: int, institution: str) -> None:
        self._sync_progress.setRange(0, total)
        self._sync_progress.setValue(done)
        self._sync_progress.setToolTip(institution)

    def _on_sync_finished(self, summary: str) -> None:
        self._sync_progress.setVisible(False)
        self.statusBar().showMessage(summary, ERROR_MESSAGE_MS)

    def _on_sync_failed(self, message: str) -> None:
        self._sync_progress.setVisible(False)
        self._show_error(message)

    def shutdown(self) -> None:
        """Stop the database worker (waits for a running query); safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self._chain = None
        self._sync.stop()
        if self._lifecycle is not None:
            self._lifecycle.stop(timeout=5.0)
        self._ticket_actions.wait(timeout=5.0)  # a ticket being printed reaches the printer
        self._worker.stop()

    # --- Qt overrides -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._remember_geometry:
            settings.save_window(self, SETTINGS_KEY)
            settings.save_header(self._tree.header(), SETTINGS_KEY)
        self.shutdown()
        super().closeEvent(event)

    # --- construction -------------------------------------------------------------------------

    def _build_central_widget(self) -> None:
        top_bar = QWidget(self)
        top_bar.setObjectName("topBar")
        top_layout = QHBoxLayout(top_bar)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self._selector)
        top_layout.addStretch(1)

        tree = self._tree
        tree.setObjectName("institutionTree")
        tree.setModel(self._model)
        tree.setAlternatingRowColors(True)
        tree.setUniformRowHeights(True)  # lets the view skip measuring every row of a big tree
        tree.setAnimated(False)
        tree.setAllColumnsShowFocus(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.ADDRESS, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.DOCTORS, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(Column.ADDRESS, ADDRESS_COLUMN_WIDTH)

        # The booking screen's columns (operator-ux.md): ПАЦИЕНТ | РАСПИСАНИЕ.
        columns = QSplitter(Qt.Orientation.Horizontal, self)
        columns.setObjectName("columns")
        columns.setChildrenCollapsible(False)
        columns.addWidget(self._patient_panel)
        columns.addWidget(tree)
        columns.setStretchFactor(0, 0)
        columns.setStretchFactor(1, 1)
        columns.setSizes([PATIENT_COLUMN_WIDTH, 1000])

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(top_bar)
        layout.addWidget(columns, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self, banner: str | None) -> None:
        status = self.statusBar()
        self._loading_label = QLabel(self.tr("Загрузка…"), self)
        self._loading_label.setObjectName("loadingLabel")
        self._loading_label.setVisible(False)
        self._banner_label = QLabel(banner or "", self)
        self._banner_label.setObjectName("bannerLabel")
        self._banner_label.setVisible(bool(banner))
        self._database_label = QLabel(
            self.tr("База данных: {0}").format(describe_database(self._database.url)), self
        )
        self._database_label.setObjectName("databaseLabel")
        self._database_label.setToolTip(make_url(self._database.url).render_as_string())
        self._sync_progress = QProgressBar(self)
        self._sync_progress.setObjectName("syncProgress")
        self._sync_progress.setMaximumWidth(260)
        self._sync_progress.setFormat(self.tr("Синхронизация %v/%m"))
        self._sync_progress.setVisible(False)
        status.addWidget(self._loading_label)
        status.addPermanentWidget(self._sync_progress)
        status.addWidget(self._banner_label, 1)
        status.addPermanentWidget(self._database_label)

    def _build_actions(self) -> None:
        self.quit_action = QAction(self.tr("В&ыход"), self)
        # Explicit Ctrl+Q: QKeySequence.Quit is empty on Windows.
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)

        self.focus_tree_action = QAction(self.tr("&Дерево учреждений"), self)
        self.focus_tree_action.setShortcut(QKeySequence(Qt.Key.Key_F3))
        self.focus_tree_action.triggered.connect(self.focus_tree)

        self.sync_action = QAction(self.tr("&Обновить расписания"), self)
        self.sync_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.sync_action.setEnabled(bool(self._sync.endpoints))
        self.sync_action.triggered.connect(self.start_sync)
        self.hotkeys_action = QAction(self.tr("&Горячие клавиши"), self)
        self.hotkeys_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.hotkeys_action.triggered.connect(self.show_hotkeys)

        self.sms_outbox_action = QAction(self.tr("&СМС-сообщения"), self)
        self.sms_outbox_action.setShortcut(QKeySequence(Qt.Key.Key_F12))
        self.sms_outbox_action.triggered.connect(self.show_sms_outbox)

        self.find_ticket_action = QAction(self.tr("&Найти талон…"), self)
        self.find_ticket_action.setShortcut(QKeySequence("Ctrl+T"))
        self.find_ticket_action.triggered.connect(self._tickets_dock.focus_search)
        self.journal_action = QAction(self.tr("&Журнал событий"), self)
        self.journal_action.triggered.connect(self._journal_dock.focus_view)

        self.about_action = QAction(self.tr("&О программе"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)

        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu(self.tr("&Файл"))
        file_menu.addAction(self.quit_action)
        go_menu = menu_bar.addMenu(self.tr("&Переход"))
        go_menu.addAction(self._patient_panel.focus_search_action)
        go_menu.addAction(self.focus_tree_action)
        go_menu.addAction(self.sync_action)
        go_menu.addAction(self.sms_outbox_action)
        tickets_menu = menu_bar.addMenu(self.tr("&Талоны"))
        tickets_menu.addAction(self.find_ticket_action)
        tickets_menu.addAction(self.journal_action)
        tickets_menu.addSeparator()
        tickets_menu.addActions(list(self._ticket_actions.shared_actions))
        tickets_menu.addSeparator()
        tickets_menu.addMenu(self._ticket_actions.make_format_menu(tickets_menu))
        help_menu = menu_bar.addMenu(self.tr("&Справка"))
        help_menu.addAction(self.hotkeys_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _open_dialog(self, dialog: QWidget) -> None:
        # open(), not exec(): a modal loop inside a slot would stall the worker's callbacks.
        # The window (the dialog's parent) keeps it alive until it is closed.
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(dialog, QDialog):
            dialog.open()
        else:
            dialog.show()

    # --- loading ------------------------------------------------------------------------------

    def _on_settlements(self, rows: list[SettlementRow]) -> None:
        self._selector.set_settlements(rows)
        if not rows:
            self._show_hint(
                self.tr(
                    "В базе данных нет населенных пунктов: загрузите справочник "
                    "или обратитесь в техническую поддержку."
                )
            )
            self._finish_initial_load()
            return
        default = self._selector.find_settlement(DEFAULT_SETTLEMENT)
        if default is None:
            default = rows[0].id
        self._selector.select_settlement(default)

    def _on_settlements_failed(self, error: BaseException) -> None:
        self._report_failure(
            self.tr(
                "Не удалось загрузить список населенных пунктов: {0}. Проверьте подключение к "
                "базе данных и перезапустите программу; если не поможет, обратитесь в "
                "техническую поддержку."
            ).format(describe_error(error))
        )

    def _on_settlement_chosen(self, settlement_id: int) -> None:
        self._model.set_settlement(settlement_id)

    def _on_settlement_confirmed(self, settlement_id: int) -> None:
        # Choosing the same settlement again retries a top level that failed to load; a loaded
        # tree is left alone so that the operator keeps the place.
        root = QModelIndex()
        if not self._model.is_top_level_loaded and not self._model.is_loading(root):
            self._model.set_settlement(settlement_id)

    def _on_no_match(self, text: str) -> None:
        self._show_hint(
            self.tr("Населенный пункт «{0}» не найден: уточните название.").format(text)
        )

    def _fetch_children(self, index: QModelIndex) -> None:
        if self._model.canFetchMore(index):
            self._model.fetchMore(index)

    def _on_model_reset(self) -> None:
        if self._chain is not None:
            # The rows the chain waits for are gone; it restarts on the new top level.
            self._chain.waiting_for = None

    def _on_top_level_loaded(self) -> None:
        if self._model.rowCount() > 0:
            self._tree.setCurrentIndex(self._model.index(0, 0))
        else:
            settlement = self._selector.settlement
            self._show_hint(
                self.tr(
                    "В населенном пункте «{0}» нет учреждений, подключенных к записи: "
                    "выберите другой населенный пункт."
                ).format(settlement.name if settlement is not None else "")
            )
        if self._chain is not None:
            chain, self._chain = self._chain, None
            self._start_chain(chain.depth, chain.done)
        elif not self._loaded:
            self._start_chain(1, self._finish_initial_load)

    def _finish_initial_load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        self.initialLoadFinished.emit()
        if self._expand_after_load:
            self._expand_after_load = False
            self.expand_first_branch()

    def _on_load_failed(self, parent: QModelIndex, message: str) -> None:
        if parent.isValid():
            self._tree.collapse(parent)  # expanding it again retries
        if self._chain is not None and (
            not parent.isValid() or self._chain.waiting_for == QPersistentModelIndex(parent)
        ):
            self._chain = None
        self._report_failure(message)

    def _report_failure(self, message: str) -> None:
        self._show_error(message)
        self.loadFailed.emit(message)

    def _show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, ERROR_MESSAGE_MS)

    def _show_hint(self, message: str) -> None:
        self.statusBar().showMessage(message, ERROR_MESSAGE_MS)

    # --- expanding the first branch -------------------------------------------------------------

    def _start_chain(self, depth: int, done: Callable[[], None]) -> None:
        self._chain = _ExpandChain(depth=depth, done=done, depth_left=depth)
        if self._model.is_top_level_loaded:
            self._advance_chain(QModelIndex())
        # else: _on_top_level_loaded() starts it again

    def _advance_chain(self, parent: QModelIndex) -> None:
        chain = self._chain
        if chain is None:
            return
        child = self._first_expandable_child(parent)
        if child is None or chain.depth_left <= 0:
            self._chain = None
            chain.done()
            return
        chain.depth_left -= 1
        self._tree.expand(child)
        if self._model.is_loaded(child):
            self._advance_chain(child)
            return
        chain.waiting_for = QPersistentModelIndex(child)
        self._fetch_children(child)

    def _on_children_loaded(self, parent: QModelIndex) -> None:
        chain = self._chain
        if chain is None or chain.waiting_for is None:
            return
        if chain.waiting_for == QPersistentModelIndex(parent):
            chain.waiting_for = None
            self._advance_chain(parent)

    def _first_expandable_child(self, parent: QModelIndex) -> QModelIndex | None:
        for row in range(self._model.rowCount(parent)):
            child = self._model.index(row, 0, parent)
            if self._model.hasChildren(child):
                return child
        return None
