"""The schedule screens' models and views on a real SQLite database: the schedule tree, the
doctor's week, the «Запись на прием» dialog and the earliest-free grid.

The sample directory gets slots around a fixed ``NOW`` (Monday 2 March 2026, 10:00 local): a
past one, free and taken ones this week, next week and next month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds
from workstation.models import Doctor, Slot, SlotState, Specialty
from workstation.models.text import normalise_name
from workstation.services import schedule
from workstation.services.database import Database
from workstation.services.schedule import ScheduleFilter
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.doctor_week_model import SLOT_ID_ROLE, DoctorWeekModel, free_slot_color
from workstation.ui.doctor_week_view import DoctorWeekView
from workstation.ui.earliest_free_model import Column as EarliestColumn
from workstation.ui.earliest_free_model import EarliestFreeModel
from workstation.ui.earliest_free_view import EarliestFreeView, Scope
from workstation.ui.schedule_tree_model import (
    DOCTOR_ID_ROLE,
    NODE_KIND_ROLE,
    SPECIALTY_ID_ROLE,
    Column,
    NodeKind,
    ScheduleTreeModel,
)
from workstation.ui.slot_dialog import DaySlotsModel, SlotDialog

# Showing a widget on the offscreen platform warns that it cannot propagate size hints.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

TIMEOUT_MS = 5_000
NOW = dt.datetime(2026, 3, 2, 10, 0)
FETCHED = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
FREE, TAKEN, HELD = SlotState.FREE, SlotState.TAKEN, SlotState.HELD


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)


SLOTS: dict[str, list[tuple[dt.datetime, SlotState]]] = {
    "ivanova": [
        (at(2, 9), FREE),  # past: never offered
        (at(2, 11), TAKEN),
        (at(2, 11, 30), FREE),
        (at(3, 9), FREE),
        (at(3, 9, 30), TAKEN),
        (at(4, 9), HELD),
        (at(10, 9), FREE),  # next week
        (at(10, 9, 30), TAKEN),
        (at(1, 8, month=4), FREE),  # next month
    ],
    "elkin": [(at(5, 8), FREE), (at(5, 8, 30), FREE), (at(5, 9), FREE), (at(12, 9), FREE)],
    "petrov": [(at(6, 14), TAKEN)],  # nothing free: greyed in the tree
    "smirnova": [(at(3, 8), FREE)],
    "kuznetsova": [(at(2, 12), FREE), (at(2, 12, 15), TAKEN)],
}


class Schedule:
    """The sample ids and the ids of the slots added to them."""

    def __init__(self, ids: SampleIds, slots: dict[tuple[str, dt.datetime], int]) -> None:
        self.ids = ids
        self._slots = slots

    def slot(self, doctor: str, start: dt.datetime) -> int:
        return self._slots[(doctor, start)]

    def doctor(self, key: str) -> int:
        return self.ids.doctors[key]


@pytest.fixture
def data(sample_db: tuple[Database, SampleIds]) -> Schedule:
    """The sample directory, a therapist of «Поликлиника № 2» and the slots above."""
    database, ids = sample_db
    slots: dict[tuple[str, dt.datetime], int] = {}
    with database.session() as session:
        specialty = Specialty(
            institution_id=ids.institutions["polyclinic"], hub_id="27", name="Терапевт"
        )
        session.add(specialty)
        session.flush()
        ids.specialties["pol_therapist"] = specialty.id
        name = "Кузнецова Алёна Юрьевна"
        doctor = Doctor(
            institution_id=ids.institutions["polyclinic"],
            hub_id="doc-8",
            full_name=name,
            full_name_norm=normalise_name(name),
            specialty_id=specialty.id,
            department_id=ids.departments["pol_pediatrics"],
        )
        session.add(doctor)
        session.flush()
        ids.doctors["kuznetsova"] = doctor.id
        for key, entries in SLOTS.items():
            for number, (start, state) in enumerate(entries):
                slot = Slot(
                    doctor_id=ids.doctors[key],
                    hub_id=f"{key}-{number}",
                    start=start,
                    end=start + dt.timedelta(minutes=30),
                    room=f"каб. {number + 101}",
                    state=state,
                    fetched_at=FETCHED,
                )
                session.add(slot)
                session.flush()
                slots[(key, start)] = slot.id
    return Schedule(ids, slots)


@pytest.fixture
def sample_database(sample_db: tuple[Database, SampleIds]) -> Database:
    """The sample SQLite database."""
    return sample_db[0]


def now() -> dt.datetime:
    return NOW


# --- the models under the model tester ---------------------------------------------------------


def test_schedule_tree_model_passes_the_model_tester(
    qtmodeltester: ModelTester, sample_database: Database, data: Schedule
) -> None:
    okb = data.ids.institutions["okb"]
    with sample_database.session() as session:
        tree = schedule.schedule_tree(session, okb, NOW)
        only_therapy = schedule.schedule_tree(
            session, okb, NOW, ScheduleFilter(department="терапевт")
        )
    model = ScheduleTreeModel()
    model.set_tree(tree)
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    # The tester stays attached through a refresh (in place) and a new filter (a reset).
    model.set_tree(tree)
    model.set_tree(only_therapy)
    model.set_tree(None)
    model.set_tree(tree)


def test_schedule_tree_model_levels_roles_and_greyed_doctors(
    sample_database: Database, data: Schedule
) -> None:
    with sample_database.session() as session:
        tree = schedule.schedule_tree(session, data.ids.institutions["okb"], NOW)
    model = ScheduleTreeModel()
    model.set_tree(tree)
    assert model.headerData(Column.NAME, Qt.Orientation.Horizontal) == (
        "Отделение / специальность / врач"
    )
    assert model.headerData(Column.FREE, Qt.Orientation.Horizontal) == "Свободно"
    assert model.headerData(Column.NEAREST, Qt.Orientation.Horizontal) == "Ближайшее"
    departments = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert departments == ["Терапевтическое отделение", "Хирургическое отделение", "Без отделения"]

    ivanova = model.index_of_doctor(data.doctor("ivanova"))
    assert ivanova.data() == "Иванова Анна Петровна"
    assert ivanova.data(NODE_KIND_ROLE) == NodeKind.DOCTOR.value
    assert ivanova.data(DOCTOR_ID_ROLE) == data.doctor("ivanova")
    assert ivanova.data(SPECIALTY_ID_ROLE) == data.ids.specialties["okb_therapist"]
    assert ivanova.siblingAtColumn(Column.FREE).data() == "4"
    assert ivanova.siblingAtColumn(Column.NEAREST).data() == "02.03 11:30"
    assert ivanova.data(Qt.ItemDataRole.ForegroundRole) is None
    specialty = ivanova.parent()
    assert specialty.data() == "Терапевт"
    assert specialty.data(NODE_KIND_ROLE) == NodeKind.SPECIALTY.value
    assert specialty.data(DOCTOR_ID_ROLE) is None
    assert specialty.parent().data(NODE_KIND_ROLE) == NodeKind.DEPARTMENT.value

    petrov = model.index_of_doctor(data.doctor("petrov"))
    assert petrov.siblingAtColumn(Column.FREE).data() == "0"
    assert petrov.siblingAtColumn(Column.NEAREST).data() == "Нет свободных талонов"
    assert petrov.data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    assert not model.index_of_doctor(data.doctor("smirnova")).isValid()  # another institution


def test_schedule_tree_refresh_changes_counts_in_place(
    sample_database: Database, data: Schedule
) -> None:
    okb = data.ids.institutions["okb"]
    with sample_database.session() as session:
        tree = schedule.schedule_tree(session, okb, NOW)
        # A day later: Иванова's Monday and Tuesday times have passed.
        later = schedule.schedule_tree(session, okb, at(3, 10))
        therapy = schedule.schedule_tree(session, okb, NOW, ScheduleFilter(department="терапевт"))
    model = ScheduleTreeModel()
    model.set_tree(tree)
    resets: list[None] = []
    changes: list[QModelIndex] = []
    model.modelReset.connect(lambda: resets.append(None))
    model.dataChanged.connect(lambda top_left, *_: changes.append(top_left))
    ivanova = model.index_of_doctor(data.doctor("ivanova"))

    model.set_tree(later)
    assert not resets
    assert ivanova in changes
    assert ivanova.siblingAtColumn(Column.FREE).data() == "2"
    assert ivanova.siblingAtColumn(Column.NEAREST).data() == "10.03 09:00"
    assert model.index_of_doctor(data.doctor("ivanova")) == ivanova

    model.set_tree(therapy)
    assert len(resets) == 1
    assert model.index_of_doctor(data.doctor("ivanova")).data() == "Иванова Анна Петровна"
    assert not model.index_of_doctor(data.doctor("petrov")).isValid()


def test_doctor_week_model_passes_the_model_tester(
    qtmodeltester: ModelTester, sample_database: Database, data: Schedule
) -> None:
    with sample_database.session() as session:
        week = schedule.doctor_week(session, data.doctor("ivanova"), NOW.date(), NOW)
        next_week = schedule.doctor_week(session, data.doctor("ivanova"), at(9, 0).date(), NOW)
    model = DoctorWeekModel()
    model.set_week(week)
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    model.set_week(week)
    model.set_week(next_week)
    model.clear()


def test_doctor_week_model_cells(sample_database: Database, data: Schedule) -> None:
    with sample_database.session() as session:
        week = schedule.doctor_week(session, data.doctor("ivanova"), NOW.date(), NOW)
    model = DoctorWeekModel()
    model.set_week(week)
    assert model.columnCount() == 7
    headers = [model.headerData(day, Qt.Orientation.Horizontal) for day in range(7)]
    assert headers == ["пн, 2", "вт, 3", "ср, 4", "чт, 5", "пт, 6", "сб, 7", "вс, 8"]
    assert model.rowCount() == 2  # Monday and Tuesday have two times each
    monday_taken, monday_free = model.index(0, 0), model.index(1, 0)
    assert monday_taken.data() == "11:00"
    assert "Занято" in monday_taken.data(Qt.ItemDataRole.ToolTipRole)
    assert monday_taken.data(Qt.ItemDataRole.BackgroundRole) is None
    assert monday_taken.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert monday_free.data() == "11:30"
    tooltip = monday_free.data(Qt.ItemDataRole.ToolTipRole)
    assert "Свободно" in tooltip and "каб. 103" in tooltip
    background = monday_free.data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(background, QBrush) and background.color() == free_slot_color()
    assert monday_free.data(Qt.ItemDataRole.FontRole).bold()
    assert monday_free.data(SLOT_ID_ROLE) == data.slot("ivanova", at(2, 11, 30))
    assert model.first_free_index() == monday_free
    slot = model.slot_at(monday_free)
    assert slot is not None and slot.booking_prompt == "Записаться на 02 марта 11:30"
    # Wednesday has one (held) time; the cell below it is empty and cannot be chosen.
    assert model.slot_at(model.index(1, 2)) is None
    assert not model.flags(model.index(1, 2)) & Qt.ItemFlag.ItemIsEnabled
    assert model.flags(monday_taken) & Qt.ItemFlag.ItemIsSelectable


def test_day_slots_model_passes_the_model_tester(
    qtmodeltester: ModelTester, sample_database: Database, data: Schedule
) -> None:
    with sample_database.session() as session:
        day = schedule.doctor_day(session, data.doctor("ivanova"), at(3, 0).date(), NOW)
    model = DaySlotsModel()
    model.set_day(day)
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == [
        "09:00  Свободно",
        "09:30  Занято",
    ]
    assert not model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsEnabled  # taken: disabled
    assert model.first_free_index() == model.index(0, 0)


def test_earliest_free_model_passes_the_model_tester(
    qtmodeltester: ModelTester, sample_database: Database, data: Schedule
) -> None:
    specialty_ids = [data.ids.specialties["okb_therapist"], data.ids.specialties["pol_therapist"]]
    with sample_database.session() as session:
        rows = schedule.earliest_free_of(session, specialty_ids, NOW)
    model = EarliestFreeModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    headers = [
        model.headerData(column, Qt.Orientation.Horizontal) for column in range(model.columnCount())
    ]
    assert headers == ["Врач", "Учреждение", "1", "2", "3"]
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == [
        "Иванова Анна Петровна",
        "Кузнецова Алёна Юрьевна",
        "Ёлкин Пётр Семёнович",
    ]
    assert model.index(1, EarliestColumn.INSTITUTION).data() == "Поликлиника № 2"
    first = model.first_slot_index()
    assert first.data() == "02.03 11:30"
    assert first.data(SLOT_ID_ROLE) == data.slot("ivanova", at(2, 11, 30))
    # Kuznetsova has one free time: her other time cells are empty and disabled.
    assert model.slot_at(model.index(1, EarliestColumn.FIRST_SLOT + 1)) is None
    assert not model.flags(model.index(1, EarliestColumn.FIRST_SLOT + 1)) & (
        Qt.ItemFlag.ItemIsEnabled
    )
    model.set_rows(rows)
    model.set_rows(rows[:1])
    model.clear()


# --- DoctorWeekView ------------------------------------------------------------------------------


@pytest.fixture
def week_view(qtbot: QtBot, worker: DatabaseWorker) -> Iterator[DoctorWeekView]:
    view = DoctorWeekView(worker, now)
    qtbot.addWidget(view)
    view.show()
    yield view
    view.close()


def show_doctor(qtbot: QtBot, view: DoctorWeekView, doctor_id: int) -> None:
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT_MS):
        view.show_doctor(doctor_id)


def test_week_view_shows_the_current_week_on_the_first_free_time(
    qtbot: QtBot, week_view: DoctorWeekView, data: Schedule
) -> None:
    show_doctor(qtbot, week_view, data.doctor("ivanova"))
    assert week_view.week_label() == "02.03 - 08.03"
    assert week_view.nearest_text() == "Ближайшее доступное время приема: 02 марта 2026 11:30"
    slot = week_view.current_slot()
    assert slot is not None and slot.slot_id == data.slot("ivanova", at(2, 11, 30))


def test_week_view_page_down_and_up_switch_weeks(
    qtbot: QtBot, week_view: DoctorWeekView, data: Schedule
) -> None:
    show_doctor(qtbot, week_view, data.doctor("ivanova"))
    with qtbot.waitSignal(week_view.loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(week_view.table, Qt.Key.Key_PageDown)
    assert week_view.week_label() == "09.03 - 15.03"
    slot = week_view.current_slot()
    assert slot is not None and slot.slot_id == data.slot("ivanova", at(10, 9))
    with qtbot.waitSignal(week_view.loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(week_view.table, Qt.Key.Key_PageUp)
    assert week_view.week_label() == "02.03 - 08.03"


def test_week_view_enter_on_a_free_time_chooses_it_and_a_taken_one_explains(
    qtbot: QtBot, week_view: DoctorWeekView, data: Schedule
) -> None:
    show_doctor(qtbot, week_view, data.doctor("ivanova"))
    table = week_view.table
    qtbot.keyClick(table, Qt.Key.Key_Right)  # Monday 11:30 → Tuesday, second time (taken)
    slot = week_view.current_slot()
    assert slot is not None and slot.start == at(3, 9, 30)
    with qtbot.waitSignal(week_view.hint, timeout=TIMEOUT_MS) as hint:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert hint.args == ["Это время занято: выберите свободное (зелёное)."]

    qtbot.keyClick(table, Qt.Key.Key_Up)  # Tuesday 09:00, free
    with qtbot.waitSignal(week_view.slotChosen, timeout=TIMEOUT_MS) as chosen:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert chosen.args == [data.slot("ivanova", at(3, 9))]


def test_week_view_go_nearest_turns_to_the_week_of_the_nearest_free_time(
    qtbot: QtBot, week_view: DoctorWeekView, data: Schedule
) -> None:
    show_doctor(qtbot, week_view, data.doctor("elkin"))
    assert week_view.week_label() == "02.03 - 08.03"
    with qtbot.waitSignal(week_view.loaded, timeout=TIMEOUT_MS):
        week_view.show_week(at(16, 0).date())
    assert week_view.week_label() == "16.03 - 22.03"
    assert week_view.current_slot() is None  # nothing that week
    with qtbot.waitSignal(week_view.loaded, timeout=TIMEOUT_MS):
        week_view.go_nearest()
    assert week_view.week_label() == "02.03 - 08.03"
    slot = week_view.current_slot()
    assert slot is not None and slot.slot_id == data.slot("elkin", at(5, 8))


def test_week_view_drops_the_week_of_a_doctor_left_meanwhile(
    qtbot: QtBot, week_view: DoctorWeekView, data: Schedule
) -> None:
    weeks: list[int] = []

    def loaded() -> None:
        assert week_view.week is not None
        weeks.append(week_view.week.doctor.id)

    week_view.loaded.connect(loaded)
    week_view.show_doctor(data.doctor("ivanova"))
    with qtbot.waitSignal(week_view.loaded, timeout=TIMEOUT_MS):
        week_view.show_doctor(data.doctor("elkin"))
    qtbot.waitUntil(lambda: not week_view.is_loading, timeout=TIMEOUT_MS)
    assert weeks == [data.doctor("elkin")]


def test_week_view_pick_date_opens_the_dialog_and_its_choice_is_the_views(
    qtbot: QtBot, week_view: DoctorWeekView, data: Schedule
) -> None:
    show_doctor(qtbot, week_view, data.doctor("ivanova"))
    dialog = week_view.open_slot_dialog()
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.current_slot() is not None, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(week_view.slotChosen, timeout=TIMEOUT_MS) as chosen:
        qtbot.keyClick(dialog.times_view, Qt.Key.Key_Return)
    assert chosen.args == [data.slot("ivanova", at(2, 11, 30))]


# --- SlotDialog ----------------------------------------------------------------------------------


@pytest.fixture
def dialog(qtbot: QtBot, worker: DatabaseWorker, data: Schedule) -> Iterator[SlotDialog]:
    """The dialog for Иванова, its first month and day loaded."""
    slot_dialog = SlotDialog(worker, now, data.doctor("ivanova"))
    qtbot.addWidget(slot_dialog)
    with qtbot.waitSignal(slot_dialog.dayLoaded, timeout=TIMEOUT_MS):
        slot_dialog.show()
    yield slot_dialog
    slot_dialog.close()


def test_dialog_highlights_the_services_free_dates(
    qtbot: QtBot, dialog: SlotDialog, sample_database: Database, data: Schedule
) -> None:
    with sample_database.session() as session:
        march = schedule.doctor_month(session, data.doctor("ivanova"), NOW.date(), NOW)
        april = schedule.doctor_month(session, data.doctor("ivanova"), at(1, 0, month=4), NOW)
    assert dialog.windowTitle() == "Запись на прием"
    assert dialog.header_text() == "Иванова Анна Петровна, Терапевт"
    assert dialog.month_title() == "Март 2026"
    assert dialog.highlighted_dates() == march.free_dates
    assert march.free_dates == {at(2, 0).date(), at(3, 0).date(), at(10, 0).date()}
    green = dialog.calendar.dateTextFormat(QDate(2026, 3, 3)).background().color()
    assert green == free_slot_color()

    with qtbot.waitSignal(dialog.monthLoaded, timeout=TIMEOUT_MS):
        dialog.calendar.showNextMonth()
    assert dialog.month_title() == "Апрель 2026"
    assert dialog.highlighted_dates() == april.free_dates == {at(1, 0, month=4).date()}


def test_dialog_lists_the_first_free_date_and_asks_to_confirm(dialog: SlotDialog) -> None:
    assert dialog.day_title() == "02 марта 2026. Выберите время:"
    model = dialog.times_model
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == [
        "11:00  Занято",
        "11:30  Свободно",
    ]
    assert dialog.prompt_text() == "Записаться на 02 марта 11:30"


def test_dialog_choosing_a_date_and_enter_confirms_the_time(
    qtbot: QtBot, dialog: SlotDialog, data: Schedule
) -> None:
    with qtbot.waitSignal(dialog.dayLoaded, timeout=TIMEOUT_MS):
        dialog.select_date(at(3, 0).date())
    assert dialog.day_title() == "03 марта 2026. Выберите время:"
    assert dialog.prompt_text() == "Записаться на 03 марта 09:00"
    with qtbot.waitSignal(dialog.slotConfirmed, timeout=TIMEOUT_MS) as confirmed:
        qtbot.keyClick(dialog.times_view, Qt.Key.Key_Enter)
    assert confirmed.args == [data.slot("ivanova", at(3, 9))]
    assert dialog.chosen_slot_id() == data.slot("ivanova", at(3, 9))
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_dialog_escape_closes_without_a_choice(qtbot: QtBot, dialog: SlotDialog) -> None:
    confirmed: list[int] = []
    dialog.slotConfirmed.connect(confirmed.append)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.chosen_slot_id() is None
    assert not confirmed


# --- EarliestFreeView ----------------------------------------------------------------------------


@pytest.fixture
def earliest_view(qtbot: QtBot, worker: DatabaseWorker) -> Iterator[EarliestFreeView]:
    view = EarliestFreeView(worker, now)
    qtbot.addWidget(view)
    view.show()
    yield view
    view.close()


def test_earliest_view_arrows_and_enter_choose_a_slot(
    qtbot: QtBot, earliest_view: EarliestFreeView, data: Schedule
) -> None:
    with qtbot.waitSignal(earliest_view.loaded, timeout=TIMEOUT_MS):
        earliest_view.show_specialty(
            data.ids.specialties["okb_therapist"], institution_id=data.ids.institutions["okb"]
        )
    assert earliest_view.title_text() == "Ближайшие свободные: Терапевт"
    assert earliest_view.model.rowCount() == 2  # Иванова, Ёлкин
    assert earliest_view.table.isColumnHidden(EarliestColumn.INSTITUTION)
    slot = earliest_view.current_slot()
    assert slot is not None and slot.slot_id == data.slot("ivanova", at(2, 11, 30))

    table = earliest_view.table
    qtbot.keyClick(table, Qt.Key.Key_Down)  # Ёлкин, 05.03 08:00
    qtbot.keyClick(table, Qt.Key.Key_Right)  # Ёлкин, 05.03 08:30
    assert table.currentIndex().data() == "05.03 08:30"
    with qtbot.waitSignal(earliest_view.slotChosen, timeout=TIMEOUT_MS) as chosen:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert chosen.args == [data.slot("elkin", at(5, 8, 30))]


def test_earliest_view_toggles_to_the_whole_settlement(
    qtbot: QtBot, earliest_view: EarliestFreeView, data: Schedule
) -> None:
    with qtbot.waitSignal(earliest_view.loaded, timeout=TIMEOUT_MS):
        earliest_view.show_specialty(
            data.ids.specialties["okb_therapist"],
            institution_id=data.ids.institutions["okb"],
            settlement_id=data.ids.settlements["khm"],
        )
    assert earliest_view.scope is Scope.INSTITUTION
    with qtbot.waitSignal(earliest_view.loaded, timeout=TIMEOUT_MS):
        earliest_view.set_scope(Scope.SETTLEMENT)
    model = earliest_view.model
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == [
        "Иванова Анна Петровна",
        "Кузнецова Алёна Юрьевна",
        "Ёлкин Пётр Семёнович",
    ]
    assert not earliest_view.table.isColumnHidden(EarliestColumn.INSTITUTION)
    qtbot.keyClick(earliest_view.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(earliest_view.slotChosen, timeout=TIMEOUT_MS) as chosen:
        qtbot.keyClick(earliest_view.table, Qt.Key.Key_Enter)
    assert chosen.args == [data.slot("kuznetsova", at(2, 12))]


def test_earliest_view_says_when_nothing_is_free(
    qtbot: QtBot, earliest_view: EarliestFreeView, data: Schedule
) -> None:
    with qtbot.waitSignal(earliest_view.loaded, timeout=TIMEOUT_MS):
        earliest_view.show_specialty(
            data.ids.specialties["okb_surgeon"], institution_id=data.ids.institutions["okb"]
        )
    assert earliest_view.model.rowCount() == 0
    assert earliest_view.status_text() == "Нет свободных талонов"
    assert earliest_view.title_text() == "Ближайшие свободные: Хирург"


def test_dialog_keyboard_goes_from_the_calendar_to_the_times(
    qtbot: QtBot, dialog: SlotDialog, data: Schedule
) -> None:
    dialog.activateWindow()
    qtbot.waitActive(dialog, timeout=TIMEOUT_MS)
    dialog.calendar.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.times_view.hasFocus()

    dialog.calendar.setFocus()
    with qtbot.waitSignal(dialog.dayLoaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)  # 2 → 3 March
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # the date: on to its times
    assert dialog.times_view.hasFocus()
    with qtbot.waitSignal(dialog.slotConfirmed, timeout=TIMEOUT_MS) as confirmed:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert confirmed.args == [data.slot("ivanova", at(3, 9))]
