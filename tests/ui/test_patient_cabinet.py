"""«Личный кабинет»: real widgets offscreen over a synced SQLite database and the LPU emulator
over HTTP (the booking and the cancel go to the emulator's MIS). No mocks.

No patient → nothing shown; the tabs fill for a patient; «Оценить прием» with the keyboard;
«Оставить отзыв»; the journal a page at a time; a booking from «Запись на прием» without the SMS
code; alternatives to a taken slot; the profile (operator) and the password (kiosk).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from tests.helpers.booking_desk import (
    LPU,
    FakeClock,
    connector_for,
    hub_bookings,
    register_patient,
    sync_cache,
)
from tests.services.booking.conftest import Desk
from tests.ui.test_ticket_printing import pdf_printer
from workstation.models import (
    Appointment,
    AppointmentSource,
    AppointmentState,
    CabinetAccount,
    Doctor,
    Institution,
    JournalEvent,
    Patient,
    Slot,
    VisitRating,
)
from workstation.services.booking import Bookings
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.journal import Actor, record
from workstation.services.ratings import ratings_of
from workstation.services.regional_data import load_regional_data
from workstation.ui.booking_dialogs import AlternativesDialog, TicketIssuedDialog
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.patient_cabinet import (
    HIDE_PAST,
    NO_PATIENT_TEXT,
    SHOW_PAST,
    TAB_BOOKING,
    TAB_CARD,
    TAB_JOURNAL,
    TAB_PROFILE,
    TAB_TICKETS,
    VISIT_KEY_ROLE,
    JournalColumn,
    PastColumn,
    PatientCabinet,
    ReviewDialog,
    stars_text,
)
from workstation.ui.patient_tickets_panel import TICKET_NUMBER_ROLE, Section
from workstation.ui.ticket_print_actions import TicketPrintActions

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

TIMEOUT_MS = 15_000
MOBILE = "+79123456789"
OPERATOR = Actor("Оператор Тестова", "ws-1 (10.1.0.12)")
KIOSK = Actor("пациент", "киоск-1 (62.168.244.229)")
SNILS = "11223344595"

CabinetFactory = Callable[..., PatientCabinet]


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
    load_regional_data(database)
    connector = connector_for(emulator)
    sync_cache(database, connector)
    clock = FakeClock()
    bookings = Bookings(database, connector, actor=OPERATOR, clock=clock)
    yield Desk(database, connector, emulator, clock, bookings)
    emulator.faults.clear()
    connector.close()
    database.dispose()


@pytest.fixture
def make_cabinet(
    qtbot: QtBot, desk: Desk, tmp_path: Path
) -> Iterator[CabinetFactory]:
    worker = DatabaseWorker(desk.database)
    actions = TicketPrintActions(
        worker, "Иванова", show_errors=False,
        printer_factory=lambda: pdf_printer(tmp_path / "printed.pdf"),
    )
    made: list[PatientCabinet] = []

    def make(*, kiosk: bool = False) -> PatientCabinet:
        cabinet = PatientCabinet(
            worker, desk.database, lambda: desk.bookings, actions,
            actor=KIOSK if kiosk else OPERATOR, kiosk=kiosk, clock=desk.clock,
        )
        qtbot.addWidget(cabinet)
        cabinet.resize(1200, 800)
        cabinet.show()
        made.append(cabinet)
        return cabinet

    yield make
    actions.wait()
    for cabinet in made:
        for dialog in cabinet.open_dialogs():
            dialog.close()
        cabinet.shutdown()
        cabinet.close()
    worker.stop()


@pytest.fixture
def cabinet(make_cabinet: CabinetFactory) -> PatientCabinet:
    return make_cabinet()


def _guard(cabinet: PatientCabinet, title: str) -> QStackedWidget:
    widget = cabinet.widget(cabinet.tab_titles().index(title))
    assert isinstance(widget, QStackedWidget)
    return widget


def _placeholders_shown(cabinet: PatientCabinet) -> bool:
    for title in cabinet.tab_titles():
        current = _guard(cabinet, title).currentWidget()
        if not (isinstance(current, QLabel) and current.text() == NO_PATIENT_TEXT):
            return False
    return True


def _show(qtbot: QtBot, cabinet: PatientCabinet, patient: int) -> None:
    with qtbot.waitSignals(
        [cabinet.cardLoaded, cabinet.journalLoaded, cabinet.pastVisitsLoaded,
         cabinet.profileLoaded, cabinet.tickets_panel.loaded],
        timeout=TIMEOUT_MS,
    ):
        cabinet.set_patient(patient)


def _doctor_of_lpu(desk: Desk) -> int:
    with desk.database.session() as session:
        doctor = session.scalars(
            select(Doctor.id).join(Institution, Institution.id == Doctor.institution_id)
            .where(Institution.hub_id == LPU).order_by(Doctor.id)
        ).first()
        assert doctor is not None
        return doctor


def _past_visit(desk: Desk, patient: int, number: str, days_ago: int = 3) -> str:
    """A visit that took place (the MIS marked it): the ticket is in «Прошлые посещения»."""
    doctor = _doctor_of_lpu(desk)
    with desk.database.session() as session:
        institution = session.scalar(select(Institution.id).where(Institution.hub_id == LPU))
        assert institution is not None
        session.add(Appointment(
            ticket_number=number, patient_id=patient, institution_id=institution,
            doctor_id=doctor, hub_appointment_id=f"past-{number}",
            visit_start=(dt.datetime.now() - dt.timedelta(days=days_ago)).replace(
                second=0, microsecond=0),
            state=AppointmentState.VISITED, source=AppointmentSource.CONTACT_CENTER,
        ))
    return number


def _with_documents(desk: Desk, patient: int) -> None:
    with desk.database.session() as session:
        row = session.get_one(Patient, patient)
        row.snils = SNILS
        row.oms_number = "8321234567890567"
        row.oms_kind = "unified"
        row.email = "ivanova@mail.ru"


def _dialog(kind: type[QWidget]) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None


# --- no patient ----------------------------------------------------------------------------------


def test_nothing_about_a_patient_is_shown_before_one_is_identified(
    qtbot: QtBot, cabinet: PatientCabinet, desk: Desk
) -> None:
    assert cabinet.tab_titles() == [TAB_TICKETS, TAB_BOOKING, TAB_CARD, TAB_JOURNAL, TAB_PROFILE]
    assert _placeholders_shown(cabinet)
    assert cabinet.hold_slot(desk.slot()) is False
    assert cabinet.last_message == NO_PATIENT_TEXT

    patient = desk.patient(MOBILE)
    _past_visit(desk, patient, "P-1")
    _show(qtbot, cabinet, patient)
    assert not _placeholders_shown(cabinet)
    assert cabinet.card_fields["name"].text().startswith("Проверкина")

    cabinet.set_patient(None)  # the call is over: the next caller sees nothing of this one
    assert _placeholders_shown(cabinet)
    assert cabinet.past_model.rowCount() == 0
    assert cabinet.journal_model.rowCount() == 0
    assert all(label.text() == "" for label in cabinet.card_fields.values())
    assert cabinet.tickets_panel.patient_id is None
    assert cabinet.card is None


# --- the tabs fill -------------------------------------------------------------------------------


def test_the_tabs_fill_for_a_patient(
    qtbot: QtBot, qtmodeltester: ModelTester, cabinet: PatientCabinet, desk: Desk
) -> None:
    patient = desk.patient(MOBILE)
    _with_documents(desk, patient)
    active = desk.bookings.book(desk.bookings.hold(desk.slot(), patient).appointment_id)
    past = _past_visit(desk, patient, "P-7")
    _show(qtbot, cabinet, patient)

    # «Талоны на прием»: the active ticket above, the past visit below (not twice).
    panel = cabinet.tickets_panel
    model = panel.model
    active_rows = model.index(Section.ACTIVE, 0)
    assert [model.index(r, 0, active_rows).data(TICKET_NUMBER_ROLE)
            for r in range(model.rowCount(active_rows))] == [active.ticket_number]
    assert panel.view.isRowHidden(Section.PAST, model.index(0, 0).parent())
    assert not panel.reschedule_button.isVisible()
    assert panel.cancel_button.isVisible() and panel.print_button.isVisible()
    assert [v.key for v in cabinet.past_model.visits()] == [past]
    first = cabinet.past_model.index(0, 0)
    assert first.data(VISIT_KEY_ROLE) == past
    assert cabinet.past_model.index(0, PastColumn.RATING).data() == "не оценен"
    assert cabinet.past_model.index(0, PastColumn.NUMBER).data() == f"№{past}"
    qtmodeltester.check(cabinet.past_model)

    # «Скрыть прошлые посещения» / «Показать прошлые посещения».
    assert cabinet.past_toggle.text() == HIDE_PAST and cabinet.past_box.isVisible()
    cabinet.past_toggle.click()
    assert cabinet.past_toggle.text() == SHOW_PAST and not cabinet.past_box.isVisible()
    cabinet.past_toggle.click()
    assert cabinet.past_toggle.text() == HIDE_PAST and cabinet.past_box.isVisible()

    # «Карта пациента»: masked documents.
    fields = cabinet.card_fields
    assert fields["snils"].text() == "***-***-445 95"
    assert fields["oms"].text() == "************0567"
    assert fields["phone"].text() == "+7 912 ***-**-89"
    assert fields["email"].text() == "iv***@mail.ru"
    assert fields["consent"].text().startswith("дано ")
    assert fields["cabinet"].text() == "не выдан"
    with desk.database.session() as session:
        lpu = session.scalars(select(Institution).where(Institution.hub_id == LPU)).one()
        assert fields["institutions"].text() == (lpu.short_name or lpu.full_name)

    # «Журнал событий»: the booking is in it, in the manual's columns.
    journal = cabinet.journal_model
    assert journal.headerData(JournalColumn.ADDRESS, Qt.Orientation.Horizontal) == "IP-адрес"
    actions = [journal.index(r, JournalColumn.ACTION).data() for r in range(journal.rowCount())]
    assert any(a.startswith(f"Запись на прием Талон №{active.ticket_number}") for a in actions)
    assert cabinet.page_label.text() == "Страница 1 из 1"
    qtmodeltester.check(journal)

    # «Профиль» of a patient without a cabinet: nothing to change.
    assert "не выдан" in cabinet.account_status.text()
    assert not cabinet.contacts_box.isEnabled()
    assert cabinet.policy_label.text() == "************0567"


# --- «Оценить прием», «Оставить отзыв» ---------------------------------------------------------


def test_a_visit_is_rated_with_the_keyboard(
    qtbot: QtBot, cabinet: PatientCabinet, desk: Desk
) -> None:
    patient = desk.patient()
    older = _past_visit(desk, patient, "P-1", days_ago=9)
    newer = _past_visit(desk, patient, "P-2", days_ago=2)
    _show(qtbot, cabinet, patient)
    assert [v.key for v in cabinet.past_model.visits()] == [newer, older]
    assert cabinet.select_visit(older)
    stars = cabinet.star_rating
    assert stars.isEnabled() and stars.value() == 0
    stars.setFocus()
    with qtbot.waitSignal(cabinet.ratingStored, timeout=TIMEOUT_MS) as stored:
        QTest.keyClick(stars, Qt.Key.Key_4)
    assert stored.args == [older]
    with desk.database.session() as session:
        assert ratings_of(session, patient)[older].stars == 4
    qtbot.waitUntil(
        lambda: cabinet.past_model.index(1, PastColumn.RATING).data() == stars_text(4),
        timeout=TIMEOUT_MS,
    )
    assert cabinet.selected_visit() is not None
    assert cabinet.selected_visit().key == older  # type: ignore[union-attr]

    # The arrows move the stars without storing them; Enter rates with what is shown.
    stars.setFocus()
    QTest.keyClick(stars, Qt.Key.Key_Right)
    assert stars.value() == 5
    QTest.keyClick(stars, Qt.Key.Key_Left)
    QTest.keyClick(stars, Qt.Key.Key_Left)
    assert stars.value() == 3
    with desk.database.session() as session:
        assert ratings_of(session, patient)[older].stars == 4
    with qtbot.waitSignal(cabinet.ratingStored, timeout=TIMEOUT_MS):
        QTest.keyClick(stars, Qt.Key.Key_Return)
    with desk.database.session() as session:
        assert ratings_of(session, patient)[older].stars == 3
        assert session.scalar(select(func.count()).select_from(VisitRating)) == 1
        journal = list(session.scalars(
            select(JournalEvent.action).where(JournalEvent.action.startswith("Оценка приема"))
            .order_by(JournalEvent.id)
        ))
    assert [a.rsplit(": ", 1)[1] for a in journal] == ["4 из 5", "3 из 5"]
    assert "Спасибо" in cabinet.rating_status.text()


def test_a_review_is_stored(qtbot: QtBot, cabinet: PatientCabinet, desk: Desk) -> None:
    patient = desk.patient()
    visit = _past_visit(desk, patient, "P-3")
    _show(qtbot, cabinet, patient)
    assert cabinet.select_visit(visit)
    assert cabinet.review_button.isEnabled()
    cabinet.review_button.click()
    dialog = _dialog(ReviewDialog)
    assert isinstance(dialog, ReviewDialog)
    assert dialog.windowTitle() == "Оставить отзыв"
    dialog.text_field.setPlainText("Врач внимательный, все объяснил.")
    dialog.send_button.click()  # no stars yet: the dialog says so and stays open
    assert dialog.isVisible()
    assert "от 1 до 5" in dialog.error_label.text()
    dialog.stars.setFocus()
    QTest.keyClick(dialog.stars, Qt.Key.Key_5)
    with qtbot.waitSignal(cabinet.ratingStored, timeout=TIMEOUT_MS):
        dialog.send_button.click()
    with desk.database.session() as session:
        rating = ratings_of(session, patient)[visit]
        details = session.scalars(
            select(JournalEvent.details).where(JournalEvent.action.startswith("Оценка приема"))
        ).one()
    assert (rating.stars, rating.review) == (5, "Врач внимательный, все объяснил.")
    assert rating.recorded_by == OPERATOR.operator
    assert details == "Отзыв: Врач внимательный, все объяснил."
    qtbot.waitUntil(
        lambda: cabinet.past_model.index(0, PastColumn.REVIEW).data()
        == "Врач внимательный, все объяснил.",
        timeout=TIMEOUT_MS,
    )


def test_a_cancelled_ticket_cannot_be_rated(
    qtbot: QtBot, cabinet: PatientCabinet, desk: Desk
) -> None:
    patient = desk.patient()
    ticket = desk.bookings.book(desk.bookings.hold(desk.slot(), patient).appointment_id)
    desk.bookings.cancel(ticket.ticket_number)
    _show(qtbot, cabinet, patient)
    assert cabinet.select_visit(ticket.ticket_number)
    assert cabinet.past_model.index(0, 0).data(VISIT_KEY_ROLE) is None
    assert not cabinet.star_rating.isEnabled()
    assert not cabinet.rate_button.isEnabled()
    assert not cabinet.review_button.isEnabled()


# --- «Журнал событий» ----------------------------------------------------------------------------


def test_the_journal_pages(
    qtbot: QtBot, qtmodeltester: ModelTester, cabinet: PatientCabinet, desk: Desk
) -> None:
    patient = desk.patient()
    start = dt.datetime(2015, 8, 10, 12, 0, tzinfo=dt.UTC)
    with desk.database.session() as session:
        for n in range(45):
            event = record(session, OPERATOR, f"Событие {n:02d}", patient_id=patient)
            event.at = start + dt.timedelta(minutes=n)
    _show(qtbot, cabinet, patient)
    cabinet.show_tab(TAB_JOURNAL)
    model = cabinet.journal_model
    assert cabinet.page_label.text() == "Страница 1 из 3"
    assert model.rowCount() == 20
    assert model.index(0, JournalColumn.ACTION).data() == "Событие 44"
    assert model.index(0, JournalColumn.ADDRESS).data() == "10.1.0.12"
    assert model.index(0, JournalColumn.AT).data() == (
        (start + dt.timedelta(minutes=44)).astimezone().strftime("%d.%m.%Y %H:%M:%S")
    )
    assert not cabinet.previous_button.isEnabled() and cabinet.next_button.isEnabled()
    qtmodeltester.check(model)

    with qtbot.waitSignal(cabinet.journalLoaded, timeout=TIMEOUT_MS):
        cabinet.next_button.click()
    assert cabinet.page_label.text() == "Страница 2 из 3"
    assert model.index(0, JournalColumn.ACTION).data() == "Событие 24"
    with qtbot.waitSignal(cabinet.journalLoaded, timeout=TIMEOUT_MS):
        cabinet.next_button.click()
    assert cabinet.page_label.text() == "Страница 3 из 3"
    assert [model.index(r, JournalColumn.ACTION).data() for r in range(model.rowCount())] == [
        f"Событие {n:02d}" for n in range(4, -1, -1)
    ]
    assert cabinet.previous_button.isEnabled() and not cabinet.next_button.isEnabled()
    with qtbot.waitSignal(cabinet.journalLoaded, timeout=TIMEOUT_MS):
        cabinet.previous_button.click()
    assert cabinet.page_label.text() == "Страница 2 из 3"
    qtmodeltester.check(model)


# --- «Запись на прием» ---------------------------------------------------------------------------


def _schedule_ready(qtbot: QtBot, cabinet: PatientCabinet, desk: Desk, patient: int) -> None:
    """The patient is attached to the emulator's institution: the tab opens on its schedule."""
    with desk.database.session() as session:
        institution = session.scalars(select(Institution).where(Institution.hub_id == LPU)).one()
        institution_id, settlement_id = institution.id, institution.settlement_id
    assert settlement_id is not None  # placed by the sync (the regional data are loaded)
    panel = cabinet.schedule_panel
    with qtbot.waitSignal(panel.treeLoaded, timeout=TIMEOUT_MS):
        _show(qtbot, cabinet, patient)
    qtbot.waitUntil(lambda: panel.institution_id == institution_id, timeout=TIMEOUT_MS)


