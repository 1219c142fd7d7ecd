"""Printing tickets through Qt: the fast path to a PDF-output QPrinter, the preview, the format
setting, saving as PDF, and failures the operator is told about."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds
from tests.services.tickets.pdf_tools import decoded, page_sizes_mm, text
from workstation.models import Appointment, Patient
from workstation.models.appointments import AppointmentSource, AppointmentState
from workstation.services.database import Database
from workstation.services.tickets import TicketFormat
from workstation.ui import settings, ticket_print_actions
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.ticket_print_actions import FORMAT_KEY, TicketPrintActions

# The offscreen platform says so when windows are shown; nothing to fix on our side.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

TIMEOUT_MS = 10_000
OPERATOR = "Петрова А. А."
VISIT = dt.datetime(2015, 8, 14, 10, 30)
BOOKED_AT = dt.datetime(2015, 8, 10, 4, 12, tzinfo=dt.UTC)
SNILS = "11223344595"


@dataclass(frozen=True)
class Tickets:
    """Tickets in the sample database: two of one patient, one of another."""

    database: Database
    booked: str = "100000001"
    cancelled: str = "100000002"
    other: str = "100000123"


def add_tickets(database: Database, ids: SampleIds) -> Tickets:
    """Two patients and three tickets (as ``tests/services/tickets/conftest.py`` builds them)."""
    with database.session() as session:
        elkin = Patient(birth_date=dt.date(1961, 3, 9), snils=SNILS, phone="+79227654321")
        elkin.set_name("Ёлкин", "Пётр", "Семёнович")
        ivanov = Patient(birth_date=dt.date(1980, 1, 2))
        ivanov.set_name("Иванов", "Иван")
        session.add_all([elkin, ivanov])
        session.flush()
        okb = ids.institutions["okb"]

        def appointment(number: str, patient: Patient, doctor: str, **fields: object) -> None:
            values: dict[str, object] = {
                "ticket_number": number,
                "patient_id": patient.id,
                "institution_id": okb,
                "doctor_id": ids.doctors[doctor],
                "hub_appointment_id": f"hub-{number}",
                "visit_start": VISIT,
                "visit_end": VISIT + dt.timedelta(minutes=20),
                "room": "215",
                "state": AppointmentState.BOOKED,
                "source": AppointmentSource.REGISTRY,
                "operator": "Петрова",
                "workstation": "reg-01",
                "booked_at": BOOKED_AT,
            }
            values.update(fields)
            session.add(Appointment(**values))
            session.flush()

        appointment("100000001", elkin, "ivanova")
        appointment(
            "100000002",
            elkin,
            "sidorov",
            state=AppointmentState.CANCELLED,
            visit_start=VISIT + dt.timedelta(days=1),
        )
        appointment("100000123", ivanov, "ivanova", visit_start=VISIT + dt.timedelta(hours=1))
    return Tickets(database)


def pdf_printer(path: Path) -> QPrinter:
    """A printer that writes a PDF file (what a desk printer gets, as a file)."""
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)  # 150 dpi after clamping: fast
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def scanned(path: Path) -> dict[str, list[str]]:
    """What a scanner reads from the printed page (the page is an image: decode, not extract)."""
    return decoded(path.read_bytes())


@pytest.fixture
def tickets(sample_db: tuple[Database, SampleIds]) -> Tickets:
    return add_tickets(*sample_db)


@pytest.fixture
def actions(qtbot: QtBot, worker: DatabaseWorker, tickets: Tickets) -> Iterator[TicketPrintActions]:
    """Ticket printing on the sample database; errors as signals only."""
    print_actions = TicketPrintActions(worker, OPERATOR, show_errors=False)
    yield print_actions
    print_actions.wait()


def test_f9_prints_the_ticket_on_the_given_printer(
    qtbot: QtBot, actions: TicketPrintActions, tickets: Tickets, tmp_path: Path
) -> None:
    output = tmp_path / "printed.pdf"
    with qtbot.waitSignal(actions.printed, timeout=TIMEOUT_MS) as printed:
        actions.print_ticket(tickets.booked, pdf_printer(output))
    actions.wait()
    assert printed.args == ["Талон №100000001 отправлен на печать."]
    assert scanned(output) == {"QRCode": ["100000001"], "Code128": ["100000001"]}
    # A6 paper, as the PDF is: the printer was fitted to the document, no margins added.
    width, height = page_sizes_mm(output.read_bytes())[0]
    assert (round(width), round(height)) == (105, 148)


def test_the_ticket_format_is_remembered_per_workstation(
    qtbot: QtBot,
    worker: DatabaseWorker,
    actions: TicketPrintActions,
    tickets: Tickets,
    tmp_path: Path,
) -> None:
    assert actions.ticket_format is TicketFormat.A6  # the default
    assert actions.format_actions[TicketFormat.A6].isChecked()

    actions.format_actions[TicketFormat.ROLL80].trigger()  # «Формат талона» → чековая лента
    assert settings.text_value(FORMAT_KEY) == "roll80"

    again = TicketPrintActions(worker, OPERATOR, show_errors=False)  # the next run
    assert again.ticket_format is TicketFormat.ROLL80
    assert again.format_actions[TicketFormat.ROLL80].isChecked()
    assert not again.format_actions[TicketFormat.A6].isChecked()

    output = tmp_path / "roll.pdf"
    with qtbot.waitSignal(again.printed, timeout=TIMEOUT_MS):
        again.print_ticket(tickets.booked, pdf_printer(output))
    again.wait()
    width, _height = page_sizes_mm(output.read_bytes())[0]
    assert round(width) == 80
    assert scanned(output)["QRCode"] == ["100000001"]

    settings.set_text_value(FORMAT_KEY, "a5")  # a value no release writes
    assert again.ticket_format is TicketFormat.A6


def test_print_preview_and_the_printer_dialog_open_and_close(
    qtbot: QtBot, actions: TicketPrintActions, tickets: Tickets
) -> None:
    with qtbot.waitSignal(actions.dialogOpened, timeout=TIMEOUT_MS) as opened:
        actions.preview_ticket(tickets.booked)
    dialog = opened.args[0]
    assert isinstance(dialog, QPrintPreviewDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT_MS)
    assert "Талон №100000001" in dialog.windowTitle()
    qtbot.wait(50)  # let it paint the page
    dialog.reject()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=TIMEOUT_MS)  # deleted on close

    with qtbot.waitSignal(actions.dialogOpened, timeout=TIMEOUT_MS) as opened:
        actions.choose_printer_and_print(tickets.booked)  # Ctrl+P
    chooser = opened.args[0]
    assert isinstance(chooser, QPrintDialog)
    qtbot.waitUntil(chooser.isVisible, timeout=TIMEOUT_MS)
    chooser.reject()  # cancelled: nothing printed, nothing remembered
    qtbot.waitUntil(lambda: not shiboken6.isValid(chooser), timeout=TIMEOUT_MS)
    assert settings.text_value("printing/printer") == ""


@pytest.mark.qt_log_ignore(
    r"^This plugin does not support ", r"^QPainter::begin\(\): Returned false"
)
def test_a_printer_failure_is_reported_and_the_ticket_prints_again(
    qtbot: QtBot, worker: DatabaseWorker, tickets: Tickets, tmp_path: Path
) -> None:
    actions = TicketPrintActions(worker, OPERATOR)  # errors also in a message box
    broken = pdf_printer(tmp_path / "no-such-folder" / "printed.pdf")
    with (
        qtbot.captureExceptions() as exceptions,
        qtbot.waitSignal(actions.failed, timeout=TIMEOUT_MS) as failed,
    ):
        actions.print_ticket(tickets.booked, broken)
    actions.wait()
    assert not exceptions
    message = failed.args[0]
    assert message.startswith("Не удалось начать печать на принтере")
    assert "распечатать повторно" in message

    box = actions.error_box
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(box.isVisible, timeout=TIMEOUT_MS)
    assert box.text() == message
    box.accept()

    output = tmp_path / "printed.pdf"  # the printer is fixed: the same ticket, once more
    with qtbot.waitSignal(actions.printed, timeout=TIMEOUT_MS):
        actions.print_ticket(tickets.booked, pdf_printer(output))
    actions.wait()
    assert scanned(output)["QRCode"] == ["100000001"]


def test_an_unknown_ticket_number_says_what_to_do(
    qtbot: QtBot, actions: TicketPrintActions, tmp_path: Path
) -> None:
    output = tmp_path / "printed.pdf"
    with qtbot.waitSignal(actions.failed, timeout=TIMEOUT_MS) as failed:
        actions.print_ticket("999", pdf_printer(output))
    assert failed.args == ["Талон №999 не найден. Проверьте номер талона."]
    assert not output.exists()
    assert not actions.is_busy


def test_a_key_pressed_twice_prints_one_ticket(
    qtbot: QtBot, actions: TicketPrintActions, tickets: Tickets, tmp_path: Path
) -> None:
    printed: list[str] = []
    actions.printed.connect(printed.append)
    actions.print_ticket(tickets.booked, pdf_printer(tmp_path / "a.pdf"))
    actions.print_ticket(tickets.booked, pdf_printer(tmp_path / "b.pdf"))
    qtbot.waitUntil(lambda: bool(printed), timeout=TIMEOUT_MS)
    actions.wait()
    qtbot.wait(20)
    assert printed == ["Талон №100000001 отправлен на печать."]
    assert (tmp_path / "a.pdf").exists() and not (tmp_path / "b.pdf").exists()


def test_save_as_pdf_writes_the_file_off_the_gui_thread(
    qtbot: QtBot,
    actions: TicketPrintActions,
    tickets: Tickets,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writers: list[threading.Thread] = []
    write_file = ticket_print_actions._write_file

    def recording(path: Path, data: bytes) -> None:
        writers.append(threading.current_thread())
        write_file(path, data)

    monkeypatch.setattr(ticket_print_actions, "_write_file", recording)
    target = tmp_path / "Талон 100000002.pdf"
    with qtbot.waitSignal(actions.saved, timeout=TIMEOUT_MS) as saved:
        actions.save_ticket_pdf_to(tickets.cancelled, target)
    assert saved.args == [str(target)]
    assert writers and writers[0] is not threading.main_thread()
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    printed = text(data)
    assert "Талон №100000002" in printed
    assert "Выдал: Петрова А. А." in printed
    assert "ЗАПИСЬ ОТМЕНЕНА" in printed  # a cancelled ticket says so on its face
    assert SNILS not in printed
    assert list(tmp_path.glob(".ticket-*")) == []  # no temporary file left behind


def test_save_as_pdf_asks_where_without_blocking(
    qtbot: QtBot, actions: TicketPrintActions, tickets: Tickets, tmp_path: Path
) -> None:
    dialog = actions.save_ticket_pdf(tickets.booked)
    assert isinstance(dialog, QFileDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT_MS)  # open(), not exec(): we are here
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    folder = tmp_path / "talony"
    folder.mkdir()
    with qtbot.waitSignal(actions.saved, timeout=TIMEOUT_MS) as saved:
        dialog.selectFile(str(folder / "талон"))  # the suffix is added
        dialog.accept()
    assert saved.args == [str(folder / "талон.pdf")]
    assert (folder / "талон.pdf").read_bytes().startswith(b"%PDF-")
    assert settings.text_value(ticket_print_actions.PDF_DIRECTORY_KEY) == str(folder)


def test_a_file_that_cannot_be_written_is_reported(
    qtbot: QtBot, actions: TicketPrintActions, tickets: Tickets, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "талон.pdf"
    with qtbot.waitSignal(actions.failed, timeout=TIMEOUT_MS) as failed:
        actions.save_ticket_pdf_to(tickets.booked, target)
    message = failed.args[0]
    assert message.startswith(f"Не удалось сохранить файл «{target}»")
    assert "Выберите другую папку" in message
