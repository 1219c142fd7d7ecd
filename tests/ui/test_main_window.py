"""The main window: initial load, settlement switching, expanding, menus, keys and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds, fill_sample_data
from workstation import __version__
from workstation.services import directory
from workstation.services.database import Database
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.institution_tree_model import ENTITY_ID_ROLE, NodeKind
from workstation.ui.main_window import HOTKEYS, MainWindow, describe_database
from workstation.ui.settings import INI_NAME

TIMEOUT_MS = 10_000

# Showing a top-level window on the offscreen platform makes it warn about what it cannot do
# (size hints, raise, keyboard grab): test-platform noise, not the window's.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")


def names(window: MainWindow, parent: QModelIndex | None = None) -> list[str]:
    """Display names of the children of ``parent`` in the window's tree."""
    model = window.tree_model
    parent = parent or QModelIndex()
    return [model.index(row, 0, parent).data() for row in range(model.rowCount(parent))]


def test_window_loads_the_default_settlement_on_both_engines(
    qtbot: QtBot, database: Database
) -> None:
    fill_sample_data(database)
    window = MainWindow(database)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.initialLoadFinished, timeout=TIMEOUT_MS):
        pass
    assert window.is_loaded
    assert window.windowTitle() == "АРМ оператора — Электронная регистратура ХМАО-Югры"
    selector = window.settlement_selector
    assert selector.settlement is not None
    assert selector.settlement.name == "Ханты-Мансийск"
    assert selector.line_edit.text() == "Ханты-Мансийск"
    assert names(window) == ["Окружная клиническая больница"]
    okb = window.tree_model.index(0, 0)
    assert window.tree.isExpanded(okb)
    assert names(window, okb) == [
        "Терапевтическое отделение",
        "Хирургическое отделение",
        "Без отделения",
        "Поликлиника № 2",
    ]
    assert window.tree.currentIndex() == okb
    assert not window.loading_label.isVisibleTo(window)
    window.close()
    assert not window.worker.is_running


def test_status_bar_names_the_database_and_shows_the_banner(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds]
) -> None:
    window = MainWindow(sample_db[0], banner="Демонстрационная база данных")
    qtbot.addWidget(window)
    assert window.database_label.text() == "База данных: SQLite: workstation.sqlite3"
    assert window.banner_label.text() == "Демонстрационная база данных"
    assert window.banner_label.isVisibleTo(window)
    assert window.loading_label.text() == "Загрузка…"
    assert window.loading_label.isVisibleTo(window)  # the settlements are being read
    qtbot.waitUntil(lambda: window.is_loaded, timeout=TIMEOUT_MS)
    assert not window.loading_label.isVisibleTo(window)
    window.close()


def test_database_description_hides_the_password() -> None:
    url = "postgresql+psycopg://registry:secret@db.hospital.local:5433/registry"
    assert describe_database(url) == "PostgreSQL: db.hospital.local:5433/registry"
    assert describe_database("postgresql+psycopg://db/registry") == "PostgreSQL: db/registry"
    assert describe_database("sqlite:////var/lib/ws/demo.sqlite3") == "SQLite: demo.sqlite3"
    assert describe_database("sqlite://") == "SQLite (в памяти)"


def test_switching_the_settlement_reloads_the_tree(
    qtbot: QtBot, loaded_window: MainWindow, sample_ids: SampleIds
) -> None:
    window = loaded_window
    resets: list[None] = []
    window.tree_model.modelReset.connect(lambda: resets.append(None))
    selector = window.settlement_selector
    selector.set_filter_text("березово")
    with qtbot.waitSignal(window.tree_model.topLevelLoaded, timeout=TIMEOUT_MS):
        assert selector.choose_typed()
    assert len(resets) == 1
    assert window.tree_model.settlement_id == sample_ids.settlements["berezovo"]
    assert names(window) == [
        "Березовская районная больница",
        "ФАП д. Теги (подразделение: Окружная клиническая больница)",
    ]
    assert window.tree.currentIndex() == window.tree_model.index(0, 0)


def test_unknown_settlement_name_tells_what_to_do(
    qtbot: QtBot, loaded_window: MainWindow
) -> None:
    selector = loaded_window.settlement_selector
    selector.set_filter_text("Омск")
    assert not selector.choose_typed()
    message = loaded_window.statusBar().currentMessage()
    assert message == "Населенный пункт «Омск» не найден: уточните название."
    assert loaded_window.tree_model.rowCount() == 1  # the tree stays as it was


def test_expanding_the_first_branch_reaches_doctors(
    qtbot: QtBot, loaded_window: MainWindow, sample_ids: SampleIds
) -> None:
    window = loaded_window
    with qtbot.waitSignal(window.firstBranchExpanded, timeout=TIMEOUT_MS):
        window.expand_first_branch()
    model = window.tree_model
    okb = model.index(0, 0)
    therapy = model.index(0, 0, okb)
    cardiologist = model.index(0, 0, therapy)
    assert [index.data() for index in (okb, therapy, cardiologist)] == [
        "Окружная клиническая больница", "Терапевтическое отделение", "Кардиолог",
    ]
    assert all(window.tree.isExpanded(index) for index in (okb, therapy, cardiologist))
    doctor = model.index(0, 0, cardiologist)
    assert doctor.data() == "Сидоров Игорь Олегович"
    assert model.node_kind(doctor) is NodeKind.DOCTOR
    assert doctor.data(ENTITY_ID_ROLE) == sample_ids.doctors["sidorov"]


def test_expanding_in_the_view_loads_children(
    qtbot: QtBot, loaded_window: MainWindow
) -> None:
    model = loaded_window.tree_model
    okb = model.index(0, 0)
    surgery = model.index(1, 0, okb)
    assert model.canFetchMore(surgery)
    with qtbot.waitSignal(model.childrenLoaded, timeout=TIMEOUT_MS):
        loaded_window.tree.expand(surgery)
    assert names(loaded_window, surgery) == ["Хирург"]


