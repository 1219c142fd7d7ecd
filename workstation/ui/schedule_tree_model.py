"""The booking screen's schedule tree: отделение → специальность → врач, with free tickets.

The model adapts a :class:`~workstation.services.schedule.ScheduleTree` that is read whole (an
institution has tens or hundreds of doctors), so there is no lazy loading. ``set_tree`` with a
tree of the same shape (a refresh of the same search) changes the counts in place and keeps the
view's selection; a tree of another shape (another institution or filter) resets the model.
Either way ``index_of_doctor`` finds the operator's doctor again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from workstation.services.schedule import (
    DepartmentNode,
    DoctorAvailability,
    ScheduleTree,
    SpecialtyNode,
    labels,
)
from workstation.ui.institution_tree_model import NodeKind

__all__ = [
    "DEPARTMENT_ID_ROLE",
    "DOCTOR_ID_ROLE",
    "NODE_KIND_ROLE",
    "ROW_DATA_ROLE",
    "SPECIALTY_ID_ROLE",
    "Column",
    "NodeKind",
    "ScheduleTreeModel",
]

AnyIndex = QModelIndex | QPersistentModelIndex
NodeData = DepartmentNode | SpecialtyNode | DoctorAvailability
_NO_PARENT = QModelIndex()

NODE_KIND_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""``NodeKind`` value (str): ``"department"``, ``"specialty"`` or ``"doctor"``."""
DOCTOR_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""The doctor's id on a doctor row; ``None`` elsewhere."""
SPECIALTY_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 3
"""The specialty's id on a specialty row and on its doctors' rows; ``None`` on departments."""
DEPARTMENT_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 4
"""The department's id on every row under it (``None`` for «Без отделения»)."""
ROW_DATA_ROLE = int(Qt.ItemDataRole.UserRole) + 5
"""The node's frozen service value: ``DepartmentNode``, ``SpecialtyNode`` or
``DoctorAvailability``."""

# Every role a changed count redraws.
_CHANGED_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    ROW_DATA_ROLE,
]


class Column(enum.IntEnum):
    """Columns of the schedule tree."""

    NAME = 0
    FREE = 1
    NEAREST = 2


@dataclass(eq=False)
class _Node:
    uid: int  # the index's internal id; 0 is the invisible root
    kind: NodeKind | None
    data: NodeData | None
    parent: _Node | None
    row: int = 0
    children: list[_Node] = field(default_factory=list)


# The shape of a tree: which nodes, in which order. Two trees of one shape differ only in counts.
_Shape = tuple[tuple[int | None, tuple[tuple[int, tuple[int, ...]], ...]], ...]


def _shape_of(tree: ScheduleTree | None) -> _Shape:
    if tree is None:
        return ()
    return tuple(
        (
            department.id,
            tuple(
                (specialty.id, tuple(doctor.id for doctor in specialty.doctors))
                for specialty in department.specialties
            ),
        )
        for department in tree.departments
    )


