"""The «СМС-сообщения» dock: the SMS outbox, newest first, refreshed while it is visible.

The list is read through the database worker every few seconds while the dock is visible, and at
once by ``refresh()``. A refresh never overlaps another one; asked for during one, it runs again
right after it. Rows are merged into the model in place, so the operator keeps the selected row
and the place in the list: a list scrolled down stays on the same messages when new ones arrive
at the top, a list at the top shows them.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTime, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workstation.models import SmsKind, SmsStatus
from workstation.services.sms.outbox_view import (
    DEFAULT_LIMIT,
    OutboxCounts,
    OutboxSnapshot,
    load_outbox_snapshot,
)
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.keyed_rows_view import KeyedRowsView
from workstation.ui.sms_outbox_model import Column, SmsOutboxModel

DEFAULT_INTERVAL_MS = 5_000
"""How often a visible dock reads the outbox again."""

_CELL_PADDING = 24  # the style's cell margins and a little air
# Samples of the widest values of the fixed-width columns.
_TIME_SAMPLE = "00.00.0000 00:00:00"
_PHONE_SAMPLE = "+7 000 ***-**-00"


class SmsOutboxDock(QDockWidget):
    """The SMS outbox as a dock of the main window."""

    refreshed = Signal()
    """A refresh result is shown (and no further refresh was waiting for it)."""

    refreshFailed = Signal(str)
    """Reading the outbox failed; the text (also in the dock's status line) is for the operator."""

    def __init__(
        self,
        worker: DatabaseWorker,
        parent: QWidget | None = None,
        *,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        limit: int = DEFAULT_LIMIT,
        model: SmsOutboxModel | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("СМС-сообщения"))
        # QMainWindow.saveState() needs the name to restore the dock's place.
        self.setObjectName("smsOutboxDock")
        self.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        self._worker = worker
        self._limit = limit
        self._request_id: int | None = None
        self._again = False
        self._counts: OutboxCounts | None = None
        self._model = model if model is not None else SmsOutboxModel(self)

        self._view = KeyedRowsView(self)
        self._status_label = QLabel(self)
        self._refresh_button = QToolButton(self)
        self.refresh_action = QAction(self.tr("Обновить"), self)
        self._build()

        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer)
        self.visibilityChanged.connect(self._on_visibility_changed)

    # --- public API -------------------------------------------------------------------------

    @property
    def model(self) -> SmsOutboxModel:
        """The table model."""
        return self._model

    @property
    def view(self) -> QTableView:
        """The table view."""
        return self._view

    @property
    def status_label(self) -> QLabel:
        """The status line under the table (counts, or what went wrong)."""
        return self._status_label

    @property
    def counts(self) -> OutboxCounts | None:
        """Messages per status at the last refresh; None before the first one."""
        return self._counts

    @property
    def is_refreshing(self) -> bool:
        """True while a refresh is waiting for the database."""
        return self._request_id is not None

    @property
    def auto_refresh_active(self) -> bool:
        """True while the periodic refresh runs (the dock is visible)."""
        return self._timer.isActive()

    @Slot()
    def refresh(self) -> None:
        """Read the outbox now (after the refresh in progress, if there is one)."""
        if not self._worker.is_running:
            self._timer.stop()  # the window is closing
            return
        if self._request_id is not None:
            self._again = True
            return
        self._request_id = self._worker.submit(
            partial(load_outbox_snapshot, limit=self._limit),
            self._on_loaded,
            self._on_failed,
            owner=self,
        )

    def focus_view(self) -> None:
        """Show the dock and put the keyboard focus on the table (on the current or first row)."""
        self.show()
        self.raise_()
        self._view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self._view.currentIndex().isValid() and self._model.rowCount() > 0:
            self._view.setCurrentIndex(self._model.index(0, 0))

    # --- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        view = self._view
        view.setObjectName("smsOutboxView")
        view.setModel(self._model)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setCornerButtonEnabled(False)
        # Tab leaves the table (the arrow keys move within it).
        view.setTabKeyNavigation(False)
        view.verticalHeader().setVisible(False)
        # Fixed row heights: nothing is measured per row on a refresh.
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        self._size_columns()

        self.refresh_action.setObjectName("smsOutboxRefreshAction")
        # Not F5: that key refreshes the schedules in the whole window.
        self.refresh_action.setShortcut(QKeySequence("Ctrl+R"))
        self.refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh_action.setToolTip(self.tr("Обновить список сообщений (Ctrl+R)"))
        self.refresh_action.triggered.connect(self.refresh)
        self.addAction(self.refresh_action)
        self._refresh_button.setDefaultAction(self.refresh_action)
        self._refresh_button.setAutoRaise(True)
        self._refresh_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)

        self._status_label.setObjectName("smsOutboxStatus")
        self._status_label.setTextFormat(Qt.TextFormat.PlainText)
        self._status_label.setText(self.tr("Загрузка…"))

        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self._status_label, 1)
        bottom.addWidget(self._refresh_button)
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(view, 1)
        layout.addLayout(bottom)
        self.setWidget(content)
        self.setFocusProxy(view)

    def _size_columns(self) -> None:
        metrics = self._view.fontMetrics()
        model = self._model

        def width(*samples: str) -> int:
            return max(metrics.horizontalAdvance(sample) for sample in samples) + _CELL_PADDING

        def title(column: Column) -> str:
            return str(model.headerData(column, Qt.Orientation.Horizontal))

        widths = {
            Column.TIME: width(_TIME_SAMPLE, title(Column.TIME)),
            Column.PHONE: width(_PHONE_SAMPLE, title(Column.PHONE)),
            Column.KIND: width(title(Column.KIND), *(model.kind_name(kind) for kind in SmsKind)),
            Column.STATUS: width(
                title(Column.STATUS), *(model.status_name(status) for status in SmsStatus)
            ),
        }
        header = self._view.horizontalHeader()
        header.setHighlightSections(False)
        for column, pixels in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, pixels)
        header.setSectionResizeMode(Column.TEXT, QHeaderView.ResizeMode.Stretch)

    # --- refreshing ---------------------------------------------------------------------------

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

    def _on_loaded(self, snapshot: OutboxSnapshot) -> None:
        self._request_id = None
        anchor = self._view.top_anchor()
        self._model.set_rows(snapshot.rows)
        self._view.restore_anchor(anchor, self._model)
        self._counts = snapshot.counts
        self._show_counts(snapshot.counts, len(snapshot.rows))
        if self._again:
            self._again = False
            self.refresh()
        else:
            self.refreshed.emit()

    def _on_failed(self, error: BaseException) -> None:
        self._request_id = None
        message = self.tr(
            "Не удалось обновить список СМС: {0}. Список обновится сам через несколько "
            "секунд; если ошибка повторится, обратитесь в техническую поддержку."
        ).format(describe_error(error))
        self._status_label.setText(message)
        self._status_label.setToolTip(message)
        self.refreshFailed.emit(message)
        if self._again:
            self._again = False
            self.refresh()

    def _show_counts(self, counts: OutboxCounts, shown: int) -> None:
        if counts.total == 0:
            text = self.tr("Сообщений нет")
        else:
            text = self.tr("В очереди: {0} · с ошибкой: {1}").format(counts.queued, counts.failed)
            if shown < counts.total:
                text += self.tr(" · показаны последние {0} из {1}").format(shown, counts.total)
        time = QTime.currentTime().toString("HH:mm:ss")
        self._status_label.setText(text)
        self._status_label.setToolTip(
            self.tr("Отправлено: {0}, доставлено: {1}. Обновлено в {2}.").format(
                counts.sent, counts.delivered, time
            )
        )
