"""The patients' kiosk: start page, injected sign-in and cabinet pages, idle sign-out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.helpers.sample_data import SampleIds
from workstation.cli import main
from workstation.services.database import Database
from workstation.services.feedback import FeedbackField
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.kiosk_window import MIN_TARGET_PX, KioskPage, KioskWindow

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

TIMEOUT_MS = 10_000


class FakeSignIn(QWidget):
    """Stands in for another engineer's KioskSignIn: a real widget with its signal and reset."""

    signedIn = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.resets = 0
        QVBoxLayout(self).addWidget(QLabel("Введите СНИЛС и пароль", self))

    def reset(self) -> None:
        self.resets += 1


class FakeCabinet(QWidget):
    """Stands in for PatientCabinet: records the patients it is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.patients: list[int | None] = []

    def set_patient(self, patient_id: int | None) -> None:
        self.patients.append(patient_id)


@pytest.fixture
def database(sample_db: tuple[Database, SampleIds]) -> Database:
    return sample_db[0]


@pytest.fixture
def make_window(qtbot: QtBot, database: Database) -> Iterator[Callable[..., KioskWindow]]:
    windows: list[KioskWindow] = []

    def make(**options: object) -> KioskWindow:
        window = KioskWindow(database, **options)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.resize(1280, 1024)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def test_the_start_page_has_the_five_large_buttons(make_window: Callable[..., KioskWindow]) -> None:
    window = make_window()
    assert window.current_page is KioskPage.START
    texts = {
        page: window.start_button(page).text()
        for page in (KioskPage.SIGN_IN, KioskPage.FEEDBACK, KioskPage.FAQ, KioskPage.HOTLINE,
                     KioskPage.PUBLIC)
    }
    assert texts == {
        KioskPage.SIGN_IN: "Вход в личный кабинет",
        KioskPage.FEEDBACK: "Обратная связь",
        KioskPage.FAQ: "Вопросы и ответы",
        KioskPage.HOTLINE: "Горячая линия",
        KioskPage.PUBLIC: "Информация для населения",
    }
    for page in texts:
        button = window.start_button(page)
        assert button.isVisible()
        assert button.height() >= MIN_TARGET_PX and button.width() >= MIN_TARGET_PX
    assert not window.home_button.isVisible()
    assert window.start_button(KioskPage.FAQ).font().pointSizeF() >= 16  # large, for a kiosk


@pytest.mark.parametrize(
    ("page", "key", "text"),
    [
        (KioskPage.FAQ, "faq", "Для чего мне нужен Личный кабинет пациента?"),
        (KioskPage.HOTLINE, "hotline", "8-800-100-86-03"),
        (KioskPage.PUBLIC, "public", "Как отменить запись"),
    ],
)
def test_the_information_buttons_show_their_pages(
    qtbot: QtBot, make_window: Callable[..., KioskWindow], page: KioskPage, key: str, text: str
) -> None:
    window = make_window()
    qtbot.mouseClick(window.start_button(page), Qt.MouseButton.LeftButton)
    assert window.current_page is page
    assert window.stack.currentWidget() is window.info_widget
    assert window.info_widget.current_key == key
    assert text in window.info_widget.browser.toPlainText()
    assert window.home_button.isVisible()
    qtbot.mouseClick(window.home_button, Qt.MouseButton.LeftButton)
    assert window.current_page is KioskPage.START


def test_the_feedback_button_opens_a_working_form(
    qtbot: QtBot, make_window: Callable[..., KioskWindow]
) -> None:
    window = make_window()
    qtbot.mouseClick(window.start_button(KioskPage.FEEDBACK), Qt.MouseButton.LeftButton)
    form = window.feedback_form
    assert window.current_page is KioskPage.FEEDBACK
    assert form.isVisible()
    form.line_edit(FeedbackField.LAST_NAME).setText("Иванов")
    form.line_edit(FeedbackField.FIRST_NAME).setText("Иван")
    form.line_edit(FeedbackField.PHONE).setText("+7 912 345-67-89")
    form.question_edit.setPlainText("Как записаться к врачу?")
    assert form.submit_button.height() >= MIN_TARGET_PX
    assert form.line_edit(FeedbackField.PHONE).height() >= MIN_TARGET_PX
    with qtbot.waitSignal(form.submitted, timeout=TIMEOUT_MS):
        qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert "принято" in form.status_label.text()


def test_without_factories_the_pages_say_the_function_is_not_available(
    qtbot: QtBot, make_window: Callable[..., KioskWindow]
) -> None:
    window = make_window()
    assert window.sign_in_widget is None and window.cabinet_widget is None
    qtbot.mouseClick(window.start_button(KioskPage.SIGN_IN), Qt.MouseButton.LeftButton)
    placeholder = window.stack.currentWidget()
    assert isinstance(placeholder, QLabel)
    assert "временно недоступен" in placeholder.text()


def test_a_failing_factory_gives_a_placeholder(
    make_window: Callable[..., KioskWindow], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_parent: QWidget) -> QWidget:
        raise RuntimeError("no hub")

    window = make_window(sign_in_factory=broken, cabinet_factory=broken)
    assert window.sign_in_widget is None and window.cabinet_widget is None
    assert "could not be built" in caplog.text
    window.go(KioskPage.SIGN_IN)
    assert isinstance(window.stack.currentWidget(), QLabel)


def test_signing_in_shows_the_cabinet_and_idle_signs_out(
    qtbot: QtBot, make_window: Callable[..., KioskWindow]
) -> None:
    sign_in: list[FakeSignIn] = []
    cabinet: list[FakeCabinet] = []

    def make_sign_in(parent: QWidget) -> QWidget:
        sign_in.append(FakeSignIn(parent))
        return sign_in[-1]

    def make_cabinet(parent: QWidget) -> QWidget:
        cabinet.append(FakeCabinet(parent))
        return cabinet[-1]

    window = make_window(
        sign_in_factory=make_sign_in, cabinet_factory=make_cabinet, idle_timeout_ms=300
    )
    qtbot.mouseClick(window.start_button(KioskPage.SIGN_IN), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is sign_in[0]
    assert window.idle_timer.isActive()

    sign_in[0].signedIn.emit(42, "Иванов Иван Иванович")
    assert window.current_page is KioskPage.CABINET
    assert window.patient_id == 42
    assert cabinet[0].patients == [42]
    assert cabinet[0].isVisible()
    assert window.patient_label.text() == "Пациент: Иванов Иван Иванович"
    assert window.sign_out_button.isVisible()
    # «На главную» keeps the patient signed in; «Вход в личный кабинет» leads back.
    qtbot.mouseClick(window.home_button, Qt.MouseButton.LeftButton)
    assert window.current_page is KioskPage.START
    assert sign_in[0].resets == 0
    qtbot.mouseClick(window.start_button(KioskPage.SIGN_IN), Qt.MouseButton.LeftButton)
    assert window.current_page is KioskPage.CABINET

    with qtbot.waitSignal(window.signedOut, timeout=TIMEOUT_MS) as signed_out:
        pass
    assert signed_out.args == [True]
    assert window.current_page is KioskPage.START
    assert window.patient_id is None
    assert cabinet[0].patients == [42, None]
    assert sign_in[0].resets == 1
    assert window.patient_label.text() == ""
    assert not window.idle_timer.isActive()


def test_leaving_the_sign_in_page_resets_it(
    qtbot: QtBot, make_window: Callable[..., KioskWindow]
) -> None:
    made: list[FakeSignIn] = []

    def make_sign_in(parent: QWidget) -> QWidget:
        made.append(FakeSignIn(parent))
        return made[-1]

    window = make_window(sign_in_factory=make_sign_in)
    qtbot.mouseClick(window.start_button(KioskPage.SIGN_IN), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.home_button, Qt.MouseButton.LeftButton)
    assert made[0].resets == 1
    assert window.current_page is KioskPage.START


def test_the_sign_out_button_signs_out_at_once(
    qtbot: QtBot, make_window: Callable[..., KioskWindow]
) -> None:
    made: list[FakeSignIn] = []

    def make_sign_in(parent: QWidget) -> QWidget:
        made.append(FakeSignIn(parent))
        return made[-1]

    window = make_window(sign_in_factory=make_sign_in)
    window.go(KioskPage.SIGN_IN)
    made[0].signedIn.emit(7, "Петров Петр")
    assert window.cabinet_widget is None  # the placeholder cabinet still has «Выйти»
    with qtbot.waitSignal(window.signedOut, timeout=TIMEOUT_MS) as signed_out:
        qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    assert signed_out.args == [False]
    assert window.current_page is KioskPage.START


def test_input_restarts_the_idle_countdown(
    qtbot: QtBot, make_window: Callable[..., KioskWindow]
) -> None:
    window = make_window(idle_timeout_ms=1_000)
    window.go(KioskPage.FEEDBACK)
    qtbot.wait(400)
    assert window.idle_timer.remainingTime() < 700
    qtbot.mouseClick(window.feedback_form.line_edit(FeedbackField.LAST_NAME),
                     Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert window.idle_timer.remainingTime() > 800


def test_idle_clears_the_feedback_form(
    qtbot: QtBot, make_window: Callable[..., KioskWindow]
) -> None:
    window = make_window(idle_timeout_ms=200)
    window.go(KioskPage.FEEDBACK)
    window.feedback_form.line_edit(FeedbackField.LAST_NAME).setText("Иванов")
    qtbot.waitUntil(lambda: window.current_page is KioskPage.START, timeout=TIMEOUT_MS)
    assert window.feedback_form.line_edit(FeedbackField.LAST_NAME).text() == ""


def test_no_operator_functions_are_reachable(make_window: Callable[..., KioskWindow]) -> None:
    made: list[QWidget] = []

    def make_sign_in(parent: QWidget) -> QWidget:
        made.append(FakeSignIn(parent))
        return made[-1]

    window = make_window(sign_in_factory=make_sign_in)
    function_keys = {getattr(Qt.Key, f"Key_F{n}") for n in range(1, 36)}
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys = [sequence[i].key() for i in range(sequence.count())]
            assert not function_keys & set(keys), action.text()
    assert window.menuWidget() is None or not window.menuBar().actions()
    from PySide6.QtWidgets import QDockWidget

    assert window.findChildren(QDockWidget) == []
    texts = {button.text() for button in window.findChildren(QPushButton)}
    assert not texts & {"Записать", "Синхронизировать", "Журнал"}
    assert QKeySequence("F5").count() == 1  # the check above does see function keys


def test_closing_stops_the_kiosks_worker(qtbot: QtBot, database: Database) -> None:
    before = DatabaseWorker.running_count()
    window = KioskWindow(database)
    qtbot.addWidget(window)
    window.show()
    assert DatabaseWorker.running_count() == before + 1
    assert window.close()
    assert DatabaseWorker.running_count() == before
    assert not window.worker.is_running


def test_a_shared_worker_is_left_running(qtbot: QtBot, worker: DatabaseWorker,
                                         database: Database) -> None:
    window = KioskWindow(database, worker=worker)
    qtbot.addWidget(window)
    window.close()
    assert worker.is_running


def test_workstation_kiosk_builds_the_kiosk(database: Database, tmp_path: Path) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    shot = tmp_path / "kiosk.png"
    assert main(["--kiosk", "--db", url, "--screenshot", str(shot)]) == 0
    assert shot.stat().st_size > 0
