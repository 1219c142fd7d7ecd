"""The РАСПИСАНИЕ column of the booking screen.

«Учреждение» (with «Другая больница») and the manual's filters on top; the filtered tree
department → specialty → doctor with free tickets and the nearest time; under it either the
chosen doctor's week or «Ближайшие свободные» of a specialty (F4). Every query goes through the
window's database worker; a result that arrives after the operator moved on is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models.base import utc_now
from workstation.services import directory
from workstation.services.booking.holds import local_now
from workstation.services.directory import InstitutionRow
from workstation.services.schedule import ScheduleTree, schedule_tree
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.doctor_week_view import DoctorWeekView
from workstation.ui.earliest_free_view import EarliestFreeView
from workstation.ui.schedule_filter_bar import ScheduleFilterBar
from workstation.ui.schedule_tree_model import (
    DOCTOR_ID_ROLE,
    SPECIALTY_ID_ROLE,
    ScheduleTreeModel,
)


def wall_clock() -> dt.datetime:
    """The local wall clock slot times are written in."""
    return local_now(utc_now())


class _ScheduleTreeView(QTreeView):
    """The tree; Enter on a doctor goes to his week (the view's own Enter does nothing)."""

    doctorEntered = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.doctorEntered.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class SchedulePanel(QWidget):
    """Institution, filters, the schedule tree, and the doctor's week or the earliest free."""

    slotChosen = Signal(int)
    """The operator chose a free slot (its id) in the week, the slot dialog or the grid."""

    hint = Signal(str)
    """A short message for the status bar."""

    treeLoaded = Signal()
    """The tree of the current institution and filter is shown."""

    settled = Signal()
    """The institutions of a new settlement and the first one's tree are shown, or failed to load
    (the hint said why), or there are none: the column is done loading."""

    institutionChanged = Signal(int)
    """Another institution was chosen (its id)."""

    def __init__(
        self,
        worker: DatabaseWorker,
        parent: QWidget | None = None,
        *,
        now: Callable[[], dt.datetime] = wall_clock,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("schedulePanel")
        self._worker = worker
        self._now = now
        self._settlement_id: int | None = None
        self._generation = 0
        self._tree_request: int | None = None
        self._wanted_doctor: int | None = None
        self._institutions: list[InstitutionRow] = []
        self._after_tree: Callable[[], object] | None = None

        self.institution_combo = QComboBox(self)
        self.institution_combo.setObjectName("institutionCombo")
        self.institution_combo.setMinimumContentsLength(30)
        self.institution_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.institution_combo.currentIndexChanged.connect(self._on_institution_index)
        self.other_button = QPushButton("Другая больница", self)
        self.other_button.setObjectName("otherInstitution")
        self.other_button.clicked.connect(self.choose_other_institution)
        self.filters = ScheduleFilterBar(self)
        self.filters.filterChanged.connect(lambda _filter: self.reload_tree())
        self.filters.doctor_field.returnPressed.connect(self._enter_from_filter)
        self.filters.specialty_field.returnPressed.connect(self._enter_from_filter)
        self.filters.department_field.returnPressed.connect(self._enter_from_filter)

        self.tree_model = ScheduleTreeModel(self)
        self.tree = _ScheduleTreeView(self)
        self.tree.setObjectName("scheduleTree")
        self.tree.setModel(self.tree_model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setAnimated(False)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.tree_model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        selection = self.tree.selectionModel()
        selection.currentChanged.connect(self._on_tree_current)
        self.tree.doctorEntered.connect(self._on_tree_enter)
        self.tree.doubleClicked.connect(self._on_tree_enter)
        self.tree_status = QLabel(self)
        self.tree_status.setObjectName("treeStatus")

        self.week_view = DoctorWeekView(worker, now, self)
        self.earliest_view = EarliestFreeView(worker, now, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.week_view)
        self.stack.addWidget(self.earliest_view)
        for view in (self.week_view, self.earliest_view):
            view.slotChosen.connect(self.slotChosen.emit)
            view.loadFailed.connect(self.hint.emit)
        self.week_view.hint.connect(self.hint.emit)

        top = QHBoxLayout()
        top.addWidget(QLabel("Учреждение:", self))
        top.addWidget(self.institution_combo, 1)
        top.addWidget(self.other_button)
        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(self.filters)
        upper_layout.addWidget(self.tree, 1)
        upper_layout.addWidget(self.tree_status)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("scheduleSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(upper)
        splitter.addWidget(self.stack)
        splitter.setSizes([360, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # --- public API ---------------------------------------------------------------------------

    @property
    def institution_id(self) -> int | None:
        """The institution whose schedule is shown."""
        value = self.institution_combo.currentData()
        return int(value) if value is not None else None

    @property
    def settlement_id(self) -> int | None:
        """The settlement whose institutions the combo lists."""
        return self._settlement_id

    def set_settlement(self, settlement_id: int) -> None:
        """List the settlement's institutions and show the first one's schedule."""
        self._settlement_id = settlement_id
        self._generation += 1
        generation = self._generation

        def job(session: Session) -> list[InstitutionRow]:
            rows = directory.list_institutions(session, settlement_id)
            return [row for top in rows for row in top.walk()]

        # A failure is not reported here: the window's directory reads the same list and says
        # what to do (choose the settlement again, which comes back here).
        self._worker.submit(
            job,
            lambda rows: self._on_institutions(generation, rows),
            lambda _error: self._on_institutions_failed(generation),
            owner=self,
        )

    def set_institution(self, institution_id: int) -> bool:
        """Show this institution (it must be in the current settlement's list)."""
        position = self.institution_combo.findData(institution_id)
        if position < 0:
            return False
        self.institution_combo.setCurrentIndex(position)
        return True

    def show_institution(self, institution_id: int, doctor_id: int | None = None) -> bool:
        """Show the institution's schedule (and the doctor's week when one is given): the
        directory's «Перейти к форме записи»."""
        if self.institution_id == institution_id:
            if doctor_id is not None and not self.show_doctor(doctor_id):
                self._wanted_doctor = doctor_id
                self.reload_tree()
            return True
        if not self.set_institution(institution_id):
            return False
        # The reload is under way; its result selects the doctor.
        self._wanted_doctor = doctor_id
        return True

    def choose_other_institution(self) -> None:
        """«Другая больница»: open the institution list."""
        self.institution_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.institution_combo.showPopup()

    def focus_search(self) -> None:
        """F3: the doctor's-name filter, its text selected for typing over."""
        self.filters.doctor_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.doctor_field.selectAll()

    def clear_filters(self) -> None:
        """«Очистить» (Ctrl+N also does it for a new call)."""
        self.filters.clear()

    def reload_tree(self) -> None:
        """Query the tree again for the current institution and filter."""
        institution_id = self.institution_id
        if institution_id is None:
            self.tree_model.set_tree(None)
            return
        current = self.current_doctor_id()
        if current is not None:
            self._wanted_doctor = current
        if self._tree_request is not None:
            self._worker.cancel(self._tree_request)
        filters = self.filters.current()
        now = self._now()
        self._generation += 1
        generation = self._generation

        def job(session: Session) -> ScheduleTree:
            return schedule_tree(session, institution_id, now, filters)

        self._tree_request = self._worker.submit(
            job,
            lambda tree: self._on_tree(generation, tree),
            lambda error: self._on_failed(generation, error),
            owner=self,
        )

    def current_doctor_id(self) -> int | None:
        """The doctor of the tree's current row, if it is a doctor row."""
        value = self.tree.currentIndex().data(DOCTOR_ID_ROLE)
        return int(value) if value is not None else None

    def current_specialty_id(self) -> int | None:
        """The specialty of the current row (a specialty or a doctor row)."""
        value = self.tree.currentIndex().data(SPECIALTY_ID_ROLE)
        return int(value) if value is not None else None

    def show_doctor(self, doctor_id: int) -> bool:
        """Select the doctor in the tree (when he is in it) and show his week."""
        index = self.tree_model.index_of_doctor(doctor_id)
        if not index.isValid():
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def show_earliest_free(self, *, whole_settlement: bool = False) -> bool:
        """F4: «Ближайшие свободные» for the current row's specialty.

        Pressed right after typing a specialty in the filter, it waits for that filter's tree
        and takes its first specialty: «F3, Tab, терапевт, F4» is the whole search.
        """
        if self.filters.has_pending_change():
            self.filters.apply_now()
        if self._tree_request is not None:
            self._after_tree = lambda: self.show_earliest_free(whole_settlement=whole_settlement)
            return True
        specialty_id = self.current_specialty_id()
        if specialty_id is None or (
            self.filters.specialty_field.hasFocus() and self.filters.current().specialty
        ):
            best = self.tree_model.best_specialty_id(self.filters.current().specialty)
            specialty_id = best or specialty_id
        if specialty_id is None:
            self.hint.emit(
                "Выберите в расписании специальность или врача, затем нажмите F4."
            )
            return False
        self.stack.setCurrentWidget(self.earliest_view)
        if whole_settlement and self._settlement_id is not None:
            self.earliest_view.show_specialty(specialty_id, settlement_id=self._settlement_id)
        else:
            self.earliest_view.show_specialty(specialty_id, institution_id=self.institution_id)
        self.earliest_view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def refresh_schedule(self) -> None:
        """The cache changed (a booking, a sync): reload the tree and what is below it."""
        self.reload_tree()
        if self.stack.currentWidget() is self.week_view:
            self.week_view.reload()
        else:
            self.earliest_view.reload()

    # --- loading -----------------------------------------------------------------------------

    def _on_institutions(self, generation: int, rows: list[InstitutionRow]) -> None:
        if generation != self._generation:
            return
        self._institutions = rows
        combo = self.institution_combo
        combo.blockSignals(True)
        combo.clear()
        for row in rows:
            name = row.short_name or row.full_name
            combo.addItem(name, row.id)
            combo.setItemData(combo.count() - 1, f"{row.full_name}\n{row.address}",
                              Qt.ItemDataRole.ToolTipRole)
        combo.blockSignals(False)
        if rows:
            combo.setCurrentIndex(0)
            self._on_institution_index(0)
        else:
            self.tree_model.set_tree(None)
            self.tree_status.setText("В населенном пункте нет учреждений, подключенных к записи.")
            self.settled.emit()

    @property
    def has_institutions(self) -> bool:
        """True when the settlement's institutions are listed."""
        return self.institution_combo.count() > 0

    def _on_institutions_failed(self, generation: int) -> None:
        if generation == self._generation:
            self.settled.emit()

    def _on_institution_index(self, position: int) -> None:
        if position < 0:
            return
        self._wanted_doctor = None
        self.reload_tree()
        institution_id = self.institution_id
        if institution_id is not None:
            self.institutionChanged.emit(institution_id)

    def _on_tree(self, generation: int, tree: ScheduleTree) -> None:
        self._tree_request = None
        if generation != self._generation:
            return
        self.tree_model.set_tree(tree)
        self.tree.expandAll()
        if tree.doctor_count:
            self.tree_status.setText(
                f"Врачей: {tree.doctor_count}, свободных талонов: {tree.free_count}"
            )
        elif self.filters.current().is_clear:
            self.tree_status.setText("В учреждении нет врачей с расписанием.")
        else:
            self.tree_status.setText(
                "Ничего не найдено: измените условия поиска или нажмите «Очистить»."
            )
        wanted = self._wanted_doctor
        filters = self.filters.current()
        if wanted is not None and self.show_doctor(wanted):
            pass
        elif (filters.doctor or filters.specialty or filters.department) and tree.doctor_count:
            # A search narrows to what the operator meant: start on its first doctor.
            first = next(iter(tree.doctors()))
            self.show_doctor(first.id)
        self.treeLoaded.emit()
        self.settled.emit()
        after, self._after_tree = self._after_tree, None
        if after is not None:
            after()

    def _on_failed(self, generation: int, error: BaseException) -> None:
        self._tree_request = None
        if generation != self._generation:
            return
        self.settled.emit()
        self.hint.emit(
            f"Не удалось загрузить расписание: {describe_error(error)}. Повторите (F5 обновит "
            "расписания); если не поможет, обратитесь в техническую поддержку."
        )

    def _on_tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        doctor_id = current.data(DOCTOR_ID_ROLE)
        if doctor_id is None:
            return
        self._wanted_doctor = int(doctor_id)
        self.stack.setCurrentWidget(self.week_view)
        self.week_view.show_doctor(int(doctor_id))

    def _on_tree_enter(self, index: QModelIndex) -> None:
        if index.data(DOCTOR_ID_ROLE) is not None:
            self.stack.setCurrentWidget(self.week_view)
            self.week_view.go_nearest()
            self.week_view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif index.data(SPECIALTY_ID_ROLE) is not None:
            self.tree.setCurrentIndex(index)
            self.show_earliest_free()
        else:
            self.tree.setExpanded(index, not self.tree.isExpanded(index))

    def _enter_from_filter(self) -> None:
        """Enter in a filter field: apply it now and go down to the tree."""
        self.filters.apply_now()
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)
