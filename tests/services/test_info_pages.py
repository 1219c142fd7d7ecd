"""The information pages are Markdown files in resources/info, titled by their first heading."""

from __future__ import annotations

from pathlib import Path

import pytest

from workstation.services.info_pages import REQUIRED_PAGES, InfoPageError, info_page, info_pages


def test_the_bundled_pages_come_in_the_manuals_order_with_their_titles() -> None:
    pages = info_pages()
    assert [page.key for page in pages[:3]] == ["faq", "hotline", "public"]
    assert [page.title for page in pages[:3]] == [
        "Вопросы и ответы", "Горячая линия", "Информация для населения",
    ]


def test_the_faq_answers_the_manuals_questions() -> None:
    faq = info_page("faq").markdown
    for question in (
        "Запись на прием без регистрации на портале",
        "Для чего мне нужен Личный кабинет пациента?",
        "Информация о медицинском учреждении",
        "Вы хотите оставить отзыв или предложение?",
    ):
        assert f"## {question}" in faq
    assert "8-800-100-86-03" in faq
    assert "СНИЛС" in faq


def test_the_hotline_and_the_public_pages_hold_the_manuals_facts() -> None:
    assert "8-800-100-86-03" in info_page("hotline").markdown
    public = info_page("public").markdown
    for heading in ("Как записаться на прием", "Что взять с собой", "Как отменить запись"):
        assert f"## {heading}" in public


def _write_required(folder: Path) -> None:
    for key in REQUIRED_PAGES:
        (folder / f"{key}.md").write_text(f"Вступление\n\n## {key.upper()}\n\nТекст", "utf-8")


def test_added_pages_follow_the_required_ones_by_file_name(tmp_path: Path) -> None:
    _write_required(tmp_path)
    (tmp_path / "b_news.md").write_text("# Новости\n", "utf-8")
    (tmp_path / "a_rules.md").write_text("# Правила\n", "utf-8")
    (tmp_path / "notes.txt").write_text("не страница", "utf-8")
    pages = info_pages(tmp_path)
    assert [page.key for page in pages] == ["faq", "hotline", "public", "a_rules", "b_news"]
    assert pages[0].title == "FAQ"  # the first heading of any level
    assert pages[3].markdown == "# Правила\n"


def test_a_missing_page_is_named(tmp_path: Path) -> None:
    _write_required(tmp_path)
    (tmp_path / "hotline.md").unlink()
    missing = r"Не найден файл информационной страницы .*hotline\.md"
    with pytest.raises(InfoPageError, match=missing):
        info_pages(tmp_path)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(InfoPageError, match="Не найдена папка информационных страниц"):
        info_pages(tmp_path / "absent")


def test_a_page_without_a_heading_is_refused(tmp_path: Path) -> None:
    _write_required(tmp_path)
    (tmp_path / "public.md").write_text("Только текст\n", "utf-8")
    with pytest.raises(InfoPageError, match=r"public\.md нет заголовка"):
        info_pages(tmp_path)
