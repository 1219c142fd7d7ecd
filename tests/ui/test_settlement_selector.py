"""The settlement selector: ё/е- and case-insensitive type-to-filter, Enter chooses."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from workstation.services.directory import SettlementRow
from workstation.ui.settlement_selector import SettlementSelector

TIMEOUT_MS = 2_000

# The offscreen platform warns that it cannot raise, grab the keyboard for or size a top-level
# window (here the completion popup); that is about the test platform, not the selector.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

NAMES = [
    "Белоярский",
    "Берёзово",
    "Березово",
    "Нижневартовск",
    "Нижнесортымский",
    "Ханты-Мансийск",
]
ROWS = [
    SettlementRow(
        id=number,
        name=name,
        kind="город",
        municipal_district=f"район {number}",
        institution_count=number,
    )
    for number, name in enumerate(NAMES, 1)
]
ID = {row.name: row.id for row in ROWS}


def type_text(widget: QWidget, text: str) -> None:
    """Type Cyrillic text one character at a time (keyClicks aborts on non-ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )


@pytest.fixture
def selector(qtbot: QtBot) -> SettlementSelector:
    """A selector listing the sample settlements, shown."""
    widget = SettlementSelector()
    qtbot.addWidget(widget)
    widget.set_settlements(ROWS)
    widget.show()
    qtbot.waitExposed(widget, timeout=TIMEOUT_MS)
    return widget


def test_label_and_list(selector: SettlementSelector) -> None:
    assert selector._label.text() == "&Населенный пункт:"
    assert selector._label.buddy() is selector.combo
    assert selector.settlement_ids() == [row.id for row in ROWS]
    assert selector.settlement_id is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("нижнев", ["Нижневартовск"]),
        ("НИЖНЕ", ["Нижневартовск", "Нижнесортымский"]),
        ("березово", ["Берёзово", "Березово"]),
        ("берёз", ["Берёзово", "Березово"]),
        ("мансийск", ["Ханты-Мансийск"]),
        ("ханты - мансийск", ["Ханты-Мансийск"]),
        ("омск", []),
    ],
)
def test_typing_filters_ignoring_case_and_yo(
    selector: SettlementSelector, typed: str, expected: list[str]
) -> None:
    selector.line_edit.clear()
    type_text(selector.line_edit, typed)
    assert selector.line_edit.text() == typed
    assert selector.matching_ids() == [ID[name] for name in expected]


def test_enter_chooses_the_first_match(qtbot: QtBot, selector: SettlementSelector) -> None:
    selector.line_edit.clear()
    type_text(selector.line_edit, "нижнев")
    with qtbot.waitSignal(selector.settlementChosen, timeout=TIMEOUT_MS) as blocker:
        QTest.keyClick(selector.line_edit, Qt.Key.Key_Return)
    assert blocker.args == [ID["Нижневартовск"]]
    assert selector.settlement_id == ID["Нижневартовск"]
    assert selector.line_edit.text() == "Нижневартовск"
    assert selector.combo.currentIndex() == NAMES.index("Нижневартовск")


def test_enter_prefers_the_exact_name(qtbot: QtBot, selector: SettlementSelector) -> None:
    selector.set_filter_text("березово")
    # «Берёзово» is listed first, but «березово» spells «Березово» exactly.
    assert selector.best_match("березово") == ID["Берёзово"]  # ё folds: both are exact
    assert selector.best_match("бЕлоярский") == ID["Белоярский"]
    assert selector.best_match("ярский") == ID["Белоярский"]
    assert selector.best_match("") is None
    with qtbot.waitSignal(selector.settlementChosen, timeout=TIMEOUT_MS) as blocker:
        assert selector.choose_typed()
    assert blocker.args == [ID["Берёзово"]]


def test_enter_on_unknown_text_reports_no_match(
    qtbot: QtBot, selector: SettlementSelector
) -> None:
    chosen: list[int] = []
    selector.settlementChosen.connect(chosen.append)
    selector.line_edit.clear()
    type_text(selector.line_edit, "омск")
    with qtbot.waitSignal(selector.noMatch, timeout=TIMEOUT_MS) as blocker:
        QTest.keyClick(selector.line_edit, Qt.Key.Key_Return)
    assert blocker.args == ["омск"]
    assert chosen == []
    assert selector.line_edit.text() == "омск"  # left for the operator to correct


def test_choosing_the_same_settlement_again_emits_nothing(
    qtbot: QtBot, selector: SettlementSelector
) -> None:
    with qtbot.waitSignal(selector.settlementChosen, timeout=TIMEOUT_MS):
        assert selector.select_settlement(ID["Ханты-Мансийск"])
    chosen: list[int] = []
    selector.settlementChosen.connect(chosen.append)
    assert selector.select_settlement(ID["Ханты-Мансийск"])
    assert not selector.select_settlement(999)
    assert chosen == []
    assert selector.settlement is not None
    assert selector.settlement.name == "Ханты-Мансийск"


def test_picking_from_the_drop_down_list_chooses(
    qtbot: QtBot, selector: SettlementSelector
) -> None:
    with qtbot.waitSignal(selector.settlementChosen, timeout=TIMEOUT_MS) as blocker:
        selector.combo.activated.emit(NAMES.index("Белоярский"))
    assert blocker.args == [ID["Белоярский"]]


def test_find_settlement_ignores_case_and_yo(selector: SettlementSelector) -> None:
    assert selector.find_settlement("ХАНТЫ-МАНСИЙСК") == ID["Ханты-Мансийск"]
    assert selector.find_settlement("Омск") is None


def test_refilling_keeps_the_choice(selector: SettlementSelector) -> None:
    selector.select_settlement(ID["Березово"])
    selector.set_settlements(ROWS)
    assert selector.settlement_id == ID["Березово"]
    assert selector.line_edit.text() == "Березово"
    selector.set_settlements(ROWS[:2])
    assert selector.settlement_id is None
    assert selector.line_edit.text() == ""


def test_tooltips_describe_the_settlement(selector: SettlementSelector) -> None:
    item = selector._items.item(NAMES.index("Нижневартовск"))
    assert item.toolTip() == "город, район 4, учреждений: 4"
