"""«Ближайшие свободные: <специальность>»: the first free times of every doctor of a specialty.

Across one institution, or across every institution of the settlement (the same specialty name
in each, as :func:`~workstation.services.schedule.specialty_choices` groups them). The table
starts on the first free time of the first doctor; the arrows move, Enter or a double click
chooses. Rows are read through the database worker; a result that arrives after the operator
asked for another specialty or scope is dropped.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.services.schedule import (
    DEFAULT_PER_DOCTOR,
    EarliestFreeRow,
    FreeSlot,
    earliest_free_of,
    labels,
    specialty_choices,
)
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.doctor_week_view import SlotTableView
from workstation.ui.earliest_free_model import Column, EarliestFreeModel

__all__ = ["EarliestFreeView", "Scope"]


class Scope(enum.Enum):
    """Where the free times are looked for."""

    INSTITUTION = "institution"
    SETTLEMENT = "settlement"


@dataclass(frozen=True, slots=True)
class _Query:
    specialty_id: int
    institution_id: int | None
    settlement_id: int | None


@dataclass(frozen=True, slots=True)
class _Found:
    specialty_name: str
    rows: list[EarliestFreeRow]


def _earliest_job(
    query: _Query, scope: Scope, now: dt.datetime, per_doctor: int, session: Session
) -> _Found:
    if scope is Scope.INSTITUTION:
        choices = specialty_choices(session, institution_id=query.institution_id)
    else:
        choices = specialty_choices(session, settlement_id=query.settlement_id)
    # The specialty under its name in the scope: in a settlement, every institution's own row.
    choice = next((item for item in choices if query.specialty_id in item.specialty_ids), None)
    specialty_ids = choice.specialty_ids if choice is not None else (query.specialty_id,)
    rows = earliest_free_of(session, specialty_ids, now, per_doctor=per_doctor)
    name = choice.name if choice is not None else (rows[0].specialty_name if rows else "")
    return _Found(name, rows)


class EarliestFreeView(QWidget):
    """The earliest free times of a specialty's doctors; emits the slot the operator chose."""

    slotChosen = Signal(int)
    """Enter or a double click on a free time: its slot id."""

    loaded = Signal()
    """The rows of a search are shown."""

    loadFailed = Signal(str)
    """The search failed; the text is for the operator."""

    def __init__(
        self,
        worker: DatabaseWorker,
        now: Callable[[], dt.datetime],
        parent: QWidget | None = None,
        *,
        per_doctor: int = DEFAULT_PER_DOCTOR,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._now = now
        self._per_doctor = per_doctor
        self._query: _Query | None = None
        self._scope = Scope.INSTITUTION
        # Bumped per request: a result carrying an older number is dropped.
        self._serial = 0
        self._request: int | None = None

        self._title = QLabel(labels.EARLIEST_FREE_TITLE)
        title_font = self._title.font()
        title_font.setBold(True)
        self._title.setFont(title_font)

        self._by_institution = QRadioButton(self.tr("по учреждению"))
        self._by_settlement = QRadioButton(self.tr("по всему населенному пункту"))
        self._scope_group = QButtonGroup(self)
        self._scope_group.addButton(self._by_institution)
        self._scope_group.addButton(self._by_settlement)
        self._by_institution.setChecked(True)
        scope_row = QHBoxLayout()
        scope_row.addWidget(self._by_institution)
        scope_row.addWidget(self._by_settlement)
        scope_row.addStretch(1)

        self._model = EarliestFreeModel(self)
        self._table = SlotTableView(self)
        self._table.setModel(self._model)
        self._table.verticalHeader().hide()
        self._table.setAccessibleName(self.tr("Ближайшие свободные талоны"))
        self._status = QLabel()
        self._status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addLayout(scope_row)
        layout.addWidget(self._table, 1)
        layout.addWidget(self._status)
        self.setFocusProxy(self._table)

        self._scope_group.buttonToggled.connect(self._on_scope_toggled)
        self._table.chosen.connect(self._choose)
        self._model.modelReset.connect(self._fit_columns)
        self._update_scope_buttons()

    # --- public API -------------------------------------------------------------------------

    @property
    def model(self) -> EarliestFreeModel:
        """The table's model."""
        return self._model

    @property
    def table(self) -> SlotTableView:
        """The table."""
        return self._table

    @property
    def scope(self) -> Scope:
        """Where the free times are looked for."""
        return self._scope

    @property
    def is_loading(self) -> bool:
        """True while a search runs."""
        return self._request is not None

    def title_text(self) -> str:
        """«Ближайшие свободные: Терапевт»."""
        return self._title.text()

    def status_text(self) -> str:
        """«Нет свободных талонов», an error, or nothing."""
        return self._status.text()

    def show_specialty(
        self,
        specialty_id: int,
        *,
        institution_id: int | None = None,
        settlement_id: int | None = None,
    ) -> None:
        """Search the specialty's free times in the institution (when given) or the settlement.

        With both, the toggle switches between them; it starts on the institution.
        """
        if institution_id is None and settlement_id is None:
            raise ValueError("pass institution_id, settlement_id or both")
        self._query = _Query(specialty_id, institution_id, settlement_id)
        self._set_scope(Scope.INSTITUTION if institution_id is not None else Scope.SETTLEMENT)
        self._update_scope_buttons()
        self._load(new_query=True)

    def set_scope(self, scope: Scope) -> None:
        """Search in the institution or in the whole settlement (if the query allows it)."""
        if scope == self._scope or self._query is None:
            return
        if scope is Scope.INSTITUTION and self._query.institution_id is None:
            return
        if scope is Scope.SETTLEMENT and self._query.settlement_id is None:
            return
        self._set_scope(scope)
        self._load(new_query=True)

    def reload(self) -> None:
        """Search again; the current cell stays on its slot if it is still offered."""
        if self._query is not None:
            self._load(new_query=False)

    def current_slot(self) -> FreeSlot | None:
        """The free time of the current cell."""
        return self._model.slot_at(self._table.currentIndex())

    # --- internals ----------------------------------------------------------------------------

    def _set_scope(self, scope: Scope) -> None:
        self._scope = scope
        button = self._by_institution if scope is Scope.INSTITUTION else self._by_settlement
        self._scope_group.blockSignals(True)  # a programmatic change is not a request
        button.setChecked(True)
        self._scope_group.blockSignals(False)
        # Within one institution the column would repeat the same name on every row.
        self._table.setColumnHidden(Column.INSTITUTION, scope is Scope.INSTITUTION)

    def _update_scope_buttons(self) -> None:
        query = self._query
        self._by_institution.setEnabled(query is not None and query.institution_id is not None)
        self._by_settlement.setEnabled(query is not None and query.settlement_id is not None)

    def _on_scope_toggled(self, button: QRadioButton, checked: bool) -> None:
        if checked:
            self.set_scope(
                Scope.INSTITUTION if button is self._by_institution else Scope.SETTLEMENT
            )

    def _load(self, *, new_query: bool) -> None:
        query = self._query
        assert query is not None
        self._serial += 1
        serial, scope, moment, per_doctor = self._serial, self._scope, self._now(), self._per_doctor
        if self._request is not None:
            self._worker.cancel(self._request)
        if new_query:
            self._model.clear()
            self._status.setText(self.tr("Загрузка…"))

        def job(session: Session) -> _Found:
            return _earliest_job(query, scope, moment, per_doctor, session)

        self._request = self._worker.submit(
            job,
            lambda found: self._on_loaded(serial, found),
            lambda error: self._on_failed(serial, error),
            owner=self,
        )

    def _on_loaded(self, serial: int, found: _Found) -> None:
        if serial != self._serial:
            return
        self._request = None
        kept = self.current_slot()
        if found.specialty_name:
            self._title.setText(f"{labels.EARLIEST_FREE_TITLE}: {found.specialty_name}")
        else:
            self._title.setText(labels.EARLIEST_FREE_TITLE)
        self._model.set_rows(found.rows)
        target = self._model.index_of_slot(kept.slot_id) if kept is not None else QModelIndex()
        if not target.isValid():
            target = self._model.first_slot_index()
        if target.isValid():
            self._table.setCurrentIndex(target)
            self._table.scrollTo(target)
        self._status.setText("" if found.rows else labels.NO_FREE_SLOTS)
        self.loaded.emit()

    def _on_failed(self, serial: int, error: BaseException) -> None:
        if serial != self._serial:
            return
        self._request = None
        message = self.tr(
            "Не удалось найти свободное время: {0}. Повторите попытку; если ошибка повторится, "
            "обратитесь в техническую поддержку."
        ).format(describe_error(error))
        self._status.setText(message)
        self.loadFailed.emit(message)

    def _choose(self, index: QModelIndex) -> None:
        slot = self._model.slot_at(index)
        if slot is not None:
            self.slotChosen.emit(slot.slot_id)

    def _fit_columns(self) -> None:
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(Column.DOCTOR, QHeaderView.ResizeMode.Stretch)
        for column in range(Column.INSTITUTION, self._model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