class ScheduleTreeModel(QAbstractItemModel):
    """Departments → specialties → doctors of a schedule search, with free tickets and the
    nearest free time; doctors with no free ticket are greyed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tree: ScheduleTree | None = None
        self._root = _Node(uid=0, kind=None, data=None, parent=None)
        self._nodes: dict[int, _Node] = {}
        self._doctor_nodes: dict[int, _Node] = {}
        self._bold: QFont | None = None

    # --- public API -------------------------------------------------------------------------

    @property
    def tree(self) -> ScheduleTree | None:
        """The tree shown."""
        return self._tree

    def set_tree(self, tree: ScheduleTree | None) -> None:
        """Show ``tree``: in place when only its counts changed, otherwise with a reset."""
        if self._tree is not None and tree is not None and _shape_of(tree) == _shape_of(self._tree):
            self._tree = tree
            self._update_in_place(tree)
            return
        self.beginResetModel()
        self._tree = tree
        self._build(tree)
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.set_tree(None)

    def best_specialty_id(self, typed: str = "") -> int | None:
        """The specialty of the tree that ``typed`` most likely means (the first one without).

        «терапевт» finds «Врач-стоматолог-терапевт» as well as «Врач-терапевт участковый»; the
        operator means the one where the typed text comes first in the name, then the shorter.
        """
        if self._tree is None:
            return None
        wanted = typed.strip().casefold().replace("ё", "е")
        best: tuple[int, int] | None = None
        best_id: int | None = None
        for department in self._tree.departments:
            for specialty in department.specialties:
                name = specialty.name.casefold().replace("ё", "е")
                position = name.find(wanted) if wanted else 0
                rank = (position if position >= 0 else len(name) + 1, len(name))
                if best is None or rank < best:
                    best, best_id = rank, specialty.id
        return best_id

    def index_of_doctor(self, doctor_id: int, column: int = Column.NAME) -> QModelIndex:
        """The doctor's row (invalid when the doctor is not in the tree)."""
        node = self._doctor_nodes.get(doctor_id)
        if node is None:
            return QModelIndex()
        return self.createIndex(node.row, column, node.uid)

    def node_kind(self, index: AnyIndex) -> NodeKind | None:
        """What the row at ``index`` stands for."""
        node = self._node(index)
        return None if node is None else node.kind

    def node_data(self, index: AnyIndex) -> NodeData | None:
        """The service value of the row at ``index``."""
        node = self._node(index)
        return None if node is None else node.data

    def doctor_at(self, index: AnyIndex) -> DoctorAvailability | None:
        """The doctor of a doctor row."""
        data = self.node_data(index)
        return data if isinstance(data, DoctorAvailability) else None

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
        return self.rowCount(parent) > 0

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
                return self.tr("Отделение / специальность / врач")
            if section == Column.FREE:
                return self.tr("Свободно")
            return self.tr("Ближайшее")
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == Column.FREE:
                return self.tr("Свободные талоны в интервале поиска")
            if section == Column.NEAREST:
                return self.tr("Ближайшее свободное время приема")
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None or node.data is None:
            return None
        row = node.data
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.free_count == 0:
                # Nothing to book there: the disabled text colour of the current palette.
                palette = QGuiApplication.palette()
                return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            return None
        if role == Qt.ItemDataRole.FontRole and column == Column.NAME:
            return self._department_font() if isinstance(row, DepartmentNode) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.FREE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == NODE_KIND_ROLE:
            return None if node.kind is None else node.kind.value
        if role == DOCTOR_ID_ROLE:
            return row.id if isinstance(row, DoctorAvailability) else None
        if role == SPECIALTY_ID_ROLE:
            if isinstance(row, DoctorAvailability):
                return row.specialty_id
            return row.id if isinstance(row, SpecialtyNode) else None
        if role == DEPARTMENT_ID_ROLE:
            return row.id if isinstance(row, DepartmentNode) else row.department_id
        if role == ROW_DATA_ROLE:
            return row
        return None

    # --- internals ----------------------------------------------------------------------------

    def _node(self, index: AnyIndex) -> _Node | None:
        if not index.isValid() or index.model() is not self:
            return None
        return self._nodes.get(index.internalId())

    def _parent_node(self, parent: AnyIndex) -> _Node | None:
        return self._root if not parent.isValid() else self._node(parent)

    def _add(self, kind: NodeKind, data: NodeData, parent: _Node) -> _Node:
        node = _Node(
            uid=len(self._nodes) + 1, kind=kind, data=data, parent=parent, row=len(parent.children)
        )
        parent.children.append(node)
        self._nodes[node.uid] = node
        return node

    def _build(self, tree: ScheduleTree | None) -> None:
        self._root = _Node(uid=0, kind=None, data=None, parent=None)
        self._nodes = {}
        self._doctor_nodes = {}
        if tree is None:
            return
        for department in tree.departments:
            department_node = self._add(NodeKind.DEPARTMENT, department, self._root)
            for specialty in department.specialties:
                specialty_node = self._add(NodeKind.SPECIALTY, specialty, department_node)
                for doctor in specialty.doctors:
                    self._doctor_nodes[doctor.id] = self._add(
                        NodeKind.DOCTOR, doctor, specialty_node
                    )

    def _update_in_place(self, tree: ScheduleTree) -> None:
        # Same shape: the nodes pair up one to one, in order.
        new_values: list[NodeData] = []
        for department in tree.departments:
            new_values.append(department)
            for specialty in department.specialties:
                new_values.append(specialty)
                new_values.extend(specialty.doctors)
        nodes = [self._nodes[uid] for uid in sorted(self._nodes)]
        last_column = len(Column) - 1
        for node, value in zip(nodes, new_values, strict=True):
            if node.data == value:
                continue
            node.data = value
            self.dataChanged.emit(
                self.createIndex(node.row, 0, node.uid),
                self.createIndex(node.row, last_column, node.uid),
                _CHANGED_ROLES,
            )

    def _display(self, row: NodeData, column: int) -> str | None:
        if column == Column.NAME:
            return row.full_name if isinstance(row, DoctorAvailability) else row.name
        if column == Column.FREE:
            return str(row.free_count)
        if column == Column.NEAREST:
            if isinstance(row, DoctorAvailability):
                return row.nearest_label
            if row.nearest_free is None:
                return labels.NO_FREE_SLOTS
            return labels.short_moment(row.nearest_free)
        return None

    def _tooltip(self, node: _Node) -> str:
        row = node.data
        if isinstance(row, DepartmentNode):
            if row.is_pseudo:
                return self.tr("Врачи учреждения, не приписанные к отделению")
            return "\n".join(filter(None, [row.name, row.address]))
        if isinstance(row, SpecialtyNode):
            return self.tr("{0}: свободных талонов — {1}").format(row.name, row.free_count)
        assert isinstance(row, DoctorAvailability)
        lines = [row.full_name]
        specialty = node.parent.data if node.parent is not None else None
        if isinstance(specialty, SpecialtyNode):
            lines.append(specialty.name)
        if row.area_number is not None:
            lines.append(self.tr("Участок № {0}").format(row.area_number))
        if row.comment:
            lines.append(row.comment)
        lines.append(
            self.tr("Свободных талонов: {0} из {1}").format(row.free_count, row.slot_count)
        )
        return "\n".join(lines)

    def _department_font(self) -> QFont:
        if self._bold is None:
            self._bold = QFont()
            self._bold.setBold(True)
        return self._bold
