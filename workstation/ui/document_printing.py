"""Printing a rendered document (PDF bytes: tickets, slips, forms) on the printers the OS knows.

The PDF is rasterised (pypdfium2) at the printer's resolution and painted page by page, so the
paper shows exactly what the PDF shows, on CUPS and on the Windows spooler alike. Painting onto a
QPrinter is allowed off the GUI thread (Qt: QPainter on QImage, QPrinter and QPicture), so the
desk's fast path — the default printer, no dialog — runs on a worker thread and never blocks the
window. The preview paints on the GUI thread, where QPrintPreviewDialog asks for it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pypdfium2 as pdfium
from PySide6.QtCore import QMarginsF, QObject, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from workstation.services.printing_settings import configured_printing
from workstation.ui import settings

POINTS_PER_INCH = 72.0
SETTINGS_GROUP = "printing"


@dataclass(frozen=True)
class Document:
    """What to print: the PDF, a title for the spooler, and what to call it in messages."""

    pdf: bytes
    title: str


class PrintError(Exception):
    """Printing failed; ``message`` tells the operator what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def page_sizes(pdf: bytes) -> list[QSizeF]:
    """Each page's size in points."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [QSizeF(*document[i].get_size()) for i in range(len(document))]
    finally:
        document.close()


def rasterise(pdf: bytes, dpi: float) -> list[QImage]:
    """The pages as images at ``dpi`` (RGB)."""
    document = pdfium.PdfDocument(pdf)
    images: list[QImage] = []
    try:
        for index in range(len(document)):
            bitmap = document[index].render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True)
            image = QImage(
                bitmap.buffer,
                bitmap.width,
                bitmap.height,
                bitmap.stride,
                QImage.Format.Format_RGB888
                if bitmap.n_channels == 3
                else QImage.Format.Format_RGBA8888,
            )
            images.append(image.copy())  # detached from pdfium's buffer, which is freed below
    finally:
        document.close()
    return images


def fit_printer_to(printer: QPrinter, pdf: bytes) -> None:
    """Paper of the document's first page (A6, an 80 mm roll, A4), no extra margins: the PDF
    already has its own."""
    sizes = page_sizes(pdf)
    if not sizes:
        return
    size = QPageSize(sizes[0], QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    printer.setPageLayout(
        QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    )
    printer.setFullPage(True)


def paint_document(printer: QPrinter, document: Document) -> None:
    """Paint every page onto ``printer``; ``PrintError`` when the printer cannot start."""
    dpi = max(150, min(printer.resolution(), 600))
    images = rasterise(document.pdf, dpi)
    painter = QPainter()
    if not painter.begin(printer):
        name = printer.printerName() or printer.outputFileName() or "по умолчанию"
        raise PrintError(
            f"Не удалось начать печать на принтере «{name}». Проверьте, что принтер включён и "
            "в нём есть бумага, или выберите другой принтер; документ можно распечатать "
            "повторно."
        )
    try:
        for index, image in enumerate(images):
            if index and not printer.newPage():
                raise PrintError(
                    "Принтер прервал печать. Проверьте принтер и распечатайте документ повторно."
                )
            target = QRectF(painter.viewport())
            scaled = QSizeF(image.size()).scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(target.topLeft(), scaled), image)
    finally:
        painter.end()


class DocumentPrinter(QObject):
    """Print, preview or choose a printer for a document, remembering the choice per workstation.

    ``printed(title)`` and ``failed(message)`` come back on the GUI thread.
    """

    printed = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threads: list[threading.Thread] = []

    # -- the printer ---------------------------------------------------------------------------

    @staticmethod
    def remembered_printer() -> str:
        return settings.text_value(f"{SETTINGS_GROUP}/printer")

    @staticmethod
    def remember_printer(name: str) -> None:
        settings.set_text_value(f"{SETTINGS_GROUP}/printer", name)

    def make_printer(self) -> QPrinter:
        """The remembered printer (else the site's ``[printing] default_printer``) if the OS
        still has it, else the system's default."""
        name = self.remembered_printer() or configured_printing().default_printer
        info = QPrinterInfo.printerInfo(name) if name else QPrinterInfo.defaultPrinter()
        if info.isNull():
            info = QPrinterInfo.defaultPrinter()
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        return printer

    # -- the three ways to print ---------------------------------------------------------------

    def print_now(self, document: Document, printer: QPrinter | None = None) -> threading.Thread:
        """The desk's fast path: no dialog, on a worker thread; the result comes as a signal."""
        target = printer or self.make_printer()
        if not target.outputFileName() and not target.printerName():
            self.failed.emit(
                "В системе не настроен принтер по умолчанию. Выберите принтер (Ctrl+P) или "
                "сохраните документ в PDF."
            )
            thread = threading.Thread(target=lambda: None)
            thread.start()
            return thread
        fit_printer_to(target, document.pdf)
        target.setDocName(document.title)

        def run() -> None:
            try:
                paint_document(target, document)
            except PrintError as error:
                self.failed.emit(error.message)
            except Exception as error:  # a driver's surprise: reported, never lost
                self.failed.emit(f"Ошибка печати: {error}. Документ можно распечатать повторно.")
            else:
                self.printed.emit(document.title)

        thread = threading.Thread(target=run, name="print", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return thread

    def choose_and_print(self, document: Document, parent: QWidget | None = None) -> QPrintDialog:
        """«Печать…»: the system's printer dialog, then printing in the background."""
        printer = self.make_printer()
        fit_printer_to(printer, document.pdf)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle("Печать: " + document.title)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                if printer.printerName():
                    self.remember_printer(printer.printerName())
                self.print_now(document, printer)

        dialog.finished.connect(accepted)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()  # not exec(): a nested event loop would stall the workers' callbacks
        return dialog

    def preview(self, document: Document, parent: QWidget | None = None) -> QPrintPreviewDialog:
        """«Предварительный просмотр» (Shift+F9); printing from it goes to the chosen printer."""
        printer = self.make_printer()
        fit_printer_to(printer, document.pdf)
        dialog = QPrintPreviewDialog(printer, parent)
        dialog.setWindowTitle("Предварительный просмотр: " + document.title)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        # The dialog holds only a C++ pointer to the printer: the closure keeps it alive.
        def paint(target: QPrinter, _keep: QPrinter = printer) -> None:
            try:
                paint_document(target, document)
            except PrintError as error:
                self.failed.emit(error.message)

        dialog.paintRequested.connect(paint)
        dialog.open()
        return dialog

    def wait(self, timeout: float = 10.0) -> None:
        """Wait for printing in progress (window close, tests)."""
        for thread in self._threads:
            thread.join(timeout)
        self._threads = [t for t in self._threads if t.is_alive()]
