"""The «Обратная связь» form, the operators' queue dock and the information pages widget."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.helpers.sample_data import SampleIds
from workstation.models import FeedbackRequest, FeedbackStatus, JournalEvent
from workstation.services.database import Database
from workstation.services.feedback import FeedbackField, FeedbackForm, FeedbackRow, submit_feedback
from workstation.services.info_pages import InfoPage
from workstation.services.journal import Actor
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.feedback_dock import AnswerDialog, Column, FeedbackDock, FeedbackQueueModel
from workstation.ui.feedback_form import FeedbackFormWidget
from workstation.ui.info_pages import InfoPagesWidget

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

TIMEOUT_MS = 10_000
KIOSK = Actor("киоск", "kiosk-1")
OPERATOR = Actor("petrova", "desk-2")


@pytest.fixture
def database(sample_db: tuple[Database, SampleIds]) -> Database:
    return sample_db[0]


@pytest.fixture
def form(qtbot: QtBot, worker: DatabaseWorker) -> FeedbackFormWidget:
    widget = FeedbackFormWidget(worker, actor=KIOSK)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def fill(form: FeedbackFormWidget, **values: str) -> None:
    for name, text in values.items():
        field = FeedbackField(name)
        if field is FeedbackField.QUESTION:
            form.question_edit.setPlainText(text)
        else:
            form.line_edit(field).setText(text)


# --- the form ---------------------------------------------------------------------------------


def test_required_fields_are_marked_with_a_star(form: FeedbackFormWidget) -> None:
    from PySide6.QtWidgets import QLabel

    texts = {label.text() for label in form.findChildren(QLabel)}
    assert {"Ваша фамилия: *", "Ваше имя: *", "Ваше отчество:", "Ваш вопрос: *"} <= texts
    assert "Телефон: *" in texts
    assert "Адрес электронной почты: *" in texts


def test_an_empty_form_shows_a_message_under_each_required_field(
    qtbot: QtBot, form: FeedbackFormWidget, database: Database
) -> None:
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    errors = form.errors()
    assert set(errors) == {
        FeedbackField.LAST_NAME, FeedbackField.FIRST_NAME, FeedbackField.PHONE,
        FeedbackField.EMAIL, FeedbackField.QUESTION,
    }
    assert form.error_label(FeedbackField.LAST_NAME).isVisible()
    assert not form.error_label(FeedbackField.PATRONYMIC).isVisible()
    assert form.error_label(FeedbackField.QUESTION).text() == (
        "Поле «Ваш вопрос» обязательно для заполнения."
    )
    assert not form.is_sending
    assert form.line_edit(FeedbackField.LAST_NAME).hasFocus()
    with database.session() as session:
        assert session.scalars(select(FeedbackRequest)).all() == []


def test_a_bad_phone_is_reported_inline_and_editing_clears_it(
    qtbot: QtBot, form: FeedbackFormWidget
) -> None:
    fill(form, last_name="Иванов", first_name="Иван", phone="8 912 345", question="Вопрос")
    form.send()
    assert list(form.errors()) == [FeedbackField.PHONE]
    assert "10 цифр" in form.error_label(FeedbackField.PHONE).text()
    qtbot.keyClick(form.line_edit(FeedbackField.PHONE), Qt.Key.Key_6)
    assert form.errors() == {}


def test_a_valid_form_is_stored_cleared_and_announced(
    qtbot: QtBot, form: FeedbackFormWidget, database: Database
) -> None:
    fill(form, last_name="Иванов", first_name="Иван", email="ivanov@mail.ru",
         question="Для чего мне нужен Личный кабинет пациента?")
    with qtbot.waitSignal(form.submitted, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    number = blocker.args[0]
    assert form.status_label.text().startswith(f"Ваше обращение №{number} принято.")
    assert form.line_edit(FeedbackField.LAST_NAME).text() == ""
    assert form.question_edit.toPlainText() == ""
    assert form.submit_button.isEnabled()
    with database.session() as session:
        request = session.get(FeedbackRequest, number)
        assert request is not None
        assert (request.last_name, request.email, request.phone) == ("Иванов", "ivanov@mail.ru", "")
        event = session.scalars(select(JournalEvent)).one()
    assert (event.action, event.operator) == ("Обращение в обратную связь", "киоск")


# --- the queue model --------------------------------------------------------------------------

CREATED = dt.datetime(2024, 3, 1, 4, 5, tzinfo=dt.UTC)


def row(number: int, status: FeedbackStatus = FeedbackStatus.NEW, **changes: object) -> FeedbackRow:
    values: dict[str, object] = {
        "id": number,
        "created_at": CREATED,
        "full_name": "Иванов Иван",
        "masked_phone": "+7 912 ***-**-89",
        "masked_email": "",
        "question": "Как записаться?\nСпасибо.",
        "status": status,
        "answer": "",
        "handled_by": "",
        "updated_at": None,
    }
    values.update(changes)
    return FeedbackRow(**values)  # type: ignore[arg-type]


def test_the_queue_model_passes_the_model_tester(
    qtmodeltester: ModelTester, qtbot: QtBot
) -> None:
    model = FeedbackQueueModel(tz=dt.timezone(dt.timedelta(hours=5)))
    model.set_rows([row(3), row(2, FeedbackStatus.IN_PROGRESS, handled_by="petrova"), row(1)])
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, Column.CREATED).data() == "01.03.2024 09:05"
    assert model.index(0, Column.QUESTION).data() == "Как записаться? Спасибо."
    assert model.index(1, Column.STATUS).data() == "В работе"
    assert model.index(1, Column.HANDLED_BY).data() == "petrova"
    assert model.index(0, Column.PHONE).data() == "+7 912 ***-**-89"
    assert model.headerData(Column.NAME, Qt.Orientation.Horizontal) == "ФИО"
    # A refresh merges in place: one row changed, one removed, one added.
    model.set_rows([row(4), row(3, FeedbackStatus.CLOSED), row(1)])
    qtmodeltester.check(model, force_py=True)
    assert [r.id for r in model.rows] == [4, 3, 1]
    assert model.index(1, Column.STATUS).data() == "Закрыто"


# --- the dock ---------------------------------------------------------------------------------


@pytest.fixture
def dock(qtbot: QtBot, worker: DatabaseWorker) -> Iterator[FeedbackDock]:
    widget = FeedbackDock(worker, actor=OPERATOR)
    qtbot.addWidget(widget)
    widget.show()
    yield widget


def submit(database: Database, last_name: str) -> int:
    with database.session() as session:
        return submit_feedback(
            session,
            FeedbackForm(last_name=last_name, first_name="Иван", phone="89123456789",
                         question="Вопрос"),
            actor=KIOSK,
        )


def refresh(qtbot: QtBot, dock: FeedbackDock) -> None:
    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        dock.refresh()


def request_status(database: Database, number: int) -> FeedbackStatus:
    with database.session() as session:
        request = session.get(FeedbackRequest, number)
        assert request is not None
        return request.status


def test_the_dock_takes_answers_and_closes_a_request(
    qtbot: QtBot, dock: FeedbackDock, database: Database, qtmodeltester: ModelTester
) -> None:
    first = submit(database, "Иванов")
    second = submit(database, "Петров")
    refresh(qtbot, dock)
    qtmodeltester.check(dock.model, force_py=True)
    assert [r.id for r in dock.model.rows] == [second, first]
    assert dock.model.index(0, Column.PHONE).data() == "+7 912 ***-**-89"
    assert not dock.take_button.isEnabled()  # nothing selected

    assert dock.select_request(first)
    assert dock.take_button.isEnabled()
    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dock.take_button, Qt.MouseButton.LeftButton)
    assert request_status(database, first) is FeedbackStatus.IN_PROGRESS
    assert dock.status_label.text() == f"Обращение №{first} взято в работу."
    assert dock.current_row() is not None and dock.current_row().id == first  # type: ignore[union-attr]
    assert not dock.take_button.isEnabled()
    assert dock.answer_button.isEnabled()

    with qtbot.waitSignal(dock.answerDialogOpened, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(dock.answer_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, AnswerDialog)
    assert dialog.row.id == first
    dialog.text_edit.setPlainText("Обратитесь в контакт-центр.")
    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        dialog.done(QDialog.DialogCode.Accepted)
    with database.session() as session:
        answered = session.get(FeedbackRequest, first)
        assert answered is not None
        assert (answered.status, answered.answer, answered.handled_by) == (
            FeedbackStatus.ANSWERED, "Обратитесь в контакт-центр.", "petrova"
        )
    assert not dock.answer_button.isEnabled()
    assert dock.close_button.isEnabled()

    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dock.close_button, Qt.MouseButton.LeftButton)
    assert request_status(database, first) is FeedbackStatus.CLOSED
    assert not dock.close_button.isEnabled()
    with database.session() as session:
        events = session.scalars(select(JournalEvent).order_by(JournalEvent.id)).all()
        actions = [event.action for event in events]
    assert actions[-3:] == ["Обращение взято в работу", "Ответ на обращение", "Обращение закрыто"]


def test_a_cancelled_answer_dialog_changes_nothing(
    qtbot: QtBot, dock: FeedbackDock, database: Database
) -> None:
    number = submit(database, "Иванов")
    refresh(qtbot, dock)
    dock.select_request(number)
    with qtbot.waitSignal(dock.answerDialogOpened, timeout=TIMEOUT_MS) as opened:
        dock.answer_current()
    opened.args[0].reject()
    assert dock.answer_dialog is None
    assert request_status(database, number) is FeedbackStatus.NEW


def test_the_status_filter_shows_only_that_status(
    qtbot: QtBot, dock: FeedbackDock, database: Database
) -> None:
    first = submit(database, "Иванов")
    second = submit(database, "Петров")
    with database.session() as session:
        from workstation.services import feedback

        feedback.close(session, first, actor=OPERATOR)
    refresh(qtbot, dock)
    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        dock.status_filter.setCurrentIndex(dock.status_filter.findData(FeedbackStatus.NEW))
    assert [r.id for r in dock.model.rows] == [second]
    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        dock.status_filter.setCurrentIndex(dock.status_filter.findData(FeedbackStatus.CLOSED))
    assert [r.id for r in dock.model.rows] == [first]


def test_a_step_refused_by_the_service_is_shown(
    qtbot: QtBot, dock: FeedbackDock, database: Database
) -> None:
    number = submit(database, "Иванов")
    refresh(qtbot, dock)
    dock.select_request(number)
    # Another operator closes it meanwhile.
    with database.session() as session:
        from workstation.services import feedback

        feedback.close(session, number, actor=Actor("sidorova", "desk-5"))
    with qtbot.waitSignal(dock.actionFailed, timeout=TIMEOUT_MS) as failed:
        dock.take_current()
    assert failed.args[0] == (
        f"Обращение №{number} нельзя взять в работу: оно уже закрыто. Обновите список."
    )
    qtbot.waitUntil(lambda: dock.model.rows[0].status is FeedbackStatus.CLOSED,
                    timeout=TIMEOUT_MS)


# --- information pages --------------------------------------------------------------------------


def test_the_info_pages_widget_lists_and_shows_the_bundled_pages(qtbot: QtBot) -> None:
    widget = InfoPagesWidget()
    qtbot.addWidget(widget)
    assert widget.error == ""
    assert widget.keys()[:3] == ["faq", "hotline", "public"]
    assert widget.page_list.item(0).text() == "Вопросы и ответы"
    assert widget.current_key == "faq"
    assert "Для чего мне нужен Личный кабинет пациента?" in widget.browser.toPlainText()
    with qtbot.waitSignal(widget.pageShown, timeout=TIMEOUT_MS):
        assert widget.show_page("hotline")
    assert "8-800-100-86-03" in widget.browser.toPlainText()
    assert not widget.show_page("absent")


def test_the_info_pages_widget_renders_markdown(qtbot: QtBot) -> None:
    widget = InfoPagesWidget(pages=[InfoPage("a", "Первая", "# Первая\n\n**жирный** текст")])
    qtbot.addWidget(widget)
    assert widget.browser.toPlainText().startswith("Первая")
    assert "**" not in widget.browser.toPlainText()
