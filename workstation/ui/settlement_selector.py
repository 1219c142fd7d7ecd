"""The settlement selector: an editable combo box filtered as the operator types.

Matching ignores case and treats ё as е («березово» finds «Берёзово»), and finds the typed text
anywhere in the name («мансийск» finds «Ханты-Мансийск»). Enter chooses the exact match, else the
first name starting with the text, else the first name containing it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QWidget,
)

from workstation.models.text import normalise_name
from workstation.services.directory import SettlementRow

SETTLEMENT_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
NORMALISED_NAME_ROLE = int(Qt.ItemDataRole.UserRole) + 2


def match_key(text: str) -> str:
    """The form both the typed text and the names are compared in."""
    return normalise_name(text)


class _SettlementFilter(QSortFilterProxyModel):
    """Keeps the settlements whose normalised name contains the normalised typed text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""

    @property
    def needle(self) -> str:
        """The normalised text being matched."""
        return self._needle

    def set_needle(self, text: str) -> None:
        """Filter by ``text`` (normalised here)."""
        needle = match_key(text)
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._needle:
            return True
        source = self.sourceModel()
        name = source.data(source.index(source_row, 0, source_parent), NORMALISED_NAME_ROLE)
        return isinstance(name, str) and self._needle in name


class SettlementSelector(QWidget):
    """«Населенный пункт:» with an editable, type-to-filter list of the region's settlements."""

    settlementChosen = Signal(int)
    """The operator (or the program) chose another settlement; its id."""

    settlementConfirmed = Signal(int)
    """A settlement was chosen, whether or not it changed (after ``settlementChosen``)."""

    noMatch = Signal(str)
    """Enter was pressed on text that matches no settlement."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current_id: int | None = None
        self._rows: dict[int, SettlementRow] = {}

        self._items = QStandardItemModel(self)
        self._combo = QComboBox(self)
        self._combo.setObjectName("settlementCombo")
        self._combo.setEditable(True)
        self._combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._combo.setModel(self._items)
        self._combo.setMaxVisibleItems(20)
        self._combo.setMinimumContentsLength(24)
        self._combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._combo.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        line_edit = self._combo.lineEdit()
        assert line_edit is not None
        self._line_edit: QLineEdit = line_edit
        self._line_edit.setPlaceholderText(self.tr("начните вводить название"))
        self._line_edit.setClearButtonEnabled(True)

        self._filter = _SettlementFilter(self)
        self._filter.setSourceModel(self._items)
        # Set after setModel(): QComboBox.setModel() would hand its own model to the completer.
        self._completer = QCompleter(self)
        self._completer.setModel(self._filter)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setMaxVisibleItems(12)
        self._combo.setCompleter(self._completer)

        self._label = QLabel(self.tr("&Населенный пункт:"), self)
        self._label.setBuddy(self._combo)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._label)
        layout.addWidget(self._combo, 1)

        self._line_edit.textEdited.connect(self._on_text_edited)
        self._line_edit.returnPressed.connect(self.choose_typed)
        self._combo.activated.connect(self._on_activated)
        # The QModelIndex overload carries the id; the str one would need a lookup by name.
        self._completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._on_completer_activated
        )
        self._line_edit.installEventFilter(self)

    # --- public API -------------------------------------------------------------------------

    @property
    def combo(self) -> QComboBox:
        """The combo box (for focus and tests)."""
        return self._combo

    @property
    def line_edit(self) -> QLineEdit:
        """The combo's line edit where the operator types."""
        return self._line_edit

    @property
    def completer(self) -> QCompleter:
        """The filtered completion list."""
        return self._completer

    @property
    def settlement_id(self) -> int | None:
        """The chosen settlement."""
        return self._current_id

    @property
    def settlement(self) -> SettlementRow | None:
        """The chosen settlement's row."""
        return None if self._current_id is None else self._rows.get(self._current_id)

    def set_settlements(self, rows: Sequence[SettlementRow]) -> None:
        """Fill the list (in the given order); keeps the choice if it is still listed."""
        self._rows = {row.id: row for row in rows}
        self._items.clear()
        for row in rows:
            item = QStandardItem(row.name)
            item.setEditable(False)
            item.setData(row.id, SETTLEMENT_ID_ROLE)
            item.setData(match_key(row.name), NORMALISED_NAME_ROLE)
            item.setToolTip(self._describe(row))
            self._items.appendRow(item)
        if self._current_id not in self._rows:
            self._current_id = None
            self._combo.setCurrentIndex(-1)
            self._line_edit.clear()
        else:
            self._show_current()

    def settlement_ids(self) -> list[int]:
        """Ids of all listed settlements, in list order."""
        return [self._id_at(row) for row in range(self._items.rowCount())]

    def find_settlement(self, name: str) -> int | None:
        """Id of the settlement named ``name`` (ё/е- and case-insensitive), if listed."""
        key = match_key(name)
        for row in range(self._items.rowCount()):
            if self._items.item(row).data(NORMALISED_NAME_ROLE) == key:
                return self._id_at(row)
        return None

    def select_settlement(self, settlement_id: int) -> bool:
        """Choose a settlement; ``settlementChosen`` if the choice changed, then confirmed."""
        if settlement_id not in self._rows:
            return False
        changed = settlement_id != self._current_id
        self._current_id = settlement_id
        self._show_current()
        self._hide_popup()
        if changed:
            self.settlementChosen.emit(settlement_id)
        self.settlementConfirmed.emit(settlement_id)
        return True

    def set_filter_text(self, text: str) -> None:
        """Put ``text`` in the field and filter the list as if it were typed."""
        self._line_edit.setText(text)
        self._on_text_edited(text)

    def matching_ids(self) -> list[int]:
        """Ids of the settlements matching the current text, in list order."""
        result = []
        for row in range(self._filter.rowCount()):
            value = self._filter.index(row, 0).data(SETTLEMENT_ID_ROLE)
            if isinstance(value, int):
                result.append(value)
        return result

    def best_match(self, text: str) -> int | None:
        """The settlement Enter would choose for ``text``."""
        key = match_key(text)
        if not key:
            return None
        contains: int | None = None
        prefix: int | None = None
        for row in range(self._items.rowCount()):
            name = self._items.item(row).data(NORMALISED_NAME_ROLE)
            if not isinstance(name, str):
                continue
            if name == key:
                return self._id_at(row)
            if prefix is None and name.startswith(key):
                prefix = self._id_at(row)
            elif contains is None and key in name:
                contains = self._id_at(row)
        return prefix if prefix is not None else contains

    def choose_typed(self) -> bool:
        """Choose the best match for the typed text (what Enter does)."""
        text = self._line_edit.text()
        found = self.best_match(text)
        if found is None:
            if text.strip():
                self.noMatch.emit(text.strip())
            return False
        self.select_settlement(found)
        return True

    # --- internals ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self._line_edit
            and event.type() == QEvent.Type.FocusOut
            and isinstance(event, QFocusEvent)
            and event.reason() != Qt.FocusReason.PopupFocusReason
        ):
            # Leaving the field without choosing: show the settlement actually in use again.
            self._show_current()
        return super().eventFilter(watched, event)

    def _describe(self, row: SettlementRow) -> str:
        parts = [part for part in (row.kind, row.municipal_district) if part]
        parts.append(self.tr("учреждений: {0}").format(row.institution_count))
        return ", ".join(parts)

    def _id_at(self, row: int) -> int:
        value = self._items.item(row).data(SETTLEMENT_ID_ROLE)
        assert isinstance(value, int)
        return value

    def _show_current(self) -> None:
        row = self._row_of(self._current_id)
        self._combo.setCurrentIndex(row)
        current = self._rows.get(self._current_id) if self._current_id is not None else None
        self._line_edit.setText(current.name if current is not None else "")
        self._filter.set_needle("")

    def _row_of(self, settlement_id: int | None) -> int:
        if settlement_id is None:
            return -1
        for row in range(self._items.rowCount()):
            if self._id_at(row) == settlement_id:
                return row
        return -1

    def _on_text_edited(self, text: str) -> None:
        self._filter.set_needle(text)
        if text.strip() and self._filter.rowCount() > 0:
            self._completer.complete()
        else:
            self._hide_popup()

    def _hide_popup(self) -> None:
        popup = self._completer.popup()
        if popup is not None:
            popup.hide()

    def _on_activated(self, row: int) -> None:
        if 0 <= row < self._items.rowCount():
            self.select_settlement(self._id_at(row))

    def _on_completer_activated(self, index: QModelIndex) -> None:
        value = index.data(SETTLEMENT_ID_ROLE)
        if isinstance(value, int):
            self.select_settlement(value)
