"""The «Обратная связь» form and the operators' queue, on both engines."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from workstation.models import FeedbackRequest, FeedbackStatus, JournalEvent
from workstation.services import feedback
from workstation.services.database import Database
from workstation.services.feedback import (
    FEEDBACK_ANSWERED,
    FEEDBACK_CLOSED,
    FEEDBACK_SUBMITTED,
    FEEDBACK_TAKEN,
    QUESTION_MAX,
    FeedbackField,
    FeedbackForm,
    FeedbackInvalid,
    FeedbackNotFound,
    FeedbackStatusError,
    feedback_list,
    submit_feedback,
    validate_feedback,
)
from workstation.services.journal import Actor

KIOSK = Actor("киоск", "kiosk-1 (10.0.0.9)")
OPERATOR = Actor("petrova", "desk-2 (10.0.0.2)")

GOOD = FeedbackForm(
    last_name=" Иванов ",
    first_name="Иван",
    patronymic="Иванович",
    phone="8 (912) 345-67-89",
    email="Ivanov@Mail.RU",
    question="Как получить доступ в личный кабинет?",
)


# --- validation (no database) ---------------------------------------------------------------


def test_a_complete_form_has_no_errors() -> None:
    assert validate_feedback(GOOD) == {}


def test_an_empty_form_names_every_required_field() -> None:
    errors = validate_feedback(FeedbackForm())
    assert list(errors) == [
        FeedbackField.LAST_NAME,
        FeedbackField.FIRST_NAME,
        FeedbackField.PHONE,
        FeedbackField.EMAIL,
        FeedbackField.QUESTION,
    ]
    assert errors[FeedbackField.LAST_NAME] == "Поле «Ваша фамилия» обязательно для заполнения."
    assert errors[FeedbackField.FIRST_NAME] == "Поле «Ваше имя» обязательно для заполнения."
    assert errors[FeedbackField.QUESTION] == "Поле «Ваш вопрос» обязательно для заполнения."
    assert "телефон или адрес электронной почты" in errors[FeedbackField.PHONE]


@pytest.mark.parametrize(
    ("changes", "missing"),
    [({"phone": ""}, FeedbackField.PHONE), ({"email": ""}, FeedbackField.EMAIL)],
)
def test_one_contact_is_enough(changes: dict[str, str], missing: FeedbackField) -> None:
    assert validate_feedback(dataclasses.replace(GOOD, **changes)) == {}


def test_the_patronymic_is_optional() -> None:
    assert validate_feedback(dataclasses.replace(GOOD, patronymic="")) == {}


def test_a_bad_phone_gets_the_phone_message() -> None:
    errors = validate_feedback(dataclasses.replace(GOOD, phone="8 912 345-67"))
    assert list(errors) == [FeedbackField.PHONE]
    assert "10 цифр" in errors[FeedbackField.PHONE]


def test_a_foreign_phone_is_refused() -> None:
    errors = validate_feedback(dataclasses.replace(GOOD, phone="+44 20 7946 0958"))
    assert "российские" in errors[FeedbackField.PHONE]


def test_a_bad_email_gets_the_email_message() -> None:
    errors = validate_feedback(dataclasses.replace(GOOD, email="ivanov.mail.ru"))
    assert list(errors) == [FeedbackField.EMAIL]
    assert "«@»" in errors[FeedbackField.EMAIL]


def test_a_name_with_digits_is_refused() -> None:
    errors = validate_feedback(dataclasses.replace(GOOD, first_name="Иван2"))
    assert errors == {
        FeedbackField.FIRST_NAME: "Поле «Ваше имя» может содержать только буквы, пробел, дефис "
        "и апостроф, а введен символ «2»."
    }


def test_a_question_longer_than_2000_characters_is_refused() -> None:
    assert validate_feedback(dataclasses.replace(GOOD, question="а" * QUESTION_MAX)) == {}
    errors = validate_feedback(dataclasses.replace(GOOD, question="а" * (QUESTION_MAX + 1)))
    assert errors[FeedbackField.QUESTION] == (
        "Вопрос не может быть длиннее 2000 знаков, введено 2001: сократите текст."
    )


def test_the_form_repr_hides_personal_data() -> None:
    assert "Иванов" not in repr(GOOD)
    assert "912" not in repr(GOOD)


# --- storing and listing ----------------------------------------------------------------------


def test_submit_stores_the_normalised_request_and_journals_it(database: Database) -> None:
    with database.session() as session:
        number = submit_feedback(session, GOOD, actor=KIOSK)
    with database.session() as session:
        request = session.get(FeedbackRequest, number)
        assert request is not None
        assert (request.last_name, request.first_name, request.patronymic) == (
            "Иванов", "Иван", "Иванович"
        )
        assert request.phone == "+79123456789"
        assert request.email == "Ivanov@mail.ru"
        assert request.status is FeedbackStatus.NEW
        event = session.scalars(select(JournalEvent)).one()
    assert event.action == FEEDBACK_SUBMITTED == "Обращение в обратную связь"
    assert event.operator == "киоск"
    assert f"Обращение №{number}" in event.details
    assert "+7 912 ***-**-89" in event.details
    assert "+79123456789" not in event.details
    assert "Iv***@mail.ru" in event.details


def test_an_invalid_form_stores_nothing(database: Database) -> None:
    with pytest.raises(FeedbackInvalid) as caught, database.session() as session:
        submit_feedback(session, FeedbackForm(last_name="Иванов"), actor=KIOSK)
    assert set(caught.value.errors) == {
        FeedbackField.FIRST_NAME, FeedbackField.PHONE, FeedbackField.EMAIL,
        FeedbackField.QUESTION,
    }
    assert "Ваше имя" in caught.value.message
    with database.session() as session:
        assert session.scalars(select(FeedbackRequest)).all() == []
        assert session.scalars(select(JournalEvent)).all() == []


def test_the_list_is_newest_first_masked_and_filtered(database: Database) -> None:
    with database.session() as session:
        first = submit_feedback(session, GOOD, actor=KIOSK)
        second = submit_feedback(
            session, dataclasses.replace(GOOD, last_name="Петров", email=""), actor=KIOSK
        )
        feedback.take_in_work(session, first, actor=OPERATOR)
    with database.session() as session:
        rows = feedback_list(session)
        in_work = feedback_list(session, status=FeedbackStatus.IN_PROGRESS)
        new = feedback_list(session, FeedbackStatus.NEW)
        limited = feedback_list(session, limit=1)
    assert [row.id for row in rows] == [second, first]
    assert rows[1].full_name == "Иванов Иван Иванович"
    assert rows[1].masked_phone == "+7 912 ***-**-89"
    assert rows[1].masked_email == "Iv***@mail.ru"
    assert rows[0].masked_email == ""
    assert rows[1].status_label == "В работе"
    assert rows[1].handled_by == "petrova"
    assert [row.id for row in in_work] == [first]
    assert [row.id for row in new] == [second]
    assert [row.id for row in limited] == [second]


# --- the operators' steps ---------------------------------------------------------------------


def _submitted(database: Database) -> int:
    with database.session() as session:
        return submit_feedback(session, GOOD, actor=KIOSK)


def _status(database: Database, number: int) -> FeedbackRequest:
    with database.session() as session:
        request = session.get(FeedbackRequest, number)
        assert request is not None
        session.expunge(request)
        return request


def test_a_request_moves_new_in_progress_answered_closed(database: Database) -> None:
    number = _submitted(database)
    with database.session() as session:
        feedback.take_in_work(session, number, actor=OPERATOR)
    assert _status(database, number).status is FeedbackStatus.IN_PROGRESS
    with database.session() as session:
        feedback.answer(session, number, "  Обратитесь в контакт-центр 8-800-100-86-03. ",
                        actor=OPERATOR)
    answered = _status(database, number)
    assert answered.status is FeedbackStatus.ANSWERED
    assert answered.answer == "Обратитесь в контакт-центр 8-800-100-86-03."
    assert answered.handled_by == "petrova"
    assert answered.updated_at is not None
    with database.session() as session:
        feedback.close(session, number, actor=OPERATOR)
    assert _status(database, number).status is FeedbackStatus.CLOSED
    with database.session() as session:
        events = session.scalars(select(JournalEvent).order_by(JournalEvent.id)).all()
    assert [event.action for event in events] == [
        FEEDBACK_SUBMITTED, FEEDBACK_TAKEN, FEEDBACK_ANSWERED, FEEDBACK_CLOSED,
    ]
    assert all(event.operator == "petrova" for event in events[1:])
    assert all(f"Обращение №{number}" in event.details for event in events)


def test_a_new_request_can_be_answered_or_closed_directly(database: Database) -> None:
    answered, closed = _submitted(database), _submitted(database)
    with database.session() as session:
        feedback.answer(session, answered, "Ответ", actor=OPERATOR)
        feedback.close(session, closed, actor=OPERATOR)
    assert _status(database, answered).status is FeedbackStatus.ANSWERED
    assert _status(database, closed).status is FeedbackStatus.CLOSED


def test_statuses_never_move_back(database: Database) -> None:
    number = _submitted(database)
    with database.session() as session:
        feedback.take_in_work(session, number, actor=OPERATOR)
    with pytest.raises(FeedbackStatusError) as caught, database.session() as session:
        feedback.take_in_work(session, number, actor=KIOSK)
    assert str(caught.value) == (
        f"Обращение №{number} нельзя взять в работу: оно уже в работе (petrova). "
        "Обновите список."
    )
    with database.session() as session:
        feedback.answer(session, number, "Ответ", actor=OPERATOR)
    with pytest.raises(FeedbackStatusError, match="ответ на него уже дан"), \
            database.session() as session:
        feedback.answer(session, number, "Еще ответ", actor=OPERATOR)
    with pytest.raises(FeedbackStatusError, match="нельзя взять в работу"), \
            database.session() as session:
        feedback.take_in_work(session, number, actor=OPERATOR)
    with database.session() as session:
        feedback.close(session, number, actor=OPERATOR)
    for step in (
        lambda s: feedback.close(s, number, actor=OPERATOR),
        lambda s: feedback.answer(s, number, "Ответ", actor=OPERATOR),
        lambda s: feedback.take_in_work(s, number, actor=OPERATOR),
    ):
        with pytest.raises(FeedbackStatusError, match="оно уже закрыто") as refused, \
                database.session() as session:
            step(session)
        assert refused.value.status is FeedbackStatus.CLOSED
    request = _status(database, number)
    assert (request.status, request.answer) == (FeedbackStatus.CLOSED, "Ответ")
    with database.session() as session:
        assert len(session.scalars(select(JournalEvent)).all()) == 4


def test_an_empty_answer_is_refused(database: Database) -> None:
    number = _submitted(database)
    with pytest.raises(ValueError, match="Введите текст ответа"), database.session() as session:
        feedback.answer(session, number, "   ", actor=OPERATOR)
    assert _status(database, number).status is FeedbackStatus.NEW


def test_an_unknown_request_is_reported(database: Database) -> None:
    with pytest.raises(FeedbackNotFound, match="Обращение №999 не найдено"), \
            database.session() as session:
        feedback.take_in_work(session, 999, actor=OPERATOR)
