"""The QR code of a ticket number, drawn on a reportlab canvas.

``draw_qr`` encodes with segno and writes the dark modules as one filled path, a rectangle per
horizontal run, in module units: a few hundred bytes of PDF and under a millisecond.
``draw_qr_widget`` is reportlab's own ``QrCodeWidget`` (one shape per module, about 20 ms), kept
only as the benchmark's baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

QUIET_MODULES = 4
"""The light margin the QR standard asks for, included in the drawn size."""

ERROR_LEVEL = "M"  # 15 % of the symbol may be lost (a crease, a smudge of thermal paper)

MASK: int | None = 6
"""The data mask. Choosing it by the standard's penalty score (``None``) costs segno about 3 ms,
a third of a ticket's budget, and bought nothing: rendering 600 ticket numbers blurred to the
edge of readability, zxing decoded more symbols with mask 6 than with the penalty's choice."""

QrDrawer = Callable[[Any, str, float, float, float], None]
"""``(canvas, data, x, y, size)``: draw a QR code of ``data`` in a square at (x, y)."""


def qr_runs(data: str, mask: int | None = MASK) -> tuple[int, list[tuple[int, int, int]]]:
    """The symbol's width in modules and its dark runs as ``(row, first column, length)``."""
    matrix = segno.make_qr(data, error=ERROR_LEVEL, boost_error=False, mask=mask).matrix
    runs: list[tuple[int, int, int]] = []
    for row, modules in enumerate(matrix):
        start = -1
        for column, dark in enumerate(modules):
            if dark and start < 0:
                start = column
            elif not dark and start >= 0:
                runs.append((row, start, column - start))
                start = -1
        if start >= 0:
            runs.append((row, start, len(modules) - start))
    return len(matrix), runs


def draw_qr(
    canvas: Any, data: str, x: float, y: float, size: float, *, mask: int | None = MASK
) -> None:
    """Draw a QR code of ``data`` (with its quiet zone) in the square of side ``size`` at (x, y)."""
    width, runs = qr_runs(data, mask)
    total = width + 2 * QUIET_MODULES
    module = size / total
    # Rows run top-down in the matrix and bottom-up in PDF; integers in module units keep the
    # path short, and a literal path avoids reportlab formatting every number in Python.
    ops = [f"{column} {width - 1 - row} {length} 1 re" for row, column, length in runs]
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.translate(x + QUIET_MODULES * module, y + QUIET_MODULES * module)
    canvas.scale(module, module)
    canvas.addLiteral("\n".join([*ops, "f"]))
    canvas.restoreState()


def draw_qr_widget(canvas: Any, data: str, x: float, y: float, size: float) -> None:
    """The same QR code through reportlab's ``QrCodeWidget`` (the slow baseline)."""
    widget = QrCodeWidget(data, barLevel=ERROR_LEVEL, barBorder=QUIET_MODULES)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size,
        size,
        transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0],
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)
