"""The bundled DejaVu Sans for reportlab: registered once, with its subsets built once.

reportlab ships no Cyrillic font, so the same TTF files the Qt side uses are embedded in every
PDF. Embedding means building a subset of the font for the characters a document uses and
writing the subset's glyph widths, which took most of a ticket's render time. Therefore:

* every document starts by claiming one fixed alphabet (Cyrillic, typographic punctuation;
  ASCII is always there), so that its subset is the same from document to document, and the
  subset is built once per process and remembered;
* each glyph width is formatted once: reportlab writes the widths array by formatting every
  number in Python per document, and passes pre-formatted bytes through unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from workstation.services.resources import resource_path

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

ALPHABET = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя«»–—№…“”„’‑·•"
"""Claimed by every document in this order: the subset of a Russian text never varies."""

SUBSETS_KEPT = 32  # a rare letter outside the alphabet makes another subset; keep a few

_lock = threading.Lock()
_registered = False


def _cache_subsets(font: Any) -> None:
    # The subset is a pure function of the font file and the characters: remember it.
    build: Callable[[list[int]], bytes] = font.face.makeSubset

    @lru_cache(maxsize=SUBSETS_KEPT)
    def cached(codes: tuple[int, ...]) -> bytes:
        return build(list(codes))

    def make_subset(subset: list[int]) -> bytes:
        return cached(tuple(subset))

    font.face.makeSubset = make_subset


def _preformat_widths(font: Any) -> None:
    # Only the widths array of the embedded subset reads getCharWidth (string widths come from
    # the face's charWidths table), so its values may be the bytes the PDF will contain.
    width_of: Callable[[int], float] = font.face.getCharWidth

    @cache
    def formatted(code: int) -> bytes:
        text: str = fp_str(width_of(code))
        return text.encode("ascii")

    font.face.getCharWidth = formatted


def register_fonts() -> None:
    """Register the regular and bold DejaVu Sans with reportlab (once per process)."""
    global _registered
    with _lock:
        if _registered:
            return
        for name, file_name in FONT_FILES.items():
            font = TTFont(name, str(resource_path("fonts", file_name)))
            _cache_subsets(font)
            _preformat_widths(font)
            pdfmetrics.registerFont(font)
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)
        _registered = True


def claim_alphabet(canvas: Any) -> None:
    """Give the canvas's document the fixed alphabet before anything is drawn on it."""
    register_fonts()
    # The subset assignment lives in the document (reportlab keeps no public handle to it).
    document = canvas._doc
    for name in FONT_FILES:
        pdfmetrics.getFont(name).splitString(ALPHABET, document)
