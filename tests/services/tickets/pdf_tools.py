"""Reading generated PDFs back: the text layer (pypdf), page sizes and the printed codes."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import zxingcpp
from pypdf import PdfReader

MM = 72 / 25.4
SCAN_DPI = 200


def page_texts(data: bytes) -> list[str]:
    """The extracted text of every page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def text(data: bytes) -> str:
    """All the text, with line breaks turned into spaces (wrapped lines join up again)."""
    return " ".join(" ".join(page_texts(data)).split())


def page_sizes_mm(data: bytes) -> list[tuple[float, float]]:
    """Width and height of every page, in millimetres."""
    return [
        (float(page.mediabox.width) / MM, float(page.mediabox.height) / MM)
        for page in PdfReader(io.BytesIO(data)).pages
    ]


def decoded(data: bytes, page: int = 0) -> dict[str, list[str]]:
    """What a scanner reads from the rasterised page: texts by code kind («QRCode», «Code128»)."""
    image = pdfium.PdfDocument(data)[page].render(scale=SCAN_DPI / 72, grayscale=True).to_pil()
    found: dict[str, list[str]] = {}
    formats = zxingcpp.barcode_formats_from_str("QRCode,Code128")
    for result in zxingcpp.read_barcodes(image, formats=formats):
        found.setdefault(result.format.name, []).append(result.text)
    return {kind: sorted(texts) for kind, texts in found.items()}
