"""The information pages (questions and answers, hotline, public info) as a list and a browser."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QTextBrowser, QWidget

from workstation.services.info_pages import InfoPage, InfoPageError, info_pages

log = logging.getLogger(__name__)

_KEY_ROLE = int(Qt.ItemDataRole.UserRole)


class InfoPagesWidget(QWidget):
    """A list of page titles on the left, the chosen page (Markdown) on the right."""

    pageShown = Signal(str)
    """A page is shown; its key."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        pages: list[InfoPage] | None = None,
        show_list: bool = True,
    ) -> None:
        """``pages``: what to show (by default the files of ``resources/info``)."""
        super().__init__(parent)
        self._list = QListWidget(self)
        self._list.setObjectName("infoPagesList")
        self._browser = QTextBrowser(self)
        self._browser.setObjectName("infoPagesBrowser")
        # Links are text to read, not a way out of the application (the kiosk has no browser).
        self._browser.setOpenLinks(False)
        self._browser.setOpenExternalLinks(False)
        layout = QHBoxLayout(self)
        layout.addWidget(self._list, 1)
        layout.addWidget(self._browser, 3)
        self._list.setVisible(show_list)
        self._pages: dict[str, InfoPage] = {}
        self._error = ""
        if pages is None:
            try:
                pages = info_pages()
            except InfoPageError as error:
                log.error("information pages not loaded: %s", error)
                self._error = str(error)
                pages = []
        self.set_pages(pages)
        self._list.currentItemChanged.connect(self._on_current_changed)
        if self._error:
            self._browser.setPlainText(self._error)
        elif pages:
            self._list.setCurrentRow(0)

    @property
    def browser(self) -> QTextBrowser:
        """The text of the page shown."""
        return self._browser

    @property
    def page_list(self) -> QListWidget:
        """The list of page titles."""
        return self._list

    @property
    def error(self) -> str:
        """Why the pages could not be read ("" when they were)."""
        return self._error

    @property
    def current_key(self) -> str | None:
        """The key of the page shown."""
        item = self._list.currentItem()
        if item is None:
            return None
        key = item.data(_KEY_ROLE)
        return key if isinstance(key, str) else None

    def keys(self) -> list[str]:
        """The keys of the pages, in the list's order."""
        return list(self._pages)

    def page(self, key: str) -> InfoPage:
        """The page with ``key``."""
        return self._pages[key]

    def set_pages(self, pages: list[InfoPage]) -> None:
        """Show these pages instead."""
        self._pages = {page.key: page for page in pages}
        self._list.clear()
        for page in pages:
            item = QListWidgetItem(page.title, self._list)
            item.setData(_KEY_ROLE, page.key)

    def show_page(self, key: str) -> bool:
        """Show the page with ``key``; False when there is no such page."""
        for row in range(self._list.count()):
            item = self._list.item(row)
            if item is not None and item.data(_KEY_ROLE) == key:
                if self._list.currentRow() == row:
                    self._render(key)
                else:
                    self._list.setCurrentRow(row)
                return True
        return False

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        key = current.data(_KEY_ROLE)
        if isinstance(key, str):
            self._render(key)

    def _render(self, key: str) -> None:
        self._browser.setMarkdown(self._pages[key].markdown)
        self._browser.verticalScrollBar().setValue(0)
        self.pageShown.emit(key)
