"""The «Обратная связь» dock: the operators' queue of requests from the feedback form.

The table (:class:`FeedbackQueueModel`) holds plain ``FeedbackRow`` values, phones and e-mails
already masked by the service, and is merged in place on a refresh. The operator filters by
status and works a request through «Взять в работу», «Ответить…» (a dialog for the answer's
text) and «Закрыть»; the service refuses a step that would move a request back, and its message
is shown in the dock's status line.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models import FeedbackStatus
from workstation.services import feedback
from workstation.services.feedback import STATUS_LABELS, FeedbackRow, feedback_list
from workstation.services.journal import Actor
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.keyed_rows_model import ROW_DATA_ROLE, ROW_ID_ROLE, KeyedRowsModel
from workstation.ui.keyed_rows_view import KeyedRowsView

__all__ = ["ROW_DATA_ROLE", "ROW_ID_ROLE", "AnswerDialog", "Column", "FeedbackDock",
           "FeedbackQueueModel"]

TIME_FORMAT = "%d.%m.%Y %H:%M"
NEW_COLOR = QColor(0x15, 0x65, 0xC0)
DEFAULT_LIMIT = 200


class Column(enum.IntEnum):
    """Columns of the queue."""

    NUMBER = 0
    CREATED = 1
    NAME = 2
    PHONE = 3
    EMAIL = 4
    QUESTION = 5
    STATUS = 6
    HANDLED_BY = 7


def _rich(text: str) -> str:
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


class FeedbackQueueModel(KeyedRowsModel[FeedbackRow]):
    """Requests newest first: number, time, name, masked contacts, question, status, operator."""

    column_count = len(Column)

    def __init__(self, parent: QObject | None = None, *, tz: dt.tzinfo | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._headers = {
            Column.NUMBER: self.tr("№"),
            Column.CREATED: self.tr("Поступило"),
            Column.NAME: self.tr("ФИО"),
            Column.PHONE: self.tr("Телефон"),
            Column.EMAIL: self.tr("E-mail"),
            Column.QUESTION: self.tr("Вопрос"),
            Column.STATUS: self.tr("Статус"),
            Column.HANDLED_BY: self.tr("Оператор"),
        }

    def format_time(self, moment: dt.datetime) -> str:
        """``dd.mm.yyyy HH:MM`` in the model's time zone."""
        return moment.astimezone(self._tz).strftime(TIME_FORMAT)

    def header(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[Column(column)]
        return None

    def display(self, row: FeedbackRow, column: int) -> str:
        match Column(column):
            case Column.NUMBER:
                return str(row.id)
            case Column.CREATED:
                return self.format_time(row.created_at)
            case Column.NAME:
                return row.full_name
            case Column.PHONE:
                return row.masked_phone
            case Column.EMAIL:
                return row.masked_email
            case Column.QUESTION:
                return " ".join(row.question.split())
            case Column.STATUS:
                return row.status_label
            case _:
                return row.handled_by

    def tooltip(self, row: FeedbackRow, column: int) -> str | None:
        if column == Column.QUESTION:
            return _rich(row.question)
        if column == Column.STATUS and row.answer:
            return _rich(self.tr("Ответ: {0}").format(row.answer))
        return None

    def foreground(self, row: FeedbackRow, column: int) -> QColor | None:
        if column == Column.STATUS and row.status is FeedbackStatus.NEW:
            return NEW_COLOR
        return None


class AnswerDialog(QDialog):
    """«Ответ на обращение»: the question and a field for the answer."""

    def __init__(self, row: FeedbackRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Ответ на обращение №{0}").format(row.id))
        self.row = row
        layout = QVBoxLayout(self)
        contacts = ", ".join(part for part in (row.masked_phone, row.masked_email) if part)
        who = QLabel(f"{row.full_name} ({contacts})" if contacts else row.full_name, self)
        layout.addWidget(who)
        question = QLabel(row.question, self)
        question.setWordWrap(True)
        question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(question)
        layout.addWidget(QLabel(self.tr("Ответ:"), self))
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setTabChangesFocus(True)
        layout.addWidget(self.text_edit, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Ответить"))
        ok.setEnabled(False)
        self.text_edit.textChanged.connect(
            lambda: ok.setEnabled(bool(self.text_edit.toPlainText().strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(520, 360)

    @property
    def text(self) -> str:
        """The answer as typed."""
        return self.text_edit.toPlainText()


class FeedbackDock(QDockWidget):
    """The queue of feedback requests as a dock of the operator's window."""

    refreshed = Signal()
    """A refresh result is shown."""

    actionDone = Signal(str)
    """A step succeeded; the text (also in the status line) says which."""

    actionFailed = Signal(str)
    """A step or a refresh failed; the text (also in the status line) says why."""

    answerDialogOpened = Signal(object)
    """The «Ответить…» dialog was opened (tests and the window use it)."""

    def __init__(
        self,
        worker: DatabaseWorker,
        *,
        actor: Actor,
        parent: QWidget | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Обратная связь"))
        self.setObjectName("feedbackDock")
        self._worker = worker
        self._actor = actor
        self._limit = limit
        self._request_id: int | None = None
        self._again = False
        self._loaded = False
        self._shown_status: FeedbackStatus | None = None
        self._model = FeedbackQueueModel(self)
        self._view = KeyedRowsView(self)
        self._filter = QComboBox(self)
        self._take_button = QPushButton(self.tr("Взять в работу"), self)
        self._answer_button = QPushButton(self.tr("Ответить…"), self)
        self._close_button = QPushButton(self.tr("Закрыть"), self)
        self._refresh_button = QPushButton(self.tr("Обновить"), self)
        self._status_label = QLabel(self)
        self._counts_label = QLabel(self)
        self._dialog: AnswerDialog | None = None
        self._build()

    # --- public API -------------------------------------------------------------------------

    @property
    def model(self) -> FeedbackQueueModel:
        """The table model."""
        return self._model

    @property
    def view(self) -> KeyedRowsView:
        """The table view."""
        return self._view

    @property
    def status_filter(self) -> QComboBox:
        """«Все» or one status; its item data is the ``FeedbackStatus`` or None."""
        return self._filter

    @property
    def take_button(self) -> QPushButton:
        return self._take_button

    @property
    def answer_button(self) -> QPushButton:
        return self._answer_button

    @property
    def close_button(self) -> QPushButton:
        return self._close_button

    @property
    def refresh_button(self) -> QPushButton:
        return self._refresh_button

    @property
    def status_label(self) -> QLabel:
        """The line under the table: the last step's outcome or what went wrong."""
        return self._status_label

    @property
    def counts_label(self) -> QLabel:
        """How many requests are shown, new and in progress among them."""
        return self._counts_label

    @property
    def answer_dialog(self) -> AnswerDialog | None:
        """The open «Ответить…» dialog."""
        return self._dialog

    @property
    def is_refreshing(self) -> bool:
        return self._request_id is not None

    def current_row(self) -> FeedbackRow | None:
        """The selected request."""
        index = self._view.currentIndex()
        if not index.isValid():
            return None
        return self._model.row_data(index.row())

    def select_request(self, request_id: int) -> bool:
        """Make the request with that number current; False when it is not in the list."""
        row = self._model.row_of(request_id)
        if row is None:
            return False
        self._view.selectRow(row)
        self._view.setCurrentIndex(self._model.index(row, 0))
        return True

    @Slot()
    def refresh(self) -> None:
        """Read the queue now (after the refresh in progress, if there is one)."""
        if not self._worker.is_running:
            return
        if self._request_id is not None:
            self._again = True
            return
        status = self._filter.currentData()
        self._request_id = self._worker.submit(
            partial(feedback_list, status=status, limit=self._limit),
            partial(self._on_loaded, status),
            self._on_failed,
            owner=self,
        )

    @Slot()
    def take_current(self) -> None:
        """«Взять в работу» for the selected request."""
        row = self.current_row()
        if row is None:
            return
        actor = self._actor
        self._run(
            lambda session: feedback.take_in_work(session, row.id, actor=actor),
            self.tr("Обращение №{0} взято в работу.").format(row.id),
        )

    @Slot()
    def answer_current(self) -> None:
        """«Ответить…»: open the dialog for the selected request."""
        row = self.current_row()
        if row is None or self._dialog is not None:
            return
        dialog = AnswerDialog(row, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(partial(self._on_answer_finished, dialog))
        self._dialog = dialog
        dialog.open()
        self.answerDialogOpened.emit(dialog)

    def send_answer(self, request_id: int, text: str) -> None:
        """Store ``text`` as the answer to the request."""
        actor = self._actor
        self._run(
            lambda session: feedback.answer(session, request_id, text, actor=actor),
            self.tr("Ответ на обращение №{0} сохранен.").format(request_id),
        )

    @Slot()
    def close_current(self) -> None:
        """«Закрыть» the selected request."""
        row = self.current_row()
        if row is None:
            return
        actor = self._actor
        self._run(
            lambda session: feedback.close(session, row.id, actor=actor),
            self.tr("Обращение №{0} закрыто.").format(row.id),
        )

    # --- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Статус:"), body))
        self._filter.addItem(self.tr("Все"), None)
        for status in FeedbackStatus:
            self._filter.addItem(STATUS_LABELS[status], status)
        self._filter.currentIndexChanged.connect(self.refresh)
        top.addWidget(self._filter)
        top.addStretch(1)
        for button in (
            self._take_button,
            self._answer_button,
            self._close_button,
            self._refresh_button,
        ):
            top.addWidget(button)
        layout.addLayout(top)

        view = self._view
        view.setObjectName("feedbackView")
        view.setModel(self._model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.QUESTION, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(view, 1)
        self._status_label.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self._counts_label)
        bottom.addWidget(self._status_label, 1)
        layout.addLayout(bottom)
        self.setWidget(body)

        self._take_button.clicked.connect(self.take_current)
        self._answer_button.clicked.connect(self.answer_current)
        self._close_button.clicked.connect(self.close_current)
        self._refresh_button.clicked.connect(self.refresh)
        selection = view.selectionModel()
        selection.currentRowChanged.connect(self._update_buttons)
        self._model.modelReset.connect(self._update_buttons)
        self._model.dataChanged.connect(self._update_buttons)
        self._model.rowsRemoved.connect(self._update_buttons)
        self._update_buttons()

    # --- reactions ----------------------------------------------------------------------------

    @Slot()
    def _update_buttons(self) -> None:
        row = self.current_row()
        status = row.status if row is not None else None
        self._take_button.setEnabled(status is FeedbackStatus.NEW)
        self._answer_button.setEnabled(
            status in (FeedbackStatus.NEW, FeedbackStatus.IN_PROGRESS)
        )
        self._close_button.setEnabled(status is not None and status is not FeedbackStatus.CLOSED)

    def _run(self, job: Callable[[Session], object], done_text: str) -> None:
        def on_done(_result: object) -> None:
            self._status_label.setText(done_text)
            self.actionDone.emit(done_text)
            self.refresh()

        self._worker.submit(job, on_done, self._on_action_failed, owner=self)

    def _on_answer_finished(self, dialog: AnswerDialog, result: int) -> None:
        self._dialog = None
        if result == QDialog.DialogCode.Accepted and dialog.text.strip():
            self.send_answer(dialog.row.id, dialog.text)

    def _on_loaded(self, status: FeedbackStatus | None, rows: object) -> None:
        self._request_id = None
        assert isinstance(rows, list)
        current = self.current_row()
        anchor = self._view.top_anchor()
        if not self._loaded or status != self._shown_status:
            self._model.reset_rows(rows)
        else:
            self._model.set_rows(rows)
            self._view.restore_anchor(anchor, self._model)
        self._shown_status = status
        self._loaded = True
        if current is not None:
            self.select_request(current.id)
        self._update_buttons()
        counts = {s: sum(1 for r in rows if r.status is s) for s in FeedbackStatus}
        self._counts_label.setText(
            self.tr("Показано обращений: {0}; новых: {1}, в работе: {2}.").format(
                len(rows), counts[FeedbackStatus.NEW], counts[FeedbackStatus.IN_PROGRESS]
            )
        )
        if self._again:
            self._again = False
            self.refresh()
            return
        self.refreshed.emit()

    def _on_failed(self, error: BaseException) -> None:
        self._request_id = None
        self._again = False
        text = self.tr("Список обращений не загружен: {0}").format(describe_error(error))
        self._status_label.setText(text)
        self.actionFailed.emit(text)

    def _on_action_failed(self, error: BaseException) -> None:
        text = describe_error(error)
        self._status_label.setText(text)
        self.actionFailed.emit(text)
        self.refresh()
