"""«ТАЛОНЫ ПАЦИЕНТА»: real widgets offscreen over a synced database and the LPU emulator over HTTP.

The model is checked by pytest-qt's model tester; a cancel goes through the manual's question
(«Отменить посещение?», «Нет» by default) and reaches the emulator's MIS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.helpers.booking_desk import (
    FakeClock,
    connector_for,
    hub_bookings,
    sync_cache,
)
from tests.services.booking.conftest import Desk
from tests.services.booking.test_patient_tickets import _id_pat, _visit_at_the_mis
from tests.ui.test_ticket_printing import pdf_printer
from workstation.models import AppointmentState
from workstation.services.booking import Bookings, TicketView
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.journal import Actor
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.patient_tickets_panel import (
    NO_HUB_TEXT,
    TICKET_NUMBER_ROLE,
    Column,
    PatientTicketsPanel,
    Section,
    countdown,
    visit_words,
)
from workstation.ui.ticket_print_actions import TicketPrintActions

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

TIMEOUT_MS = 10_000
MOBILE = "+79123456789"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer.start(data="demo")
    yield server
    server.stop()


@pytest.fixture
def desk(sqlite_url: str, emulator: EmulatorServer) -> Iterator[Desk]:
    emulator.faults.clear()
    database = Database(sqlite_url)
    database.upgrade()
    connector = connector_for(emulator)
    sync_cache(database, connector)
    clock = FakeClock()
    bookings = Bookings(database, connector, actor=Actor("Иванова", "ws-7 (10.0.0.7)"), clock=clock)
    yield Desk(database, connector, emulator, clock, bookings)
    emulator.faults.clear()
    connector.close()
    database.dispose()


@pytest.fixture
def panel(qtbot: QtBot, desk: Desk, tmp_path: Path) -> Iterator[PatientTicketsPanel]:
    worker = DatabaseWorker(desk.database)
    hub_worker = DatabaseWorker(desk.database)
    printed = tmp_path / "printed.pdf"
    actions = TicketPrintActions(
        worker, "Иванова", show_errors=False, printer_factory=lambda: pdf_printer(printed)
    )
    widget = PatientTicketsPanel(
        worker, hub_worker, lambda: desk.bookings, actions, clock=desk.clock
    )
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    yield widget
    actions.wait()
    widget.close()
    hub_worker.stop()
    worker.stop()


def _book(desk: Desk, patient: int, *, phone: str | None = None) -> TicketView:
    return desk.bookings.book(desk.bookings.hold(desk.slot(), patient).appointment_id, phone=phone)


def _show_patient(qtbot: QtBot, panel: PatientTicketsPanel, patient: int | None) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT_MS):
        panel.set_patient(patient)


def _numbers(panel: PatientTicketsPanel, section: Section) -> list[str | None]:
    model = panel.model
    parent = model.index(section, 0)
    rows = range(model.rowCount(parent))
    return [model.index(row, 0, parent).data(TICKET_NUMBER_ROLE) for row in rows]


def _cell(panel: PatientTicketsPanel, section: Section, row: int, column: Column) -> str:
    model = panel.model
    return str(model.index(row, column, model.index(section, 0)).data())


def _select(panel: PatientTicketsPanel, number: str) -> None:
    index = panel.model.index_of_ticket(number)
    assert index.isValid()
    panel.view.setCurrentIndex(index)


def _dialog(qtbot: QtBot, panel: PatientTicketsPanel) -> QMessageBox:
    qtbot.waitUntil(lambda: panel.cancel_dialog is not None, timeout=TIMEOUT_MS)
    dialog = panel.cancel_dialog
    assert dialog is not None
    return dialog


def _button(dialog: QMessageBox, text: str) -> QAbstractButton:
    (button,) = [b for b in dialog.buttons() if b.text() == text]
    return button


def test_the_sections_and_the_countdown(
    qtbot: QtBot, qtmodeltester: ModelTester, panel: PatientTicketsPanel, desk: Desk
) -> None:
    qtmodeltester.check(panel.model)  # empty: no patient yet
    assert panel.model.section_title(Section.ACTIVE) == "Нет активных талонов"
    patient = desk.patient(MOBILE)
    active = _book(desk, patient)
    pending = _book(desk, patient, phone=MOBILE)
    cancelled = _book(desk, patient)
    desk.bookings.cancel(cancelled.ticket_number)

    panel.show()
    qtbot.waitExposed(panel)
    _show_patient(qtbot, panel, patient)
    qtmodeltester.check(panel.model)

    model = panel.model
    assert _numbers(panel, Section.ACTIVE) == [active.ticket_number]
    assert _numbers(panel, Section.PENDING) == [pending.ticket_number]
    assert _numbers(panel, Section.PAST) == [cancelled.ticket_number]
    assert [model.index(s, 0).data() for s in Section] == [
        "Активные талоны (1)",
        "Ожидают подтверждения (1)",
        "Прошлые посещения (1)",
    ]
    assert _cell(panel, Section.ACTIVE, 0, Column.VISIT) == active.visit_label
    assert _cell(panel, Section.ACTIVE, 0, Column.DOCTOR) == f"{active.doctor}, {active.specialty}"
    assert _cell(panel, Section.ACTIVE, 0, Column.NUMBER) == f"№{active.ticket_number}"
    assert _cell(panel, Section.PAST, 0, Column.STATE) == "отменён"
    assert _cell(panel, Section.PENDING, 0, Column.STATE) == "осталось 60:00"
    assert panel.selected_ticket() == active.ticket_number  # the first ticket is current

    # The countdown runs each second while the panel is visible and something waits.
    assert panel.countdown_active
    desk.clock.advance(dt.timedelta(seconds=90))
    qtbot.waitUntil(
        lambda: _cell(panel, Section.PENDING, 0, Column.STATE) == "осталось 58:30",
        timeout=TIMEOUT_MS,
    )
    panel.hide()
    assert not panel.countdown_active
    panel.show()
    assert panel.countdown_active

    # The code's hour is over: the ticket is read again (the annulment job closes it).
    desk.clock.advance(dt.timedelta(hours=1))
    qtbot.waitUntil(
        lambda: _cell(panel, Section.PENDING, 0, Column.STATE) == "время подтверждения истекло",
        timeout=TIMEOUT_MS,
    )

    # A past ticket is neither cancelled, printed nor moved; the buttons say so.
    _select(panel, cancelled.ticket_number)
    assert panel.selected_ticket() == cancelled.ticket_number
    assert not panel.cancel_button.isEnabled()
    assert not panel.print_button.isEnabled()
    assert not panel.reschedule_button.isEnabled()
    _select(panel, pending.ticket_number)
    assert panel.cancel_button.isEnabled() and not panel.reschedule_button.isEnabled()

    _show_patient(qtbot, panel, desk.patient())
    assert [_numbers(panel, s) for s in Section] == [[], [], []]
    assert not panel.countdown_active


def test_cancel_asks_first_and_no_is_the_default(
    qtbot: QtBot, panel: PatientTicketsPanel, desk: Desk
) -> None:
    patient = desk.patient()
    ticket = _book(desk, patient)
    panel.show()
    qtbot.waitExposed(panel)
    _show_patient(qtbot, panel, patient)
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus, timeout=TIMEOUT_MS)

    QTest.keyClick(panel.view, Qt.Key.Key_Delete)  # Delete asks, like «Отменить» and F8

    dialog = _dialog(qtbot, panel)
    assert dialog.windowTitle() == f"Отменить посещение {visit_words(ticket.visit_start)}"
    assert dialog.text() == (
        f"Талон №{ticket.ticket_number}\nВрач: {ticket.doctor}, {ticket.specialty}"
    )
    assert dialog.informativeText() == "Отменить посещение?"
    assert [b.text() for b in (dialog.defaultButton(), dialog.escapeButton())] == ["Нет", "Нет"]
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.cancel_dialog is None, timeout=TIMEOUT_MS)
    qtbot.wait(50)
    assert not panel.is_busy
    assert desk.appointment(ticket.ticket_number).state == AppointmentState.BOOKED

    panel.cancel_selected()
    dialog = _dialog(qtbot, panel)
    with qtbot.waitSignal(panel.ticketCancelled, timeout=TIMEOUT_MS) as cancelled:
        _button(dialog, "Да").click()
    assert cancelled.args == [ticket.ticket_number]

    appointment = desk.appointment(ticket.ticket_number)
    assert appointment.state == AppointmentState.CANCELLED
    at_hub = hub_bookings(desk.emulator, appointment.hub_appointment_id, appointment.hub_patient_id)
    assert [booking.state for booking in at_hub] == [AppointmentState.CANCELLED]
    assert desk.journal()[-1] == (
        f"Отмена посещения Талон №{ticket.ticket_number}, {ticket.visit_label}"
    )
    assert panel.status_label.text() == f"Посещение по талону №{ticket.ticket_number} отменено."
    qtbot.waitUntil(
        lambda: _numbers(panel, Section.PAST) == [ticket.ticket_number], timeout=TIMEOUT_MS
    )
    assert _numbers(panel, Section.ACTIVE) == []
    assert panel.model.index(Section.ACTIVE, 0).data() == "Нет активных талонов"


def test_a_refused_cancel_is_explained_and_the_ticket_stays(
    qtbot: QtBot, panel: PatientTicketsPanel, desk: Desk
) -> None:
    patient = desk.patient()
    ticket = _book(desk, patient)
    _show_patient(qtbot, panel, patient)
    desk.emulator.faults.set("CreateClaimForRefusal", "refuse", code=99, times=1)

    panel.cancel_selected()
    with qtbot.waitSignal(panel.message, timeout=TIMEOUT_MS, check_params_cb=lambda text: (
        "Техническая ошибка" in text
    )):
        _button(_dialog(qtbot, panel), "Да").click()

    box = panel.error_box
    assert box is not None and "Техническая ошибка в медицинской организации" in box.text()
    assert desk.appointment(ticket.ticket_number).state == AppointmentState.BOOKED
    box.accept()


def test_print_and_reschedule_the_selected_ticket(
    qtbot: QtBot, panel: PatientTicketsPanel, desk: Desk, tmp_path: Path
) -> None:
    patient = desk.patient()
    ticket = _book(desk, patient)
    _show_patient(qtbot, panel, patient)
    assert panel.selected_ticket() == ticket.ticket_number and panel.print_button.isEnabled()

    with qtbot.waitSignal(panel.rescheduleRequested, timeout=TIMEOUT_MS) as moved:
        panel.reschedule_button.click()
    assert moved.args == [ticket.ticket_number]

    printed = tmp_path / "printed.pdf"
    panel.print_selected()
    qtbot.waitUntil(lambda: printed.exists() and printed.stat().st_size > 0, timeout=TIMEOUT_MS)


def test_past_visits_from_the_mis_on_demand(
    qtbot: QtBot, panel: PatientTicketsPanel, desk: Desk
) -> None:
    patient = desk.patient()
    last_week = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(days=7)
    _visit_at_the_mis(desk, _id_pat(desk, patient), last_week)
    _show_patient(qtbot, panel, patient)
    assert _numbers(panel, Section.PAST) == []

    with qtbot.waitSignal(panel.hubHistoryLoaded, timeout=TIMEOUT_MS):
        panel.history_button.click()

    assert _numbers(panel, Section.PAST) == [None]  # a visit without a ticket of this desk
    assert _cell(panel, Section.PAST, 0, Column.VISIT) == last_week.strftime("%d.%m.%Y %H:%M")
    assert _cell(panel, Section.PAST, 0, Column.STATE) == "по данным ЛПУ"
    assert panel.status_label.text() == "Прошлые посещения по данным ЛПУ: 1."
    assert panel.history_button.text() == "Обновить прошлые посещения"
    # Selecting it offers nothing to do: it is not this desk's ticket.
    panel.view.setCurrentIndex(panel.model.index(0, 0, panel.model.index(Section.PAST, 0)))
    assert panel.selected_ticket() is None and not panel.cancel_button.isEnabled()


def test_without_a_hub_the_panel_says_so(qtbot: QtBot, desk: Desk) -> None:
    worker = DatabaseWorker(desk.database)
    hub_worker = DatabaseWorker(desk.database)
    actions = TicketPrintActions(worker, "Иванова", show_errors=False)
    panel = PatientTicketsPanel(worker, hub_worker, lambda: None, actions)
    qtbot.addWidget(panel)
    try:
        _show_patient(qtbot, panel, desk.patient())
        with qtbot.waitSignal(panel.message, timeout=TIMEOUT_MS, check_params_cb=lambda text: (
            text == NO_HUB_TEXT
        )):
            panel.show_past_visits()
    finally:
        hub_worker.stop()
        worker.stop()


def test_the_countdown_and_the_visit_words() -> None:
    assert countdown(dt.timedelta(minutes=59, seconds=7)) == "59:07"
    assert countdown(dt.timedelta(seconds=-3)) == "00:00"
    assert visit_words(dt.datetime(2015, 12, 11, 14, 30)) == "11 декабря 2015, 14:30"


def test_the_ticket_waiting_for_the_code_is_handed_to_the_code_dialog(
    qtbot: QtBot, panel: PatientTicketsPanel, desk: Desk
) -> None:
    patient = desk.patient(MOBILE)
    assert panel.pending_ticket() is None
    first = _book(desk, patient, phone=MOBILE)
    desk.clock.advance(dt.timedelta(minutes=1))
    second = _book(desk, patient, phone=MOBILE)
    _show_patient(qtbot, panel, patient)

    panel.view.clearSelection()
    waiting = panel.pending_ticket()  # nothing selected: the one whose hour runs out first
    assert waiting is not None and waiting.ticket_number == first.ticket_number
    assert waiting == replace(desk.bookings.ticket(first.ticket_number), hold_expires_at=None)
    _select(panel, second.ticket_number)
    chosen = panel.pending_ticket()
    assert chosen is not None and chosen.ticket_number == second.ticket_number
