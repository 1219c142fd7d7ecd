"""The manual's «Обратная связь» form: fields, a message under each bad one, «Отправить».

The fields are checked at once (no database needed) and again by the service when the request
is stored through the database worker. After a request is accepted the form is cleared, shows
«Ваше обращение №N принято» and emits ``submitted(N)``. The kiosk and the operator's window use
the same widget.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.services.feedback import (
    QUESTION_MAX,
    REQUIRED_FIELDS,
    FeedbackField,
    FeedbackForm,
    FeedbackInvalid,
    submit_feedback,
    validate_feedback,
)
from workstation.services.journal import Actor
from workstation.ui.db_worker import DatabaseWorker, describe_error

ERROR_STYLE = "color: #c62828;"
SUCCESS_STYLE = "color: #2e7d32; font-weight: bold;"

_CONTACT_FIELDS = (FeedbackField.PHONE, FeedbackField.EMAIL)


class FeedbackFormWidget(QWidget):
    """«Обратная связь»: фамилия, имя, отчество, телефон, e-mail, вопрос and «Отправить»."""

    submitted = Signal(int)
    """A request was stored; its number."""

    failed = Signal(str)
    """Storing failed for a reason other than a bad field; the text is for the user."""

    def __init__(
        self, worker: DatabaseWorker, *, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._actor = actor
        self._request_id: int | None = None
        self._line_edits: dict[FeedbackField, QLineEdit] = {}
        self._errors: dict[FeedbackField, QLabel] = {}
        self._question = QPlainTextEdit(self)
        self._counter = QLabel(self)
        self._submit = QPushButton(self.tr("Отправить"), self)
        self._status = QLabel(self)
        self._build()

    # --- public API -------------------------------------------------------------------------

    @property
    def submit_button(self) -> QPushButton:
        """«Отправить»."""
        return self._submit

    @property
    def status_label(self) -> QLabel:
        """The line under the button: the success message or what went wrong."""
        return self._status

    @property
    def question_edit(self) -> QPlainTextEdit:
        """«Ваш вопрос»."""
        return self._question

    @property
    def is_sending(self) -> bool:
        """True while a request waits for the database."""
        return self._request_id is not None

    def line_edit(self, field: FeedbackField) -> QLineEdit:
        """The one-line editor of ``field`` (every field but the question)."""
        return self._line_edits[field]

    def error_label(self, field: FeedbackField) -> QLabel:
        """The message under ``field`` (hidden when the field is fine)."""
        return self._errors[field]

    def errors(self) -> dict[FeedbackField, str]:
        """The messages shown now, by field."""
        return {field: label.text() for field, label in self._errors.items() if label.text()}

    def form(self) -> FeedbackForm:
        """What the fields hold."""
        return FeedbackForm(
            **{field.value: edit.text() for field, edit in self._line_edits.items()},
            question=self._question.toPlainText(),
        )

    @Slot()
    def clear(self) -> None:
        """Empty every field and message (the success message too)."""
        for edit in self._line_edits.values():
            edit.clear()
        self._question.clear()
        self._show_errors({})
        self._status.clear()

    @Slot()
    def send(self) -> None:
        """Check the fields and store the request (what «Отправить» does)."""
        if self._request_id is not None:
            return
        form = self.form()
        errors = validate_feedback(form)
        self._show_errors(errors)
        if errors:
            self._status.setStyleSheet(ERROR_STYLE)
            self._status.setText(self.tr("Проверьте поля, отмеченные красным."))
            self._focus_first(errors)
            return
        self._status.clear()
        self._submit.setEnabled(False)
        actor = self._actor

        def job(session: Session) -> int:
            return submit_feedback(session, form, actor=actor)

        self._request_id = self._worker.submit(job, self._on_sent, self._on_failed, owner=self)

    # --- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        self.setObjectName("feedbackForm")
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Обратная связь"), self)
        title.setObjectName("feedbackTitle")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        layout.addWidget(title)
        form_layout = QFormLayout()
        form_layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for field in FeedbackField:
            if field is FeedbackField.QUESTION:
                editor: QWidget = self._question
                self._question.setTabChangesFocus(True)
                self._question.setMinimumHeight(120)
                self._question.setObjectName("feedback_question")
                self._question.textChanged.connect(self._on_question_changed)
            else:
                edit = QLineEdit(self)
                edit.setObjectName(f"feedback_{field.value}")
                edit.textEdited.connect(lambda _text, f=field: self._on_edited(f))
                edit.returnPressed.connect(self.send)
                self._line_edits[field] = edit
                editor = edit
            if field is FeedbackField.PHONE:
                self._line_edits[field].setPlaceholderText(self.tr("например 8 912 345-67-89"))
                self._line_edits[field].setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
            if field is FeedbackField.EMAIL:
                self._line_edits[field].setPlaceholderText(self.tr("например ivanov@mail.ru"))
                self._line_edits[field].setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
            error = QLabel(self)
            error.setObjectName(f"feedback_{field.value}_error")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            self._errors[field] = error
            box = QVBoxLayout()
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(editor)
            box.addWidget(error)
            if field is FeedbackField.QUESTION:
                box.addWidget(self._counter)
            label = QLabel(self._label_text(field), self)
            label.setBuddy(editor)
            form_layout.addRow(label, box)
        layout.addLayout(form_layout, 1)
        hint = QLabel(
            self.tr(
                "Обязательные для заполнения поля отмечены звездочкой - *. "
                "Из телефона и адреса электронной почты достаточно указать одно."
            ),
            self,
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self._submit.setObjectName("feedbackSubmit")
        self._submit.setDefault(True)
        self._submit.clicked.connect(self.send)
        layout.addWidget(self._submit, 0, Qt.AlignmentFlag.AlignLeft)
        self._status.setObjectName("feedbackStatus")
        self._status.setWordWrap(True)
        layout.addWidget(self._status)
        self._on_question_changed()

    def _label_text(self, field: FeedbackField) -> str:
        required = field in REQUIRED_FIELDS or field in _CONTACT_FIELDS
        return f"{field.label}:{' *' if required else ''}"

    # --- reactions ----------------------------------------------------------------------------

    def _show_errors(self, errors: dict[FeedbackField, str]) -> None:
        for field, label in self._errors.items():
            text = errors.get(field, "")
            label.setText(text)
            label.setVisible(bool(text))

    def _focus_first(self, errors: dict[FeedbackField, str]) -> None:
        first = next(iter(errors))
        widget: QWidget = (
            self._question if first is FeedbackField.QUESTION else self._line_edits[first]
        )
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _hide_error(self, field: FeedbackField) -> None:
        fields = _CONTACT_FIELDS if field in _CONTACT_FIELDS else (field,)
        for each in fields:
            self._errors[each].clear()
            self._errors[each].hide()

    def _on_edited(self, field: FeedbackField) -> None:
        self._hide_error(field)
        if self._request_id is None:
            self._status.clear()

    @Slot()
    def _on_question_changed(self) -> None:
        length = len(self._question.toPlainText().strip())
        self._counter.setText(self.tr("{0} из {1} знаков").format(length, QUESTION_MAX))
        self._counter.setStyleSheet(ERROR_STYLE if length > QUESTION_MAX else "")
        if self._question.hasFocus():
            self._hide_error(FeedbackField.QUESTION)

    def _on_sent(self, number: object) -> None:
        self._request_id = None
        self._submit.setEnabled(True)
        self.clear()
        self._status.setStyleSheet(SUCCESS_STYLE)
        self._status.setText(
            self.tr(
                "Ваше обращение №{0} принято. Специалисты контакт-центра свяжутся с вами "
                "по указанному телефону или адресу электронной почты."
            ).format(number)
        )
        if isinstance(number, int):
            self.submitted.emit(number)

    def _on_failed(self, error: BaseException) -> None:
        self._request_id = None
        self._submit.setEnabled(True)
        self._status.setStyleSheet(ERROR_STYLE)
        if isinstance(error, FeedbackInvalid):
            self._show_errors(error.errors)
            self._status.setText(self.tr("Проверьте поля, отмеченные красным."))
            return
        text = self.tr(
            "Не удалось отправить обращение: {0}. Попробуйте еще раз или позвоните в "
            "контакт-центр 8-800-100-86-03."
        ).format(describe_error(error))
        self._status.setText(text)
        self.failed.emit(text)
