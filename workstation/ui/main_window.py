"""The workstation's main window: the booking screen of operator-ux.md.

Settlement selector on top; three columns: ПАЦИЕНТ (search and identification), РАСПИСАНИЕ
(institution, filters, the schedule tree, the doctor's week or the earliest free slots, the held
slot) with the institution directory as a second tab, and ТАЛОНЫ ПАЦИЕНТА. The SMS outbox, the
ticket list and the journal are docks. The booking flow itself (hold, book, SMS code, the
alternatives to a taken slot) runs through ``BookingController`` on a thread of its own.
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
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url

from workstation import __version__
from workstation.models import AppointmentState
from workstation.services import directory
from workstation.services.booking import Bookings
from workstation.services.booking.tickets import TicketView
from workstation.services.database import Database
from workstation.services.directory import SettlementRow
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.hub.routing import build_connector
from workstation.services.journal import Actor
from workstation.services.patient_registry import FormField
from workstation.services.staff import POLICY, Permission, SignedInStaff
from workstation.ui import settings
from workstation.ui.background_sync import BackgroundSync
from workstation.ui.booking_controller import NO_PATIENT_HINT, BookingController
from workstation.ui.booking_dialogs import (
    AlternativesDialog,
    ConfirmationCodeDialog,
    TicketIssuedDialog,
)
from workstation.ui.cabinet_account_dialog import CabinetAccountDialog
from workstation.ui.change_password_dialog import ChangePasswordDialog
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.directory_panel import DirectoryPanel
from workstation.ui.district_search import DistrictSearchPanel
from workstation.ui.feedback_dock import FeedbackDock
from workstation.ui.hold_bar import HoldBar
from workstation.ui.hub_status_widget import HubStatusWidget
from workstation.ui.info_pages import InfoPagesWidget
from workstation.ui.institution_tree_model import Column, InstitutionTreeModel
from workstation.ui.journal_dock import JournalDock
from workstation.ui.lock_screen import IdleWatcher, LockScreen
from workstation.ui.patient_cabinet import PatientCabinet
from workstation.ui.patient_panel import PatientPanel
from workstation.ui.patient_tickets_panel import PatientTicketsPanel
from workstation.ui.periodic_job import PeriodicJob
from workstation.ui.schedule_panel import SchedulePanel
from workstation.ui.settlement_selector import SettlementSelector
from workstation.ui.sms_outbox_dock import SmsOutboxDock
from workstation.ui.staff_admin_dialog import StaffAdminDialog
from workstation.ui.ticket_print_actions import TicketPrintActions
from workstation.ui.tickets_dock import TicketsDock

DEFAULT_SETTLEMENT = "Ханты-Мансийск"
SETTINGS_KEY = "main_window"
ADDRESS_COLUMN_WIDTH = 420
ERROR_MESSAGE_MS = 15_000
LIFECYCLE_INTERVAL_MS = 60_000
PATIENT_COLUMN_WIDTH = 330
TICKETS_COLUMN_WIDTH = 300
SCHEDULE_TAB, CABINET_TAB, INSTITUTIONS_TAB, DISTRICT_TAB, DIRECTORY_TAB = 0, 1, 2, 3, 4

# The keyboard map of operator-ux.md: (key, action, works in this version).
HOTKEYS: tuple[tuple[str, object, bool], ...] = (
    ("F1", QT_TRANSLATE_NOOP("HotkeysDialog", "Горячие клавиши (эта таблица)"), True),
    ("F2", QT_TRANSLATE_NOOP("HotkeysDialog", "Перейти к поиску пациента"), True),
    (
        "F3",
        QT_TRANSLATE_NOOP(
            "HotkeysDialog", "Перейти к поиску по расписанию (ФИО врача; Tab — специальность, "
            "отделение)"
        ),
        True,
    ),
    (
        "F4",
        QT_TRANSLATE_NOOP("HotkeysDialog", "«Ближайшие свободные» по выбранной специальности; "
                          "Shift+F4 — по всему населенному пункту"),
        True,
    ),
    (
        "Enter",
        QT_TRANSLATE_NOOP(
            "HotkeysDialog",
            "Выбрать / подтвердить: врач — его ближайшее время, свободное время — удержать",
        ),
        True,
    ),
    ("F5", QT_TRANSLATE_NOOP("HotkeysDialog", "Обновить расписания из сервиса записи"), True),
    ("Shift+F5", QT_TRANSLATE_NOOP("HotkeysDialog", "Остановить обновление расписаний"), True),
    ("F6", QT_TRANSLATE_NOOP("HotkeysDialog", "Записаться на удерживаемое время"), True),
    ("F7", QT_TRANSLATE_NOOP("HotkeysDialog", "Ввести код подтверждения из СМС"), True),
    (
        "F8",
        QT_TRANSLATE_NOOP("HotkeysDialog", "Отменить выбранный талон (с подтверждением)"),
        True,
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
            "HotkeysDialog", "Новый звонок: отпустить время, очистить пациента и фильтры"
        ),
        True,
    ),
    ("Ctrl+L", QT_TRANSLATE_NOOP("HotkeysDialog", "Заблокировать рабочее место"), True),
    (
        "Esc",
        QT_TRANSLATE_NOOP("HotkeysDialog", "Закрыть диалог; в строке записи — отпустить время"),
        True,
    ),
    (
        "←/→, PgUp/PgDn",
        QT_TRANSLATE_NOOP(
            "HotkeysDialog", "Предыдущий/следующий день, предыдущая/следующая неделя расписания"
        ),
        True,
    ),
    ("Ctrl+Shift+I", QT_TRANSLATE_NOOP("HotkeysDialog", "Список медицинских учреждений"), True),
    ("Ctrl+Shift+U", QT_TRANSLATE_NOOP("HotkeysDialog", "Поиск участка"), True),
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


def _default_bookings(
    database: Database, endpoints: list[HubEndpoint], operator: str
) -> Callable[[], Bookings]:
    """The booking service of this workstation, built on first use (on the hub thread)."""

    def build() -> Bookings:
        system = Actor.system()
        actor = Actor(operator=operator or system.operator, workstation=system.workstation)
        return Bookings(database, build_connector(database, endpoints), actor=actor)

    return build


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
        bookings_factory: Callable[[], Bookings] | None = None,
        staff: SignedInStaff | None = None,
        idle_lock_ms: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("АРМ оператора — Электронная регистратура ХМАО-Югры"))
        self.setMinimumSize(800, 500)
        self._database = database
        self._remember_geometry = remember_geometry
        self._loaded = False
        # The initial load ends when both the directory tree and the schedule column are shown.
        self._directory_ready = False
        self._schedule_ready = False
        self._expand_after_load = False
        self._chain: _ExpandChain | None = None
        self._shut_down = False
        # Who signed in; None: nobody (tests, the screenshot), and nothing is gated or locked.
        self._staff = staff
        if staff is not None and not operator:
            operator = staff.actor().operator

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

        # Who the journal names for what is done in this window.
        system = Actor.system()
        self._actor = (
            staff.actor() if staff is not None
            else Actor(operator or system.operator, system.workstation)
        )
        self._selector = SettlementSelector(self)
        self._patient_panel = PatientPanel(self._worker, database, self, actor=self._actor)
        self._tree = QTreeView(self)
        # The booking flow: its hub calls run on a thread of their own (BookingController).
        if bookings_factory is None and endpoints:
            bookings_factory = _default_bookings(database, list(endpoints), operator)
        self._booking = BookingController(database, bookings_factory, self)
        self._schedule = SchedulePanel(self._worker, self)
        self._hold_bar = HoldBar(self)
        self._patient_tickets = PatientTicketsPanel(
            self._worker, self._booking.hub_worker, self._booking.bookings,
            self._ticket_actions, self,
        )
        self._reschedule_of: str | None = None
        self._code_dialog: ConfirmationCodeDialog | None = None
        # The patient's cabinet as the operator sees it on a call (its own booking thread).
        self._cabinet = PatientCabinet(
            self._worker, database, bookings_factory, self._ticket_actions, actor=self._actor,
            parent=self,
        )
        # «Список медицинских учреждений» and «Поиск участка» (GetPatientsAreas on the booking
        # screen's hub thread, which is idle between bookings).
        self._directory = DirectoryPanel(self._worker, self)
        hub_endpoints = list(endpoints or [])
        self._district_search = DistrictSearchPanel(
            self._worker, hub_worker=self._booking.hub_worker,
            connector_factory=(
                (lambda: build_connector(database, hub_endpoints)) if hub_endpoints else None
            ),
            parent=self,
        )
        self._feedback_dock = FeedbackDock(self._worker, actor=self._actor, parent=self)
        self._feedback_dock.setObjectName("feedbackDock")
        self._build_central_widget()
        self._build_status_bar(banner)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._sms_dock)
        self._sms_dock.hide()  # restoreState() brings back the operator's last choice
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._tickets_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._journal_dock)
        self.tabifyDockWidget(self._sms_dock, self._journal_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._feedback_dock)
        self.tabifyDockWidget(self._journal_dock, self._feedback_dock)
        self._tickets_dock.hide()
        self._journal_dock.hide()
        self._feedback_dock.hide()
        self._build_actions()
        self._build_staff_controls(idle_lock_ms)

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
        self._connect_booking()
        self._selector.settlementConfirmed.connect(self._on_settlement_confirmed)
        self._selector.noMatch.connect(self._on_no_match)
        self._model.modelReset.connect(self._on_model_reset)
        self._model.topLevelLoaded.connect(self._on_top_level_loaded)
        self._model.childrenLoaded.connect(self._on_children_loaded)
        self._model.loadFailed.connect(self._on_load_failed)
        # A view fetches on expand only when it lays itself out; this also covers a hidden view
        # and expand() calls made before the first show.
        self._tree.expanded.connect(self._fetch_children)

        # A call starts with the caller: start in the patient search (F2 brings it back).
        self._patient_panel.search_field.setFocus(Qt.FocusReason.OtherFocusReason)

        restored = remember_geometry and settings.restore_window(self, SETTINGS_KEY)
        if not restored:
            self.resize(1280, 720)
        if remember_geometry:
            settings.restore_header(self._tree.header(), SETTINGS_KEY)

        self._worker.submit(
            directory.list_settlements, self._on_settlements, self._on_settlements_failed,
            owner=self,
        )
        self._hub_status.refresh()
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
        """Show the institution directory and focus its tree (current row or the first one)."""
        self._middle.setCurrentIndex(DIRECTORY_TAB)
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
    def staff(self) -> SignedInStaff | None:
        """Who is signed in; None when nobody is (tests, the screenshot)."""
        return self._staff

    def allowed(self, permission: Permission) -> bool:
        """True when the signed-in role may do ``permission`` (always, with nobody signed in)."""
        return self._staff is None or self._staff.can(permission)

    @property
    def lock_screen(self) -> LockScreen | None:
        """The overlay of the locked window (None with nobody signed in)."""
        return self._lock_screen

    @property
    def idle_watcher(self) -> IdleWatcher | None:
        """The idle timer that locks the window (None with nobody signed in)."""
        return self._idle

    @property
    def is_locked(self) -> bool:
        return self._lock_screen is not None and self._lock_screen.is_locked

    def lock(self) -> bool:
        """Ctrl+L and idle time: cover the window until the signed-in person's password is
        typed again; False with nobody signed in (nobody could unlock it)."""
        if self._lock_screen is None or self._staff is None:
            return False
        if self._idle is not None:
            self._idle.stop()
        self._lock_screen.lock(self._staff)
        return True

    def show_change_password(self) -> ChangePasswordDialog | None:
        """«Файл → Сменить пароль…» for the signed-in person (non-blocking)."""
        if self._staff is None:
            return None
        dialog = ChangePasswordDialog(self._worker, self._staff, self._staff.actor(), self)
        dialog.accepted.connect(lambda: self._show_hint(self.tr("Пароль изменен.")))
        self._open_dialog(dialog)
        return dialog

    def show_staff_admin(self) -> StaffAdminDialog | None:
        """«Администрирование → Сотрудники…» (administrators only; non-blocking)."""
        if self._staff is None or not self._staff.can(Permission.MANAGE_STAFF):
            return None
        dialog = StaffAdminDialog(self._worker, self._staff, self)
        self._open_dialog(dialog)
        return dialog

    @property
    def lifecycle_job(self) -> PeriodicJob | None:
        """The booking lifecycle's background job, when the window runs one."""
        return self._lifecycle

    # --- the booking flow ---------------------------------------------------------------------

    @property
    def schedule_panel(self) -> SchedulePanel:
        """The РАСПИСАНИЕ column."""
        return self._schedule

    @property
    def hub_status(self) -> HubStatusWidget:
        """The status bar's connection dots and the cached schedule's age."""
        return self._hub_status

    @property
    def hold_bar(self) -> HoldBar:
        """The held slot, its countdown and «Записаться»."""
        return self._hold_bar

    @property
    def booking(self) -> BookingController:
        """The booking flow (hold, book, confirm) and its hub thread."""
        return self._booking

    @property
    def patient_tickets(self) -> PatientTicketsPanel:
        """The ТАЛОНЫ ПАЦИЕНТА column."""
        return self._patient_tickets

    @property
    def confirmation_dialog(self) -> ConfirmationCodeDialog | None:
        """The open «Введите код подтверждения» dialog, if any."""
        return self._code_dialog

    def focus_schedule_search(self) -> None:
        """F3: the schedule tab, the doctor's-name filter."""
        self._middle.setCurrentIndex(SCHEDULE_TAB)
        self._schedule.focus_search()

    def show_earliest_free(self, *, whole_settlement: bool = False) -> None:
        """F4 (Shift+F4 for the whole settlement): the earliest free slots of the specialty."""
        self._middle.setCurrentIndex(SCHEDULE_TAB)
        self._schedule.show_earliest_free(whole_settlement=whole_settlement)

    def hold_slot(self, slot_id: int) -> bool:
        """Hold a chosen free slot for the current patient; False (and a hint) without one."""
        patient_id = self._patient_panel.patient_id
        if patient_id is None:
            self._show_hint(self.tr(NO_PATIENT_HINT))
            self._patient_panel.focus_search()
            return False
        if not self._booking.available:
            self._booking.failed.emit(
                self.tr("Запись недоступна: не настроено подключение к сервису записи.")
            )
            return False
        self._booking.hold(slot_id, patient_id)
        return True

    def book_held_slot(self) -> bool:
        """F6: book the held slot (with the phone of the strip: the SMS code variant)."""
        if self._booking.current_hold is None:
            self._show_hint(
                self.tr("Нет удерживаемого времени: выберите свободное время (Enter), затем F6.")
            )
            return False
        phone = self._hold_bar.phone_field.text().strip() or None
        if self._reschedule_of is not None:
            # The MIS cancels the old booking as it books the new one: waiting for an SMS code
            # could leave the patient with neither, so a moved ticket is issued at once.
            phone = None
        return self._booking.book(phone, reschedule_of=self._reschedule_of)

    def release_hold(self) -> None:
        """Let the held slot go."""
        self._booking.release()

    def start_reschedule(self, ticket_number: str) -> None:
        """«Перенести»: the next booking moves this ticket (``idAppointmentPrev``)."""
        self._reschedule_of = ticket_number
        self._middle.setCurrentIndex(SCHEDULE_TAB)
        self._hold_bar.show_idle(
            self.tr(
                "Перенос талона №{0}: выберите новое время; запись на него отменит прежнюю. "
                "Ctrl+N — отказаться от переноса."
            ).format(ticket_number)
        )
        self._schedule.focus_search()

    def new_call(self) -> None:
        """Ctrl+N: let the held slot go, clear the patient and the filters."""
        self._booking.release()
        self._reschedule_of = None
        self._hold_bar.show_idle()
        self._patient_panel.clear()
        self._schedule.clear_filters()
        self._patient_panel.focus_search()

    def enter_confirmation_code(self) -> ConfirmationCodeDialog | None:
        """F7: the code dialog of the patient's ticket waiting for the SMS code."""
        if self._code_dialog is not None:
            self._code_dialog.raise_()
            self._code_dialog.code_field.setFocus()
            return self._code_dialog
        ticket = self._patient_tickets.pending_ticket()
        if ticket is None:
            self._show_hint(self.tr("У пациента нет талонов, ожидающих подтверждения."))
            return None
        return self._open_code_dialog(ticket)

    def _on_patient_chosen(self, patient_id: int) -> None:
        self._patient_tickets.set_patient(patient_id)
        self._cabinet.set_patient(patient_id)
        self._district_search.set_patient(patient_id)
        self._forget_other_patients_booking(patient_id)

    def _on_patient_cleared(self) -> None:
        self._patient_tickets.set_patient(None)
        self._cabinet.set_patient(None)
        self._district_search.set_patient(None)
        self._forget_other_patients_booking(None)

    # --- the directory and districts -----------------------------------------------------------

    @property
    def directory_panel(self) -> DirectoryPanel:
        """«Список медицинских учреждений»."""
        return self._directory

    @property
    def district_search(self) -> DistrictSearchPanel:
        """«Поиск участка»."""
        return self._district_search

    def show_directory(self) -> None:
        """«Список медицинских учреждений» (Ctrl+Shift+I)."""
        self._middle.setCurrentIndex(INSTITUTIONS_TAB)

    def show_district_search(self) -> None:
        """«Поиск участка» (Ctrl+Shift+U)."""
        self._middle.setCurrentIndex(DISTRICT_TAB)

    def open_booking_form(self, institution_id: int, doctor_id: int = 0) -> bool:
        """«Перейти к форме записи»: the institution's schedule (the doctor's week) in the
        booking screen."""
        self._middle.setCurrentIndex(SCHEDULE_TAB)
        shown = self._schedule.show_institution(institution_id, doctor_id or None)
        if not shown:
            self._show_hint(self.tr("Учреждение не найдено в расписании выбранного населенного "
                                    "пункта: выберите его в списке «Учреждение»."))
        return shown

    # --- the personal cabinet, feedback and information ----------------------------------------

    @property
    def patient_cabinet(self) -> PatientCabinet:
        """The «Кабинет пациента» tab."""
        return self._cabinet

    @property
    def feedback_dock(self) -> FeedbackDock:
        """The operators' queue of «Обратная связь» requests."""
        return self._feedback_dock

    def show_patient_cabinet(self) -> bool:
        """The chosen patient's cabinet (only after the caller is identified)."""
        if self._patient_panel.patient_id is None:
            self._show_hint(self.tr(NO_PATIENT_HINT))
            self._patient_panel.focus_search()
            return False
        self._middle.setCurrentIndex(CABINET_TAB)
        return True

    def show_cabinet_account(self) -> CabinetAccountDialog | None:
        """«Доступ в личный кабинет…»: issue, reset, block, the profile (chosen patient only)."""
        patient_id = self._patient_panel.patient_id
        if patient_id is None:
            self._show_hint(
                self.tr("Сначала найдите и идентифицируйте пациента (F2): доступ в личный "
                        "кабинет выдается только после проверки документов.")
            )
            self._patient_panel.focus_search()
            return None
        dialog = CabinetAccountDialog(
            self._worker, patient_id, actor=self._actor,
            can_manage=self.allowed(Permission.ISSUE_CABINET_ACCOUNTS),
            document_printer=self._ticket_actions.document_printer, parent=self,
        )
        self._open_dialog(dialog)
        return dialog

    def show_feedback(self) -> None:
        """The «Обратная связь» queue."""
        if not self.allowed(Permission.WORK_FEEDBACK):
            self._show_hint(self.tr("Работа с обращениями доступна операторам контакт-центра."))
            return
        self._feedback_dock.show()
        self._feedback_dock.raise_()
        self._feedback_dock.refresh()

    def show_info_page(self, key: str) -> QDialog:
        """Справка → «Вопросы и ответы», «Горячая линия», «Информация для населения»."""
        dialog = QDialog(self)
        dialog.setObjectName("infoPagesDialog")
        dialog.setWindowTitle(self.tr("Справочная информация"))
        pages = InfoPagesWidget(dialog)
        pages.show_page(key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(pages)
        layout.addWidget(buttons)
        dialog.resize(900, 600)
        self._open_dialog(dialog)
        return dialog

    def _forget_other_patients_booking(self, patient_id: int | None) -> None:
        """Another caller: the time held and the ticket being moved were the previous one's."""
        held_for = self._booking.hold_patient_id
        if held_for is not None and held_for != patient_id:
            self._booking.release()
            self._show_hint(self.tr("Выбран другой пациент: удержанное время освобождено."))
        if self._reschedule_of is not None:
            self._reschedule_of = None
            self._hold_bar.show_idle()
        self._hold_bar.phone_field.clear()

    def _on_held(self, ticket: TicketView) -> None:
        self._hold_bar.show_hold(ticket)
        if not self._hold_bar.phone_field.text():
            phone = self._patient_panel.line_edit(FormField.PHONE).text().strip()
            self._hold_bar.set_phone(phone)
        self._hold_bar.book_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._schedule.refresh_schedule()

    def _on_hold_released(self) -> None:
        if self._reschedule_of is None:
            self._hold_bar.show_idle()
        self._schedule.refresh_schedule()

    def _on_hold_expired(self) -> None:
        self._hold_bar.show_idle(
            self.tr("Время удержания истекло, и талон освобождён. Выберите время приёма заново.")
        )
        self._schedule.refresh_schedule()

    def _on_booked(self, ticket: TicketView) -> None:
        self._reschedule_of = None
        self._hold_bar.show_idle()
        self._hold_bar.phone_field.clear()
        self._schedule.refresh_schedule()
        self._patient_tickets.refresh()
        if ticket.state == AppointmentState.PENDING_CONFIRMATION:
            self._show_hint(
                self.tr("Талон №{0} ожидает подтверждения кодом из СМС (F7).")
                .format(ticket.ticket_number)
            )
            self._open_code_dialog(ticket)
            return
        self._show_hint(self.tr("Записан: талон №{0}").format(ticket.ticket_number))
        dialog = TicketIssuedDialog(ticket, self)
        dialog.printRequested.connect(self._ticket_actions.print_ticket)
        self._open_dialog(dialog)

    def _open_code_dialog(self, ticket: TicketView) -> ConfirmationCodeDialog:
        dialog = ConfirmationCodeDialog(ticket, self)
        dialog.codeEntered.connect(self._booking.confirm)
        dialog.printRequested.connect(self._ticket_actions.print_ticket)
        dialog.finished.connect(self._on_code_dialog_closed)
        self._code_dialog = dialog
        self._open_dialog(dialog)
        return dialog

    def _on_code_dialog_closed(self) -> None:
        self._code_dialog = None
        self._patient_tickets.refresh()

    def _on_confirmed(self, ticket: TicketView) -> None:
        self._show_hint(
            self.tr("Запись на прием подтверждена: талон №{0}").format(ticket.ticket_number)
        )
        if self._code_dialog is not None:
            self._code_dialog.show_confirmed()
        self._patient_tickets.refresh()

    def _on_confirm_failed(self, message: str) -> None:
        if self._code_dialog is not None:
            self._code_dialog.show_error(message)
        else:
            self._show_error(message)
        self._patient_tickets.refresh()

    def _on_slot_unavailable(self, message: str, offers: object) -> None:
        self._schedule.refresh_schedule()  # the taken slot turns grey at once
        dialog = AlternativesDialog(message, offers if isinstance(offers, tuple) else (), self)
        dialog.offerChosen.connect(self.hold_slot)
        self._open_dialog(dialog)

    def _on_hub_unreachable(self, message: str, endpoint_url: str) -> None:
        self._show_error(message)
        self._hub_status.set_endpoint_failed(endpoint_url, message)
        self._schedule.refresh_schedule()
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Нет связи с ЛПУ"), message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("hubUnreachableBox")
        box.setInformativeText(
            self.tr(
                "Сообщите в службу технической поддержки МИАЦ наименование медицинской "
                "организации и текст ошибки. Адрес сервиса: {0}"
            ).format(endpoint_url)
        )
        self._open_dialog(box)

    def _on_booking_failed(self, message: str) -> None:
        self._show_error(message)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Запись на прием"), message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("bookingErrorBox")
        self._open_dialog(box)

    def _on_ticket_cancelled(self, ticket_number: str) -> None:
        self._show_hint(self.tr("Талон №{0} отменён").format(ticket_number))
        self._schedule.refresh_schedule()

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
            self.stop_sync_action.setEnabled(True)
        return started

    def _on_sync_progress(self, done: int, total: int, institution: str) -> None:
        self._sync_progress.setRange(0, total)
        self._sync_progress.setValue(done)
        self._sync_progress.setToolTip(institution)

    def _on_sync_finished(self, summary: str) -> None:
        self._sync_progress.setVisible(False)
        self.stop_sync_action.setEnabled(False)
        self.statusBar().showMessage(summary, ERROR_MESSAGE_MS)
        self._hub_status.refresh()
        self._schedule.refresh_schedule()  # new free slots, slots taken elsewhere turn grey

    def _on_sync_failed(self, message: str) -> None:
        self._sync_progress.setVisible(False)
        self.stop_sync_action.setEnabled(False)
        self._show_error(message)
        self._hub_status.refresh()

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
        if self._idle is not None:
            self._idle.stop()
        self._booking.shutdown()  # a booking under way gets its answer (and is recorded)
        self._cabinet.shutdown()
        self._worker.stop()

    # --- Qt overrides -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._remember_geometry:
            settings.save_window(self, SETTINGS_KEY)
            settings.save_header(self._tree.header(), SETTINGS_KEY)
        self.shutdown()
        super().closeEvent(event)

    # --- construction -------------------------------------------------------------------------

    def _connect_booking(self) -> None:
        booking, hold_bar, schedule = self._booking, self._hold_bar, self._schedule
        schedule.slotChosen.connect(self.hold_slot)
        schedule.hint.connect(self._show_hint)
        schedule.settled.connect(self._on_schedule_settled)
        self._patient_panel.patientChosen.connect(self._on_patient_chosen)
        self._patient_panel.cleared.connect(self._on_patient_cleared)
        hold_bar.bookRequested.connect(lambda phone: self.book_held_slot())
        hold_bar.releaseRequested.connect(self.release_hold)
        booking.held.connect(self._on_held)
        booking.countdownChanged.connect(hold_bar.set_seconds_left)
        booking.holdReleased.connect(self._on_hold_released)
        booking.holdExpired.connect(self._on_hold_expired)
        booking.busyChanged.connect(hold_bar.set_busy)
        booking.booked.connect(self._on_booked)
        booking.confirmed.connect(self._on_confirmed)
        booking.confirmFailed.connect(self._on_confirm_failed)
        booking.slotUnavailable.connect(self._on_slot_unavailable)
        booking.hubUnreachable.connect(self._on_hub_unreachable)
        booking.failed.connect(self._on_booking_failed)
        self._patient_tickets.ticketCancelled.connect(self._on_ticket_cancelled)
        self._patient_tickets.rescheduleRequested.connect(self.start_reschedule)
        self._patient_tickets.message.connect(self._show_hint)
        self._directory.bookRequested.connect(self.open_booking_form)
        self._directory.scheduleRequested.connect(lambda institution: self.open_booking_form(
            institution, 0))

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

        schedule_page = QWidget(self)
        schedule_layout = QVBoxLayout(schedule_page)
        schedule_layout.setContentsMargins(0, 0, 0, 0)
        schedule_layout.addWidget(self._schedule, 1)
        schedule_layout.addWidget(self._hold_bar)
        self._middle = QTabWidget(self)
        self._middle.setObjectName("middleTabs")
        self._middle.addTab(schedule_page, self.tr("Расписание"))
        self._middle.addTab(self._cabinet, self.tr("Кабинет пациента"))
        self._middle.addTab(self._directory, self.tr("Список медицинских учреждений"))
        self._middle.addTab(self._district_search, self.tr("Поиск участка"))
        self._middle.addTab(tree, self.tr("Справочник учреждений"))

        # The booking screen's columns (operator-ux.md): ПАЦИЕНТ | РАСПИСАНИЕ | ТАЛОНЫ ПАЦИЕНТА.
        columns = QSplitter(Qt.Orientation.Horizontal, self)
        columns.setObjectName("columns")
        columns.setChildrenCollapsible(False)
        columns.addWidget(self._patient_panel)
        columns.addWidget(self._middle)
        columns.addWidget(self._patient_tickets)
        columns.setStretchFactor(0, 0)
        columns.setStretchFactor(1, 1)
        columns.setStretchFactor(2, 0)
        columns.setSizes([PATIENT_COLUMN_WIDTH, 1000, TICKETS_COLUMN_WIDTH])
        # The form's fields and the ticket list stay readable when the window is narrow.
        self._patient_panel.setMinimumWidth(PATIENT_COLUMN_WIDTH - 40)
        self._patient_tickets.setMinimumWidth(TICKETS_COLUMN_WIDTH - 40)

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
        self._hub_status = HubStatusWidget(self._worker, list(self._sync.endpoints), self)
        status.addPermanentWidget(self._hub_status)
        status.addPermanentWidget(self._database_label)

    def _build_actions(self) -> None:
        self.quit_action = QAction(self.tr("В&ыход"), self)
        # Explicit Ctrl+Q: QKeySequence.Quit is empty on Windows.
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)

        self.focus_tree_action = QAction(self.tr("&Справочник учреждений"), self)
        self.focus_tree_action.triggered.connect(self.focus_tree)
        self.focus_schedule_action = QAction(self.tr("Поиск по &расписанию"), self)
        self.focus_schedule_action.setShortcut(QKeySequence(Qt.Key.Key_F3))
        self.focus_schedule_action.triggered.connect(self.focus_schedule_search)
        self.earliest_free_action = QAction(self.tr("&Ближайшие свободные"), self)
        self.earliest_free_action.setShortcut(QKeySequence(Qt.Key.Key_F4))
        self.earliest_free_action.triggered.connect(self.show_earliest_free)
        self.earliest_free_city_action = QAction(
            self.tr("Ближайшие свободные по населенному пункту"), self
        )
        self.earliest_free_city_action.setShortcut(QKeySequence("Shift+F4"))
        self.earliest_free_city_action.triggered.connect(
            lambda: self.show_earliest_free(whole_settlement=True)
        )
        self.book_action = QAction(self.tr("&Записаться"), self)
        self.book_action.setShortcut(QKeySequence(Qt.Key.Key_F6))
        self.book_action.triggered.connect(self.book_held_slot)
        self.confirm_code_action = QAction(self.tr("&Ввести код подтверждения…"), self)
        self.confirm_code_action.setShortcut(QKeySequence(Qt.Key.Key_F7))
        self.confirm_code_action.triggered.connect(self.enter_confirmation_code)
        self.cancel_ticket_action = QAction(self.tr("&Отменить талон…"), self)
        self.cancel_ticket_action.setShortcut(QKeySequence(Qt.Key.Key_F8))
        self.cancel_ticket_action.triggered.connect(self._patient_tickets.cancel_selected)
        self.directory_action = QAction(self.tr("Список &медицинских учреждений"), self)
        self.directory_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.directory_action.triggered.connect(self.show_directory)
        self.district_action = QAction(self.tr("Поиск &участка"), self)
        self.district_action.setShortcut(QKeySequence("Ctrl+Shift+U"))
        self.district_action.triggered.connect(self.show_district_search)
        self.cabinet_tab_action = QAction(self.tr("&Кабинет пациента"), self)
        self.cabinet_tab_action.triggered.connect(self.show_patient_cabinet)
        self.cabinet_account_action = QAction(self.tr("&Доступ в личный кабинет…"), self)
        self.cabinet_account_action.triggered.connect(self.show_cabinet_account)
        self.feedback_action = QAction(self.tr("&Обратная связь"), self)
        self.feedback_action.triggered.connect(self.show_feedback)
        self.info_actions = []
        for key, title in (("faq", self.tr("&Вопросы и ответы")),
                           ("hotline", self.tr("&Горячая линия")),
                           ("public", self.tr("&Информация для населения"))):
            action = QAction(title, self)
            action.triggered.connect(lambda _checked=False, page=key: self.show_info_page(page))
            self.info_actions.append(action)
        self.new_call_action = QAction(self.tr("&Новый звонок"), self)
        self.new_call_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_call_action.triggered.connect(self.new_call)

        self.sync_action = QAction(self.tr("&Обновить расписания"), self)
        self.sync_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.sync_action.setEnabled(bool(self._sync.endpoints))
        self.sync_action.triggered.connect(self.start_sync)
        self.stop_sync_action = QAction(self.tr("Ос&тановить обновление расписаний"), self)
        self.stop_sync_action.setShortcut(QKeySequence("Shift+F5"))
        self.stop_sync_action.setEnabled(False)
        self.stop_sync_action.triggered.connect(self._sync.cancel)
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
        self.lock_action = QAction(self.tr("За&блокировать рабочее место"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setEnabled(self._staff is not None)  # nobody could unlock it
        self.lock_action.triggered.connect(self.lock)
        file_menu.addAction(self.lock_action)
        self.change_password_action = QAction(self.tr("Сменить &пароль…"), self)
        self.change_password_action.setEnabled(self._staff is not None)
        self.change_password_action.triggered.connect(self.show_change_password)
        file_menu.addAction(self.change_password_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        go_menu = menu_bar.addMenu(self.tr("&Переход"))
        go_menu.addAction(self._patient_panel.focus_search_action)
        go_menu.addAction(self.focus_schedule_action)
        go_menu.addAction(self.earliest_free_action)
        go_menu.addAction(self.earliest_free_city_action)
        go_menu.addAction(self.directory_action)
        go_menu.addAction(self.district_action)
        go_menu.addAction(self.focus_tree_action)
        go_menu.addAction(self.sync_action)
        go_menu.addAction(self.stop_sync_action)
        go_menu.addAction(self.sms_outbox_action)
        booking_menu = menu_bar.addMenu(self.tr("&Запись"))
        booking_menu.addAction(self.new_call_action)
        booking_menu.addAction(self.book_action)
        booking_menu.addAction(self.confirm_code_action)
        booking_menu.addAction(self.cancel_ticket_action)
        booking_menu.addSeparator()
        booking_menu.addAction(self.cabinet_tab_action)
        booking_menu.addAction(self.cabinet_account_action)
        booking_menu.addAction(self.feedback_action)
        tickets_menu = menu_bar.addMenu(self.tr("&Талоны"))
        tickets_menu.addAction(self.find_ticket_action)
        tickets_menu.addAction(self.journal_action)
        tickets_menu.addSeparator()
        tickets_menu.addActions(list(self._ticket_actions.shared_actions))
        tickets_menu.addSeparator()
        tickets_menu.addMenu(self._ticket_actions.make_format_menu(tickets_menu))
        self.staff_admin_action = QAction(self.tr("&Сотрудники…"), self)
        self.staff_admin_action.triggered.connect(self.show_staff_admin)
        self.admin_menu = menu_bar.addMenu(self.tr("&Администрирование"))
        self.admin_menu.setObjectName("adminMenu")
        self.admin_menu.addAction(self.staff_admin_action)
        help_menu = menu_bar.addMenu(self.tr("&Справка"))
        help_menu.addAction(self.hotkeys_action)
        help_menu.addSeparator()
        help_menu.addActions(self.info_actions)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _build_staff_controls(self, idle_lock_ms: int | None) -> None:
        self._staff_label = QLabel(self)
        self._staff_label.setObjectName("staffLabel")
        self.statusBar().addPermanentWidget(self._staff_label)
        self._lock_screen: LockScreen | None = None
        self._idle: IdleWatcher | None = None
        if self._staff is not None:
            self._lock_screen = LockScreen(self._worker, self._staff, self)
            self._lock_screen.unlocked.connect(self._on_unlocked)
            if idle_lock_ms is None:
                idle_lock_ms = int(POLICY.idle_lock.total_seconds() * 1000)
            self._idle = IdleWatcher(idle_lock_ms, self)
            self._idle.idle.connect(self.lock)
            self._idle.start()
        self._show_staff()

    def _show_staff(self) -> None:
        staff = self._staff
        self._staff_label.setVisible(staff is not None)
        if staff is not None:
            self._staff_label.setText(
                self.tr("Пользователь: {0}, {1}").format(staff.display_name, staff.role_label)
            )
        self.admin_menu.menuAction().setVisible(
            staff is not None and staff.can(Permission.MANAGE_STAFF)
        )

    def _on_unlocked(self, staff: SignedInStaff) -> None:
        previous, self._staff = self._staff, staff
        if previous is None or previous.id != staff.id:
            self._switch_operator(staff)
        self._show_staff()  # the role may have changed meanwhile
        if self._idle is not None:
            self._idle.start()

    def _switch_operator(self, staff: SignedInStaff) -> None:
        """Someone else unlocked: the previous person's call is over, and from now on tickets
        and the journal name the new one."""
        self.new_call()
        actor = staff.actor()
        self._ticket_actions.set_operator(actor.operator)
        booking = self._booking
        if booking.available:

            def rename(_session: object) -> None:
                # On the hub thread, which alone touches the booking service.
                bookings = booking.bookings()
                if bookings is not None:
                    bookings.actor = actor

            booking.hub_worker.submit(rename, lambda _: None, owner=self)
        self._show_hint(self.tr("Рабочее место передано: {0}").format(staff.display_name))

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
        self._schedule.set_settlement(settlement_id)
        self._directory.set_settlement(settlement_id)
        self._district_search.set_settlement(settlement_id)

    def _on_settlement_confirmed(self, settlement_id: int) -> None:
        # Choosing the same settlement again retries a top level that failed to load; a loaded
        # tree is left alone so that the operator keeps the place.
        root = QModelIndex()
        if not self._model.is_top_level_loaded and not self._model.is_loading(root):
            self._model.set_settlement(settlement_id)
        if not self._schedule.has_institutions:
            self._schedule.set_settlement(settlement_id)

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
            self._start_chain(1, self._on_directory_ready)

    def _on_schedule_settled(self) -> None:
        self._schedule_ready = True
        if self._directory_ready:
            self._finish_initial_load()

    def _on_directory_ready(self) -> None:
        self._directory_ready = True
        if self._schedule_ready:
            self._finish_initial_load()

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
