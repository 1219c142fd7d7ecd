"""The ``workstation`` command line, run as operators and CI run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workstation import __version__
from workstation.cli import main
from workstation.models import Institution, Patient, Settlement
from workstation.services.database import Database
from workstation.services.demo import DEMO_PATIENTS, demo_database_url


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"workstation {__version__}"


def test_db_upgrade_creates_the_schema(db_url: str) -> None:
    assert main(["db", "upgrade", "--db", db_url]) == 0
    database = Database(db_url)
    try:
        assert database.is_current()
    finally:
        database.dispose()


def test_db_upgrade_takes_the_url_from_the_environment(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKSTATION_DB", sqlite_url)
    assert main(["db", "upgrade"]) == 0
    database = Database(sqlite_url)
    try:
        assert database.is_current()
    finally:
        database.dispose()


def test_db_upgrade_takes_the_url_from_the_config_file(
    sqlite_url: str, workstation_home: Path
) -> None:
    config = workstation_home / "config" / "workstation.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'database_url = "{sqlite_url}"\n', encoding="utf-8")
    assert main(["db", "upgrade"]) == 0
    database = Database(sqlite_url)
    try:
        assert database.is_current()
    finally:
        database.dispose()


def test_without_a_database_the_operator_is_told_what_to_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db", "upgrade"]) == 2
    message = capsys.readouterr().err
    assert "--demo" in message
    assert "workstation.toml" in message


def test_gui_refuses_a_database_that_is_not_migrated(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", sqlite_url, "--screenshot", "unused.png"]) == 2
    assert "workstation db upgrade" in capsys.readouterr().err


def test_demo_database_is_created_once_in_workstation_home(workstation_home: Path) -> None:
    assert main(["db", "upgrade", "--demo"]) == 0
    demo_file = workstation_home / "data" / "demo.sqlite3"
    assert demo_file.exists()
    database = Database(demo_database_url())
    try:
        with database.session() as session:
            settlements = session.scalar(select(func.count(Settlement.id)))
            institutions = session.scalar(select(func.count(Institution.id)))
        assert settlements and settlements >= 32
        assert institutions and institutions >= settlements
        with database.session() as session:
            assert session.scalar(select(func.count(Patient.id))) == DEMO_PATIENTS
        # A second start reuses the database and does not load the data again.
        assert main(["db", "upgrade", "--demo"]) == 0
        with database.session() as session:
            assert session.scalar(select(func.count(Institution.id))) == institutions
    finally:
        database.dispose()


@pytest.mark.slow
def test_demo_screenshot_from_the_installed_command(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "workstation", "--demo", "--screenshot", str(shot)]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1366, 768)
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
    }
    assert len(colours) > 50, "the screenshot is blank"
