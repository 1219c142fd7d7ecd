"""The ``[printing]`` table of ``workstation.toml``: the site's default printer and ticket paper.

::

    [printing]
    default_printer = "Kyocera-Registratura"   # a printer name as the OS lists it (lpstat -e)
    ticket_format = "a6"                         # "a6" (default), "roll80" or "a4"

Both are defaults for a workstation whose operator has not chosen yet: the printer chosen in the
print dialog and the «Формат талона» chosen in the menu are remembered per workstation and win.
A printer the OS does not have falls back to the system's default printer. Wrong values are
ignored here (the workstation still starts) and reported by ``workstation config check``.
"""

from __future__ import annotations

from dataclasses import dataclass

from workstation.services.settings import _config

TICKET_FORMATS = ("a6", "roll80", "a4")
PRINTING_KEYS = ("default_printer", "ticket_format")


@dataclass(frozen=True)
class PrintingSettings:
    """What ``[printing]`` says; ``None`` where it says nothing (or nothing usable)."""

    default_printer: str | None = None
    ticket_format: str | None = None


def printing_settings_from(table: object) -> PrintingSettings:
    """The usable part of a ``[printing]`` table."""
    if not isinstance(table, dict):
        return PrintingSettings()
    printer = table.get("default_printer")
    fmt = table.get("ticket_format")
    return PrintingSettings(
        default_printer=printer.strip() or None if isinstance(printer, str) else None,
        ticket_format=fmt.lower() if isinstance(fmt, str) and fmt.lower() in TICKET_FORMATS
        else None,
    )


def configured_printing() -> PrintingSettings:
    """The ``[printing]`` table of the config file; empty when the file cannot be read."""
    try:
        config = _config()
    except (OSError, ValueError):  # tomllib.TOMLDecodeError is a ValueError
        return PrintingSettings()
    return printing_settings_from(config.get("printing"))
