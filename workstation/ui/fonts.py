"""The bundled DejaVu Sans as the application font, so Cyrillic renders with no system fonts."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from workstation.services.resources import resource_path

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
FALLBACK_POINT_SIZE = 10.0

_families: list[str] | None = None


def load_bundled_fonts() -> list[str]:
    """Register the bundled fonts with Qt once per process; return their family names."""
    global _families
    if _families is None:
        families: list[str] = []
        for name in FONT_FILES:
            font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", name)))
            if font_id < 0:
                continue  # a damaged file must not stop the workstation; system fonts remain
            for family in QFontDatabase.applicationFontFamilies(font_id):
                if family not in families:
                    families.append(family)
        _families = families
    return list(_families)


def install_application_font(app: QGuiApplication) -> QFont | None:
    """Make the bundled DejaVu Sans the application font, keeping the system font size."""
    families = load_bundled_fonts()
    if not families:
        return None
    current = app.font()
    # With no system fonts at all the size may be unknown (-1); keep the platform's otherwise,
    # as the operator may have enlarged it.
    size = current.pointSizeF() if current.pointSizeF() > 0 else FALLBACK_POINT_SIZE
    font = QFont(families[0])
    font.setPointSizeF(size)
    app.setFont(font)
    return font
