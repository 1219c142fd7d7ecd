"""The packaging files agree with the code: what the spec leaves out, what the installers name."""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path

from workstation.services.settings import APP_AUTHOR, APP_NAME

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
START_MENU_NAME = "АРМ оператора — Электронная регистратура"


def _spec_assignment(name: str) -> ast.expr:
    tree = ast.parse((INSTALLER / "workstation.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return node.value
    raise AssertionError(f"{name} is not assigned in workstation.spec")


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(
        n.value, str)}


def test_the_spec_excludes_no_qt_module_the_code_imports() -> None:
    used = {
        match
        for path in (ROOT / "workstation").rglob("*.py")
        for match in re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8"))
    }
    assert {"QtCore", "QtGui", "QtWidgets", "QtPrintSupport"} <= used
    excluded = _strings(_spec_assignment("QT_EXCLUDES"))
    assert used.isdisjoint(excluded), (
        f"workstation imports {sorted(used & excluded)}, which installer/workstation.spec "
        f"excludes: take them out of QT_EXCLUDES"
    )
    for big in ("QtQml", "QtQuick", "QtWebEngineCore", "Qt3DCore", "QtMultimedia", "QtPdf"):
        assert big in excluded


def test_the_spec_bundles_the_resources_and_the_migrations() -> None:
    spec = (INSTALLER / "workstation.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "resources")' in spec
    assert '"workstation/migrations"' in spec
    assert (INSTALLER / "entry.py").read_text(encoding="utf-8").count("from workstation.cli "
                                                                       "import main") == 1


def test_the_desktop_entry_starts_the_bundle_with_its_icon() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(INSTALLER / "registry-workstation.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == START_MENU_NAME
    assert entry["Exec"].endswith("/workstation")
    assert (INSTALLER / "icons" / f"{entry['Icon']}.svg").is_file()
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")


def test_the_windows_installer_names_existing_files_and_the_config_folder() -> None:
    iss = INSTALLER / "windows" / "workstation.iss"
    text = iss.read_text(encoding="utf-8-sig")
    assert f'Name: "{{group}}\\{START_MENU_NAME}"' in text
    assert "{uninstallexe}" in text and "desktopicon" in text
    for relative in re.findall(r'(?:Source|SetupIconFile)[:=]\s*"?(\.\.[^"\r\n]+)', text):
        if "{#" in relative:
            continue
        assert (iss.parent / relative.replace("\\", "/")).exists(), relative
    # platformdirs.user_config_dir(APP_NAME, APP_AUTHOR) on Windows: %LOCALAPPDATA%\author\app
    assert f"{{localappdata}}\\{APP_AUTHOR}\\{APP_NAME}" in text
    assert "onlyifdoesntexist" in text
