"""The ПАЦИЕНТ column: smart search (Enter chooses), the five identification ways, saving."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from workstation.models import JournalEvent, Patient
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.patient_registry import (
    CONSENT_GIVEN,
    PATIENT_REGISTERED,
    FormField,
    IdentificationWay,
)
from workstation.services.patient_search import MatchedField, PatientHit
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.patient_panel import (
    HIT_ROLE,
    PATIENT_ID_ROLE,
    PatientHitsModel,
    PatientPanel,
)

# The offscreen platform cannot size or raise top-level windows; that is not the panel's doing.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

TIMEOUT_MS = 5_000
ACTOR = Actor(operator="petrova", workstation="desk-1 (10.0.0.1)")
F = FormField
W = IdentificationWay

ANNA = {
    "last": "Иванова",
    "first": "Анна",
    "patronymic": "Петровна",
    "birth": dt.date(1980, 5, 12),
    "snils": "11223344595",
    "oms_number": "8600000000000015",
}
ALLA = {
    "last": "Иванова",
    "first": "Алла",
    "patronymic": "Петровна",
    "birth": dt.date(1981, 6, 1),
    "snils": "08765430300",
    "oms_number": "8601234567890125",
}


def _add(database: Database, person: dict[str, object]) -> int:
    birth = person["birth"]
    assert isinstance(birth, dt.date)
    patient = Patient(
        birth_date=birth,
        snils=person["snils"],
        oms_number=person["oms_number"],
        oms_kind="unified",
        phone="+79123456789",
    )
    patient.set_name(str(person["last"]), str(person["first"]), str(person["patronymic"]))
    with database.session() as session:
        session.add(patient)
        session.flush()
        return patient.id


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A migrated SQLite file with the two patients, made once and copied for each test."""
    path = tmp_path_factory.mktemp("patient_panel") / "template.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    ids = {"anna": _add(database, ANNA), "alla": _add(database, ALLA)}
    database.dispose()
    return path, ids


