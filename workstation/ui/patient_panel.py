"""The ПАЦИЕНТ column of the booking screen: one smart search box and the patient form.

The search box takes whatever the caller says (ЕНП, временное свидетельство, СНИЛС, паспорт or
«Фамилия Имя Отчество ДД.ММ.ГГГГ", see ``services.patient_search``); the registry is searched
on the database worker a moment after the operator stops typing, and results of an older text
are dropped. The list below shows the hits ranked and masked; ↑/↓ in the box move through it,
Enter chooses (Enter typed before the results came chooses as soon as they come). When nobody is
found, Enter carries what was typed into the form.

The form has the manual's five identification ways; the fields shown and required follow the
way (``services.patient_registry``). A message under a field says what is wrong with it: on
leaving a filled-in field and, for every field, on Enter, which saves the patient (found by the
document or added to the registry) and chooses them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFocusEvent, QFont, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models.identity import InvalidDocument
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.patient_registry import (
    FormField,
    IdentificationWay,
    PatientDataRequired,
    PatientForm,
    PatientFormInvalid,
    document_label,
    load_form,
    parse_birth_date,
    required_fields,
    save_patient,
    shown_fields,
    validate,
)
from workstation.services.patient_search import (
    DEFAULT_LIMIT,
    SEARCH_ERRORS,
    DocumentQuery,
    MatchedField,
    NameQuery,
    PatientHit,
    SearchResult,
    recognise_query,
    search_patients,
)
from workstation.ui.db_worker import DatabaseWorker, describe_error

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()

PATIENT_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""Database id (int) of the patient in the row."""
HIT_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""The row's ``PatientHit`` (masked values only)."""

DEFAULT_DEBOUNCE_MS = 150
"""How long after the last keystroke the registry is searched."""
ERROR_COLOR = QColor(0xC6, 0x28, 0x28)
HINT_COLOR = QColor(0x60, 0x60, 0x60)
VISIBLE_HITS = 4
"""Rows of the result list visible without scrolling."""
DEFAULT_WAY = IdentificationWay.OMS

_DATE_FORMAT = "%d.%m.%Y"
_RETURN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_DOCUMENT_FIELDS = {
    MatchedField.SNILS: IdentificationWay.SNILS,
    MatchedField.OMS: IdentificationWay.OMS,
    MatchedField.PASSPORT: IdentificationWay.PASSPORT,
    MatchedField.DMS: IdentificationWay.DMS,
}


def _search_job(database: Database, text: str, limit: int, _session: Session) -> SearchResult:
    # PatientSearch runs its statements on a connection of its own (see patient_search).
    return search_patients(database, text, limit=limit)


def _save_job(
    database: Database, form: PatientForm, actor: Actor | None, _session: Session
) -> tuple[int, PatientForm]:
    # A write session: on SQLite it takes the write lock up front (read-then-write).
    with database.write_session() as session:
        patient_id = save_patient(session, form, actor or Actor.system())
        return patient_id, load_form(session, patient_id)


def _load_job(patient_id: int, session: Session) -> PatientForm:
    return load_form(session, patient_id)


# --------------------------------------------------------------------------------------------
# Results


