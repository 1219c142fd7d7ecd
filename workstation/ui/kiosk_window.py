"""The patients' kiosk (``workstation --kiosk``): a full-screen shell with large touch targets.

The start page offers «Вход в личный кабинет», «Обратная связь», «Вопросы и ответы», «Горячая
линия» and «Информация для населения». The sign-in page and the patient's cabinet are widgets
written elsewhere and injected by factories; without a factory (or when it fails) the page says
that the function is not available. After ``signedIn(patient_id, patient_name)`` of the sign-in
widget the cabinet page shows the patient's name and «Выйти».

A kiosk is left alone by the patient who used it: after ``idle_timeout_ms`` without a key,
mouse or touch event anywhere in the application the patient is signed out, every form is
cleared and the start page comes back. The window has no menus, docks or shortcuts of the
operator's window.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workstation.services.database import Database
from workstation.services.journal import Actor, workstation_address
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.feedback_form import FeedbackFormWidget
from workstation.ui.info_pages import InfoPagesWidget

log = logging.getLogger(__name__)

WidgetFactory = Callable[[QWidget], QWidget]

DEFAULT_IDLE_TIMEOUT_MS = 120_000
MIN_TARGET_PX = 48
"""The smallest touch target (buttons, fields), in pixels."""

KIOSK_ACTOR_NAME = "киоск"

KIOSK_STYLE = f"""
QWidget {{ font-size: 20pt; }}
QPushButton {{ min-height: 64px; min-width: 160px; padding: 8px 24px; }}
QLineEdit, QComboBox, QSpinBox, QDateEdit {{ min-height: {MIN_TARGET_PX}px; }}
QPushButton#kioskStartButton {{ min-height: 120px; font-size: 24pt; }}
QLabel#kioskTitle {{ font-size: 26pt; font-weight: bold; }}
QLabel#kioskPhone {{ font-size: 16pt; }}
QListWidget::item {{ min-height: {MIN_TARGET_PX}px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 32px; height: 32px; }}
QScrollBar:vertical {{ width: 32px; }}
QScrollBar:horizontal {{ height: 32px; }}
"""

# Events that mean someone is using the kiosk.
_ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
        QEvent.Type.InputMethod,
    }
)


class KioskPage(enum.Enum):
    """The pages of the kiosk."""

    START = "start"
    SIGN_IN = "sign_in"
    CABINET = "cabinet"
    FEEDBACK = "feedback"
    FAQ = "faq"
    HOTLINE = "hotline"
    PUBLIC = "public"


_INFO_PAGES = {KioskPage.FAQ: "faq", KioskPage.HOTLINE: "hotline", KioskPage.PUBLIC: "public"}


def kiosk_actor() -> Actor:
    """Who the journal names for what is done at the kiosk."""
    return Actor(KIOSK_ACTOR_NAME, workstation_address())


class KioskWindow(QMainWindow):
    """The kiosk's only window: the start page and the pages its buttons lead to."""

    pageChanged = Signal(str)
    """The page shown changed; the ``KioskPage`` value."""

    signedOut = Signal(bool)
    """The patient was signed out; True when because of the idle timeout."""

    def __init__(
        self,
        database: Database,
        *,
        sign_in_factory: WidgetFactory | None = None,
        cabinet_factory: WidgetFactory | None = None,
        idle_timeout_ms: int = DEFAULT_IDLE_TIMEOUT_MS,
        parent: QWidget | None = None,
        worker: DatabaseWorker | None = None,
    ) -> None:
        """``worker``: the database worker to share (the factories' widgets use it too); by
        default the window starts its own and stops it on close."""
        super().__init__(parent)
        self.setObjectName("kioskWindow")
        self.setWindowTitle(self.tr("Электронная регистратура"))
        self.setStyleSheet(KIOSK_STYLE)
        self._database = database
        self._owns_worker = worker is None
        self._worker = worker if worker is not None else DatabaseWorker(database, self)
        self._patient_id: int | None = None
        self._patient_name = ""
        self._shut_down = False
        self._current = KioskPage.START
        self._pages: dict[KioskPage, QWidget] = {}
        self._stack = QStackedWidget(self)
        self._home_button = QPushButton(self.tr("На главную"), self)
        self._header_title = QLabel(self.tr("ЭЛЕКТРОННАЯ РЕГИСТРАТУРА"), self)
        self._start_buttons: dict[KioskPage, QPushButton] = {}
        self._patient_label = QLabel(self)
        self._sign_out_button = QPushButton(self.tr("Выйти"), self)

        self._sign_in = self._make(sign_in_factory, "sign_in")
        self._cabinet = self._make(cabinet_factory, "cabinet")
        self._feedback = FeedbackFormWidget(self._worker, actor=kiosk_actor(), parent=self)
        self._info = InfoPagesWidget(self, show_list=False)
        self._build()

        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_timeout_ms)
        self._idle.timeout.connect(self._on_idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.go(KioskPage.START)

    # --- public API -------------------------------------------------------------------------

    @property
    def worker(self) -> DatabaseWorker:
        """The database worker of the kiosk's widgets."""
        return self._worker

    @property
    def stack(self) -> QStackedWidget:
        return self._stack

    @property
    def current_page(self) -> KioskPage:
        """The page shown."""
        return self._current

    @property
    def sign_in_widget(self) -> QWidget | None:
        """The injected sign-in widget (None: the placeholder is shown)."""
        return self._sign_in

    @property
    def cabinet_widget(self) -> QWidget | None:
        """The injected cabinet widget (None: the placeholder is shown)."""
        return self._cabinet

    @property
    def feedback_form(self) -> FeedbackFormWidget:
        return self._feedback

    @property
    def info_widget(self) -> InfoPagesWidget:
        return self._info

    @property
    def home_button(self) -> QPushButton:
        """«На главную» (every page but the start page)."""
        return self._home_button

    @property
    def sign_out_button(self) -> QPushButton:
        """«Выйти» on the cabinet page."""
        return self._sign_out_button

    @property
    def patient_label(self) -> QLabel:
        """The signed-in patient's name on the cabinet page."""
        return self._patient_label

    @property
    def patient_id(self) -> int | None:
        """The signed-in patient."""
        return self._patient_id

    @property
    def idle_timer(self) -> QTimer:
        """Runs while a page other than the start page is shown; reset by any input."""
        return self._idle

    def start_button(self, page: KioskPage) -> QPushButton:
        """The start page's button leading to ``page``."""
        return self._start_buttons[page]

    def page_widget(self, page: KioskPage) -> QWidget:
        """The widget of ``page`` in the stack."""
        return self._pages[page]

    def go(self, page: KioskPage) -> None:
        """Show ``page`` (the cabinet only for a signed-in patient, else the sign-in page)."""
        if page is KioskPage.CABINET and self._patient_id is None:
            page = KioskPage.SIGN_IN
        if page is KioskPage.SIGN_IN and self._patient_id is not None:
            page = KioskPage.CABINET
        info_key = _INFO_PAGES.get(page)
        if info_key is not None:
            self._info.show_page(info_key)
        self._current = page
        self._stack.setCurrentWidget(self._pages[page])
        self._home_button.setVisible(page is not KioskPage.START)
        if page is KioskPage.START:
            self._idle.stop()
        else:
            self._idle.start()
        self.pageChanged.emit(page.value)

    @Slot(int, str)
    def sign_in(self, patient_id: int, patient_name: str) -> None:
        """Show the cabinet of the patient (what the sign-in widget's ``signedIn`` does)."""
        self._patient_id = patient_id
        self._patient_name = patient_name
        self._patient_label.setText(self.tr("Пациент: {0}").format(patient_name))
        self._call(self._cabinet, "set_patient", patient_id)
        self.go(KioskPage.CABINET)

    @Slot()
    def sign_out(self) -> None:
        """«Выйти»: forget the patient, clear every form and show the start page."""
        self._reset(idle=False)

    def shutdown(self) -> None:
        """Stop the idle timer, the event filter and the worker of the window (idempotent)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._idle.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        # The cabinet's booking tab runs a hub thread of its own: let go of a held time, stop it.
        cabinet_shutdown = getattr(self.cabinet_widget, "shutdown", None)
        if callable(cabinet_shutdown):
            cabinet_shutdown()
        if self._owns_worker:
            self._worker.stop()

    # --- Qt overrides -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY_EVENTS and self._idle.isActive():
            self._idle.start()  # restarts the countdown
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # --- construction -------------------------------------------------------------------------

    def _make(self, factory: WidgetFactory | None, what: str) -> QWidget | None:
        if factory is None:
            return None
        try:
            return factory(self)
        except Exception:  # a broken page must not take the kiosk down: show the placeholder
            log.exception("the kiosk's %s page could not be built; a placeholder is shown", what)
            return None

    def _build(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(24, 16, 24, 16)
        header = QHBoxLayout()
        self._header_title.setObjectName("kioskTitle")
        header.addWidget(self._header_title, 1)
        phone = QLabel(self.tr("Телефон контакт-центра:\n8-800-100-86-03"), central)
        phone.setObjectName("kioskPhone")
        phone.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(phone)
        self._home_button.setObjectName("kioskHomeButton")
        self._home_button.clicked.connect(self._go_home)
        header.addWidget(self._home_button)
        layout.addLayout(header)
        layout.addWidget(self._stack, 1)
        self.setCentralWidget(central)

        self._add(KioskPage.START, self._start_page())
        self._add(KioskPage.SIGN_IN, self._sign_in_page())
        self._add(KioskPage.CABINET, self._cabinet_page())
        self._add(KioskPage.FEEDBACK, self._scrolled(self._feedback))
        info = self._info
        self._add(KioskPage.FAQ, info)
        # The three information buttons share one browser.
        self._pages[KioskPage.HOTLINE] = info
        self._pages[KioskPage.PUBLIC] = info

    def _scrolled(self, widget: QWidget) -> QScrollArea:
        """``widget`` in a scroll area, so that a long form fits any screen."""
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(widget)
        return area

    def _add(self, page: KioskPage, widget: QWidget) -> None:
        widget.setObjectName(widget.objectName() or f"kiosk_{page.value}")
        self._pages[page] = widget
        self._stack.addWidget(widget)

    def _start_page(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        grid.setSpacing(24)
        buttons = (
            (KioskPage.SIGN_IN, self.tr("Вход в личный кабинет")),
            (KioskPage.FEEDBACK, self.tr("Обратная связь")),
            (KioskPage.FAQ, self.tr("Вопросы и ответы")),
            (KioskPage.HOTLINE, self.tr("Горячая линия")),
            (KioskPage.PUBLIC, self.tr("Информация для населения")),
        )
        for position, (target, text) in enumerate(buttons):
            button = QPushButton(text, page)
            button.setObjectName("kioskStartButton")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _checked=False, p=target: self.go(p))
            self._start_buttons[target] = button
            grid.addWidget(button, position // 2, position % 2)
        return page

    def _placeholder(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("kioskPlaceholder")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def _sign_in_page(self) -> QWidget:
        widget = self._sign_in
        if widget is None:
            return self._placeholder(
                self.tr(
                    "Вход в личный кабинет на этом терминале временно недоступен. "
                    "Обратитесь в регистратуру или в контакт-центр по телефону 8-800-100-86-03."
                )
            )
        signal = getattr(widget, "signedIn", None)
        if signal is not None:
            signal.connect(self.sign_in)
        else:
            log.warning("the kiosk's sign-in widget has no signedIn signal")
        return widget

    def _cabinet_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self._patient_label.setObjectName("kioskPatientName")
        top.addWidget(self._patient_label, 1)
        self._sign_out_button.setObjectName("kioskSignOutButton")
        self._sign_out_button.clicked.connect(self.sign_out)
        top.addWidget(self._sign_out_button)
        layout.addLayout(top)
        if self._cabinet is None:
            layout.addWidget(
                self._placeholder(
                    self.tr(
                        "Личный кабинет на этом терминале временно недоступен. "
                        "Обратитесь в регистратуру или в контакт-центр по телефону "
                        "8-800-100-86-03."
                    )
                ),
                1,
            )
        else:
            layout.addWidget(self._cabinet, 1)
        return page

    # --- reactions ----------------------------------------------------------------------------

    @staticmethod
    def _call(widget: QWidget | None, method: str, *args: object) -> None:
        function = getattr(widget, method, None) if widget is not None else None
        if function is None:
            return
        try:
            function(*args)
        except Exception:  # the kiosk must get back to its start page whatever the page does
            log.exception("the kiosk page's %s() failed", method)

    def _reset(self, *, idle: bool) -> None:
        was_signed_in = self._patient_id is not None
        self._patient_id = None
        self._patient_name = ""
        self._patient_label.clear()
        self._call(self._cabinet, "set_patient", None)
        self._call(self._sign_in, "reset")
        self._feedback.clear()
        self.go(KioskPage.START)
        if was_signed_in:
            self.signedOut.emit(idle)

    @Slot()
    def _go_home(self) -> None:
        if self._patient_id is None:
            self._call(self._sign_in, "reset")  # a half-typed login is not left for the next one
        self.go(KioskPage.START)

    @Slot()
    def _on_idle(self) -> None:
        self._reset(idle=True)
