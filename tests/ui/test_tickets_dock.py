"""The ticket lists: the queries behind them, their models, the «Талоны» dock (search by number
or surname, F9) and the «Журнал событий» dock (reprint from a journal line)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMainWindow, QToolButton
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds, fill_sample_data
from tests.ui.test_ticket_printing import (
    OPERATOR,
    SNILS,
    add_tickets,
    pdf_printer,
    scanned,
)
from workstation.models import AppointmentState
from workstation.services.database import Database
from workstation.services.journal import Actor, record
from workstation.services.tickets.listing import (
    JournalRow,
    recent_tickets,
    ticket_events,
    ticket_number_in,
)
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.journal_dock import JournalColumn, JournalDock, JournalModel
from workstation.ui.ticket_print_actions import TicketPrintActions
from workstation.ui.tickets_dock import TicketsDock
from workstation.ui.tickets_model import TICKET_NUMBER_ROLE, Column, TicketsModel

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

TIMEOUT_MS = 10_000
DESK = Actor(operator="Петрова А. А.", workstation="reg-01 (10.0.0.5)")
MORNING = dt.datetime(2015, 8, 10, 4, 0, tzinfo=dt.UTC)


def add_journal(database: Database) -> None:
    """Three lines: a booking, a cancellation (newest) and a sign-in between them."""
    with database.session() as session:
        lines = [
            (0, "Запись на прием Талон №100000001, 14.08.2015 10:30"),
            (1, "Вход в систему"),
            (2, "Отмена посещения Талон №100000002, 15.08.2015 10:30"),
        ]
        for minutes, action in lines:
            event = record(session, DESK, action, "причина: по просьбе пациента")
            event.at = MORNING + dt.timedelta(minutes=minutes)


# --- the queries (both engines) -------------------------------------------------------------------


def test_recent_tickets_newest_first_by_number_or_surname(database: Database) -> None:
    tickets = add_tickets(database, fill_sample_data(database))
    with database.session() as session:

        def numbers(query: str = "", limit: int = 200) -> list[str]:
            rows = recent_tickets(session, query=query, limit=limit)
            return [row.ticket_number for row in rows]

        assert numbers() == [tickets.other, tickets.cancelled, tickets.booked]
        assert numbers(limit=1) == [tickets.other]
        # What a scanner types: the whole number; an exact match comes first.
        assert numbers("100000001") == ["100000001"]
        assert numbers(" №100000002 ") == ["100000002"]
        assert numbers("1000001") == ["100000123"]  # a prefix
        assert numbers("10000000") == [tickets.cancelled, tickets.booked]
        assert numbers("1000000012") == []
        # A surname prefix, whatever the case and «ё».
        assert numbers("ёлк") == [tickets.cancelled, tickets.booked]
        assert numbers("ЕЛКИН") == [tickets.cancelled, tickets.booked]
        assert numbers("Ёлкин П") == [tickets.cancelled, tickets.booked]
        assert numbers("Ёлкин И") == []
        assert numbers("Иван") == [tickets.other]
        assert numbers("Петров") == []

        booked, cancelled = recent_tickets(session, query="ёлкин")[::-1]
    assert booked.state is AppointmentState.BOOKED and booked.state_label == "активен"
    assert cancelled.state_label == "отменён"
    assert booked.visit_label == "14.08.2015 10:30"
    assert booked.visit_long_label == "Пятница, 14 августа 2015, 10:30"
    assert booked.patient == "Ёлкин П. С."  # surname and initials, nothing more
    assert (booked.doctor, booked.specialty) == ("Иванова Анна Петровна", "Терапевт")
    assert booked.institution == "Окружная клиническая больница"
    assert SNILS not in repr(booked) and "79227654321" not in repr(booked)


def test_ticket_events_newest_first_with_the_ticket_number(database: Database) -> None:
    add_journal(database)
    with database.session() as session:
        rows = ticket_events(session)
        assert [row.ticket_number for row in rows] == ["100000002", None, "100000001"]
        assert [row.ticket_number for row in ticket_events(session, limit=1)] == ["100000002"]
    newest = rows[0]
    assert (newest.operator, newest.workstation_address) == (DESK.operator, DESK.workstation)
    assert newest.at == MORNING + dt.timedelta(minutes=2)
    assert newest.details == "причина: по просьбе пациента"


def test_the_ticket_number_is_parsed_from_the_journal_wording() -> None:
    assert ticket_number_in("Запись на прием Талон №100000001, 14.08.2015 10:30") == "100000001"
    assert ticket_number_in("Неверный код подтверждения Талон №21752") == "21752"
    assert ticket_number_in("Сверка с ЛПУ Талон №z13215428: записан") == "z13215428"
    assert ticket_number_in("Отказ в записи (нет связи) http://lpu/PortalServiceLpu") is None
    assert ticket_number_in("Вход в систему") is None


# --- the models -----------------------------------------------------------------------------------


def test_the_models_pass_the_model_tester_and_update_in_place(
    qtbot: QtBot, qtmodeltester: ModelTester, sample_db: tuple[Database, SampleIds]
) -> None:
    database, ids = sample_db
    add_tickets(database, ids)
    add_journal(database)
    with database.session() as session:
        rows = recent_tickets(session)
        events = ticket_events(session)

    model = TicketsModel()
    model.set_rows(rows[1:])
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, Column.NUMBER).data() == "100000002"
    assert model.index(0, Column.STATE).data() == "отменён"
    assert model.index(0, Column.NUMBER).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, Column.PATIENT).data() == "Ёлкин П. С."
    assert model.index(1, Column.VISIT).data(Qt.ItemDataRole.ToolTipRole) == (
        "Пятница, 14 августа 2015, 10:30"
    )
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.modelReset.connect(lambda: inserted.append((-1, -1)))
    model.set_rows(rows)  # a newer ticket arrived: inserted at the top, no reset
    assert inserted == [(0, 0)]
    assert model.index(0, 0).data(TICKET_NUMBER_ROLE) == "100000123"

    journal = JournalModel(tz=dt.UTC)
    journal.set_rows(events)
    qtmodeltester.check(journal, force_py=True)
    assert journal.index(0, JournalColumn.TIME).data() == "10.08.2015 04:02:00"
    assert journal.index(0, JournalColumn.ADDRESS).data() == "reg-01 (10.0.0.5)"
    assert journal.index(0, 0).data(TICKET_NUMBER_ROLE) == "100000002"
    assert journal.index(1, 0).data(TICKET_NUMBER_ROLE) is None
    tooltip = journal.index(0, JournalColumn.ACTION).data(Qt.ItemDataRole.ToolTipRole)
    assert "причина: по просьбе пациента" in tooltip and "F9" in tooltip
    assert isinstance(journal.row_data(0), JournalRow)


# --- the docks ------------------------------------------------------------------------------------


class Desk:
    """A main window with both docks over one set of print actions, printing to PDF files."""

    def __init__(self, qtbot: QtBot, worker: DatabaseWorker, folder: Path) -> None:
        self.folder = folder
        self.outputs: list[Path] = []
        self.window = QMainWindow()
        qtbot.addWidget(self.window)
        self.actions = TicketPrintActions(
            worker, OPERATOR, self.window, printer_factory=self._printer
        )
        self.tickets = TicketsDock(worker, self.actions, self.window)
        self.journal = JournalDock(worker, self.actions, self.window)
        self.window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.tickets)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.journal)
        self.window.resize(1200, 600)

    def _printer(self) -> QPrinter:
        path = self.folder / f"printed-{len(self.outputs) + 1}.pdf"
        self.outputs.append(path)
        return pdf_printer(path)

    def show(self, qtbot: QtBot) -> None:
        with (
            qtbot.waitSignal(self.tickets.refreshed, timeout=TIMEOUT_MS),
            qtbot.waitSignal(self.journal.refreshed, timeout=TIMEOUT_MS),
            qtbot.waitActive(self.window, timeout=TIMEOUT_MS),  # shortcuts need it
        ):
            self.window.show()
            self.window.activateWindow()


@pytest.fixture
def desk(
    qtbot: QtBot, worker: DatabaseWorker, sample_db: tuple[Database, SampleIds], tmp_path: Path
) -> Iterator[Desk]:
    add_tickets(*sample_db)
    add_journal(sample_db[0])
    opened = Desk(qtbot, worker, tmp_path)
    yield opened
    opened.actions.wait()


def test_a_scanned_number_and_f9_print_the_ticket(qtbot: QtBot, desk: Desk) -> None:
    desk.show(qtbot)
    assert desk.tickets.model.rowCount() == 3
    field = desk.tickets.search_field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(desk.tickets.searched, timeout=TIMEOUT_MS):
        qtbot.keyClicks(field, "100000001")  # what the scanner types …
        qtbot.keyClick(field, Qt.Key.Key_Return)  # … and its Enter
    assert desk.tickets.model.rowCount() == 1
    assert desk.tickets.current_ticket() == "100000001"
    assert desk.actions.active_source is not None
    assert desk.actions.print_action.isEnabled()

    with qtbot.waitSignal(desk.actions.printed, timeout=TIMEOUT_MS):
        qtbot.keyClick(field, Qt.Key.Key_F9)
    desk.actions.wait()
    assert len(desk.outputs) == 1
    assert scanned(desk.outputs[0])["QRCode"] == ["100000001"]
    assert desk.tickets.status_label.text() == "Талон №100000001 отправлен на печать."
    assert field.selectedText() == "100000001"  # the next scan replaces it


def test_a_surname_search_and_the_toolbar_button(qtbot: QtBot, desk: Desk) -> None:
    desk.show(qtbot)
    with qtbot.waitSignal(desk.tickets.searched, timeout=TIMEOUT_MS):
        desk.tickets.search_field.setText("ёлкин")  # Cyrillic is set, not typed (STACK-NOTES)
        qtbot.keyClick(desk.tickets.search_field, Qt.Key.Key_Return)
    model = desk.tickets.model
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == [
        "100000002",
        "100000001",
    ]
    qtbot.keyClick(desk.tickets.search_field, Qt.Key.Key_Down)  # into the list
    assert desk.tickets.view.hasFocus()
    qtbot.keyClick(desk.tickets.view, Qt.Key.Key_Down)
    assert desk.tickets.current_ticket() == "100000001"

    with qtbot.waitSignal(desk.actions.printed, timeout=TIMEOUT_MS):
        button = desk.tickets.toolbar.widgetForAction(desk.tickets.source_actions.print_action)
        assert isinstance(button, QToolButton)
        button.click()
    desk.actions.wait()
    assert scanned(desk.outputs[0])["QRCode"] == ["100000001"]

    with qtbot.waitSignal(desk.tickets.searched, timeout=TIMEOUT_MS):
        desk.tickets.search("Петров")
    assert desk.tickets.model.rowCount() == 0
    assert desk.tickets.current_ticket() is None
    assert not desk.actions.print_action.isEnabled()
    assert "талонов нет" in desk.tickets.status_label.text()


def test_the_journal_reprints_the_ticket_of_the_selected_line(qtbot: QtBot, desk: Desk) -> None:
    desk.show(qtbot)
    view = desk.journal.view
    assert desk.journal.model.rowCount() == 3
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=TIMEOUT_MS)
    view.selectRow(1)  # «Вход в систему»: no ticket to print
    assert desk.journal.current_ticket() is None
    assert not desk.actions.print_action.isEnabled()

    view.selectRow(2)  # «Запись на прием Талон №100000001, …»
    assert desk.journal.current_ticket() == "100000001"
    assert desk.actions.active_source is not None
    assert desk.actions.active_source.widget is desk.journal
    with qtbot.waitSignal(desk.actions.printed, timeout=TIMEOUT_MS):
        qtbot.keyClick(view, Qt.Key.Key_F9)
    desk.actions.wait()
    assert scanned(desk.outputs[0])["QRCode"] == ["100000001"]

    # The other list's button prints that list's ticket, whichever list was used last.
    desk.tickets.view.selectRow(0)
    assert desk.tickets.current_ticket() == "100000123"
    with qtbot.waitSignal(desk.actions.printed, timeout=TIMEOUT_MS):
        desk.tickets.source_actions.print_action.trigger()
    desk.actions.wait()
    assert scanned(desk.outputs[1])["QRCode"] == ["100000123"]

    menu = desk.journal.context_menu()  # right click: the same actions, on the journal's line
    assert desk.actions.active_source is not None
    assert desk.actions.active_source.widget is desk.journal
    texts = [action.text().replace("&", "") for action in menu.actions()]
    assert texts[:4] == [
        "Распечатать",
        "Предварительный просмотр…",
        "Печать на принтере…",
        "Сохранить в PDF…",
    ]
    assert [action.shortcut().toString() for action in menu.actions()[:4]] == [
        "F9",
        "Shift+F9",
        "Ctrl+P",
        "Ctrl+Shift+S",
    ]
    assert texts[-1] == "Формат талона"
    menu.close()


def test_a_refresh_keeps_the_selection_and_runs_only_while_visible(
    qtbot: QtBot, desk: Desk, sample_db: tuple[Database, SampleIds]
) -> None:
    assert not desk.journal.auto_refresh_active
    desk.show(qtbot)
    assert desk.journal.auto_refresh_active and desk.tickets.auto_refresh_active
    view = desk.journal.view
    view.selectRow(2)
    assert desk.journal.current_ticket() == "100000001"
    with sample_db[0].session() as session:
        record(session, DESK, "Запись на прием Талон №100000123, 14.08.2015 11:30")
    with qtbot.waitSignal(desk.journal.refreshed, timeout=TIMEOUT_MS):
        desk.journal.refresh()
    assert desk.journal.model.rowCount() == 4
    assert view.currentIndex().row() == 3  # the same line, one lower
    assert desk.journal.current_ticket() == "100000001"

    desk.journal.hide()
    assert not desk.journal.auto_refresh_active
    assert desk.tickets.auto_refresh_active
