"""Printing a ticket by its number: F9 print, Shift+F9 preview, Ctrl+P choose a printer,
Ctrl+Shift+S save as PDF, and the per-workstation ticket format («Формат талона»).

The ticket is loaded and rendered to PDF on the database worker (rendering is a few milliseconds
of CPU work, so it shares that job), and a save writes its file there too: the GUI thread only
opens dialogs and hands the document to ``DocumentPrinter``. The shared actions carry the
shortcuts and act on the ticket selected in the list the operator used last (a «source»: the
«Талоны» list, the journal, a patient's tickets); each list also gets its own button actions that
act on its own selection. A failure is shown with what to do, and nothing about the ticket is
lost: the same keys print it again.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox, QWidget
from sqlalchemy.orm import Session

from workstation.services.booking.errors import BookingError
from workstation.services.printing_settings import configured_printing
from workstation.services.tickets import TicketFormat, load_ticket_content, render_tickets
from workstation.ui import settings
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.document_printing import Document, DocumentPrinter

FORMAT_KEY = "printing/ticket_format"
PDF_DIRECTORY_KEY = "printing/pdf_directory"
DEFAULT_FORMAT = TicketFormat.A6

CurrentTicket = Callable[[], "str | None"]
PrinterFactory = Callable[[], QPrinter]


@dataclass(frozen=True)
class _Request:
    """What to do with a rendered ticket; also the key that drops a repeated key press."""

    kind: str  # "print", "preview", "choose", "save"
    number: str
    path: str = ""


def _write_file(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder: never a half-written PDF."""
    handle, temporary = tempfile.mkstemp(prefix=".ticket-", suffix=".pdf", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render_ticket_job(
    session: Session,
    *,
    number: str,
    fmt: TicketFormat,
    issued_by: str,
    issued_at: dt.datetime,
    path: Path | None = None,
) -> Document | BookingError:
    """The ticket as a ``Document`` (and written to ``path`` if given), or why there is none.

    Runs on the database worker. «Not found» is an answer, not a failure: it comes back as the
    error object, so that the worker does not log it as a broken request.
    """
    try:
        content = load_ticket_content(session, number, issued_at=issued_at, issued_by=issued_by)
    except BookingError as error:
        return error
    pdf = render_tickets([content], fmt)
    if path is not None:
        _write_file(path, pdf)
    return Document(pdf=pdf, title=content.title)


class SourceActions(QObject):
    """The button actions of one ticket list («Распечатать», «Просмотр», «Сохранить PDF»).

    They act on that list's own selection (a toolbar button takes no focus, so it cannot rely on
    which list was used last). Call ``update()`` when the list's selection changes.
    """

    def __init__(
        self, owner: TicketPrintActions, widget: QWidget, current_ticket: CurrentTicket
    ) -> None:
        super().__init__(widget)
        self._owner = owner
        self.widget = widget
        self.current_ticket = current_ticket
        self.print_action = QAction(self.tr("Распечатать"), self)
        self.print_action.setToolTip(self.tr("Распечатать выбранный талон (F9)"))
        self.print_action.triggered.connect(lambda: owner.run("print", self))
        self.preview_action = QAction(self.tr("Просмотр"), self)
        self.preview_action.setToolTip(self.tr("Предварительный просмотр талона (Shift+F9)"))
        self.preview_action.triggered.connect(lambda: owner.run("preview", self))
        self.choose_printer_action = QAction(self.tr("Принтер…"), self)
        self.choose_printer_action.setToolTip(
            self.tr("Выбрать принтер и распечатать талон (Ctrl+P)")
        )
        self.choose_printer_action.triggered.connect(lambda: owner.run("choose", self))
        self.save_pdf_action = QAction(self.tr("Сохранить PDF"), self)
        self.save_pdf_action.setToolTip(self.tr("Сохранить талон в файл PDF (Ctrl+Shift+S)"))
        self.save_pdf_action.triggered.connect(lambda: owner.run("save", self))
        self.update()

    @property
    def actions(self) -> tuple[QAction, ...]:
        """The button actions, in toolbar order."""
        return (self.print_action, self.preview_action, self.save_pdf_action)

    def update(self) -> None:
        """Enable the actions when the list has a ticket selected (and the shared ones too, if
        this is the list in use)."""
        has_ticket = self.current_ticket() is not None
        for action in (*self.actions, self.choose_printer_action):
            action.setEnabled(has_ticket)
        self._owner.source_updated(self)


class TicketPrintActions(QObject):
    """Print, preview, print on a chosen printer or save as PDF the ticket with a given number."""

    printed = Signal(str)
    """A ticket went to the printer; the text is for the status line."""

    saved = Signal(str)
    """A ticket was saved as PDF; the path of the file."""

    failed = Signal(str)
    """Something went wrong; the text says what to do (also shown in a message box)."""

    dialogOpened = Signal(object)
    """A dialog was opened: preview, printer choice, file choice or an error message."""

    def __init__(
        self,
        worker: DatabaseWorker,
        operator: str,
        parent: QWidget | None = None,
        *,
        printer: DocumentPrinter | None = None,
        printer_factory: PrinterFactory | None = None,
        show_errors: bool = True,
    ) -> None:
        """``operator`` is printed as «Выдал»; ``printer_factory`` gives the printer of the fast
        path (by default the remembered printer or the system's default one)."""
        super().__init__(parent)
        self._worker = worker
        self._operator = operator
        self._parent_widget = parent
        self._printer = printer if printer is not None else DocumentPrinter(self)
        self._printer_factory = printer_factory
        self._show_errors = show_errors
        self._pending: set[_Request] = set()
        self._sources: list[SourceActions] = []
        self._active: SourceActions | None = None
        self._error_box: QMessageBox | None = None

        self._printer.printed.connect(self._on_printed)
        self._printer.failed.connect(self._on_print_failed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
        self._build_actions()

    # --- public API -------------------------------------------------------------------------

    @property
    def operator(self) -> str:
        """Who is printed as having issued the ticket."""
        return self._operator

    def set_operator(self, operator: str) -> None:
        """Change the issuing operator (after a sign-in)."""
        self._operator = operator

    @property
    def document_printer(self) -> DocumentPrinter:
        """The printer service the tickets go through."""
        return self._printer

    @property
    def error_box(self) -> QMessageBox | None:
        """The message box of the last failure while it is open."""
        box = self._error_box
        return box if box is not None and shiboken6.isValid(box) and box.isVisible() else None

    @property
    def is_busy(self) -> bool:
        """True while a ticket is being loaded or rendered."""
        return bool(self._pending)

    @property
    def ticket_format(self) -> TicketFormat:
        """The paper this workstation prints tickets on (remembered in the settings)."""
        site_default = configured_printing().ticket_format or DEFAULT_FORMAT.value
        value = settings.text_value(FORMAT_KEY, site_default)
        try:
            return TicketFormat(value)
        except ValueError:
            return DEFAULT_FORMAT

    def set_ticket_format(self, fmt: TicketFormat) -> None:
        """Remember the ticket format of this workstation."""
        settings.set_text_value(FORMAT_KEY, TicketFormat(fmt).value)
        self.format_actions[TicketFormat(fmt)].setChecked(True)

    def make_format_menu(self, parent: QWidget) -> QMenu:
        """A «Формат талона» submenu over the shared format actions."""
        menu = QMenu(self.tr("&Формат талона"), parent)
        menu.setObjectName("ticketFormatMenu")
        for action in self.format_actions.values():
            menu.addAction(action)
        return menu

    def add_source(self, widget: QWidget, current_ticket: CurrentTicket) -> SourceActions:
        """Register a ticket list: the shared actions act on it while it was used last."""
        source = SourceActions(self, widget, current_ticket)
        self._sources.append(source)
        source.destroyed.connect(partial(self._forget_source, source))
        widget.addActions(list(self.shared_actions))  # the shortcuts work in its window
        if self._active is None:
            self._active = source
        self._update_shared()
        return source

    @property
    def active_source(self) -> SourceActions | None:
        """The list the shared actions act on: the one with the focus, or used last."""
        return self._active

    def activate_source(self, source: SourceActions) -> None:
        """Make ``source`` the list the shared actions act on."""
        if source in self._sources:
            self._active = source
            self._update_shared()

    def source_updated(self, source: SourceActions) -> None:
        """A list's selection changed."""
        if source is self._active:
            self._update_shared()

    @property
    def shared_actions(self) -> tuple[QAction, ...]:
        """The actions with the shortcuts, for the «Талоны» menu."""
        return (
            self.print_action,
            self.preview_action,
            self.choose_printer_action,
            self.save_pdf_action,
        )

    def run(self, kind: str, source: SourceActions | None = None) -> None:
        """Do ``kind`` (print, preview, choose, save) with the ticket selected in ``source``."""
        source = source if source is not None else self._active
        number = source.current_ticket() if source is not None else None
        if number is None:
            self._fail(self.tr("Выберите талон в списке, затем повторите."))
            return
        if source is not None:
            self.activate_source(source)
        parent = source.widget.window() if source is not None else None
        if kind == "print":
            self.print_ticket(number)
        elif kind == "preview":
            self.preview_ticket(number, parent)
        elif kind == "choose":
            self.choose_printer_and_print(number, parent)
        elif kind == "save":
            self.save_ticket_pdf(number, parent)
        else:
            raise ValueError(kind)

    def print_ticket(self, number: str, printer: QPrinter | None = None) -> None:
        """F9: print on the remembered or default printer, no dialog."""
        self._submit(_Request("print", number), partial(self._print, printer=printer))

    def preview_ticket(self, number: str, parent: QWidget | None = None) -> None:
        """Shift+F9: open the print preview."""
        self._submit(_Request("preview", number), partial(self._preview, parent=parent))

    def choose_printer_and_print(self, number: str, parent: QWidget | None = None) -> None:
        """Ctrl+P: the system's printer dialog, then printing (the printer is remembered)."""
        self._submit(_Request("choose", number), partial(self._choose, parent=parent))

    def save_ticket_pdf(self, number: str, parent: QWidget | None = None) -> QFileDialog:
        """Ctrl+Shift+S: ask where to save (non-blocking), then write the PDF off the GUI
        thread."""
        dialog = QFileDialog(
            parent or self._parent_widget,
            self.tr("Сохранить талон №{0} в PDF").format(number),
            str(self._pdf_directory() / self.tr("Талон {0}.pdf").format(number)),
            self.tr("Документы PDF (*.pdf)"),
        )
        dialog.setObjectName("ticketPdfDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("pdf")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(partial(self._on_file_chosen, number))
        dialog.open()
        self.dialogOpened.emit(dialog)
        return dialog

    def save_ticket_pdf_to(self, number: str, path: str | Path) -> None:
        """Write the ticket's PDF to ``path`` (on the database worker); ``saved`` when done."""
        target = Path(path)
        self._submit(
            _Request("save", number, str(target)),
            lambda _document: self.saved.emit(str(target)),
            path=target,
        )

    def wait(self, timeout: float = 10.0) -> None:
        """Wait for printing in progress (window close, tests)."""
        self._printer.wait(timeout)

    # --- construction -------------------------------------------------------------------------

    def _build_actions(self) -> None:
        def action(name: str, text: str, key: str, slot: Callable[[], None]) -> QAction:
            created = QAction(text, self)
            created.setObjectName(name)
            created.setShortcut(QKeySequence(key))
            created.setToolTip(f"{text.replace('&', '').rstrip('…')} ({key})")
            created.triggered.connect(slot)
            return created

        self.print_action = action(
            "printTicketAction", self.tr("&Распечатать"), "F9", lambda: self.run("print")
        )
        self.preview_action = action(
            "previewTicketAction",
            self.tr("Предварительный про&смотр…"),
            "Shift+F9",
            lambda: self.run("preview"),
        )
        self.choose_printer_action = action(
            "choosePrinterAction",
            self.tr("Печать на &принтере…"),
            "Ctrl+P",
            lambda: self.run("choose"),
        )
        self.save_pdf_action = action(
            "saveTicketPdfAction",
            self.tr("Сохранить в P&DF…"),
            "Ctrl+Shift+S",
            lambda: self.run("save"),
        )

        self._format_group = QActionGroup(self)
        self._format_group.setExclusive(True)
        names = {
            TicketFormat.A6: self.tr("Лист A&6 (105 × 148 мм)"),
            TicketFormat.ROLL80: self.tr("&Чековая лента 80 мм"),
            TicketFormat.A4: self.tr("Лист A&4 (четверть листа, с линией отреза)"),
        }
        self.format_actions: dict[TicketFormat, QAction] = {}
        current = self.ticket_format
        for fmt, text in names.items():
            format_action = QAction(text, self._format_group)
            format_action.setObjectName(f"ticketFormat_{fmt.value}")
            format_action.setCheckable(True)
            format_action.setChecked(fmt is current)
            format_action.triggered.connect(partial(self.set_ticket_format, fmt))
            self.format_actions[fmt] = format_action
        self._update_shared()

    # --- sources ------------------------------------------------------------------------------

    def _forget_source(self, source: SourceActions) -> None:
        if not shiboken6.isValid(self):
            return  # going down together with the window
        self._sources = [s for s in self._sources if s is not source]
        if self._active is source:
            self._active = self._sources[0] if self._sources else None
            self._update_shared()

    @Slot(QWidget, QWidget)
    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return
        for source in self._sources:
            widget = source.widget
            if shiboken6.isValid(widget) and (widget is new or widget.isAncestorOf(new)):
                if source is not self._active:
                    self.activate_source(source)
                return

    def _update_shared(self) -> None:
        source = self._active
        has_ticket = source is not None and source.current_ticket() is not None
        for action in self.shared_actions:
            if shiboken6.isValid(action):
                action.setEnabled(has_ticket)

    # --- the requests -------------------------------------------------------------------------

    def _submit(
        self,
        request: _Request,
        on_document: Callable[[Document], None],
        *,
        path: Path | None = None,
    ) -> None:
        number = request.number.strip()
        if not number:
            self._fail(self.tr("Укажите номер талона."))
            return
        if request in self._pending:
            return  # the same key pressed twice: one ticket is enough
        if not self._worker.is_running:
            return  # the window is closing
        self._pending.add(request)
        job = partial(
            render_ticket_job,
            number=number,
            fmt=self.ticket_format,
            issued_by=self._operator,
            issued_at=dt.datetime.now(dt.UTC),
            path=path,
        )
        self._worker.submit(
            job,
            partial(self._on_rendered, request, on_document),
            partial(self._on_render_failed, request),
            owner=self,
        )

    def _on_rendered(
        self,
        request: _Request,
        on_document: Callable[[Document], None],
        result: Document | BookingError,
    ) -> None:
        self._pending.discard(request)
        if isinstance(result, BookingError):
            self._fail(result.message)
            return
        on_document(result)

    def _on_render_failed(self, request: _Request, error: BaseException) -> None:
        self._pending.discard(request)
        if request.kind == "save" and isinstance(error, OSError):
            reason = error.strerror or describe_error(error)
            self._fail(
                self.tr(
                    "Не удалось сохранить файл «{0}»: {1}. Выберите другую папку или другое "
                    "имя файла и сохраните талон ещё раз."
                ).format(request.path, reason)
            )
            return
        self._fail(
            self.tr(
                "Не удалось подготовить талон №{0} к печати: {1}. Повторите попытку; если "
                "ошибка повторится, обратитесь в службу технической поддержки."
            ).format(request.number, describe_error(error))
        )

    def _print(self, document: Document, printer: QPrinter | None) -> None:
        if printer is None and self._printer_factory is not None:
            printer = self._printer_factory()
        self._printer.print_now(document, printer)

    def _preview(self, document: Document, parent: QWidget | None) -> None:
        dialog = self._printer.preview(document, parent or self._parent_widget)
        self.dialogOpened.emit(dialog)

    def _choose(self, document: Document, parent: QWidget | None) -> None:
        dialog = self._printer.choose_and_print(document, parent or self._parent_widget)
        self.dialogOpened.emit(dialog)

    def _on_file_chosen(self, number: str, path: str) -> None:
        if not path:
            return
        settings.set_text_value(PDF_DIRECTORY_KEY, str(Path(path).parent))
        self.save_ticket_pdf_to(number, path)

    def _pdf_directory(self) -> Path:
        remembered = settings.text_value(PDF_DIRECTORY_KEY)
        if remembered and Path(remembered).is_dir():
            return Path(remembered)
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(documents) if documents else Path.home()

    # --- outcomes -----------------------------------------------------------------------------

    @Slot(str)
    def _on_printed(self, title: str) -> None:
        self.printed.emit(self.tr("{0} отправлен на печать.").format(title))

    @Slot(str)
    def _on_print_failed(self, message: str) -> None:
        self._fail(message)

    def _fail(self, message: str) -> None:
        self.failed.emit(message)
        if self._show_errors:
            self._show_error(message)

    def _show_error(self, message: str) -> None:
        box = self.error_box
        if box is None:
            parent = self._dialog_parent()
            box = QMessageBox(parent)
            box.setObjectName("ticketPrintError")
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(self.tr("Печать талона"))
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.setText(message)
            self._error_box = box
            box.open()  # not exec(): the workers' results keep coming while it is open
            self.dialogOpened.emit(box)
        else:
            box.setText(message)  # one box at a time, showing the latest failure

    def _dialog_parent(self) -> QWidget | None:
        if self._active is not None and shiboken6.isValid(self._active.widget):
            return self._active.widget.window()
        if self._parent_widget is not None:
            return self._parent_widget
        focus = QApplication.focusWidget()
        return focus.window() if focus is not None else None
