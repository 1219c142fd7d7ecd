"""The locked workstation: an overlay over the whole main window, and the idle timer behind it.

While locked, the overlay hides what the window shows (patients' personal data), the window's
own dialogs are hidden, and every key, click and shortcut meant for the window is swallowed:
only the overlay (and the sign-in dialog opened from it) takes input. The person signed in
unlocks with their password; «Сменить пользователя» lets someone else sign in instead.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models.base import utc_now
from workstation.services.journal import workstation_address
from workstation.services.staff import SignedInStaff, SignInRefused, authenticate
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.sign_in_dialog import (
    Clock,
    SignInDialog,
    message_label,
    password_field,
    show_message,
)

# What a person at the keyboard does: any of these restarts the idle timer.
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
    }
)
# What the locked window must not receive.
_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.Shortcut,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.ContextMenu,
    }
)


def _descends_from(obj: QObject | None, ancestor: QObject) -> bool:
    """True when ``ancestor`` is ``obj`` or one of its parents (across windows, too)."""
    while obj is not None:
        if obj is ancestor:
            return True
        obj = obj.parent()
    return False


class IdleWatcher(QObject):
    """Emits ``idle`` after ``interval_ms`` without a key press, click or mouse move anywhere
    in the application."""

    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.idle)
        self._watching = False

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @property
    def is_watching(self) -> bool:
        return self._watching

    def start(self) -> None:
        """Start counting idle time (and watching for activity)."""
        if not self._watching:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self._watching = True
        self._timer.start()

    def stop(self) -> None:
        """Stop counting (while locked, and at shutdown)."""
        self._timer.stop()
        if self._watching:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._watching = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._timer.start()
        return False


class LockScreen(QFrame):
    """The overlay of a locked window; ``unlocked`` carries who works on (maybe someone else)."""

    unlocked = Signal(object)
    """The window is unlocked by this ``SignedInStaff``."""

    def __init__(
        self,
        worker: DatabaseWorker,
        staff: SignedInStaff,
        window: QWidget,
        *,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(window)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#lockScreen { background: #f0f0f0; }")
        self._worker = worker
        self._staff = staff
        self._window = window
        self._clock = clock
        self._busy = False
        self._hidden_windows: list[QWidget] = []
        self._focus_before: QWidget | None = None
        self._sign_in: SignInDialog | None = None

        self.title_label = QLabel(self.tr("Рабочее место заблокировано"), self)
        self.title_label.setObjectName("lockTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.title_label.setFont(font)
        self.who_label = QLabel(self)
        self.who_label.setObjectName("lockWho")
        self.password_field = password_field(self, "unlockPasswordField")
        self.password_field.setMaximumWidth(320)
        self.message_label = message_label(self, "unlockMessage")
        self.unlock_button = QPushButton(self.tr("Разблокировать"), self)
        self.unlock_button.setObjectName("unlockButton")
        self.switch_button = QPushButton(self.tr("Сменить пользователя"), self)
        self.switch_button.setObjectName("switchUserButton")
        self.unlock_button.clicked.connect(self.unlock)
        self.password_field.returnPressed.connect(self.unlock)
        self.switch_button.clicked.connect(self.switch_user)

        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(self.title_label)
        column.addWidget(self.who_label)
        column.addWidget(QLabel(self.tr("Пароль:"), self))
        column.addWidget(self.password_field)
        column.addWidget(self.message_label)
        column.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(column)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.hide()
        window.installEventFilter(self)  # follows the window's size

    # --- public API -------------------------------------------------------------------------

    @property
    def staff(self) -> SignedInStaff:
        """Who is signed in (and may unlock)."""
        return self._staff

    @property
    def is_locked(self) -> bool:
        return not self.isHidden()

    @property
    def sign_in_dialog(self) -> SignInDialog | None:
        """The «Сменить пользователя» dialog while it is open."""
        return self._sign_in

    def lock(self, staff: SignedInStaff | None = None) -> None:
        """Cover the window and take its input away until someone signs in again."""
        if staff is not None:
            self._staff = staff
        self.who_label.setText(
            self.tr("Вошел: {0}, {1}. Введите пароль, чтобы продолжить.").format(
                self._staff.display_name, self._staff.role_label
            )
        )
        show_message(self.message_label, "")
        if self.isHidden():
            focus = QApplication.focusWidget()
            self._focus_before = focus if _descends_from(focus, self._window) else None
            self._hidden_windows = [
                widget for widget in self._window.findChildren(QWidget)
                if widget.isWindow() and widget.isVisible() and not _descends_from(widget, self)
            ]
            for widget in self._hidden_windows:
                widget.hide()
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
        self.setGeometry(self._window.rect())
        self.show()
        self.raise_()
        self.password_field.clear()
        self.password_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def unlock(self) -> None:
        """«Разблокировать»: check the signed-in person's password off the GUI thread."""
        password = self.password_field.text()
        if not password or self._busy:
            return
        login, clock, workstation = self._staff.login, self._clock, workstation_address()

        def job(session: Session) -> SignedInStaff | SignInRefused:
            try:
                return authenticate(
                    session, login, password, now=clock(), workstation=workstation
                )
            except SignInRefused as refusal:  # already committed; a result, not a failure
                return refusal

        self._set_busy(True)
        self._worker.submit(job, self._on_checked, self._on_error, owner=self)

    def switch_user(self) -> SignInDialog:
        """«Сменить пользователя»: the sign-in dialog; whoever signs in takes the window."""
        if self._sign_in is not None:
            self._sign_in.raise_()
            return self._sign_in
        dialog = SignInDialog(self._worker, self, clock=self._clock)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._finish(dialog.signed_in()))
        dialog.finished.connect(self._on_sign_in_closed)
        self._sign_in = dialog
        dialog.open()  # not exec(): the worker's callbacks must keep arriving
        return dialog

    # --- Qt overrides -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._window.rect())
            return False
        # The locked window takes no input; the overlay and its sign-in dialog do.
        return (
            event.type() in _INPUT
            and not self.isHidden()
            and _descends_from(watched, self._window)
            and not _descends_from(watched, self)
        )

    # --- internals ----------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.unlock_button.setEnabled(not busy)

    def _on_checked(self, result: SignedInStaff | SignInRefused) -> None:
        self._set_busy(False)
        self.password_field.clear()
        if isinstance(result, SignInRefused):
            show_message(self.message_label, result.message)
            return
        self._finish(result)

    def _on_error(self, error: BaseException) -> None:
        self._set_busy(False)
        show_message(
            self.message_label,
            self.tr("Нет связи с базой данных: {0}").format(describe_error(error)),
        )

    def _on_sign_in_closed(self) -> None:
        self._sign_in = None
        self.password_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _finish(self, staff: SignedInStaff) -> None:
        self._staff = staff
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.hide()
        for widget in self._hidden_windows:
            if shiboken6.isValid(widget):
                widget.show()
        self._hidden_windows = []
        if self._focus_before is not None and shiboken6.isValid(self._focus_before):
            self._focus_before.setFocus(Qt.FocusReason.OtherFocusReason)
            self._focus_before = None
        self.unlocked.emit(staff)
