"""run_gui in screenshot mode, and the bundled application font."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds
from workstation.services.database import Database
from workstation.ui import app as app_module
from workstation.ui.app import SCREENSHOT_SIZE, run_gui
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.fonts import install_application_font, load_bundled_fonts
from workstation.ui.main_window import MainWindow


def _distinct_colours(image: QImage, step: int = 3) -> int:
    """Distinct colours among every ``step``-th pixel (all of them would be slow in Python)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    data = bytes(image.constBits())
    stride = 4 * step
    return len({data[i : i + 4] for i in range(0, len(data), stride)})


def _main_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_screenshot_shows_a_filled_window(
    qtbot: QtBot, sample_db: tuple[Database, SampleIds], tmp_path: Path
) -> None:
    database, _ids = sample_db
    shot = tmp_path / "shots" / "main.png"
    before = DatabaseWorker.running_count()
    assert run_gui(database.url, screenshot=shot, banner="Демонстрационная база данных") == 0
    assert DatabaseWorker.running_count() == before  # the worker thread was stopped
    assert _main_windows() == []  # and the window deleted
    image = QImage(str(shot))
    assert not image.isNull()
    assert (image.width(), image.height()) == SCREENSHOT_SIZE
    assert _distinct_colours(image) > 50


def test_screenshot_of_an_empty_database_still_succeeds(
    qtbot: QtBot, sqlite_url: str, tmp_path: Path
) -> None:
    database = Database(sqlite_url)
    database.upgrade()
    database.dispose()
    shot = tmp_path / "empty.png"
    assert run_gui(sqlite_url, screenshot=shot) == 0
    assert QImage(str(shot)).size().toTuple() == SCREENSHOT_SIZE


def test_screenshot_fails_with_the_reason_when_the_data_cannot_be_read(
    qtbot: QtBot, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shot = tmp_path / "broken.png"
    # Not migrated: reading the settlements fails at once.
    assert run_gui(sqlite_url, screenshot=shot) == 1
    error = capsys.readouterr().err
    assert "Снимок главного окна не сделан" in error
    assert "населенных пунктов" in error
    assert not shot.exists()
    assert _main_windows() == []


def test_screenshot_gives_up_after_the_timeout(
    qtbot: QtBot,
    sample_db: tuple[Database, SampleIds],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(app_module, "SCREENSHOT_TIMEOUT_S", 0.0)
    assert run_gui(sample_db[0].url, screenshot=tmp_path / "late.png") == 1
    assert "не загрузились за 0 с" in capsys.readouterr().err
    assert _main_windows() == []


def test_bundled_font_becomes_the_application_font(qapp: QApplication) -> None:
    assert "DejaVu Sans" in load_bundled_fonts()
    previous = QFont(qapp.font())
    try:
        font = install_application_font(qapp)
        assert font is not None
        assert qapp.font().family() == "DejaVu Sans"
        assert qapp.font().pointSizeF() > 0
    finally:
        qapp.setFont(previous)


def test_qt_standard_texts_are_russian(qapp: object) -> None:
    from PySide6.QtCore import QTranslator
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from workstation.ui.app import install_qt_translation

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert install_qt_translation(app)
    try:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert [b.text() for b in buttons.buttons()] == ["Отмена"]
    finally:
        for translator in app.findChildren(QTranslator):
            app.removeTranslator(translator)
            translator.deleteLater()
