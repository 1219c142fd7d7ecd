"""The lazy institution tree model: loading, nesting, roles, staleness and qtmodeltester."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds
from workstation.services import directory
from workstation.services.directory import DepartmentRow, InstitutionRow
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.institution_tree_model import (
    ENTITY_ID_ROLE,
    NODE_KIND_ROLE,
    ROW_DATA_ROLE,
    Column,
    InstitutionTreeModel,
    NodeKind,
)

TIMEOUT_MS = 5_000


def names(model: InstitutionTreeModel, parent: QModelIndex | None = None) -> list[str]:
    """Display names of the children of ``parent``."""
    parent = parent or QModelIndex()
    return [model.index(row, 0, parent).data() for row in range(model.rowCount(parent))]


def child(model: InstitutionTreeModel, parent: QModelIndex, name: str) -> QModelIndex:
    """The child of ``parent`` displayed as ``name``."""
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if index.data() == name:
            return index
    raise AssertionError(f"{name!r} not among {names(model, parent)}")


def load_children(qtbot: QtBot, model: InstitutionTreeModel, index: QModelIndex) -> None:
    """Fetch the children of ``index`` and wait until they are in the model."""
    assert model.canFetchMore(index)
    with qtbot.waitSignal(model.childrenLoaded, timeout=TIMEOUT_MS):
        model.fetchMore(index)
    assert model.is_loaded(index)


@pytest.fixture
def model(qtbot: QtBot, worker: DatabaseWorker, sample_ids: SampleIds) -> InstitutionTreeModel:
    """The model showing Ханты-Мансийск, top level loaded."""
    tree_model = InstitutionTreeModel(worker)
    with qtbot.waitSignal(tree_model.topLevelLoaded, timeout=TIMEOUT_MS):
        tree_model.set_settlement(sample_ids.settlements["khm"])
    return tree_model


def test_top_level_is_loaded_with_one_reset(
    qtbot: QtBot, worker: DatabaseWorker, sample_ids: SampleIds
) -> None:
    tree_model = InstitutionTreeModel(worker)
    resets: list[None] = []
    tree_model.modelReset.connect(lambda: resets.append(None))
    with qtbot.waitSignal(tree_model.topLevelLoaded, timeout=TIMEOUT_MS):
        tree_model.set_settlement(sample_ids.settlements["khm"])
    assert len(resets) == 1
    assert tree_model.settlement_id == sample_ids.settlements["khm"]
    assert names(tree_model) == ["Окружная клиническая больница"]
    okb = tree_model.index(0, 0)
    # Children are not loaded until asked for, but the view can show the expand arrow.
    assert tree_model.rowCount(okb) == 0
    assert tree_model.hasChildren(okb)
    assert tree_model.canFetchMore(okb)
    assert not tree_model.canFetchMore(QModelIndex())
    assert len(resets) == 1


def test_institution_children_are_departments_then_subdivisions(
    qtbot: QtBot, model: InstitutionTreeModel, sample_ids: SampleIds
) -> None:
    okb = model.index(0, 0)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    load_children(qtbot, model, okb)
    assert inserted == [(0, 3)]
    assert names(model, okb) == [
        "Терапевтическое отделение",
        "Хирургическое отделение",
        "Без отделения",
        "Поликлиника № 2",
    ]
    pseudo = child(model, okb, "Без отделения")
    assert model.node_kind(pseudo) is NodeKind.DEPARTMENT
    assert pseudo.data(ENTITY_ID_ROLE) is None
    assert pseudo.data(Qt.ItemDataRole.FontRole).italic()
    subdivision = child(model, okb, "Поликлиника № 2")
    assert subdivision.data(NODE_KIND_ROLE) == "institution"
    assert subdivision.data(ENTITY_ID_ROLE) == sample_ids.institutions["polyclinic"]
    load_children(qtbot, model, subdivision)
    assert names(model, subdivision) == ["Педиатрическое отделение"]


def test_expanding_goes_down_to_doctors(
    qtbot: QtBot, model: InstitutionTreeModel, sample_ids: SampleIds
) -> None:
    okb = model.index(0, 0)
    load_children(qtbot, model, okb)
    therapy = child(model, okb, "Терапевтическое отделение")
    load_children(qtbot, model, therapy)
    assert names(model, therapy) == ["Кардиолог", "Терапевт"]
    therapist = child(model, therapy, "Терапевт")
    assert model.node_kind(therapist) is NodeKind.SPECIALTY
    assert therapist.siblingAtColumn(Column.DOCTORS).data() == "2"
    load_children(qtbot, model, therapist)
    assert names(model, therapist) == ["Ёлкин Пётр Семёнович", "Иванова Анна Петровна"]
    elkin = model.index(0, 0, therapist)
    assert model.node_kind(elkin) is NodeKind.DOCTOR
    assert elkin.data(ENTITY_ID_ROLE) == sample_ids.doctors["elkin"]
    assert elkin.siblingAtColumn(Column.ADDRESS).data() == "участок № 3"
    assert not model.hasChildren(elkin)
    assert model.flags(elkin) & Qt.ItemFlag.ItemNeverHasChildren
    assert "Терапевт" in elkin.data(Qt.ItemDataRole.ToolTipRole)
    assert model.parent(elkin) == therapist
    assert model.parent(therapist) == therapy
    assert model.parent(okb) == QModelIndex()


def test_doctors_without_a_department_are_reachable(
    qtbot: QtBot, model: InstitutionTreeModel, sample_ids: SampleIds
) -> None:
    okb = model.index(0, 0)
    load_children(qtbot, model, okb)
    pseudo = child(model, okb, "Без отделения")
    load_children(qtbot, model, pseudo)
    oculist = child(model, pseudo, "Офтальмолог")
    load_children(qtbot, model, oculist)
    assert names(model, oculist) == ["Алексеев Олег Викторович"]
    assert model.index(0, 0, oculist).data(ENTITY_ID_ROLE) == sample_ids.doctors["alekseev"]


def test_institution_tooltip_and_columns(model: InstitutionTreeModel) -> None:
    okb = model.index(0, 0)
    tooltip = okb.data(Qt.ItemDataRole.ToolTipRole)
    assert "БУ ХМАО-Югры «Окружная клиническая больница»" in tooltip
    assert "Телефоны регистратуры: +7 (3467) 39-01-01" in tooltip
    assert "Режим работы: пн–пт 08:00–18:00" in tooltip
    assert okb.siblingAtColumn(Column.ADDRESS).data().startswith("628012")
    assert okb.siblingAtColumn(Column.DOCTORS).data() == "5"
    assert okb.data(Qt.ItemDataRole.FontRole).bold()
    row = okb.data(ROW_DATA_ROLE)
    assert isinstance(row, InstitutionRow)
    assert row.hub_id == 1001
    assert model.row_data(okb) == row
    headers = [
        model.headerData(column, Qt.Orientation.Horizontal) for column in range(len(Column))
    ]
    assert headers == ["Наименование", "Адрес / участок", "Врачей"]


def test_subdivision_of_another_settlement_names_its_parent(
    qtbot: QtBot, model: InstitutionTreeModel, sample_ids: SampleIds
) -> None:
    with qtbot.waitSignal(model.topLevelLoaded, timeout=TIMEOUT_MS):
        model.set_settlement(sample_ids.settlements["berezovo"])
    assert names(model) == [
        "Березовская районная больница",
        "ФАП д. Теги (подразделение: Окружная клиническая больница)",
    ]
    fap = model.index(1, 0)
    assert "Подразделение: Окружная клиническая больница" in fap.data(
        Qt.ItemDataRole.ToolTipRole
    )
    # No departments, no doctors: nothing to expand.
    assert not model.hasChildren(fap)
    assert not model.canFetchMore(fap)


def test_results_for_a_previous_settlement_are_dropped(
    qtbot: QtBot, model: InstitutionTreeModel, sample_ids: SampleIds
) -> None:
    okb = model.index(0, 0)
    model.fetchMore(okb)  # its result arrives after the settlement changed
    model.set_settlement(sample_ids.settlements["berezovo"])
    with qtbot.waitSignal(model.topLevelLoaded, timeout=TIMEOUT_MS):
        model.set_settlement(sample_ids.settlements["khm"])
    qtbot.waitUntil(lambda: not model._worker.is_busy, timeout=TIMEOUT_MS)
    assert names(model) == ["Окружная клиническая больница"]
    assert model.rowCount(model.index(0, 0)) == 0  # the stale children were not inserted


def test_a_failed_load_can_be_retried(
    qtbot: QtBot, model: InstitutionTreeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> list[DepartmentRow]:
        raise RuntimeError("нет связи с базой")

    okb = model.index(0, 0)
    monkeypatch.setattr(directory, "list_departments", broken)
    with qtbot.waitSignal(model.loadFailed, timeout=TIMEOUT_MS) as blocker:
        model.fetchMore(okb)
    failed_index, message = blocker.args
    assert failed_index == okb
    assert "«Окружная клиническая больница»" in message
    assert "нет связи с базой" in message
    assert "техническую поддержку" in message
    assert model.canFetchMore(okb)
    monkeypatch.undo()
    load_children(qtbot, model, okb)
    assert model.rowCount(okb) == 4


def test_model_passes_the_model_tester_with_children_loaded(
    qtbot: QtBot, model: InstitutionTreeModel, qtmodeltester: ModelTester
) -> None:
    okb = model.index(0, 0)
    load_children(qtbot, model, okb)
    therapy = child(model, okb, "Терапевтическое отделение")
    load_children(qtbot, model, therapy)
    load_children(qtbot, model, child(model, therapy, "Терапевт"))
    qtmodeltester.check(model)
    # The tester stays attached: it also checks what its own fetchMore() calls insert later,
    # and a settlement change (a reset).
    qtbot.waitUntil(lambda: not model._worker.is_busy, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(model.topLevelLoaded, timeout=TIMEOUT_MS):
        model.set_settlement(model.settlement_id)
    qtbot.waitUntil(lambda: not model._worker.is_busy, timeout=TIMEOUT_MS)


def test_model_passes_the_python_model_tester(
    qtbot: QtBot, model: InstitutionTreeModel, qtmodeltester: ModelTester
) -> None:
    okb = model.index(0, 0)
    load_children(qtbot, model, okb)
    load_children(qtbot, model, child(model, okb, "Хирургическое отделение"))
    qtmodeltester.check(model, force_py=True)
    qtbot.waitUntil(lambda: not model._worker.is_busy, timeout=TIMEOUT_MS)
