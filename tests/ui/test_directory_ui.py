"""The directory: «Список медицинских учреждений», the map, the card and «Поиск участка».

On a real SQLite database filled from the shipped regional data (with its demo addresses and
участки), plus a few free slots for «Доступное время приема».
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import (
    Doctor,
    Institution,
    Patient,
    PatientLpuLink,
    Settlement,
    Slot,
    SlotState,
)
from workstation.models.base import utc_now
from workstation.models.text import normalise_name
from workstation.services import nearest
from workstation.services.addresses import StreetRow
from workstation.services.database import Database
from workstation.services.directory import DepartmentRow
from workstation.services.districts import NO_MATCH_MESSAGE
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.errors import HubUnavailable
from workstation.services.hub.results import PatientArea
from workstation.services.nearest import DayAvailability
from workstation.services.regional_data import load_regional_data
from workstation.services.resources import resource_path
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.directory_panel import (
    ROW_ID_ROLE,
    DirectoryPanel,
    DirectoryRow,
    InstitutionListModel,
    StreetSuggestionModel,
)
from workstation.ui.district_search import DistrictSearchPanel
from workstation.ui.institution_card import (
    AvailableTimeModel,
    DepartmentListModel,
    InstitutionCard,
)
from workstation.ui.map_view import MapPin, MapView, nice_length, osm_url, scale_label

TIMEOUT_MS = 10_000
NOW = dt.datetime(2030, 1, 14, 8, 0)  # a Monday, before the first slot
SLOT_TIMES = ("13:24", "13:56", "14:28", "15:00", "15:32")

# The offscreen platform warns that it cannot raise or size top-level windows (the completion
# popups, the card dialog); that is about the test platform, not the directory.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")


@dataclass(frozen=True)
class Regional:
    """The regional database and the rows the tests use."""

    database: Database
    settlement_id: int
    oklrc_id: int  # «ОКЛРЦ»: phones and hours as in the manual
    doctor_id: int
    specialty_id: int


def _add_slots(session: Session, institution_id: int) -> tuple[int, int]:
    doctor = session.scalars(
        select(Doctor).where(Doctor.institution_id == institution_id).order_by(Doctor.id)
    ).first()
    assert doctor is not None
    fetched = utc_now()
    for day_offset, times in ((0, SLOT_TIMES), (2, SLOT_TIMES[:3])):
        day = NOW.date() + dt.timedelta(days=day_offset)
        for index, text in enumerate(times):
            hour, minute = map(int, text.split(":"))
            start = dt.datetime.combine(day, dt.time(hour, minute))
            session.add(
                Slot(
                    doctor_id=doctor.id,
                    hub_id=f"test-{day_offset}-{index}",
                    start=start,
                    end=start + dt.timedelta(minutes=30),
                    state=SlotState.FREE,
                    fetched_at=fetched,
                )
            )
    return doctor.id, doctor.specialty_id


@pytest.fixture(scope="module")
def regional_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Regional]:
    """One database file filled from the shipped regional data (with a few free slots), built
    once per module; each test works on a copy."""
    path = tmp_path_factory.mktemp("regional") / "template.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    load_regional_data(database)
    with database.session() as session:
        settlement_id = session.scalar(
            select(Settlement.id).where(Settlement.name == "Ханты-Мансийск")
        )
        oklrc_id = session.scalar(select(Institution.id).where(Institution.hub_id == 1003))
        assert settlement_id is not None and oklrc_id is not None
        doctor_id, specialty_id = _add_slots(session, oklrc_id)
    database.dispose()
    return path, Regional(database, settlement_id, oklrc_id, doctor_id, specialty_id)


@pytest.fixture
def regional(regional_template: tuple[Path, Regional], tmp_path: Path) -> Iterator[Regional]:
    """A private copy of the regional database."""
    template, ids = regional_template
    path = tmp_path / "regional.sqlite3"
    shutil.copyfile(template, path)
    database = Database(f"sqlite:///{path}")
    yield replace(ids, database=database)
    database.dispose()


@pytest.fixture
def db_worker(qtbot: QtBot, regional: Regional) -> Iterator[DatabaseWorker]:
    """A database worker on the regional database, stopped after the test."""
    worker = DatabaseWorker(regional.database)
    yield worker
    worker.stop()


@pytest.fixture
def opened() -> list[QUrl]:
    """URLs the widgets asked the browser to open."""
    return []


@pytest.fixture
def panel(
    qtbot: QtBot, db_worker: DatabaseWorker, regional: Regional, opened: list[QUrl]
) -> DirectoryPanel:
    """The directory of Ханты-Мансийск, loaded and shown."""
    widget = DirectoryPanel(db_worker, now=lambda: NOW, open_url=opened.append)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    with (
        qtbot.waitSignal(widget.filtersLoaded, timeout=TIMEOUT_MS),
        qtbot.waitSignal(widget.listLoaded, timeout=TIMEOUT_MS),
    ):
        widget.set_settlement(regional.settlement_id)
    return widget


def _expected(regional: Regional, **filters: Any) -> list[Any]:
    with regional.database.session() as session:
        return list(nearest.institutions_filtered(session, regional.settlement_id, **filters))


def _demo_address() -> dict[str, str]:
    """The manual's example address of Участок №91 (street, house, institution's IdLPU), taken
    from the demo участки."""
    path = resource_path("regional", "districts.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["district"].strip() == "91" and row["doctor"].strip():
                numbers = re.findall(r"\d+", row["houses"])
                return {
                    "street": row["street"].strip(),
                    "house": numbers[0] if numbers else "1",
                    "institution_hub_id": row["institution"].strip(),
                }
    raise AssertionError("districts.csv has no Участок №91 with its doctor")


# --- «Список медицинских учреждений» -------------------------------------------------------


def test_list_shows_the_count_and_every_institution(
    panel: DirectoryPanel, regional: Regional
) -> None:
    expected = _expected(regional)
    assert panel.count_text() == f"Найдено учреждений: {len(expected)}"
    assert panel.count_text() == "Найдено учреждений: 6"  # the manual's Ханты-Мансийск
    rows = panel.model.rows
    # Subdivisions follow their parent; every row is numbered as its pin.
    assert [row.number for row in rows] == list(range(1, len(rows) + 1))
    assert {row.id for row in rows} >= {row.id for row in expected}
    assert "Ханты-Мансийск" in panel.heading.text()
    assert panel.model.index(0, InstitutionListModel.DISTANCE).data() == ""


def test_type_filter(qtbot: QtBot, panel: DirectoryPanel, regional: Regional) -> None:
    kinds = [panel.type_combo.itemData(i) for i in range(1, panel.type_combo.count())]
    with regional.database.session() as session:
        assert kinds == nearest.institution_types(session, regional.settlement_id)
    with qtbot.waitSignal(panel.listLoaded, timeout=TIMEOUT_MS):
        assert panel.choose_type("Больница")
    expected = _expected(regional, kind="Больница")
    assert [row.id for row in panel.model.rows] == [row.id for row in expected]
    assert all(row.type == "Больница" for row in panel.model.rows)
    assert panel.count_text() == f"Найдено учреждений: {len(expected)}"
    with qtbot.waitSignal(panel.listLoaded, timeout=TIMEOUT_MS):
        panel.choose_type(None)
    assert panel.count_text() == "Найдено учреждений: 6"


def test_specialty_filter_types_to_filter(
    qtbot: QtBot, panel: DirectoryPanel, regional: Regional
) -> None:
    panel.set_specialty_filter_text("стомат")
    matching = panel.matching_specialties()
    assert matching
    assert all("стомат" in normalise_name(name).lower() for name in matching)
    with qtbot.waitSignal(panel.listLoaded, timeout=TIMEOUT_MS):
        assert panel.choose_typed_specialty()
    choice = panel.specialty
    assert choice is not None and choice.name == matching[0]
    expected = _expected(regional, specialty_id=choice.specialty_ids[0])
    assert [row.id for row in panel.model.rows] == [row.id for row in expected]
    assert 0 < len(expected) < 7
    assert panel.specialty_edit.text() == choice.name


def test_unknown_specialty_text_keeps_the_filter(panel: DirectoryPanel) -> None:
    panel.set_specialty_filter_text("астронавт")
    assert panel.matching_specialties() == []
    assert not panel.choose_typed_specialty()
    assert panel.specialty is None
    assert panel.specialty_edit.text() == "Все специальности"


# --- «Ближайшие к адресу» -------------------------------------------------------------------


def test_street_suggestions_as_the_operator_types(
    qtbot: QtBot, panel: DirectoryPanel, qtmodeltester: ModelTester
) -> None:
    street = _demo_address()["street"]
    field = panel.street_field
    field.setFocus()
    typed = street.split()[-1][:3]
    for char in typed:  # Cyrillic: one key event per character (keyClicks aborts)
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, field, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )
    qtbot.waitUntil(lambda: len(field.model.rows) > 0, timeout=TIMEOUT_MS)
    assert all(isinstance(row, StreetRow) for row in field.model.rows)
    assert any(normalise_name(typed) in normalise_name(row.name) for row in field.model.rows)
    qtmodeltester.check(field.model, force_py=True)
    chosen = field.model.rows[0]
    with qtbot.waitSignal(field.streetChosen, timeout=TIMEOUT_MS) as blocker:
        field.choose(chosen)
    assert blocker.args == [chosen.id]
    assert field.street == chosen.id
    field.setText(field.text() + " ")  # edited: the typed text is used again
    typed_street: str | int = field.street
    assert typed_street == chosen.label


def test_nearest_to_an_address_orders_and_numbers(
    qtbot: QtBot, panel: DirectoryPanel
) -> None:
    address = _demo_address()
    panel.street_field.setText(address["street"])
    panel.house_field.setText(address["house"])
    with qtbot.waitSignal(panel.listLoaded, timeout=TIMEOUT_MS):
        panel.find_button.click()
    assert panel.address_point is not None
    rows = panel.model.rows
    placed = [row for row in rows if row.distance_m is not None]
    assert placed
    assert [row.number for row in rows] == list(range(1, len(rows) + 1))
    distances = [row.distance_m or 0.0 for row in placed]
    assert distances == sorted(distances)
    first = panel.model.index(0, InstitutionListModel.DISTANCE).data()
    assert first.endswith(" м") or first.endswith(" км")
    assert panel.count_text() == f"Найдено учреждений: {len(rows)}"
    # The map: the red mark and the same numbers as the list.
    mark = panel.map.address_mark
    assert mark is not None and mark.lat == panel.address_point.lat
    assert [(pin.number, pin.institution_id) for pin in panel.map.pins] == [
        (row.number, row.id) for row in placed
    ]
    # «Сбросить адрес»: back to the alphabetical list.
    with qtbot.waitSignal(panel.listLoaded, timeout=TIMEOUT_MS):
        panel.clear_address_button.click()
    assert panel.map.address_mark is None
    assert panel.count_text() == "Найдено учреждений: 6"


def test_unreadable_house_is_explained(panel: DirectoryPanel) -> None:
    panel.street_field.setText("Ленина")
    panel.house_field.setText("двенадцать")
    panel.find_nearest()  # checked at once, no database round trip
    assert panel.address_message.isVisible()
    assert "не распознан" in panel.address_message.text()
    assert panel.address_point is None


def test_missing_street_and_house_are_explained(panel: DirectoryPanel) -> None:
    panel.find_nearest()
    assert panel.address_message.text() == "Укажите улицу."
    panel.street_field.setText("Ленина")
    panel.find_nearest()
    assert panel.address_message.text() == "Укажите номер дома."


def test_unknown_street_is_explained(qtbot: QtBot, panel: DirectoryPanel) -> None:
    panel.street_field.setText("Несуществующая")
    panel.house_field.setText("1")
    panel.find_nearest()
    qtbot.waitUntil(lambda: panel.address_message.isVisible(), timeout=TIMEOUT_MS)
    assert "не найдена" in panel.address_message.text()
    assert panel.address_point is None
    assert panel.map.address_mark is None


# --- the map ----------------------------------------------------------------------------------


def test_pins_match_the_list_and_a_click_chooses(
    qtbot: QtBot, panel: DirectoryPanel
) -> None:
    rows = {row.id: row for row in panel.model.rows}
    pins = panel.map.pins
    assert pins
    for pin in pins:
        assert rows[pin.institution_id].number == pin.number
    target = pins[-1]
    point = panel.map.pin_position(target.institution_id)
    assert point is not None
    assert panel.map.rect().contains(point.toPoint())
    with qtbot.waitSignal(panel.institutionChosen, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(panel.map, Qt.MouseButton.LeftButton, pos=point.toPoint())
    assert blocker.args == [target.institution_id]
    current = panel.table.currentIndex().data(ROW_ID_ROLE)
    assert current == target.institution_id
    assert panel.map.popup.isVisible()
    assert target.name in panel.map.popup_label.text()
    # A row chosen in the list highlights its pin.
    first = panel.model.rows[0]
    panel.select_institution(first.id)
    assert panel.map.current_institution_id == first.id


def test_map_keyboard_and_card(
    qtbot: QtBot, panel: DirectoryPanel, regional: Regional
) -> None:
    panel.map.setFocus()
    chosen: list[int] = []
    panel.institutionChosen.connect(chosen.append)
    QTest.keyClick(panel.map, Qt.Key.Key_Right)
    assert chosen == [panel.map.pins[0].institution_id]
    QTest.keyClick(panel.map, Qt.Key.Key_Right)
    assert panel.map.current_institution_id == panel.map.pins[1].institution_id
    QTest.keyClick(panel.map, Qt.Key.Key_Left)
    assert panel.map.current_institution_id == panel.map.pins[0].institution_id
    panel.select_institution(regional.oklrc_id)
    assert panel.map.current_institution_id == regional.oklrc_id
    panel.map.setFocus()
    QTest.keyClick(panel.map, Qt.Key.Key_Return)
    card = panel.card
    assert card is not None
    qtbot.waitUntil(lambda: card.details is not None, timeout=TIMEOUT_MS)
    assert card.details is not None and card.details.id == regional.oklrc_id
    card.reject()


def test_enter_in_the_list_opens_the_card_and_booking_is_passed_on(
    qtbot: QtBot, panel: DirectoryPanel, regional: Regional
) -> None:
    assert panel.select_institution(regional.oklrc_id)
    panel.table.setFocus()
    QTest.keyClick(panel.table, Qt.Key.Key_Return)
    card = panel.card
    assert card is not None and card.isVisible()
    qtbot.waitUntil(lambda: card.details is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(card.time_model.rows), timeout=TIMEOUT_MS)
    with qtbot.waitSignal(panel.bookRequested, timeout=TIMEOUT_MS) as blocker:
        card.book_button.click()
    assert blocker.args == [regional.oklrc_id, 0]
    assert not card.isVisible()


def test_map_view_projection_scale_and_browser(qtbot: QtBot) -> None:
    opened: list[QUrl] = []
    view = MapView(open_url=opened.append)
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.set_settlement_name("Ханты-Мансийск")
    view.set_pins(
        [
            (1, 11, "Первая", 61.000, 69.000),
            MapPin(2, 12, "Вторая", 61.010, 69.020, "ул. Рознина, 73"),
        ]
    )
    view.set_address_mark(61.005, 69.010, "ул. Ленина, 12")
    view.show()
    qtbot.waitExposed(view, timeout=TIMEOUT_MS)
    points = [view.pin_position(11), view.pin_position(12), view.mark_position()]
    for point in points:
        assert point is not None
        assert 30 <= point.x() <= 370 and 30 <= point.y() <= 270
    first, second = points[0], points[1]
    assert first is not None and second is not None
    assert second.x() > first.x() and second.y() < first.y()  # east is right, north is up
    metres, pixels = view.scale_bar()
    assert metres in (100, 200, 500, 1000, 2000) and 0 < pixels < 400
    assert not view.grab().isNull()
    # Nothing chosen: the button shows the address; a pin chosen: the pin.
    view.osm_button.click()
    assert opened[-1] == osm_url(61.005, 69.010)
    view.set_current_institution(12)
    view.osm_button.click()
    assert opened[-1].toString().startswith(
        "https://www.openstreetmap.org/?mlat=61.01000&mlon=69.02000#map=17/61.01000/69.02000"
    )
    # Tab walks through the pins in number order, then leaves the map.
    view.set_current_institution(None)
    view.activateWindow()
    qtbot.waitActive(view, timeout=TIMEOUT_MS)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=TIMEOUT_MS)
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert view.current_institution_id == 11
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert view.current_institution_id == 12
    assert view.hasFocus()
    with qtbot.waitSignal(view.pinActivated, timeout=TIMEOUT_MS) as blocker:
        QTest.keyClick(view, Qt.Key.Key_Enter)
    assert blocker.args == [12]
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert not view.popup.isVisible()
    assert view.pin_at(view.rect().topLeft().toPointF()) is None
    QTest.keyClick(view, Qt.Key.Key_Tab)  # past the last pin: on to the button
    assert view.osm_button.hasFocus()


def test_scale_labels() -> None:
    assert nice_length(730) == 500
    assert nice_length(2600) == 2000
    assert nice_length(99) == 50
    assert scale_label(500) == "500 м"
    assert scale_label(2000) == "2 км"


# --- the card ---------------------------------------------------------------------------------


@pytest.fixture
def card(qtbot: QtBot, db_worker: DatabaseWorker, opened: list[QUrl]) -> InstitutionCard:
    """The card, not yet showing an institution."""
    dialog = InstitutionCard(db_worker, lambda: NOW, open_url=opened.append)
    qtbot.addWidget(dialog)
    return dialog


def test_card_shows_phones_hours_and_available_time(
    qtbot: QtBot, card: InstitutionCard, regional: Regional, opened: list[QUrl]
) -> None:
    with (
        qtbot.waitSignal(card.loaded, timeout=TIMEOUT_MS),
        qtbot.waitSignal(card.timesLoaded, timeout=TIMEOUT_MS),
    ):
        card.show_institution(regional.oklrc_id)
        card.open()
    assert card.title.text().startswith("БУ ХМАО-Югры")
    assert "Калинина" in card.address.text()
    assert card.phones.text() == "8-346-733-05-76, 8-346-733-01-48"
    assert card.hours.text() == "Пн. - Пт. с 08:00 до 17:00"
    assert card.department_model.rowCount() > 0
    days = card.time_model.rows
    assert [day.date for day in days] == [NOW.date(), NOW.date() + dt.timedelta(days=2)]
    assert card.time_model.index(0, 0).data() == "14 января, понедельник"
    assert card.time_model.index(0, 1).data() == "талонов: 5"
    assert card.time_model.index(0, 2).data().split() == list(SLOT_TIMES)
    card.map_button.click()
    assert opened and opened[-1].toString().startswith("https://www.openstreetmap.org/?mlat=")
    with qtbot.waitSignal(card.scheduleRequested, timeout=TIMEOUT_MS) as blocker:
        card.schedule_button.click()
    assert blocker.args == [regional.oklrc_id]


def test_card_times_for_a_doctor_and_booking(
    qtbot: QtBot, card: InstitutionCard, regional: Regional
) -> None:
    with qtbot.waitSignal(card.timesLoaded, timeout=TIMEOUT_MS):
        card.show_institution(regional.oklrc_id)
    other = [
        card.specialty_combo.itemData(i)
        for i in range(1, card.specialty_combo.count())
        if card.specialty_combo.itemData(i) != regional.specialty_id
    ]
    if other:
        with qtbot.waitSignal(card.timesLoaded, timeout=TIMEOUT_MS):
            assert card.choose_specialty(other[0])
        assert card.time_model.rows == ()
        assert card.times_status.text().startswith("Нет свободных талонов")
    with qtbot.waitSignal(card.timesLoaded, timeout=TIMEOUT_MS):
        assert card.choose_specialty(regional.specialty_id)
    qtbot.waitUntil(lambda: card.doctor_combo.count() > 1, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(card.timesLoaded, timeout=TIMEOUT_MS):
        assert card.choose_doctor(regional.doctor_id)
    assert sum(day.free_count for day in card.time_model.rows) == 8
    card.open()
    with qtbot.waitSignal(card.bookRequested, timeout=TIMEOUT_MS) as blocker:
        card.book_button.click()
    assert blocker.args == [regional.oklrc_id, regional.doctor_id]


def test_card_of_a_missing_institution(qtbot: QtBot, card: InstitutionCard) -> None:
    with qtbot.waitSignal(card.loaded, timeout=TIMEOUT_MS):
        card.show_institution(999_999)
    assert "не найдено" in card.status.text()
    assert not card.book_button.isEnabled()
    booked: list[tuple[int, int]] = []
    card.bookRequested.connect(lambda *args: booked.append(args))
    card.request_booking()
    assert booked == []


# --- «Поиск участка» --------------------------------------------------------------------------


class _FakeClient:
    def __init__(self, areas: tuple[PatientArea, ...] | BaseException) -> None:
        self._areas = areas
        self.calls: list[tuple[int, str]] = []

    def get_patients_areas(self, id_lpu: int, id_pat: str) -> tuple[PatientArea, ...]:
        self.calls.append((id_lpu, id_pat))
        if isinstance(self._areas, BaseException):
            raise self._areas
        return self._areas


class _FakeConnector:
    def __init__(self, client: _FakeClient) -> None:
        self.client = client

    def for_lpu(self, id_lpu: int | None = None) -> _FakeClient:
        return self.client


@pytest.fixture
def hub_worker(qtbot: QtBot, regional: Regional) -> Iterator[DatabaseWorker]:
    """The second worker thread hub calls run on."""
    worker = DatabaseWorker(regional.database, thread_name="directory-hub")
    yield worker
    worker.stop()


def _district_panel(
    qtbot: QtBot,
    worker: DatabaseWorker,
    regional: Regional,
    **kwargs: Any,
) -> DistrictSearchPanel:
    panel = DistrictSearchPanel(worker, **kwargs)
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.institutionsLoaded, timeout=TIMEOUT_MS):
        panel.set_settlement(regional.settlement_id)
    return panel


def _institution_of(regional: Regional, address: dict[str, str]) -> int:
    hub_id = int(address["institution_hub_id"])
    with regional.database.session() as session:
        found = session.scalar(select(Institution.id).where(Institution.hub_id == hub_id))
    assert found is not None
    return found


def test_district_search_finds_the_manuals_district(
    qtbot: QtBot, db_worker: DatabaseWorker, regional: Regional
) -> None:
    address = _demo_address()
    panel = _district_panel(qtbot, db_worker, regional)
    assert "Ханты-Мансийск" in panel.heading.text()
    assert panel.choose_institution(_institution_of(regional, address))
    panel.street_field.setText(address["street"])
    panel.house_field.setText(address["house"])
    with qtbot.waitSignal(panel.searched, timeout=TIMEOUT_MS):
        panel.find_button.click()
    text = panel.result_text()
    assert "Ваш участок: Участок №91, Терапевтический" in text
    assert "Ваш врач: Григорьева Татьяна Дмитриевна, врач-терапевт участковый" in text
    assert "Адрес:" in text
    assert not panel.input_error.isVisible()


def test_district_search_no_match_and_input_errors(
    qtbot: QtBot, db_worker: DatabaseWorker, regional: Regional
) -> None:
    address = _demo_address()
    panel = _district_panel(qtbot, db_worker, regional)
    panel.choose_institution(_institution_of(regional, address))
    panel.street_field.setText(address["street"])
    panel.house_field.setText("12 пыщ")
    panel.search()
    assert panel.input_error.isVisible()
    assert "не распознан" in panel.input_error.text()
    assert panel.result_text() == ""
    panel.street_field.setText("Несуществующая")
    panel.house_field.setText("1")
    with qtbot.waitSignal(panel.searched, timeout=TIMEOUT_MS):
        panel.search()
    assert not panel.input_error.isVisible()
    assert panel.result_text() == NO_MATCH_MESSAGE
    panel.street_field.clear()
    panel.search()
    assert panel.input_error.text() == "Укажите улицу."


def _patient_with_id_pat(regional: Regional, institution_id: int) -> int:
    with regional.database.session() as session:
        patient = Patient(
            last_name="Иванов",
            first_name="Иван",
            patronymic="Иванович",
            last_name_norm="ИВАНОВ",
            first_name_norm="ИВАН",
            search_name="ИВАНОВ ИВАН ИВАНОВИЧ",
            birth_date=dt.date(1980, 5, 1),
        )
        session.add(patient)
        session.flush()
        session.add(
            PatientLpuLink(
                patient_id=patient.id, institution_id=institution_id, hub_patient_id="PAT-7"
            )
        )
        return patient.id


def test_district_search_asks_the_mis_for_an_identified_patient(
    qtbot: QtBot, db_worker: DatabaseWorker, hub_worker: DatabaseWorker, regional: Regional
) -> None:
    address = _demo_address()
    institution_id = _institution_of(regional, address)
    patient_id = _patient_with_id_pat(regional, institution_id)
    client = _FakeClient((PatientArea("91", "Терапевтический"),))
    panel = _district_panel(
        qtbot,
        db_worker,
        regional,
        hub_worker=hub_worker,
        connector_factory=lambda: cast(HubConnector, _FakeConnector(client)),
    )
    panel.choose_institution(institution_id)
    with qtbot.waitSignal(panel.misAreasShown, timeout=TIMEOUT_MS):
        panel.set_patient(patient_id)
    assert panel.mis_label.text() == "По данным МИС ЛПУ: участок 91 (Терапевтический)"
    with regional.database.session() as session:
        hub_id = session.scalar(select(Institution.hub_id).where(Institution.id == institution_id))
    assert client.calls == [(hub_id, "PAT-7")]
    # No IdPat at another institution: nothing is asked, nothing shown.
    other = panel.institution_combo.findData(institution_id)
    panel.institution_combo.setCurrentIndex(0 if other != 0 else 1)
    qtbot.waitUntil(lambda: not panel.mis_label.isVisible(), timeout=TIMEOUT_MS)
    with qtbot.waitSignal(panel.misAreasShown, timeout=TIMEOUT_MS):
        panel.choose_institution(institution_id)
    panel.set_patient(None)
    assert not panel.mis_label.isVisible()


def test_mis_failure_is_a_note(
    qtbot: QtBot, db_worker: DatabaseWorker, hub_worker: DatabaseWorker, regional: Regional
) -> None:
    address = _demo_address()
    institution_id = _institution_of(regional, address)
    patient_id = _patient_with_id_pat(regional, institution_id)
    client = _FakeClient(HubUnavailable("http://mis.example", "connection refused", sent=False))
    panel = _district_panel(
        qtbot,
        db_worker,
        regional,
        hub_worker=hub_worker,
        connector_factory=lambda: cast(HubConnector, _FakeConnector(client)),
    )
    panel.choose_institution(institution_id)
    with qtbot.waitSignal(panel.misAreasShown, timeout=TIMEOUT_MS):
        panel.set_patient(patient_id)
    assert panel.mis_label.text().startswith("По данным МИС ЛПУ: сведения не получены")
    # The search itself is not blocked by the MIS.
    panel.street_field.setText(address["street"])
    panel.house_field.setText(address["house"])
    with qtbot.waitSignal(panel.searched, timeout=TIMEOUT_MS):
        panel.search()
    assert "Участок №91" in panel.result_text()


# --- the models -------------------------------------------------------------------------------


def test_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    institutions = InstitutionListModel()
    institutions.set_rows(
        [
            DirectoryRow(1, 1, "ОКБ", "Окружная больница", "ул. Калинина", "Больница", 61.0, 69.0),
            DirectoryRow(2, 2, "Пол.", "Поликлиника", "", "", None, None, 1234.0, "ОКБ", 1),
        ]
    )
    qtmodeltester.check(institutions, force_py=True)
    assert institutions.index(1, InstitutionListModel.DISTANCE).data() == "1,2 км"
    assert "↳" in institutions.index(1, InstitutionListModel.NAME).data()
    streets = StreetSuggestionModel()
    streets.set_rows([StreetRow(1, "Ленина", "улица", "ул. Ленина")])
    qtmodeltester.check(streets, force_py=True)
    departments = DepartmentListModel()
    departments.set_rows([DepartmentRow(1, 1, "Терапия", "ул. Мира, 1", 3, 1)])
    qtmodeltester.check(departments, force_py=True)
    times = AvailableTimeModel()
    times.set_rows([DayAvailability(dt.date(2015, 8, 10), 2, ("13:24", "13:56"))])
    qtmodeltester.check(times, force_py=True)
    assert times.index(0, 0).data() == "10 августа, понедельник"
    assert times.index(0, 1).data() == "талонов: 2"
    for model in (institutions, streets, departments, times):
        model.set_rows([])
        qtmodeltester.check(model, force_py=True)
