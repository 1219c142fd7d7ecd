"""The booking screen end to end: real widgets (offscreen), a real SQLite file synced from the
project's LPU emulator over HTTP, the real booking lifecycle. No mocks.

identify by СНИЛС → «Ближайшие свободные» of a specialty → hold → book → ticket shown → cancel;
the SMS-code variant; a slot taken by another workstation between hold and booking; the
institution unreachable; booking refused without the consent; reschedule.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.helpers.booking_desk import (
    LPU,
    connector_for,
    hub_bookings,
    sync_cache,
)
from workstation.models import (
    Appointment,
    AppointmentState,
    Doctor,
    Institution,
    JournalEvent,
    Patient,
    PatientLpuLink,
    Slot,
    SlotState,
    SmsMessage,
)
from workstation.models.identity import snils_check_number
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.hub.results import HubPatient
from workstation.services.hub_status import EndpointStatus
from workstation.services.journal import Actor
from workstation.services.patient_registry import IdentificationWay, PatientForm, save_patient
from workstation.services.regional_data import load_regional_data
from workstation.ui.booking_dialogs import (
    AlternativesDialog,
    ConfirmationCodeDialog,
    TicketIssuedDialog,
)
from workstation.ui.main_window import MainWindow

TIMEOUT_MS = 15_000
OPERATOR = Actor("Оператор Тестова", "ws-1 (127.0.0.1)")
_people = itertools.count(1)

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer.start(data="demo")
    yield server
    server.stop()


@dataclass
class Caller:
    patient_id: int
    snils: str  # as the operator reads it out: «112-233-445 95»
    surname: str
    birthday: dt.date

    def as_hub_patient(self) -> HubPatient:
        return HubPatient(surname=self.surname, name="Мария", second_name="Ильинична",
                          birthday=self.birthday,
                          snils=self.snils.replace("-", "").replace(" ", ""))


@dataclass
class Screen:
    window: MainWindow
    database: Database
    emulator: EmulatorServer
    institution_id: int

    def journal(self) -> list[str]:
        with self.database.session() as session:
            return list(session.scalars(select(JournalEvent.action).order_by(JournalEvent.id)))

    def appointment(self, ticket: str) -> Appointment:
        with self.database.session() as session:
            appointment = session.scalars(
                select(Appointment).where(Appointment.ticket_number == ticket)
            ).one()
            session.expunge(appointment)
            return appointment

    def free_specialty(self) -> str:
        """A specialty of the institution with free slots at least two hours from now."""
        earliest = dt.datetime.now() + dt.timedelta(hours=2)
        with self.database.session() as session:
            doctor = session.scalars(
                select(Doctor)
                .join(Slot, Slot.doctor_id == Doctor.id)
                .where(Doctor.institution_id == self.institution_id,
                       Slot.state == SlotState.FREE, Slot.start >= earliest)
                .order_by(Slot.start)
                .limit(1)
            ).one()
            return doctor.specialty.name


def _snils(number: int) -> str:
    body = f"{700_000_000 + number * 7919 % 99_000_000:09d}"
    digits = body + snils_check_number(body)
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


def add_caller(database: Database, emulator: EmulatorServer, *, consent: bool = True,
               phone: str = "") -> Caller:
    """A patient known to the MIS by СНИЛС and registered at the workstation by СНИЛС."""
    n = next(_people) * 7 + id(database) % 7
    surname = f"Звонарёва{chr(ord('а') + n % 30)}{chr(ord('а') + n // 30 % 30)}"
    birthday = dt.date(1970, 1, 1) + dt.timedelta(days=n * 41 % 15000)
    snils = _snils(n)
    client = connector_for(emulator).for_lpu(LPU)
    client.add_new_patient(
        LPU, HubPatient(surname=surname, name="Мария", second_name="Ильинична",
                        birthday=birthday, snils=snils.replace("-", "").replace(" ", ""))
    )
    form = PatientForm(
        way=IdentificationWay.SNILS, last_name=surname, first_name="Мария",
        patronymic="Ильинична", birth_date=birthday, document=snils, phone=phone,
        consent=True,
    )
    with database.session() as session:
        patient_id = save_patient(session, form, OPERATOR)
        if not consent:  # a record from before the consent was asked for (the form demands it)
            session.get_one(Patient, patient_id).consent_given_at = None
    return Caller(patient_id, snils, surname, birthday)


@pytest.fixture
def synced_db(tmp_path: Path, emulator: EmulatorServer) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    database.upgrade()
    load_regional_data(database)
    connector = connector_for(emulator)
    sync_cache(database, connector, days=5)
    connector.close()
    yield database
    database.dispose()


def _make_screen(
    qtbot: QtBot,
    database: Database,
    emulator: EmulatorServer,
    endpoint_url: str | None = None,
) -> Screen:
    emulator.faults.clear()
    endpoint = HubEndpoint(endpoint_url or emulator.url, emulator.guid, "эмулятор ЛПУ")
    window = MainWindow(database, endpoints=[endpoint], remember_geometry=False,
                        operator=OPERATOR.operator)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.is_loaded, timeout=TIMEOUT_MS)
    with database.session() as session:
        institution_id = session.scalar(select(Institution.id).where(Institution.hub_id == LPU))
    assert institution_id is not None
    panel = window.schedule_panel
    if panel.institution_id != institution_id:
        with qtbot.waitSignal(panel.treeLoaded, timeout=TIMEOUT_MS):
            assert panel.set_institution(institution_id)
    return Screen(window, database, emulator, institution_id)


@pytest.fixture
def screen(qtbot: QtBot, synced_db: Database, emulator: EmulatorServer) -> Iterator[Screen]:
    made = _make_screen(qtbot, synced_db, emulator)
    yield made
    made.window.close()
    emulator.faults.clear()


def _dialog(kind: type[QWidget]) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None


W = TypeVar("W", bound=QWidget)


def _wait_dialog(qtbot: QtBot, kind: type[W]) -> W:
    qtbot.waitUntil(lambda: _dialog(kind) is not None, timeout=TIMEOUT_MS)
    found = _dialog(kind)
    assert isinstance(found, kind)
    return found


def identify_by_snils(qtbot: QtBot, window: MainWindow, caller: Caller) -> None:
    """F2, the СНИЛС as dictated, Enter: the caller is chosen."""
    QTest.keyClick(window, Qt.Key.Key_F2)
    panel = window.patient_panel
    qtbot.waitUntil(panel.search_field.hasFocus, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(panel.searchFinished, timeout=TIMEOUT_MS):
        QTest.keyClicks(panel.search_field, caller.snils)  # ASCII: keyClicks is safe
    with qtbot.waitSignal(panel.patientChosen, timeout=TIMEOUT_MS) as chosen:
        QTest.keyClick(panel.search_field, Qt.Key.Key_Return)
    assert chosen.args == [caller.patient_id]


def earliest_free_of(qtbot: QtBot, screen: Screen, specialty: str) -> None:
    """F3, Tab to «Специальность врача», the name (setText: Cyrillic keyClicks abort), F4."""
    window = screen.window
    panel = window.schedule_panel
    window.activateWindow()  # offscreen, a closed dialog does not hand activation back
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    QTest.keyClick(window, Qt.Key.Key_F3)
    qtbot.waitUntil(panel.filters.doctor_field.hasFocus, timeout=TIMEOUT_MS)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.waitUntil(panel.filters.specialty_field.hasFocus, timeout=TIMEOUT_MS)
    panel.filters.specialty_field.setText(specialty)
    with qtbot.waitSignal(panel.earliest_view.loaded, timeout=TIMEOUT_MS):
        QTest.keyClick(panel.filters.specialty_field, Qt.Key.Key_F4)
    assert panel.stack.currentWidget() is panel.earliest_view
    assert specialty in panel.earliest_view.title_text()


def hold_current(qtbot: QtBot, window: MainWindow) -> int:
    """Enter on the current cell of the earliest-free grid: the slot is held."""
    view = window.schedule_panel.earliest_view
    slot = view.current_slot()
    assert slot is not None
    with qtbot.waitSignal(window.booking.held, timeout=TIMEOUT_MS):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    hold = window.booking.current_hold
    assert hold is not None
    assert window.hold_bar.hold == hold
    return slot.slot_id


def test_identify_by_snils_earliest_free_book_ticket_shown_and_cancel(
    qtbot: QtBot, screen: Screen
) -> None:
    window = screen.window
    caller = add_caller(screen.database, screen.emulator)
    identify_by_snils(qtbot, window, caller)
    earliest_free_of(qtbot, screen, screen.free_specialty())
    slot_id = hold_current(qtbot, window)
    countdown = window.hold_bar.countdown.text()
    assert countdown.startswith("удерживается: 0")  # «04:59»-like, from the 5-minute hold

    with qtbot.waitSignal(window.booking.booked, timeout=TIMEOUT_MS) as booked:
        QTest.keyClick(window, Qt.Key.Key_F6)
    ticket = booked.args[0]
    assert ticket.state == AppointmentState.BOOKED  # no phone: «Вариант 2», the ticket at once
    issued = _wait_dialog(qtbot, TicketIssuedDialog)
    assert issued.heading.text().startswith("Ждем вас на прием ")
    assert issued.number_label.text() == f"Талон №{ticket.ticket_number}"
    with screen.database.session() as session:
        hub_slot = session.get_one(Slot, slot_id).hub_id
    assert [b.state for b in hub_bookings(screen.emulator, hub_slot)] == [AppointmentState.BOOKED]
    issued.no_button.click()

    # ТАЛОНЫ ПАЦИЕНТА lists it; F8 asks as the manual does, «Да» cancels on both sides.
    tickets = window.patient_tickets
    qtbot.waitUntil(
        lambda: tickets.model.index_of_ticket(ticket.ticket_number).isValid(), timeout=TIMEOUT_MS
    )
    tickets.view.setCurrentIndex(tickets.model.index_of_ticket(ticket.ticket_number))
    assert tickets.selected_ticket() == ticket.ticket_number
    tickets.view.setFocus()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    QTest.keyClick(window, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: tickets.cancel_dialog is not None, timeout=TIMEOUT_MS)
    box = tickets.cancel_dialog
    assert box is not None
    assert box.windowTitle().startswith("Отменить посещение ")
    assert "Отменить посещение?" in box.text() + box.informativeText()
    yes = next(b for b in box.buttons() if b.text() == "Да")
    with qtbot.waitSignal(tickets.ticketCancelled, timeout=TIMEOUT_MS):
        yes.click()
    assert [b.state for b in hub_bookings(screen.emulator, hub_slot)] == [
        AppointmentState.CANCELLED
    ]
    assert screen.appointment(ticket.ticket_number).state == AppointmentState.CANCELLED
    journal = screen.journal()
    assert any(action.startswith("Запись на прием") for action in journal)
    assert any(action.startswith("Отмена") for action in journal)


def test_a_mobile_phone_books_with_the_sms_code_variant(
    qtbot: QtBot, screen: Screen
) -> None:
    window = screen.window
    caller = add_caller(screen.database, screen.emulator, phone="+7 912 000-11-22")
    identify_by_snils(qtbot, window, caller)
    earliest_free_of(qtbot, screen, screen.free_specialty())
    hold_current(qtbot, window)
    qtbot.waitUntil(lambda: window.hold_bar.phone_field.text() != "", timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.booking.booked, timeout=TIMEOUT_MS) as booked:
        window.book_action.trigger()
    ticket = booked.args[0]
    assert ticket.state == AppointmentState.PENDING_CONFIRMATION
    dialog = _wait_dialog(qtbot, ConfirmationCodeDialog)
    assert "Осталось на подтверждение: 59:" in dialog.time_left.text()
    with screen.database.session() as session:
        sms = session.scalars(select(SmsMessage).order_by(SmsMessage.id.desc())).first()
        assert sms is not None
        code = next(word for word in sms.text.split() if word.strip(".,:;").isdigit()
                    and len(word.strip(".,:;")) >= 4).strip(".,:;")
    wrong = "0000" if code != "0000" else "1111"
    dialog.code_field.setText(wrong)
    with qtbot.waitSignal(window.booking.confirmFailed, timeout=TIMEOUT_MS):
        QTest.keyClick(dialog.code_field, Qt.Key.Key_Return)
    assert dialog.error_label.isVisible()
    assert "Неверный код подтверждения" in dialog.error_label.text()
    dialog.code_field.setText(code)
    with qtbot.waitSignal(window.booking.confirmed, timeout=TIMEOUT_MS):
        QTest.keyClick(dialog.code_field, Qt.Key.Key_Return)
    assert dialog.confirmed_label.isVisible()
    assert dialog.confirmed_label.text().startswith("Запись на прием подтверждена.")
    assert screen.appointment(ticket.ticket_number).state == AppointmentState.BOOKED
    dialog.no_button.click()


def test_a_slot_taken_by_another_workstation_offers_the_alternatives(
    qtbot: QtBot, screen: Screen
) -> None:
    window = screen.window
    caller = add_caller(screen.database, screen.emulator)
    identify_by_snils(qtbot, window, caller)
    earliest_free_of(qtbot, screen, screen.free_specialty())
    slot_id = hold_current(qtbot, window)
    # Another workstation (through the same MIS) books the very slot meanwhile.
    other = add_caller(screen.database, screen.emulator)
    with screen.database.session() as session:
        hub_slot = session.get_one(Slot, slot_id).hub_id
    client = connector_for(screen.emulator).for_lpu(LPU)
    other_pat = client.check_patient(LPU, other.as_hub_patient())
    client.set_appointment(LPU, other_pat, hub_slot)

    with qtbot.waitSignal(window.booking.slotUnavailable, timeout=TIMEOUT_MS):
        QTest.keyClick(window, Qt.Key.Key_F6)
    dialog = _wait_dialog(qtbot, AlternativesDialog)
    assert dialog.offers, "the nearest free times of the same doctor or specialty"
    assert all(offer.slot_id != slot_id for offer in dialog.offers)
    assert window.booking.current_hold is None
    assert window.hold_bar.hold is None
    # The taken slot is grey in the cache at once, and Enter takes the first alternative.
    with screen.database.session() as session:
        assert session.get_one(Slot, slot_id).state == SlotState.TAKEN
    first = dialog.offers[0].slot_id
    with qtbot.waitSignal(window.booking.held, timeout=TIMEOUT_MS) as held:
        QTest.keyClick(dialog.offers_list, Qt.Key.Key_Return)
    with screen.database.session() as session:
        assert session.get_one(Appointment, held.args[0].appointment_id).slot_id == first


@pytest.mark.parametrize("known_to_mis", [True, False], ids=["SetAppointment", "CheckPatient"])
def test_the_institution_unreachable_shows_the_manuals_message_and_journals_it(
    qtbot: QtBot, synced_db: Database, emulator: EmulatorServer, known_to_mis: bool
) -> None:
    caller = add_caller(synced_db, emulator)
    # The workstation's hub is now unreachable (the discard port: nothing listens there).
    dead_url = "http://127.0.0.1:9/HubService.svc"
    screen = _make_screen(qtbot, synced_db, emulator, dead_url)
    window = screen.window
    identify_by_snils(qtbot, window, caller)
    if known_to_mis:
        # The IdPat is known from an earlier visit: SetAppointment is the call that fails.
        client = connector_for(emulator).for_lpu(LPU)
        id_pat = client.check_patient(LPU, caller.as_hub_patient())
        with synced_db.session() as session:
            session.add(PatientLpuLink(patient_id=caller.patient_id,
                                       institution_id=screen.institution_id,
                                       hub_patient_id=id_pat))
    earliest_free_of(qtbot, screen, screen.free_specialty())
    hold_current(qtbot, window)
    with qtbot.waitSignal(window.booking.hubUnreachable, timeout=TIMEOUT_MS) as failed:
        QTest.keyClick(window, Qt.Key.Key_F6)
    message = failed.args[0]
    assert message == (
        "Выбранное время недоступно для записи. К сожалению, временно нет связи с ЛПУ. "
        "Попробуйте обратиться позже."
    )
    box = _wait_dialog(qtbot, QMessageBox)
    assert box.text() == message
    assert dead_url in box.informativeText()
    assert any(action == f"Отказ в записи (нет связи) {dead_url}" for action in screen.journal())
    assert window.hub_status.status(dead_url) is EndpointStatus.FAILED
    assert "нет связи" in window.hub_status.dot(dead_url).toolTip()
    assert window.booking.current_hold is None  # nothing booked, the slot is free again
    with synced_db.session() as session:
        states = set(session.scalars(
            select(Appointment.state).where(Appointment.patient_id == caller.patient_id)))
    assert states == {AppointmentState.RELEASED}
    box.close()
    window.close()


def test_booking_is_refused_without_the_consent(qtbot: QtBot, screen: Screen) -> None:
    window = screen.window
    caller = add_caller(screen.database, screen.emulator, consent=False)
    identify_by_snils(qtbot, window, caller)
    earliest_free_of(qtbot, screen, screen.free_specialty())
    view = window.schedule_panel.earliest_view
    assert view.current_slot() is not None
    with qtbot.waitSignal(window.booking.failed, timeout=TIMEOUT_MS) as failed:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert "согласи" in failed.args[0]
    assert window.booking.current_hold is None


def test_choosing_a_slot_without_a_patient_says_to_find_one_first(
    qtbot: QtBot, screen: Screen
) -> None:
    window = screen.window
    earliest_free_of(qtbot, screen, screen.free_specialty())
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert window.statusBar().currentMessage().startswith("Сначала найдите")
    assert window.patient_panel.search_field.hasFocus()
    assert window.booking.current_hold is None


def test_reschedule_books_the_new_time_and_the_old_ticket_goes_on_both_sides(
    qtbot: QtBot, screen: Screen
) -> None:
    window = screen.window
    caller = add_caller(screen.database, screen.emulator)
    identify_by_snils(qtbot, window, caller)
    earliest_free_of(qtbot, screen, screen.free_specialty())
    hold_current(qtbot, window)
    with qtbot.waitSignal(window.booking.booked, timeout=TIMEOUT_MS) as booked:
        window.book_action.trigger()
    old = booked.args[0]
    _wait_dialog(qtbot, TicketIssuedDialog).reject()

    tickets = window.patient_tickets
    qtbot.waitUntil(
        lambda: tickets.model.index_of_ticket(old.ticket_number).isValid(), timeout=TIMEOUT_MS
    )
    tickets.view.setCurrentIndex(tickets.model.index_of_ticket(old.ticket_number))
    tickets.reschedule_button.click()
    assert f"Перенос талона №{old.ticket_number}" in window.hold_bar.summary.text()
    earliest_free_of(qtbot, screen, screen.free_specialty())
    grid = window.schedule_panel.earliest_view
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)  # the doctor's next free time
    new_slot = grid.current_slot()
    assert new_slot is not None
    with qtbot.waitSignal(window.booking.held, timeout=TIMEOUT_MS):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    with qtbot.waitSignal(window.booking.booked, timeout=TIMEOUT_MS) as rebooked:
        window.book_action.trigger()
    new = rebooked.args[0]
    assert new.ticket_number != old.ticket_number
    assert new.state == AppointmentState.BOOKED
    assert screen.appointment(old.ticket_number).state == AppointmentState.CANCELLED
    old_hub = screen.appointment(old.ticket_number).hub_appointment_id
    new_hub = screen.appointment(new.ticket_number).hub_appointment_id
    assert [b.state for b in hub_bookings(screen.emulator, old_hub)] == [
        AppointmentState.CANCELLED
    ]
    assert [b.state for b in hub_bookings(screen.emulator, new_hub)] == [AppointmentState.BOOKED]
    assert any(action.startswith("Перенос записи") for action in screen.journal())
    _wait_dialog(qtbot, TicketIssuedDialog).reject()


def test_choosing_another_caller_lets_the_held_time_go(qtbot: QtBot, screen: Screen) -> None:
    window = screen.window
    first = add_caller(screen.database, screen.emulator)
    second = add_caller(screen.database, screen.emulator)
    identify_by_snils(qtbot, window, first)
    earliest_free_of(qtbot, screen, screen.free_specialty())
    hold_current(qtbot, window)
    held = window.booking.current_hold
    assert held is not None and window.booking.hold_patient_id == first.patient_id
    with qtbot.waitSignal(window.booking.holdReleased, timeout=TIMEOUT_MS):
        identify_by_snils(qtbot, window, second)
    assert window.booking.current_hold is None
    assert window.hold_bar.hold is None
    qtbot.waitUntil(
        lambda: screen.appointment(held.ticket_number).state == AppointmentState.RELEASED,
        timeout=TIMEOUT_MS,
    )
    assert not window.book_held_slot()  # F6 now books nothing for the wrong caller


def test_a_hold_still_on_its_way_when_the_call_ends_is_let_go(
    qtbot: QtBot, screen: Screen
) -> None:
    window = screen.window
    caller = add_caller(screen.database, screen.emulator)
    identify_by_snils(qtbot, window, caller)
    earliest_free_of(qtbot, screen, screen.free_specialty())
    slot = window.schedule_panel.earliest_view.current_slot()
    assert slot is not None
    window.hold_slot(slot.slot_id)
    window.new_call()  # Ctrl+N before the hold's answer came back
    qtbot.waitUntil(lambda: not window.booking.is_busy, timeout=TIMEOUT_MS)
    assert window.booking.current_hold is None
    assert window.hold_bar.hold is None
    with screen.database.session() as session:
        states = set(session.scalars(
            select(Appointment.state).where(Appointment.patient_id == caller.patient_id)))
        assert session.get_one(Slot, slot.slot_id).state == SlotState.FREE
    assert states == {AppointmentState.RELEASED}
