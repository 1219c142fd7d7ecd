"""The Code128 barcode of a ticket number for the desk's scanner (reportlab's Code128)."""

from __future__ import annotations

from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm

QUIET_MODULES = 10
"""Code128 needs ten modules of light margin on each side; the layout reserves them."""

MAX_MODULE = 0.40 * mm
MIN_MODULE = 0.25 * mm
"""Two dots of a 203 dpi thermal head: narrower bars blur on receipt paper."""


def code128_modules(data: str) -> int:
    """The symbol's width in modules, quiet zones included."""
    width = float(Code128(data, barWidth=1, quiet=0).width)
    return round(width) + 2 * QUIET_MODULES


def draw_code128(canvas: Any, data: str, x: float, y: float, module: float, height: float) -> float:
    """Draw the barcode with its left quiet zone starting at ``x``; return the total width."""
    symbol = Code128(data, barWidth=module, barHeight=height, quiet=0, humanReadable=0)
    symbol.drawOn(canvas, x + QUIET_MODULES * module, y)
    return float(symbol.width) + 2 * QUIET_MODULES * module