def test_alt_n_goes_to_the_settlement_and_f3_to_the_schedule_search(
    qtbot: QtBot, loaded_window: MainWindow
) -> None:
    window = loaded_window
    assert window.focus_schedule_action.shortcut() == QKeySequence("F3")
    window.show()
    qtbot.waitExposed(window, timeout=TIMEOUT_MS)
    window.activateWindow()
    search = window.patient_panel.search_field
    qtbot.waitUntil(search.hasFocus, timeout=TIMEOUT_MS)  # a call starts with the caller
    # Alt+Н, the mnemonic of «&Населенный пункт:»; Qt's key code of a letter is its code point.
    QTest.sendKeyEvent(
        QTest.KeyAction.Click, window, Qt.Key(ord("Н")), "н", Qt.KeyboardModifier.AltModifier
    )
    line_edit = window.settlement_selector.line_edit
    qtbot.waitUntil(lambda: line_edit.hasFocus(), timeout=TIMEOUT_MS)
    QTest.keyClick(window, Qt.Key.Key_F3)
    doctor_filter = window.schedule_panel.filters.doctor_field
    qtbot.waitUntil(doctor_filter.hasFocus, timeout=TIMEOUT_MS)
    # The institution directory is a tab of its own, reached from the «Переход» menu.
    window.focus_tree_action.trigger()
    qtbot.waitUntil(window.tree.hasFocus, timeout=TIMEOUT_MS)
    assert window.tree.currentIndex().isValid()


def test_ctrl_q_closes_the_window_and_stops_both_workers(
    qtbot: QtBot, loaded_window: MainWindow
) -> None:
    window = loaded_window
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    window.show()
    qtbot.waitExposed(window, timeout=TIMEOUT_MS)
    before = DatabaseWorker.running_count()
    window.quit_action.trigger()
    assert not window.isVisible()
    assert not window.worker.is_running
    assert window.worker.worker_thread.isFinished()
    # The window's database worker and the hub threads of the booking screen and of the
    # patient's cabinet.
    assert not window.booking.hub_worker.is_running
    assert DatabaseWorker.running_count() == before - 3


def test_help_menu_lists_hotkeys_and_marks_the_working_ones(
    qtbot: QtBot, loaded_window: MainWindow
) -> None:
    # «Администрирование» is there only for a signed-in administrator (test_sign_in.py).
    menus = [a.text() for a in loaded_window.menuBar().actions() if a.isVisible()]
    assert menus == ["&Файл", "&Переход", "&Запись", "&Талоны", "&Справка"]
    dialog = loaded_window.show_hotkeys()
    qtbot.waitExposed(dialog, timeout=TIMEOUT_MS)
    table = dialog.table
    rows = {
        table.item(row, 0).text(): (table.item(row, 1).text(), table.item(row, 2).text())
        for row in range(table.rowCount())
    }
    assert len(rows) == len(HOTKEYS)
    assert rows["F3"][1] == "работает"
    assert rows["Ctrl+Q"][1] == "работает"
    assert rows["F6"] == ("Записаться на удерживаемое время", "работает")
    assert rows["Ctrl+L"][1] == "работает"
    assert rows["F9"][1] == "работает"  # reprint from the «Талоны» list and the journal
    assert rows["F12"][1] == "работает"
    dialog.close()


def test_about_names_the_version(qtbot: QtBot, loaded_window: MainWindow) -> None:
    box = loaded_window.show_about()
    qtbot.waitExposed(box, timeout=TIMEOUT_MS)
    assert box.windowTitle() == "О программе"
    assert f"Версия {__version__}" in box.informativeText()
    assert "SQLite: workstation.sqlite3" in box.informativeText()
    box.close()


def test_geometry_is_kept_under_workstation_home(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds], workstation_home: Path
) -> None:
    first = MainWindow(sample_db[0])
    qtbot.addWidget(first)
    # Not the default 1280×720, and within the offscreen 800×600 screen (restoreGeometry() clamps).
    first.resize(800, 560)
    first.close()
    assert (workstation_home / "config" / INI_NAME).is_file()
    second = MainWindow(sample_db[0])
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (800, 560)
    second.close()


def test_screenshot_mode_does_not_touch_saved_geometry(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds], workstation_home: Path
) -> None:
    window = MainWindow(sample_db[0], remember_geometry=False)
    qtbot.addWidget(window)
    window.close()
    assert not (workstation_home / "config" / INI_NAME).exists()


def test_a_failed_top_level_is_retried_by_choosing_the_settlement_again(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> list[object]:
        raise RuntimeError("сервер базы данных недоступен")

    monkeypatch.setattr(directory, "list_institutions", broken)
    window = MainWindow(sample_db[0])
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loadFailed, timeout=TIMEOUT_MS) as blocker:
        pass
    (message,) = blocker.args
    assert "сервер базы данных недоступен" in message
    assert "Выберите населенный пункт еще раз" in message
    assert window.statusBar().currentMessage() == message
    assert not window.is_loaded
    monkeypatch.undo()
    selector = window.settlement_selector
    assert selector.settlement_id is not None
    with qtbot.waitSignal(window.initialLoadFinished, timeout=TIMEOUT_MS):
        selector.select_settlement(selector.settlement_id)
    assert names(window) == ["Окружная клиническая больница"]
    # Once loaded, choosing the same settlement again keeps the tree (and the operator's place).
    resets: list[None] = []
    window.tree_model.modelReset.connect(lambda: resets.append(None))
    selector.select_settlement(selector.settlement_id)
    assert resets == []
    window.close()
