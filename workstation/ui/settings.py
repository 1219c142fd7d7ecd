"""Window state kept between runs (QSettings); the only place the UI reads or writes it.

Normally the platform's native store under organisation "dzhmao", application
"registry-workstation". With ``WORKSTATION_HOME`` set (tests, portable installs) an INI file in
that directory's config folder, so tests never touch the operator's real settings.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow

from workstation.services.settings import locations

ORGANIZATION = "dzhmao"
APPLICATION = "registry-workstation"
SETTINGS_VERSION = 1
INI_NAME = "registry-workstation.ini"


def open_settings() -> QSettings:
    """The QSettings store of this user (an INI file under ``WORKSTATION_HOME`` if set)."""
    if os.environ.get("WORKSTATION_HOME"):
        config_dir = locations().config_dir
        config_dir.mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(config_dir / INI_NAME), QSettings.Format.IniFormat)
    else:
        settings = QSettings(
            QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
        )
    return settings


def _writable() -> QSettings:
    settings = open_settings()
    # Lets a later release recognise, and upgrade, what this one wrote.
    settings.setValue("version", SETTINGS_VERSION)
    return settings


def _bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes | bytearray) and value:
        return QByteArray(bytes(value))
    return None


def restore_window(window: QMainWindow, key: str) -> bool:
    """Restore a main window's geometry and dock state saved under ``key``; True if found."""
    settings = open_settings()
    geometry = _bytes(settings.value(f"{key}/geometry"))
    state = _bytes(settings.value(f"{key}/state"))
    restored = geometry is not None and window.restoreGeometry(geometry)
    if state is not None:
        window.restoreState(state)
    return restored


def save_window(window: QMainWindow, key: str) -> None:
    """Save a main window's geometry and dock state under ``key``."""
    settings = _writable()
    settings.setValue(f"{key}/geometry", window.saveGeometry())
    settings.setValue(f"{key}/state", window.saveState())
    settings.sync()


def restore_header(header: QHeaderView, key: str) -> bool:
    """Restore column widths and order of a view header; True if found."""
    state = _bytes(open_settings().value(f"{key}/header"))
    return state is not None and header.restoreState(state)


def save_header(header: QHeaderView, key: str) -> None:
    """Save column widths and order of a view header."""
    settings = _writable()
    settings.setValue(f"{key}/header", header.saveState())
    settings.sync()


def text_value(key: str, default: str = "") -> str:
    """A remembered string (printer name, ticket format, …)."""
    value = open_settings().value(key, default)
    return value if isinstance(value, str) else default


def set_text_value(key: str, value: str) -> None:
    settings = _writable()
    settings.setValue(key, value)
    settings.sync()
