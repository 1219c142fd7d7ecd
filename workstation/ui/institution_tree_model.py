"""Lazy tree of one settlement's directory: institution → department → specialty → doctor.

The top level is loaded when the settlement is set (the only model reset); the children of a
node are loaded when a view expands it (``canFetchMore`` / ``fetchMore``), through the database
worker, and appended with ``beginInsertRows``. An institution's children are its departments
followed by its subdivisions in the same settlement. Results that arrive after the settlement
changed are dropped.
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from sqlalchemy.orm import Session

from workstation.services import directory
from workstation.services.directory import (
    DepartmentRow,
    DoctorRow,
    InstitutionRow,
    SpecialtyRow,
)
from workstation.ui.db_worker import DatabaseWorker, Job, describe_error

AnyIndex = QModelIndex | QPersistentModelIndex
RowData = InstitutionRow | DepartmentRow | SpecialtyRow | DoctorRow
_NO_PARENT = QModelIndex()

NODE_KIND_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""``NodeKind`` value (str) of the node."""
ENTITY_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""Database id of the node's entity; ``None`` for «Без отделения»."""
ROW_DATA_ROLE = int(Qt.ItemDataRole.UserRole) + 3
"""The node's frozen row (``InstitutionRow``, ``DepartmentRow``, …) for other screens."""


class NodeKind(enum.StrEnum):
    """What a tree node stands for."""

    INSTITUTION = "institution"
    DEPARTMENT = "department"
    SPECIALTY = "specialty"
    DOCTOR = "doctor"


class Column(enum.IntEnum):
    """Columns of the tree."""

    NAME = 0
    ADDRESS = 1
    DOCTORS = 2


class _State(enum.Enum):
    UNLOADED = enum.auto()
    LOADING = enum.auto()
    LOADED = enum.auto()


@dataclass(eq=False)
class _Node:
    uid: int
    kind: NodeKind | None  # None for the invisible root
    row_data: RowData | None
    parent: _Node | None
    row: int = 0
    may_have_children: bool = False
    state: _State = _State.UNLOADED
    children: list[_Node] = field(default_factory=list)


def _may_have_children(row: RowData) -> bool:
    if isinstance(row, InstitutionRow):
        return bool(row.department_count or row.doctor_count or row.subdivisions)
    if isinstance(row, DepartmentRow | SpecialtyRow):
        return row.doctor_count > 0
    return False


def _kind_of(row: RowData) -> NodeKind:
    if isinstance(row, InstitutionRow):
        return NodeKind.INSTITUTION
    if isinstance(row, DepartmentRow):
        return NodeKind.DEPARTMENT
    if isinstance(row, SpecialtyRow):
        return NodeKind.SPECIALTY
    return NodeKind.DOCTOR


