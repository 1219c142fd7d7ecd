"""A table view of a ``KeyedRowsModel`` that keeps the operator's place across refreshes."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QTableView

from workstation.ui.keyed_rows_model import ROW_ID_ROLE, KeyedRowsModel


class KeyedRowsView(QTableView):
    """The table; remembers which row is at the top so that a refresh can keep it there."""

    def top_anchor(self) -> tuple[int, int] | None:
        """(row id at the top, its pixel offset), or None when the list is at its top."""
        bar = self.verticalScrollBar()
        if bar.value() <= bar.minimum():
            return None
        row = self.rowAt(0)
        if row < 0:
            return None
        row_id = self.model().index(row, 0).data(ROW_ID_ROLE)
        if not isinstance(row_id, int):
            return None
        return row_id, self.rowViewportPosition(row)

    def restore_anchor(self, anchor: tuple[int, int] | None, model: KeyedRowsModel[Any]) -> None:
        """Scroll so that the anchor row is where it was (nothing to do at the top)."""
        if anchor is None:
            return
        row_id, offset = anchor
        row = model.row_of(row_id)
        if row is None:
            return  # that row left the list; Qt's own adjustment is as good as any
        # Rows inserted above are laid out lazily; the scroll range must include them now.
        self.executeDelayedItemsLayout()
        bar = self.verticalScrollBar()
        if self.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerItem:
            bar.setValue(row)
        else:
            bar.setValue(self.verticalHeader().sectionPosition(row) - offset)
