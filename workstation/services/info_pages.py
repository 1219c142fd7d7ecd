"""The information pages shown to patients: questions and answers, the hotline, the public info.

They are Markdown files in ``resources/info/`` so that the texts can be edited without touching
the code. The three pages of the manual's «Прочие сведения» are required (``faq.md``,
``hotline.md``, ``public.md``, in that order); any further ``*.md`` file in the folder is shown
after them, in the order of the file names. A page's title is its first heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from workstation.services.resources import resources_dir

__all__ = ["INFO_DIR", "REQUIRED_PAGES", "InfoPage", "InfoPageError", "info_page", "info_pages"]

INFO_DIR: Final = "info"
"""The folder under ``resources/`` that holds the pages."""

REQUIRED_PAGES: Final = ("faq", "hotline", "public")
"""Keys (file names without ``.md``) of the pages that must exist, in the order shown."""


class InfoPageError(FileNotFoundError):
    """A page is missing or has no title; ``str()`` names the file and what to do."""


@dataclass(frozen=True)
class InfoPage:
    """One page: its key (the file name without ``.md``), title and Markdown text."""

    key: str
    title: str
    markdown: str


def _title(markdown: str, path: Path) -> str:
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            title = stripped.lstrip("#").strip()
            if title:
                return title
    raise InfoPageError(
        f"В файле информационной страницы {path} нет заголовка: "
        "первой строкой с текстом добавьте «# Название страницы»."
    )


def _read(path: Path) -> InfoPage:
    try:
        markdown = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InfoPageError(
            f"Не найден файл информационной страницы {path}: восстановите его из поставки."
        ) from None
    return InfoPage(key=path.stem, title=_title(markdown, path), markdown=markdown)


def _folder(directory: Path | None) -> Path:
    return directory if directory is not None else resources_dir() / INFO_DIR


def info_pages(directory: Path | None = None) -> list[InfoPage]:
    """The pages of ``directory`` (``resources/info`` by default): the required ones first.

    Raises :class:`InfoPageError` when the folder or a required page is missing, or a page has
    no heading.
    """
    folder = _folder(directory)
    if not folder.is_dir():
        raise InfoPageError(
            f"Не найдена папка информационных страниц {folder}: восстановите ее из поставки."
        )
    pages = [_read(folder / f"{key}.md") for key in REQUIRED_PAGES]
    extra = sorted(
        path for path in folder.glob("*.md") if path.is_file() and path.stem not in REQUIRED_PAGES
    )
    pages.extend(_read(path) for path in extra)
    return pages


def info_page(key: str, directory: Path | None = None) -> InfoPage:
    """One page by its key (``faq``, ``hotline``, ``public`` or an added one)."""
    return _read(_folder(directory) / f"{key}.md")