class InstitutionTreeModel(QAbstractItemModel):
    """Institutions of one settlement with departments, specialties and doctors, loaded lazily."""

    topLevelLoaded = Signal()
    """The institutions of the current settlement are in the model."""

    childrenLoaded = Signal(QModelIndex)
    """The children of this index were loaded (possibly none)."""

    loadFailed = Signal(QModelIndex, str)
    """Loading the children of this index (invalid: the top level) failed; text for the operator."""

    def __init__(self, worker: DatabaseWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._uids = itertools.count(1)
        # No settlement yet: an empty, complete tree.
        self._root = _Node(uid=0, kind=None, row_data=None, parent=None, state=_State.LOADED)
        self._nodes: dict[int, _Node] = {}
        self._settlement_id: int | None = None
        # Bumped on every reset: a result carrying an older generation belongs to a tree that
        # no longer exists and is dropped.
        self._generation = 0
        self._requests: set[int] = set()
        self._bold: QFont | None = None
        self._italic: QFont | None = None

    # --- public API -------------------------------------------------------------------------

    @property
    def settlement_id(self) -> int | None:
        """The settlement whose institutions are shown."""
        return self._settlement_id

    @property
    def is_top_level_loaded(self) -> bool:
        """True once the current settlement's institutions are in the model."""
        return self._root.state is _State.LOADED

    def set_settlement(self, settlement_id: int | None) -> None:
        """Show the institutions of ``settlement_id`` (reset, then load the top level)."""
        # Results for the old tree would be dropped anyway; cancelling them also ends the
        # «Загрузка…» indication for them at once.
        for request_id in self._requests:
            self._worker.cancel(request_id)
        self._requests.clear()
        self.beginResetModel()
        self._generation += 1
        self._settlement_id = settlement_id
        self._nodes.clear()
        self._root = _Node(uid=0, kind=None, row_data=None, parent=None)
        self.endResetModel()
        if settlement_id is None:
            self._root.state = _State.LOADED
            return
        self._root.state = _State.LOADING
        self._request(self._root, partial(_top_level_job, settlement_id))

    def node_kind(self, index: AnyIndex) -> NodeKind | None:
        """The kind of node at ``index``."""
        node = self._node(index)
        return None if node is None else node.kind

    def row_data(self, index: AnyIndex) -> RowData | None:
        """The directory row at ``index``."""
        node = self._node(index)
        return None if node is None else node.row_data

    def is_loaded(self, index: AnyIndex) -> bool:
        """True when the children of ``index`` are in the model (or it can have none)."""
        node = self._node(index) if index.isValid() else self._root
        return node is not None and (node.state is _State.LOADED or not self._expects(node))

    def is_loading(self, index: AnyIndex) -> bool:
        """True while the children of ``index`` are being loaded."""
        node = self._node(index) if index.isValid() else self._root
        return node is not None and node.state is _State.LOADING

    # --- QAbstractItemModel -------------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = _NO_PARENT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        node = self._parent_node(parent)
        if node is None:
            return QModelIndex()
        return self.createIndex(row, column, node.children[row].uid)

    def parent(self, child: AnyIndex | None = None) -> Any:
        if child is None:  # QObject.parent()
            return super().parent()
        node = self._node(child)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent.uid)

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        if parent.column() > 0:
            return 0
        node = self._parent_node(parent)
        return 0 if node is None else len(node.children)

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return len(Column)

    def hasChildren(self, parent: AnyIndex = _NO_PARENT) -> bool:
        if parent.column() > 0:
            return False
        node = self._parent_node(parent)
        if node is None:
            return False
        if node.children:
            return True
        return node.state is not _State.LOADED and self._expects(node)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        if parent.column() > 0:
            return False
        node = self._parent_node(parent)
        return (
            node is not None
            and node is not self._root  # the top level is loaded by set_settlement()
            and node.state is _State.UNLOADED
            and node.may_have_children
        )

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        node = self._parent_node(parent)
        assert node is not None and node.row_data is not None
        node.state = _State.LOADING
        self._request(node, partial(_children_job, node.row_data))

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        node = self._node(index)
        if node is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if node.kind is NodeKind.DOCTOR:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or section not in tuple(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == Column.NAME:
                return self.tr("Наименование")
            if section == Column.ADDRESS:
                return self.tr("Адрес / участок")
            return self.tr("Врачей")
        if role == Qt.ItemDataRole.ToolTipRole and section == Column.DOCTORS:
            return self.tr("Число врачей, к которым можно записаться")
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None or node.row_data is None:
            return None
        row = node.row_data
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == NODE_KIND_ROLE:
            return None if node.kind is None else node.kind.value
        if role == ENTITY_ID_ROLE:
            return row.id
        if role == ROW_DATA_ROLE:
            return row
        if role == Qt.ItemDataRole.FontRole and index.column() == Column.NAME:
            return self._font(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == Column.DOCTORS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    # --- internals ----------------------------------------------------------------------------

    def _node(self, index: AnyIndex) -> _Node | None:
        if not index.isValid() or index.model() is not self:
            return None
        return self._nodes.get(index.internalId())

    def _parent_node(self, parent: AnyIndex) -> _Node | None:
        return self._root if not parent.isValid() else self._node(parent)

    def _index_of(self, node: _Node) -> QModelIndex:
        if node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node.uid)

    def _expects(self, node: _Node) -> bool:
        return node is self._root or node.may_have_children

    def _request(self, node: _Node, job: Job) -> None:
        generation, uid = self._generation, node.uid

        def loaded(rows: list[RowData]) -> None:
            self._requests.discard(request_id)
            self._on_loaded(generation, uid, rows)

        def failed(error: BaseException) -> None:
            self._requests.discard(request_id)
            self._on_failed(generation, uid, error)

        request_id = self._worker.submit(job, loaded, failed, owner=self)
        self._requests.add(request_id)

    def _lookup(self, generation: int, uid: int) -> _Node | None:
        if generation != self._generation:
            return None  # the settlement changed meanwhile
        return self._root if uid == 0 else self._nodes.get(uid)

    def _make_node(self, row: RowData, parent: _Node, position: int) -> _Node:
        node = _Node(
            uid=next(self._uids),
            kind=_kind_of(row),
            row_data=row,
            parent=parent,
            row=position,
            may_have_children=_may_have_children(row),
        )
        self._nodes[node.uid] = node
        return node

    def _on_loaded(self, generation: int, uid: int, rows: list[RowData]) -> None:
        node = self._lookup(generation, uid)
        if node is None or node.state is not _State.LOADING:
            return
        parent_index = self._index_of(node)
        if isinstance(node.row_data, InstitutionRow):
            rows = [*rows, *node.row_data.subdivisions]
        if rows:
            self.beginInsertRows(parent_index, 0, len(rows) - 1)  # inclusive last
            node.children = [self._make_node(row, node, i) for i, row in enumerate(rows)]
            node.state = _State.LOADED
            self.endInsertRows()
        else:
            node.state = _State.LOADED
            if parent_index.isValid():
                # hasChildren() turned false: let views drop the expand arrow.
                self.dataChanged.emit(parent_index, parent_index)
        if node is self._root:
            self.topLevelLoaded.emit()
        self.childrenLoaded.emit(parent_index)

    def _on_failed(self, generation: int, uid: int, error: BaseException) -> None:
        node = self._lookup(generation, uid)
        if node is None or node.state is not _State.LOADING:
            return
        # Back to UNLOADED so that expanding again (or choosing the settlement again) retries.
        node.state = _State.UNLOADED
        if node is self._root:
            message = self.tr(
                "Не удалось загрузить список учреждений: {0}. Выберите населенный пункт еще раз; "
                "если ошибка повторится, обратитесь в техническую поддержку."
            ).format(describe_error(error))
        else:
            message = self.tr(
                "Не удалось загрузить «{0}»: {1}. Разверните строку еще раз; если ошибка "
                "повторится, обратитесь в техническую поддержку."
            ).format(_name_of(node.row_data), describe_error(error))
        self.loadFailed.emit(self._index_of(node), message)

    def _display(self, row: RowData, column: int) -> str | None:
        if column == Column.NAME:
            if isinstance(row, InstitutionRow) and row.parent_short_name:
                return self.tr("{0} (подразделение: {1})").format(
                    row.short_name, row.parent_short_name
                )
            return _name_of(row)
        if column == Column.ADDRESS:
            if isinstance(row, DoctorRow):
                if row.area_number is None:
                    return ""
                return self.tr("участок № {0}").format(row.area_number)
            if isinstance(row, InstitutionRow | DepartmentRow):
                return row.address
            return ""
        if column == Column.DOCTORS:
            if isinstance(row, DoctorRow):
                return ""
            return str(row.doctor_count)
        return None

    def _tooltip(self, node: _Node) -> str | None:
        row = node.row_data
        if isinstance(row, InstitutionRow):
            lines = [row.full_name]
            if row.parent_short_name:
                lines.append(self.tr("Подразделение: {0}").format(row.parent_short_name))
            if row.address:
                lines.append(self.tr("Адрес: {0}").format(row.address))
            if row.registry_phones:
                lines.append(self.tr("Телефоны регистратуры: {0}").format(row.registry_phones))
            if row.working_hours:
                lines.append(self.tr("Режим работы: {0}").format(row.working_hours))
            if row.site:
                lines.append(self.tr("Сайт: {0}").format(row.site))
            return "\n".join(lines)
        if isinstance(row, DepartmentRow):
            if row.is_pseudo:
                return self.tr("Врачи учреждения, не приписанные к отделению")
            return "\n".join(filter(None, [row.name, row.address]))
        if isinstance(row, SpecialtyRow):
            return self.tr("{0}: врачей — {1}").format(row.name, row.doctor_count)
        if isinstance(row, DoctorRow):
            lines = [row.full_name]
            specialty = node.parent.row_data if node.parent is not None else None
            if isinstance(specialty, SpecialtyRow):
                lines.append(specialty.name)
            if row.area_number is not None:
                lines.append(self.tr("Участок № {0}").format(row.area_number))
            if row.comment:
                lines.append(row.comment)
            return "\n".join(lines)
        return None

    def _font(self, row: RowData) -> QFont | None:
        if isinstance(row, InstitutionRow):
            if self._bold is None:
                self._bold = QFont()
                self._bold.setBold(True)
            return self._bold
        if isinstance(row, DepartmentRow) and row.is_pseudo:
            if self._italic is None:
                self._italic = QFont()
                self._italic.setItalic(True)
            return self._italic
        return None


def _name_of(row: RowData | None) -> str:
    if isinstance(row, InstitutionRow):
        return row.short_name
    if isinstance(row, DoctorRow):
        return row.full_name
    if row is None:
        return ""
    return row.name


def _top_level_job(settlement_id: int, session: Session) -> list[InstitutionRow]:
    return directory.list_institutions(session, settlement_id)


def _children_job(row: RowData, session: Session) -> list[Any]:
    """The children of ``row`` from the database (subdivisions are added by the model)."""
    if isinstance(row, InstitutionRow):
        return directory.list_departments(session, row.id)
    if isinstance(row, DepartmentRow):
        return directory.list_specialties(session, row.id, institution_id=row.institution_id)
    if isinstance(row, SpecialtyRow):
        return directory.list_doctors(session, row.department_id, row.id)
    return []