@pytest.fixture
def database(template: tuple[Path, dict[str, int]], tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "workstation.sqlite3"
    shutil.copyfile(template[0], path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def ids(template: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return template[1]


@pytest.fixture
def worker(qtbot: QtBot, database: Database) -> Iterator[DatabaseWorker]:
    database_worker = DatabaseWorker(database)
    yield database_worker
    database_worker.stop()


@pytest.fixture
def panel(
    qtbot: QtBot, database: Database, worker: DatabaseWorker, ids: dict[str, int]
) -> Iterator[PatientPanel]:
    widget = PatientPanel(worker, database, actor=ACTOR, debounce_ms=20)
    qtbot.addWidget(widget)
    widget.resize(380, 720)
    widget.show()
    qtbot.waitExposed(widget, timeout=TIMEOUT_MS)
    yield widget
    worker.stop()  # before the widget goes: late results are dropped


def _search(qtbot: QtBot, panel: PatientPanel, text: str) -> None:
    """Put ``text`` in the search box (setText: Cyrillic keyClicks abort) and await the results."""
    with qtbot.waitSignal(panel.searchFinished, timeout=TIMEOUT_MS):
        panel.search_field.setText(text)


def _rows(panel: PatientPanel) -> list[int]:
    model = panel.results_model
    return [model.index(row, 0).data(PATIENT_ID_ROLE) for row in range(model.rowCount())]


def _press(widget: object, key: Qt.Key) -> None:
    QTest.keyClick(widget, key)  # type: ignore[call-overload]


# --------------------------------------------------------------------------------------------
# Search


@pytest.mark.parametrize(
    "text",
    ["112-233-445 95", "8600 0000 0000 0015", "Иванова Анна Петровна 12.05.1980", "ИВАНОВА АН"],
    ids=["snils", "enp", "name-and-birth-date", "surname-and-initial"],
)
def test_search_finds_the_patient_masked_and_enter_chooses(
    qtbot: QtBot, panel: PatientPanel, ids: dict[str, int], text: str
) -> None:
    _search(qtbot, panel, text)
    assert _rows(panel)[0] == ids["anna"]
    shown = panel.results_model.index(0, 0).data()
    assert shown.startswith("Иванова Анна Петровна\n12.05.1980 · ")
    tooltip = panel.results_model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    for full in ("11223344595", "112-233-445", "8600000000000015", "+79123456789", "345-67"):
        assert full not in shown + tooltip
    assert panel.results_view.isVisible()

    with qtbot.waitSignal(panel.patientChosen, timeout=TIMEOUT_MS) as chosen:
        _press(panel.search_field, Qt.Key.Key_Return)
    assert chosen.args == [ids["anna"]]
    assert panel.patient_id == ids["anna"]
    assert panel.patient_label.text() == "Выбран: Иванова Анна Петровна, 12.05.1980"
    # The form then shows the chosen patient's full values (only there).
    qtbot.waitUntil(
        lambda: panel.line_edit(F.DOCUMENT).text() == "112-233-445 95", timeout=TIMEOUT_MS
    )
    assert panel.way is W.SNILS
    assert panel.line_edit(F.PHONE).text() == "+7 912 345-67-89"


def test_enter_typed_before_the_results_chooses_when_they_come(
    qtbot: QtBot, panel: PatientPanel, ids: dict[str, int]
) -> None:
    with qtbot.waitSignal(panel.patientChosen, timeout=TIMEOUT_MS) as chosen:
        QTest.keyClicks(panel.search_field, "08765430300")
        _press(panel.search_field, Qt.Key.Key_Return)
    assert chosen.args == [ids["alla"]]


def test_arrows_move_through_the_ranked_hits_and_esc_clears_the_search(
    qtbot: QtBot, panel: PatientPanel, ids: dict[str, int]
) -> None:
    _search(qtbot, panel, "иванова")
    assert _rows(panel) == [ids["alla"], ids["anna"]]  # ranked: first name, then birth date
    assert panel.results_view.currentIndex().row() == 0
    _press(panel.search_field, Qt.Key.Key_Down)
    _press(panel.search_field, Qt.Key.Key_Down)  # stays on the last row
    assert panel.results_view.currentIndex().row() == 1
    with qtbot.waitSignal(panel.patientChosen, timeout=TIMEOUT_MS) as chosen:
        _press(panel.search_field, Qt.Key.Key_Enter)
    assert chosen.args == [ids["anna"]]
    _press(panel.search_field, Qt.Key.Key_Up)
    assert panel.results_view.currentIndex().row() == 0

    _press(panel.search_field, Qt.Key.Key_Escape)
    assert panel.search_field.text() == ""
    assert panel.results_model.rowCount() == 0
    assert not panel.results_view.isVisible()


def test_results_of_an_older_text_are_dropped(
    qtbot: QtBot, panel: PatientPanel, ids: dict[str, int]
) -> None:
    finished: list[list[int]] = []
    panel.searchFinished.connect(lambda: finished.append(_rows(panel)))
    panel.search_field.setText("112-233-445 95")
    panel.search_now()  # in flight now
    with qtbot.waitSignal(panel.searchFinished, timeout=TIMEOUT_MS):
        panel.search_field.setText("087-654-303 00")
    qtbot.wait(100)
    assert finished == [[ids["alla"]]]


def test_a_number_failing_its_check_is_explained_and_a_hint_says_what_to_type(
    qtbot: QtBot, panel: PatientPanel
) -> None:
    _search(qtbot, panel, "112-233-445 96")
    assert panel.search_status.text() == (
        "Неверное контрольное число СНИЛС: проверьте номер по документу."
    )
    _search(qtbot, panel, "И")
    assert panel.search_status.text() == "Введите не менее двух первых букв фамилии."
    assert panel.results_model.rowCount() == 0


def test_f2_focuses_the_search_box(qtbot: QtBot, panel: PatientPanel) -> None:
    assert panel.focus_search_action.shortcut() == QKeySequence(Qt.Key.Key_F2)
    assert panel.focus_search_action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    panel.activateWindow()
    panel.line_edit(F.PHONE).setFocus()
    panel.search_field.setText("12345")
    panel.focus_search_action.trigger()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.search_field, timeout=TIMEOUT_MS)
    assert panel.search_field.selectedText() == "12345"


# --------------------------------------------------------------------------------------------
# The form


NAMES = (F.LAST_NAME, F.FIRST_NAME, F.PATRONYMIC)
CONTACTS = (F.PHONE, F.EMAIL, F.CONSENT)


@pytest.mark.parametrize(
    ("way", "shown", "required"),
    [
        (W.NO_DOCUMENT, {*NAMES, F.BIRTH_DATE, *CONTACTS}, {*NAMES, F.BIRTH_DATE, F.CONSENT}),
        (W.OMS, {F.DOCUMENT, F.BIRTH_DATE, *CONTACTS}, {F.DOCUMENT, F.BIRTH_DATE, F.CONSENT}),
        (W.SNILS, {F.DOCUMENT, *CONTACTS}, {F.DOCUMENT, F.CONSENT}),
        (W.PASSPORT, {F.DOCUMENT, *CONTACTS}, {F.DOCUMENT, F.CONSENT}),
        (
            W.DMS,
            {F.DOCUMENT, F.DMS_INSURER, F.BIRTH_DATE, *CONTACTS},
            {F.DOCUMENT, F.BIRTH_DATE, F.CONSENT},
        ),
    ],
)
def test_each_way_shows_its_fields_and_says_what_is_missing(
    panel: PatientPanel,
    way: IdentificationWay,
    shown: set[FormField],
    required: set[FormField],
) -> None:
    panel.way_combo.setCurrentIndex(panel.way_combo.findText(way.label))
    assert panel.way is way
    assert {field for field in FormField if panel.is_field_shown(field)} == shown
    for field in FormField:
        assert panel.editor(field).isVisibleTo(panel) == (field in shown)

    assert not panel.submit()
    errors = panel.shown_errors()
    assert set(errors) == required
    assert errors[F.CONSENT] == (
        "Без согласия на обработку персональных данных запись на прием невозможна: "
        "отметьте согласие пациента."
    )
    if F.BIRTH_DATE in required:
        assert errors[F.BIRTH_DATE] == "Поле «Дата рождения» обязательно для заполнения."
    if way is W.NO_DOCUMENT:
        assert errors[F.PATRONYMIC] == "Поле «Отчество» обязательно для заполнения."
    if way is W.PASSPORT:
        assert errors[F.DOCUMENT].startswith("Введите серию и номер паспорта")
    assert panel.form_status.text() == "Исправьте отмеченные поля."


def test_a_landline_is_refused_on_leaving_the_field_and_the_message_goes_when_fixed(
    qtbot: QtBot, panel: PatientPanel
) -> None:
    panel.activateWindow()
    phone = panel.line_edit(F.PHONE)
    phone.setFocus()
    qtbot.waitUntil(phone.hasFocus, timeout=TIMEOUT_MS)
    QTest.keyClicks(phone, "8 3467 33-33-33")
    assert panel.error_text(F.PHONE) == ""  # not while typing
    _press(phone, Qt.Key.Key_Tab)  # leave the field
    qtbot.waitUntil(lambda: panel.error_text(F.PHONE) != "", timeout=TIMEOUT_MS)
    assert panel.error_text(F.PHONE) == (
        "Это городской номер, а нужен номер мобильного телефона (+7 9XX …): "
        "на него придет СМС с кодом подтверждения записи."
    )
    assert panel.editor(F.PHONE).property("invalid") is True

    # Leaving an empty field does not nag; a wrong date does get its message.
    birth = panel.line_edit(F.BIRTH_DATE)
    birth.setFocus()
    _press(birth, Qt.Key.Key_Tab)
    assert panel.error_text(F.BIRTH_DATE) == ""
    birth.setText("31.02.1980")
    assert "не существует" in panel.check_field(F.BIRTH_DATE)

    phone.selectAll()
    QTest.keyClicks(phone, "89123456789")
    assert panel.error_text(F.PHONE) == ""


def test_saving_a_new_patient_asks_for_the_name_requires_consent_and_journals_it(
    qtbot: QtBot, panel: PatientPanel, database: Database
) -> None:
    panel.set_way(W.SNILS)
    panel.line_edit(F.DOCUMENT).setText("123-456-789 64")
    panel.line_edit(F.PHONE).setText("8 922 111-22-33")
    _press(panel.line_edit(F.PHONE), Qt.Key.Key_Return)
    assert panel.error_text(F.CONSENT).startswith("Без согласия на обработку")
    assert not panel.is_saving

    consent = panel.editor(F.CONSENT)
    consent.setFocus()
    _press(consent, Qt.Key.Key_Space)
    assert panel.error_text(F.CONSENT) == ""
    # The СНИЛС is new to the registry: the name and the birth date are asked for.
    _press(consent, Qt.Key.Key_Return)
    assert panel.is_saving
    qtbot.waitUntil(lambda: not panel.is_saving, timeout=TIMEOUT_MS)
    assert panel.is_field_shown(F.LAST_NAME)
    assert set(panel.shown_errors()) == {F.LAST_NAME, F.FIRST_NAME, F.BIRTH_DATE}
    assert panel.error_text(F.LAST_NAME) == (
        "Пациента с этим документом нет в регистре: для нового пациента заполните поле «Фамилия»."
    )

    panel.line_edit(F.LAST_NAME).setText("Орлова")
    panel.line_edit(F.FIRST_NAME).setText("Вера")
    panel.line_edit(F.BIRTH_DATE).setText("02022002")
    with qtbot.waitSignal(panel.patientChosen, timeout=TIMEOUT_MS) as chosen:
        _press(panel.line_edit(F.BIRTH_DATE), Qt.Key.Key_Return)
    (patient_id,) = chosen.args
    assert panel.patient_id == patient_id
    assert panel.patient_label.text() == "Выбран: Орлова Вера, 02.02.2002"
    assert panel.form_status.text() == "Данные пациента сохранены, пациент выбран."

    with database.session() as session:
        patient = session.get_one(Patient, patient_id)
        assert (patient.snils, patient.phone) == ("12345678964", "+79221112233")
        assert patient.consent_given_at is not None
        events = session.scalars(select(JournalEvent).order_by(JournalEvent.id)).all()
        journal = [(e.action, e.details, e.patient_id, e.operator) for e in events]
    assert journal == [
        (
            PATIENT_REGISTERED,
            "СНИЛС ***-***-789 64, телефон +7 922 ***-**-33",
            patient_id,
            "petrova",
        ),
        (CONSENT_GIVEN, "дано", patient_id, "petrova"),
    ]

    # Saving the same document again chooses the same patient.
    with qtbot.waitSignal(panel.patientChosen, timeout=TIMEOUT_MS) as again:
        panel.submit()
    assert again.args == [patient_id]


def test_when_nobody_is_found_enter_carries_the_query_into_the_form(
    qtbot: QtBot, panel: PatientPanel
) -> None:
    _search(qtbot, panel, "123-456-789 64")
    assert panel.results_model.rowCount() == 0
    assert panel.search_status.text().startswith("В регистре никого не нашлось")
    _press(panel.search_field, Qt.Key.Key_Return)
    assert panel.way is W.SNILS
    assert panel.line_edit(F.DOCUMENT).text() == "12345678964"

    _search(qtbot, panel, "петров пётр 01.02.1990")
    _press(panel.search_field, Qt.Key.Key_Return)
    assert panel.way is W.NO_DOCUMENT
    texts = [panel.line_edit(field).text() for field in (*NAMES, F.BIRTH_DATE)]
    assert texts == ["Петров", "Пётр", "", "01.02.1990"]


def test_clear_forgets_everything_for_a_new_call(
    qtbot: QtBot, panel: PatientPanel, ids: dict[str, int]
) -> None:
    _search(qtbot, panel, "08765430300")
    with qtbot.waitSignal(panel.patientChosen, timeout=TIMEOUT_MS):
        _press(panel.search_field, Qt.Key.Key_Return)
    panel.line_edit(F.EMAIL).setText("x@")
    panel.check_field(F.EMAIL)
    with qtbot.waitSignal(panel.cleared, timeout=TIMEOUT_MS):
        panel.clear()
    assert panel.patient_id is None
    assert panel.search_field.text() == ""
    assert panel.results_model.rowCount() == 0
    assert panel.shown_errors() == {}
    assert panel.way is W.OMS
    assert all(panel.line_edit(f).text() == "" for f in FormField if f is not F.CONSENT)
    assert not panel.patient_label.isVisible()
    qtbot.wait(100)  # the form load of the patient chosen before is dropped
    assert panel.line_edit(F.DOCUMENT).text() == ""


# --------------------------------------------------------------------------------------------
# The results model


def _hit(number: int) -> PatientHit:
    return PatientHit(
        patient_id=number,
        full_name=f"Иванова Анна {number}",
        birth_date=dt.date(1980, 5, number),
        snils="***-***-445 95",
        oms=None,
        oms_kind=None,
        passport="45 ** ***482",
        dms=None,
        phone="+7 912 ***-**-89",
        matched=MatchedField.PASSPORT,
        exact=number == 1,
    )


def test_the_results_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = PatientHitsModel()
    qtmodeltester.check(model)
    model.set_hits([_hit(1), _hit(2), _hit(3)])
    qtmodeltester.check(model)
    assert model.index(1, 0).data() == "Иванова Анна 2\n02.05.1980 · паспорт 45 ** ***482"
    assert model.index(1, 0).data(HIT_ROLE) == _hit(2)
    assert (
        model.index(1, 0)
        .data(Qt.ItemDataRole.ToolTipRole)
        .endswith("Найдено по: паспорт (начало фамилии)")
    )
    model.set_hits([_hit(4)])
    model.clear()
    qtmodeltester.check(model)
    assert model.rowCount() == 0