def test_booking_from_the_cabinet_issues_the_ticket_without_an_sms(
    qtbot: QtBot, cabinet: PatientCabinet, desk: Desk
) -> None:
    patient = desk.patient(MOBILE)  # a mobile phone, yet no SMS code: a cabinet booking
    _schedule_ready(qtbot, cabinet, desk, patient)
    cabinet.show_tab(TAB_BOOKING)
    assert not cabinet.hold_bar.phone_field.isVisible()
    slot = desk.slot()
    with qtbot.waitSignal(cabinet.booking.held, timeout=TIMEOUT_MS):
        cabinet.schedule_panel.slotChosen.emit(slot)  # what Enter on a free time does
    assert cabinet.hold_bar.hold is not None
    sms_before = len(desk.sms())
    with qtbot.waitSignal(cabinet.booked, timeout=TIMEOUT_MS) as booked:
        cabinet.hold_bar.book_button.click()
    ticket = booked.args[0]
    assert ticket.state == AppointmentState.BOOKED
    assert desk.appointment(ticket.ticket_number).state == AppointmentState.BOOKED
    assert desk.appointment(ticket.ticket_number).phone is None
    assert len(desk.sms()) == sms_before  # no confirmation code, no notice
    with desk.database.session() as session:
        hub_slot = session.get_one(Slot, slot).hub_id
    # The emulator lives for the module: a slot may carry a booking cancelled by another test.
    states = [b.state for b in hub_bookings(desk.emulator, hub_slot)]
    assert states[-1] == AppointmentState.BOOKED and states.count(AppointmentState.BOOKED) == 1
    qtbot.waitUntil(lambda: _dialog(TicketIssuedDialog) is not None, timeout=TIMEOUT_MS)
    issued = _dialog(TicketIssuedDialog)
    assert isinstance(issued, TicketIssuedDialog)
    assert issued.number_label.text() == f"Талон №{ticket.ticket_number}"
    issued.no_button.click()

    # «Талоны на прием» lists it; the journal says so.
    panel = cabinet.tickets_panel
    qtbot.waitUntil(
        lambda: panel.model.index_of_ticket(ticket.ticket_number).isValid(), timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(
        lambda: any(
            str(cabinet.journal_model.index(r, JournalColumn.ACTION).data()).startswith(
                f"Запись на прием Талон №{ticket.ticket_number}")
            for r in range(cabinet.journal_model.rowCount())
        ),
        timeout=TIMEOUT_MS,
    )


def test_a_taken_slot_offers_alternatives(
    qtbot: QtBot, cabinet: PatientCabinet, desk: Desk
) -> None:
    patient = desk.patient()
    _schedule_ready(qtbot, cabinet, desk, patient)
    slot = desk.slot()
    other = register_patient(desk.database, desk.connector.for_lpu(None), tag="Другой")
    desk.bookings.book(desk.bookings.hold(slot, other).appointment_id)  # another desk was first
    with qtbot.waitSignal(cabinet.booking.slotUnavailable, timeout=TIMEOUT_MS):
        assert cabinet.hold_slot(slot)
    qtbot.waitUntil(lambda: _dialog(AlternativesDialog) is not None, timeout=TIMEOUT_MS)
    dialog = _dialog(AlternativesDialog)
    assert isinstance(dialog, AlternativesDialog)
    assert dialog.offers  # the nearest free times
    with qtbot.waitSignal(cabinet.booking.held, timeout=TIMEOUT_MS):
        dialog.choose_current()
    hold = cabinet.booking.current_hold
    assert hold is not None and cabinet.booking.hold_patient_id == patient

    cabinet.set_patient(None)  # the call ends: the time held for this patient is let go
    qtbot.waitUntil(lambda: not cabinet.booking.is_busy, timeout=TIMEOUT_MS)
    assert cabinet.booking.current_hold is None
    assert desk.appointment(hold.ticket_number).state == AppointmentState.RELEASED


# --- «Профиль» -----------------------------------------------------------------------------------


def _issue(desk: Desk, patient: int) -> str:
    from workstation.services.cabinet_accounts import issue_account

    with desk.database.session() as session:
        issued = issue_account(session, patient, actor=OPERATOR, now=dt.datetime.now(dt.UTC))
    return issued.password


def test_the_operator_changes_the_profile_but_never_the_password(
    qtbot: QtBot, cabinet: PatientCabinet, desk: Desk
) -> None:
    patient = desk.patient()
    _with_documents(desk, patient)
    _issue(desk, patient)
    _show(qtbot, cabinet, patient)
    cabinet.show_tab(TAB_PROFILE)
    assert not cabinet.password_box.isVisible()
    assert cabinet.contacts_box.isEnabled()
    assert cabinet.policy_label.text() == "************0567"
    assert "***" in cabinet.account_status.text()  # the login (СНИЛС) is masked
    assert SNILS not in cabinet.account_status.text()
    assert not cabinet.reminders_box.isChecked()

    cabinet.phone_field.setText("8 912 345-67-00")
    cabinet.reminders_box.setChecked(True)
    with qtbot.waitSignal(cabinet.profileSaved, timeout=TIMEOUT_MS):
        cabinet.save_profile_button.click()
    with desk.database.session() as session:
        account = session.scalars(
            select(CabinetAccount).where(CabinetAccount.patient_id == patient)
        ).one()
        assert account.sms_reminders
        assert session.get_one(Patient, patient).phone == "+79123456700"
    assert cabinet.phone_field.text() == ""
    assert cabinet.reminders_box.isChecked()
    qtbot.waitUntil(
        lambda: cabinet.card_fields["phone"].text() == "+7 912 ***-**-00", timeout=TIMEOUT_MS
    )

    cabinet.email_field.setText("не почта")  # refused by the service: said, nothing saved
    with qtbot.waitSignal(cabinet.message, timeout=TIMEOUT_MS):
        cabinet.save_profile_button.click()
    qtbot.waitUntil(cabinet.save_profile_button.isEnabled, timeout=TIMEOUT_MS)
    assert cabinet.profile_status.text() != "Изменения профиля сохранены."
    with desk.database.session() as session:
        assert session.get_one(Patient, patient).email == "ivanova@mail.ru"


def test_the_patient_changes_the_password_at_the_kiosk(
    qtbot: QtBot, make_cabinet: CabinetFactory, desk: Desk
) -> None:
    kiosk = make_cabinet(kiosk=True)
    patient = desk.patient()
    _with_documents(desk, patient)
    one_time = _issue(desk, patient)
    _show(qtbot, kiosk, patient)
    kiosk.show_tab(TAB_PROFILE)
    assert kiosk.password_box.isVisible() and kiosk.password_box.isEnabled()

    kiosk.old_password.setText(one_time)
    kiosk.new_password.setText("Sekret2025a")
    kiosk.repeat_password.setText("Sekret2025b")
    kiosk.change_password_button.click()  # the repeat differs: not sent
    assert "не совпадают" in kiosk.password_status.text()
    assert not kiosk.is_busy

    kiosk.repeat_password.setText("Sekret2025a")
    with qtbot.waitSignal(kiosk.passwordChanged, timeout=TIMEOUT_MS):
        QTest.keyClick(kiosk.repeat_password, Qt.Key.Key_Return)
    assert kiosk.old_password.text() == kiosk.new_password.text() == ""
    with desk.database.session() as session:
        account = session.scalars(
            select(CabinetAccount).where(CabinetAccount.patient_id == patient)
        ).one()
        assert not account.must_change_password
        actions = list(session.scalars(
            select(JournalEvent.action).where(JournalEvent.patient_id == patient)
        ))
    assert "Изменение пароля" in actions

    kiosk.old_password.setText("неверный1")
    kiosk.new_password.setText("Другой2026")
    kiosk.repeat_password.setText("Другой2026")
    with qtbot.waitSignal(kiosk.message, timeout=TIMEOUT_MS):
        kiosk.change_password_button.click()
    qtbot.waitUntil(kiosk.change_password_button.isEnabled, timeout=TIMEOUT_MS)
    assert "неверно" in kiosk.password_status.text()
