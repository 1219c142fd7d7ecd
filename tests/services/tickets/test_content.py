"""What a ticket says, read from appointment rows on both engines."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tests.services.tickets.conftest import DOCUMENT_DIGITS, ISSUED_AT, Booked
from workstation.services.booking.errors import TicketNotFound
from workstation.services.tickets import TicketContent, load_ticket_content
from workstation.services.tickets.dates import hours_phrase, local_moment, long_date, plural


def load(booked: Booked, number: str, issued_by: str = "Петрова А. А.") -> TicketContent:
    with booked.database.session() as session:
        return load_ticket_content(session, number, issued_at=ISSUED_AT, issued_by=issued_by)


def test_ticket_content_of_a_booking(booked: Booked) -> None:
    content = load(booked, booked.booked)
    assert content.title == "Талон №100001"
    assert content.institution == "БУ ХМАО-Югры «Окружная клиническая больница»"
    assert content.address == "628012, г. Ханты-Мансийск, ул. Калинина, 40"
    assert content.registry_phone == "+7 (3467) 39-01-01, +7 (3467) 39-01-02"
    assert (content.specialty, content.doctor) == ("Терапевт", "Иванова Анна Петровна")
    assert content.room == "215"
    assert content.visit_label == "Пятница, 14 августа 2015, 10:30"
    assert content.patient == "Ёлкин П. С."
    assert content.status == ""
    assert "8-800-100-86-03" in content.cancel_hint
    assert "личный кабинет" in content.cancel_hint
    assert content.issued_label == f"Выдан: {local_moment(ISSUED_AT)}. Выдал: Петрова А. А."


def test_ticket_content_holds_no_documents_of_the_patient(booked: Booked) -> None:
    content = load(booked, booked.booked)
    values = " ".join(str(value) for value in dataclasses.astuple(content))
    for digits in DOCUMENT_DIGITS:
        assert digits not in values
    assert "Пётр" not in values and "Семёнович" not in values  # initials only


def test_a_cancelled_ticket_says_so(booked: Booked) -> None:
    content = load(booked, booked.cancelled)
    assert content.status == "Запись отменена — талон недействителен"
    assert content.doctor == "Сидоров Игорь Олегович"


def test_a_subdivision_without_a_registry_gives_its_parents_phone(booked: Booked) -> None:
    content = load(booked, booked.subdivision)
    assert content.institution == "Фельдшерско-акушерский пункт д. Теги"
    assert content.registry_phone == "+7 (3467) 39-01-01, +7 (3467) 39-01-02"
    assert (content.address, content.room) == ("", "")


def test_an_unknown_ticket_number(booked: Booked) -> None:
    with pytest.raises(TicketNotFound, match="Талон №999 не найден"):
        load(booked, "999")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2015, 8, 14), "Пятница, 14 августа 2015"),
        (dt.date(2026, 1, 1), "Четверг, 1 января 2026"),
        (dt.date(2024, 12, 29), "Воскресенье, 29 декабря 2024"),
    ],
)
def test_long_date(day: dt.date, expected: str) -> None:
    assert long_date(day) == expected


@pytest.mark.parametrize(
    ("number", "form"),
    [
        (1, "час"),
        (2, "часа"),
        (4, "часа"),
        (5, "часов"),
        (11, "часов"),
        (14, "часов"),
        (21, "час"),
        (22, "часа"),
        (72, "часа"),
        (111, "часов"),
    ],
)
def test_plural(number: int, form: str) -> None:
    assert plural(number, ("час", "часа", "часов")) == form


def test_hours_phrase() -> None:
    assert hours_phrase(dt.timedelta(hours=72)) == "72 часа"
    assert hours_phrase(dt.timedelta(minutes=10)) == "1 час"