class PatientHitsModel(QAbstractListModel):
    """The patients found, in the search's rank order; documents and phones masked."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[PatientHit] = []
        self._field_names = {
            MatchedField.SNILS: self.tr("СНИЛС"),
            MatchedField.OMS: self.tr("полис ОМС"),
            MatchedField.PASSPORT: self.tr("паспорт"),
            MatchedField.DMS: self.tr("полис ДМС"),
            MatchedField.NAME: self.tr("ФИО"),
        }

    @property
    def hits(self) -> tuple[PatientHit, ...]:
        """The hits shown, top to bottom."""
        return tuple(self._hits)

    def hit(self, row: int) -> PatientHit | None:
        """The hit in ``row``."""
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def set_hits(self, hits: Sequence[PatientHit]) -> None:
        """Show the hits of a new search (a new query: the list is reset)."""
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        if self._hits:
            self.set_hits([])

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not self._valid(index):
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._valid(index):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(hit)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(hit)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(hit).replace("\n", ", ")
        if role == PATIENT_ID_ROLE:
            return hit.patient_id
        if role == HIT_ROLE:
            return hit
        return None

    def _valid(self, index: AnyIndex) -> bool:
        return (
            index.isValid()
            and index.model() is self
            and index.column() == 0
            and 0 <= index.row() < len(self._hits)
        )

    def _documents(self, hit: PatientHit) -> list[tuple[MatchedField, str]]:
        documents = [
            (MatchedField.SNILS, hit.snils),
            (MatchedField.OMS, hit.oms),
            (MatchedField.PASSPORT, hit.passport),
            (MatchedField.DMS, hit.dms),
        ]
        return [(field, value) for field, value in documents if value]

    def _display(self, hit: PatientHit) -> str:
        # Two lines, for a narrow column: the name; the birth date and one document.
        text = f"{hit.full_name}\n{hit.birth_date.strftime(_DATE_FORMAT)}"
        documents = self._documents(hit)
        # The document that matched, else the first one the patient has.
        shown = next((pair for pair in documents if pair[0] is hit.matched), None)
        if shown is None and documents:
            shown = documents[0]
        if shown is not None:
            text += f" · {self._field_names[shown[0]]} {shown[1]}"
        return text

    def _tooltip(self, hit: PatientHit) -> str:
        lines = [f"{hit.full_name}, {hit.birth_date.strftime(_DATE_FORMAT)}"]
        lines += [f"{self._field_names[field]}: {value}" for field, value in self._documents(hit)]
        if hit.phone:
            lines.append(self.tr("Телефон: {0}").format(hit.phone))
        found = self.tr("Найдено по: {0}").format(self._field_names[hit.matched])
        if not hit.exact:
            found += self.tr(" (начало фамилии)")
        lines.append(found)
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The panel


class PatientPanel(QWidget):
    """«ПАЦИЕНТ»: the smart search, the found patients and the identification form."""

    patientChosen = Signal(int)
    """A patient was chosen in the list or saved from the form; the patient's id."""

    cleared = Signal()
    """The panel was cleared for a new call (no patient chosen)."""

    searchFinished = Signal()
    """The results (or the message) for the text now in the search box are shown."""

    def __init__(
        self,
        worker: DatabaseWorker,
        database: Database,
        parent: QWidget | None = None,
        *,
        actor: Actor | None = None,
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        """``actor``: who the journal names (the workstation's OS user when not given)."""
        super().__init__(parent)
        self._worker = worker
        self._database = database
        self._actor = actor
        self._limit = limit
        self._patient_id: int | None = None
        self._generation = 0  # bumped by clear(): results of requests made before are dropped
        self._search_request: int | None = None
        self._shown_text: str | None = None  # the text whose results are in the list
        self._choose_when_ready = False
        self._saving = False
        self._new_patient = False

        self._search_field = QLineEdit(self)
        self._search_status = QLabel(self)
        self._model = PatientHitsModel(self)
        self._results = QListView(self)
        self._patient_label = QLabel(self)
        self._way_combo = QComboBox(self)
        self._form_layout = QFormLayout()
        self._editors: dict[FormField, QLineEdit | QCheckBox] = {}
        self._labels: dict[FormField, QLabel] = {}
        self._errors: dict[FormField, QLabel] = {}
        self._cells: dict[FormField, QWidget] = {}
        self._form_status = QLabel(self)
        self._form_area = QScrollArea(self)
        self._save_button = QPushButton(self.tr("Сохранить и выбрать (Enter)"), self)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._start_search)

        self.focus_search_action = QAction(self.tr("Поиск пациента"), self)
        self.focus_search_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.focus_search_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.focus_search_action.triggered.connect(self.focus_search)
        self.addAction(self.focus_search_action)

        self._build_search()
        self._build_form()
        self._build_layout()
        self._apply_way()

    # --- public API -------------------------------------------------------------------------

    @property
    def search_field(self) -> QLineEdit:
        """The smart search box (F2)."""
        return self._search_field

    @property
    def search_status(self) -> QLabel:
        """The line under the search box: how many were found, or what to type."""
        return self._search_status

    @property
    def results_view(self) -> QListView:
        """The list of patients found."""
        return self._results

    @property
    def results_model(self) -> PatientHitsModel:
        """The model of the list of patients found."""
        return self._model

    @property
    def way_combo(self) -> QComboBox:
        """«Способ идентификации»."""
        return self._way_combo

    @property
    def save_button(self) -> QPushButton:
        """Saves the form and chooses the patient (what Enter in the form does)."""
        return self._save_button

    @property
    def form_status(self) -> QLabel:
        """The line under the form (saved, or why not)."""
        return self._form_status

    @property
    def patient_label(self) -> QLabel:
        """Who is chosen."""
        return self._patient_label

    @property
    def patient_id(self) -> int | None:
        """The chosen patient."""
        return self._patient_id

    @property
    def way(self) -> IdentificationWay:
        """The identification way chosen in the combo."""
        return IdentificationWay(self._way_combo.currentData())

    @property
    def is_saving(self) -> bool:
        """True while a save waits for the database."""
        return self._saving

    def editor(self, field: FormField) -> QLineEdit | QCheckBox:
        """The widget of ``field``."""
        return self._editors[field]

    def line_edit(self, field: FormField) -> QLineEdit:
        """The line edit of a text ``field``."""
        editor = self._editors[field]
        if not isinstance(editor, QLineEdit):
            raise TypeError(f"{field} is not a text field")
        return editor

    def is_field_shown(self, field: FormField) -> bool:
        """True when the form shows ``field`` for the current way."""
        return field in self._shown()

    def error_text(self, field: FormField) -> str:
        """The message shown under ``field`` (empty when there is none)."""
        label = self._errors[field]
        return label.text() if not label.isHidden() else ""

    def shown_errors(self) -> dict[FormField, str]:
        """Every message shown under a field."""
        return {field: text for field in FormField if (text := self.error_text(field))}

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected (F2)."""
        self._search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search_field.selectAll()

    def set_way(self, way: IdentificationWay) -> None:
        """Choose the identification way (shows its fields)."""
        self._way_combo.setCurrentIndex(self._way_combo.findData(way.value))

    def form(self) -> PatientForm:
        """What the form holds; fields the current way does not show are left empty."""
        shown = self._shown()

        def text(field: FormField) -> str:
            return self.line_edit(field).text() if field in shown else ""

        consent = self._editors[FormField.CONSENT]
        return PatientForm(
            way=self.way,
            last_name=text(FormField.LAST_NAME),
            first_name=text(FormField.FIRST_NAME),
            patronymic=text(FormField.PATRONYMIC),
            birth_date=text(FormField.BIRTH_DATE),
            document=text(FormField.DOCUMENT),
            dms_insurer=text(FormField.DMS_INSURER),
            phone=text(FormField.PHONE),
            email=text(FormField.EMAIL),
            consent=isinstance(consent, QCheckBox) and consent.isChecked(),
        )

    def set_form(self, form: PatientForm) -> None:
        """Fill the form (messages are hidden)."""
        self._new_patient = False
        self.set_way(form.way)
        birth = form.birth_date
        values = {
            FormField.LAST_NAME: form.last_name,
            FormField.FIRST_NAME: form.first_name,
            FormField.PATRONYMIC: form.patronymic,
            FormField.BIRTH_DATE: (
                birth if isinstance(birth, str) else birth.strftime(_DATE_FORMAT) if birth else ""
            ),
            FormField.DOCUMENT: form.document,
            FormField.DMS_INSURER: form.dms_insurer,
            FormField.PHONE: form.phone,
            FormField.EMAIL: form.email,
        }
        for field, value in values.items():
            self.line_edit(field).setText(value)
        consent = self._editors[FormField.CONSENT]
        assert isinstance(consent, QCheckBox)
        consent.setChecked(form.consent)
        self._apply_way()
        self._hide_errors()

    def check_field(self, field: FormField) -> str:
        """Check one field as leaving it does; the message now shown under it ('' if none).

        An empty field that shows no message yet is left alone until the form is submitted.
        """
        if field not in self._shown():
            self._show_error(field, "")
            return ""
        if self._is_blank(field) and not self.error_text(field):
            return ""
        self._show_error(field, validate(self.form()).get(field, ""))
        return self.error_text(field)

    def submit(self) -> bool:
        """Check the form; if it is fine, save the patient (then ``patientChosen``).

        Returns False when a message was shown instead (the cursor goes to the first bad field).
        """
        if self._saving or not self._worker.is_running:
            return False
        form = self.form()
        errors = validate(form)
        if errors:
            self._show_form_errors(errors)
            return False
        self._hide_errors()
        self._saving = True
        self._set_form_status(self.tr("Сохранение…"), HINT_COLOR)
        self._worker.submit(
            partial(_save_job, self._database, form, self._actor),
            partial(self._on_saved, self._generation),
            partial(self._on_save_failed, self._generation),
            owner=self,
        )
        return True

    def search_now(self) -> None:
        """Search for the text in the box without waiting for the pause in typing."""
        self._timer.stop()
        self._start_search()

    def choose(self, row: int | None = None) -> bool:
        """Choose the hit in ``row`` (the current row by default); False if there is none."""
        if row is None:
            row = self._results.currentIndex().row()
        hit = self._model.hit(row)
        if hit is None or not self._worker.is_running:
            return False
        self._patient_id = hit.patient_id
        self._show_patient(hit.full_name, hit.birth_date.strftime(_DATE_FORMAT))
        self._set_form_status("", HINT_COLOR)
        self.patientChosen.emit(hit.patient_id)
        self._worker.submit(
            partial(_load_job, hit.patient_id),
            partial(self._on_form_loaded, self._generation, hit.patient_id),
            partial(self._on_load_failed, self._generation),
            owner=self,
        )
        return True

    def clear(self) -> None:
        """Forget the patient and every field, for a new call (Ctrl+N); ``cleared``."""
        self._generation += 1
        self._timer.stop()
        if self._search_request is not None:
            self._worker.cancel(self._search_request)
            self._search_request = None
        self._saving = False
        self._choose_when_ready = False
        self._patient_id = None
        self._search_field.clear()
        self._shown_text = None
        self._model.clear()
        self._set_search_status("", HINT_COLOR)
        self.set_form(PatientForm(way=DEFAULT_WAY))
        self._set_form_status("", HINT_COLOR)
        self._patient_label.clear()
        self._patient_label.hide()
        self.focus_search()
        self.cleared.emit()

    # --- search -------------------------------------------------------------------------------

    def _query_text(self) -> str:
        return self._search_field.text().strip()

    def _on_search_text_changed(self, _text: str) -> None:
        self._choose_when_ready = False
        if not self._query_text():
            self._timer.stop()
            self._shown_text = None
            self._model.clear()
            self._set_search_status("", HINT_COLOR)
            return
        self._timer.start()

    def _start_search(self) -> None:
        text = self._query_text()
        if not text or text == self._shown_text:
            self._after_results()
            return
        try:
            recognise_query(text, validate=False)
        except SEARCH_ERRORS as error:  # not a search yet: say what to type
            self._show_results(text, (), str(error), HINT_COLOR)
            return
        if self._search_request is not None:
            return  # one search at a time; its result, now stale, starts the next one
        if not self._worker.is_running:
            return
        self._search_request = self._worker.submit(
            partial(_search_job, self._database, text, self._limit),
            partial(self._on_results, self._generation, text),
            partial(self._on_search_failed, self._generation, text),
            owner=self,
        )

    def _take_search(self, generation: int, text: str) -> bool:
        """After a search: True when its outcome is for the text now in the box."""
        if generation != self._generation:
            return False
        self._search_request = None
        if text != self._query_text():
            if self._query_text() and not self._timer.isActive():
                self._start_search()
            return False
        return True

    def _on_results(self, generation: int, text: str, result: SearchResult) -> None:
        if not self._take_search(generation, text):
            return
        count = len(result.hits)
        if not count:
            message = self.tr(
                "В регистре никого не нашлось. Enter — перенести данные в форму ниже и добавить "
                "пациента."
            )
        elif result.more:
            message = self.tr("Показаны первые {0}: уточните запрос (имя, дата рождения).").format(
                count
            )
        else:
            message = self.tr("Найдено: {0}. ↑/↓ — выбор, Enter — выбрать.").format(count)
        self._show_results(text, result.hits, message, HINT_COLOR)

    def _on_search_failed(self, generation: int, text: str, error: BaseException) -> None:
        if not self._take_search(generation, text):
            return
        if isinstance(error, SEARCH_ERRORS):
            message = str(error)
        else:
            message = self.tr("Поиск не удался: {0}").format(describe_error(error))
        self._show_results(text, (), message, ERROR_COLOR)

    def _show_results(
        self, text: str, hits: Sequence[PatientHit], message: str, color: QColor
    ) -> None:
        self._shown_text = text
        self._model.set_hits(hits)
        if hits:
            self._results.setCurrentIndex(self._model.index(0, 0))
        self._set_search_status(message, color)
        self.searchFinished.emit()
        self._after_results()

    def _on_hits_reset(self) -> None:
        self._results.setVisible(self._model.rowCount() > 0)

    def _after_results(self) -> None:
        if not self._choose_when_ready or self._shown_text != self._query_text():
            return
        self._choose_when_ready = False
        if self._model.rowCount() > 0:
            self.choose()
        elif self._search_status.text() and not self._search_status_is_error():
            self._carry_query_to_form()

    def _on_search_return(self) -> None:
        text = self._query_text()
        if not text:
            return
        if text == self._shown_text and not self._timer.isActive():
            if self._model.rowCount() > 0:
                self.choose()
            elif not self._search_status_is_error():
                self._carry_query_to_form()
            return
        self._choose_when_ready = True
        self.search_now()

    def _search_status_is_error(self) -> bool:
        return bool(self._search_status.property("error"))

    def _move_current(self, step: int) -> None:
        rows = self._model.rowCount()
        if not rows:
            return
        current = self._results.currentIndex().row()
        row = 0 if current < 0 else max(0, min(rows - 1, current + step))
        self._results.setCurrentIndex(self._model.index(row, 0))

    def _carry_query_to_form(self) -> None:
        """Nobody found: start the form with what was typed in the search box."""
        text = self._query_text()
        try:
            query = recognise_query(text, validate=False)
        except SEARCH_ERRORS:
            return
        typed = self.form()
        form = PatientForm(phone=typed.phone, email=typed.email)
        if isinstance(query, DocumentQuery):
            field, value = query.lookups[0]
            form.way = _DOCUMENT_FIELDS.get(field, DEFAULT_WAY)
            form.document = value
        elif isinstance(query, NameQuery):
            form.way = IdentificationWay.NO_DOCUMENT
            names, birth = _split_name_text(text)
            names += ["", "", ""]
            form.last_name, form.first_name, form.patronymic = names[:3]
            form.birth_date = birth
        self.set_form(form)
        self._set_form_status(
            self.tr("Пациент не найден в регистре: заполните форму и нажмите Enter."), HINT_COLOR
        )
        self._focus_first_to_fill()

    # --- form ---------------------------------------------------------------------------------

    def _shown(self) -> tuple[FormField, ...]:
        return shown_fields(self.way, new_patient=self._new_patient)

    def _is_blank(self, field: FormField) -> bool:
        editor = self._editors[field]
        if isinstance(editor, QCheckBox):
            return not editor.isChecked()
        return not editor.text().strip()

    def _on_way_changed(self, _index: int) -> None:
        self._new_patient = False
        self._apply_way()
        self._hide_errors()

    def _apply_way(self) -> None:
        way = self.way
        shown = self._shown()
        required = required_fields(way)
        for field in FormField:
            visible = field in shown
            self._form_layout.setRowVisible(self._cells[field], visible)
            if not visible:
                self._show_error(field, "")
            label = self._labels.get(field)
            if label is None:
                continue
            name = document_label(way) if field is FormField.DOCUMENT else field.label
            label.setText(f"{name}:{' *' if field in required else ''}")
        document = self.line_edit(FormField.DOCUMENT)
        document.setPlaceholderText(self._document_placeholder(way))

    def _show_error(self, field: FormField, message: str) -> None:
        label = self._errors[field]
        label.setText(message)
        label.setVisible(bool(message))
        editor = self._editors[field]
        editor.setProperty("invalid", bool(message))
        editor.setToolTip(message)
        editor.setAccessibleDescription(message)

    def _hide_errors(self) -> None:
        for field in FormField:
            self._show_error(field, "")

    def _show_form_errors(self, errors: dict[FormField, str]) -> None:
        shown = self._shown()
        for field in FormField:
            self._show_error(field, errors.get(field, "") if field in shown else "")
        hidden = [message for field, message in errors.items() if field not in shown]
        self._set_form_status(
            " ".join([self.tr("Исправьте отмеченные поля."), *hidden]), ERROR_COLOR
        )
        first = next((field for field in FormField if field in errors and field in shown), None)
        if first is not None:
            editor = self._editors[first]
            self._focus_editor(editor)
            if isinstance(editor, QLineEdit):
                editor.selectAll()

    def _focus_first_to_fill(self) -> None:
        required = required_fields(self.way)
        for field in self._shown():
            if field in required and self._is_blank(field) and field is not FormField.CONSENT:
                self._focus_editor(self._editors[field])
                return
        self._focus_editor(self._editors[FormField.PHONE])

    def _focus_editor(self, editor: QWidget) -> None:
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self._form_area.ensureWidgetVisible(editor)

    def _on_field_edited(self, field: FormField, *_args: object) -> None:
        # A message already shown goes away as soon as the field is right.
        if self.error_text(field) and not validate(self.form()).get(field):
            self._show_error(field, "")

    def _on_saved(self, generation: int, outcome: tuple[int, PatientForm]) -> None:
        if generation != self._generation:
            return
        self._saving = False
        patient_id, saved = outcome
        self._patient_id = patient_id
        self.set_form(saved)
        self._show_patient(
            " ".join(p for p in (saved.last_name, saved.first_name, saved.patronymic) if p),
            saved.birth_date if isinstance(saved.birth_date, str) else "",
        )
        self._set_form_status(self.tr("Данные пациента сохранены, пациент выбран."), HINT_COLOR)
        self.patientChosen.emit(patient_id)

    def _on_save_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._saving = False
        if isinstance(error, PatientDataRequired):
            self._new_patient = True
            self._apply_way()
        if isinstance(error, PatientFormInvalid):
            self._show_form_errors(error.errors)
            if isinstance(error, PatientDataRequired):
                self._set_form_status(
                    self.tr(
                        "Пациента с этим документом нет в регистре: заполните фамилию, имя и "
                        "дату рождения и нажмите Enter."
                    ),
                    ERROR_COLOR,
                )
            return
        self._set_form_status(
            self.tr("Не удалось сохранить данные пациента: {0}").format(describe_error(error)),
            ERROR_COLOR,
        )

    def _on_form_loaded(self, generation: int, patient_id: int, form: PatientForm) -> None:
        if generation != self._generation or patient_id != self._patient_id:
            return
        self.set_form(form)
        if not form.consent:
            self._set_form_status(
                self.tr(
                    "Согласие на обработку персональных данных не записано: отметьте его, когда "
                    "пациент согласится, и нажмите Enter."
                ),
                ERROR_COLOR,
            )

    def _on_load_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._set_form_status(
            self.tr("Не удалось прочитать данные пациента: {0}").format(describe_error(error)),
            ERROR_COLOR,
        )

    def _show_patient(self, name: str, birth_date: str) -> None:
        text = name if not birth_date else f"{name}, {birth_date}"
        self._patient_label.setText(self.tr("Выбран: {0}").format(text))
        self._patient_label.show()

    # --- keyboard -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._on_key(watched, event)
        if (
            kind == QEvent.Type.FocusOut
            and isinstance(event, QFocusEvent)
            # Not when a popup opens or the operator switches to another window.
            and event.reason()
            not in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)
        ):
            field = self._field_of(watched)
            if field is not None and field is not FormField.CONSENT:
                self.check_field(field)
        return super().eventFilter(watched, event)

    def _on_key(self, watched: QObject, event: QKeyEvent) -> bool:
        key = event.key()
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if watched is self._search_field:
            if key in _RETURN_KEYS and plain:
                self._on_search_return()
                return True
            if key == Qt.Key.Key_Escape and self._search_field.text():
                self._search_field.clear()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and plain:
                self._move_current(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp) and plain:
                step = VISIBLE_HITS if key == Qt.Key.Key_PageDown else -VISIBLE_HITS
                self._move_current(step)
                return True
            return False
        if watched is self._results:
            if key in _RETURN_KEYS and plain:
                self.choose()
                return True
            return False
        if (
            key in _RETURN_KEYS
            and plain
            and (watched is self._way_combo or self._field_of(watched) is not None)
        ):
            self.submit()
            return True
        return False

    def _field_of(self, watched: QObject) -> FormField | None:
        return next((field for field, editor in self._editors.items() if editor is watched), None)

    # --- construction -------------------------------------------------------------------------

    def _build_search(self) -> None:
        field = self._search_field
        field.setObjectName("patientSearch")
        field.setPlaceholderText(self.tr("СНИЛС, полис, паспорт или Фамилия Имя ДД.ММ.ГГГГ"))
        field.setToolTip(
            self.tr(
                "Поиск пациента (F2): ЕНП, временное свидетельство, СНИЛС, серия и номер "
                "паспорта или «Фамилия Имя Отчество ДД.ММ.ГГГГ». ↑/↓ — выбор, Enter — выбрать, "
                "Esc — очистить."
            )
        )
        field.setClearButtonEnabled(True)
        field.textChanged.connect(self._on_search_text_changed)
        field.installEventFilter(self)

        self._search_status.setObjectName("patientSearchStatus")
        self._search_status.setWordWrap(True)
        self._search_status.setTextFormat(Qt.TextFormat.PlainText)

        view = self._results
        view.setObjectName("patientResults")
        view.setModel(self._model)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setUniformItemSizes(True)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # ↑/↓ in the search box move through the list: Tab goes from the box to the form.
        view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        row_height = 2 * view.fontMetrics().lineSpacing() + 6  # two lines a patient
        view.setMinimumHeight(row_height * 3)
        view.setMaximumHeight(row_height * VISIBLE_HITS + 2 * view.frameWidth())
        view.doubleClicked.connect(lambda index: self.choose(index.row()))
        view.installEventFilter(self)
        view.hide()  # shown while it has patients in it
        self._model.modelReset.connect(self._on_hits_reset)

    def _build_form(self) -> None:
        combo = self._way_combo
        combo.setObjectName("identificationWay")
        combo.addItem(self.tr("Без удостоверяющего документа"), IdentificationWay.NO_DOCUMENT.value)
        combo.addItem(self.tr("Полис ОМС"), IdentificationWay.OMS.value)
        combo.addItem(self.tr("СНИЛС"), IdentificationWay.SNILS.value)
        combo.addItem(self.tr("Паспорт гражданина РФ"), IdentificationWay.PASSPORT.value)
        combo.addItem(self.tr("Полис ДМС"), IdentificationWay.DMS.value)
        combo.setCurrentIndex(combo.findData(DEFAULT_WAY.value))
        combo.currentIndexChanged.connect(self._on_way_changed)
        combo.installEventFilter(self)
        way_label = QLabel(self.tr("Способ &идентификации:"), self)
        way_label.setBuddy(combo)

        layout = self._form_layout
        # Labels above the fields: the column is narrow and the messages need its whole width.
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addRow(way_label, combo)

        placeholders = {
            FormField.BIRTH_DATE: self.tr("ДД.ММ.ГГГГ"),
            FormField.PHONE: self.tr("8 912 345-67-89"),
            FormField.EMAIL: self.tr("для опроса об удовлетворенности"),
            FormField.DMS_INSURER: self.tr("необязательно"),
        }
        for field in FormField:
            if field is FormField.CONSENT:
                checkbox = QCheckBox(self.tr("Согласие на обработку персональных данных"), self)
                checkbox.toggled.connect(partial(self._on_field_edited, field))
                editor: QLineEdit | QCheckBox = checkbox
            else:
                line_edit = QLineEdit(self)
                line_edit.setPlaceholderText(placeholders.get(field, ""))
                line_edit.textEdited.connect(partial(self._on_field_edited, field))
                editor = line_edit
            editor.setObjectName(f"patient_{field.value}")
            editor.installEventFilter(self)
            self._editors[field] = editor

            error = QLabel(self)
            error.setObjectName(f"patient_{field.value}_error")
            error.setWordWrap(True)
            error.setTextFormat(Qt.TextFormat.PlainText)
            _set_color(error, ERROR_COLOR)
            error.hide()
            self._errors[field] = error

            cell = _FieldCell(editor, error, self)
            self._cells[field] = cell
            if field is FormField.CONSENT:
                layout.addRow(cell)
                continue
            label = QLabel(field.label, self)
            label.setBuddy(editor)
            self._labels[field] = label
            layout.addRow(label, cell)
        self.line_edit(FormField.BIRTH_DATE).setMaxLength(10)

        self._save_button.setObjectName("patientSave")
        self._save_button.setAutoDefault(False)
        self._save_button.clicked.connect(self.submit)
        self._form_status.setObjectName("patientFormStatus")
        self._form_status.setWordWrap(True)
        self._form_status.setTextFormat(Qt.TextFormat.PlainText)

    def _build_layout(self) -> None:
        title = QLabel(self.tr("ПАЦИЕНТ"), self)
        font = QFont(title.font())
        font.setBold(True)
        title.setFont(font)
        search_label = QLabel(self.tr("&Поиск (F2):"), self)
        search_label.setBuddy(self._search_field)
        self._patient_label.setObjectName("chosenPatient")
        self._patient_label.setWordWrap(True)
        self._patient_label.setTextFormat(Qt.TextFormat.PlainText)
        self._patient_label.setFont(font)
        self._patient_label.hide()

        # The form scrolls on its own when its messages do not fit (1366×768 desks).
        form = QWidget(self._form_area)
        form_box = QVBoxLayout(form)
        form_box.setContentsMargins(0, 0, 0, 0)
        form_box.addLayout(self._form_layout)
        form_box.addWidget(self._save_button)
        form_box.addWidget(self._form_status)
        form_box.addStretch(1)
        area = self._form_area
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        area.setWidget(form)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(title)
        layout.addWidget(search_label)
        layout.addWidget(self._search_field)
        layout.addWidget(self._search_status)
        layout.addWidget(self._results)
        layout.addWidget(self._patient_label)
        layout.addWidget(area, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setFocusProxy(self._search_field)

        # Tab order: the search box, then the form top to bottom, then the button.
        chain: list[QWidget] = [self._search_field, self._way_combo]
        chain += [self._editors[field] for field in FormField]
        chain.append(self._save_button)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _document_placeholder(self, way: IdentificationWay) -> str:
        if way is IdentificationWay.OMS:
            return self.tr("16 цифр ЕНП или 9 цифр временного свидетельства")
        if way is IdentificationWay.SNILS:
            return self.tr("112-233-445 95")
        if way is IdentificationWay.PASSPORT:
            return self.tr("45 02 573482")
        if way is IdentificationWay.DMS:
            return self.tr("номер полиса ДМС")
        return ""

    def _set_search_status(self, message: str, color: QColor) -> None:
        self._search_status.setText(message)
        self._search_status.setVisible(bool(message))
        self._search_status.setProperty("error", color == ERROR_COLOR)
        _set_color(self._search_status, color)

    def _set_form_status(self, message: str, color: QColor) -> None:
        self._form_status.setText(message)
        self._form_status.setVisible(bool(message))
        _set_color(self._form_status, color)


class _FieldCell(QWidget):
    """An editor with its message underneath (one row of the form)."""

    def __init__(self, editor: QWidget, error: QLabel, parent: QWidget) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(editor)
        layout.addWidget(error)
        self.setFocusProxy(editor)


def _set_color(label: QLabel, color: QColor) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, color)
    label.setPalette(palette)


def _split_name_text(text: str) -> tuple[list[str], str]:
    """Names as typed (capitalised when typed in one case) and the birth date text, if any."""
    names: list[str] = []
    birth = ""
    for token in text.replace(",", " ").split():
        if any(ch.isdigit() for ch in token):
            try:
                parse_birth_date(token)
            except InvalidDocument:
                continue
            birth = token
            continue
        word = token.strip(".")
        if not word:
            continue
        if word.islower() or word.isupper():
            word = "-".join(part.capitalize() for part in word.split("-"))
        names.append(word)
    return names, birth
