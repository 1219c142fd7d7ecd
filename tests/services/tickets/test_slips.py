"""The cabinet-credentials slip and the consent form, rendered and read back."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tests.services.tickets.pdf_tools import page_sizes_mm, text
from workstation.models.identity import InvalidDocument, Snils
from workstation.services.tickets import (
    ConsentForm,
    CredentialsSlip,
    credentials_slip,
    render_consent_form,
    render_credentials_slip,
)

PASSWORD = "Xk7pR2mW9q"
ISSUED = dt.datetime(2015, 8, 10, 4, 12, tzinfo=dt.UTC)


def slip(snils: Snils | str = "11223344595") -> CredentialsSlip:
    return credentials_slip(
        snils,
        PASSWORD,
        patient="Ёлкин П. С.",
        valid_until=ISSUED + dt.timedelta(hours=72),
        issued_at=ISSUED,
        issued_by="Петрова А. А.",
    )


@pytest.mark.parametrize("fmt", ["a6", "roll80"])
def test_slip_gives_login_password_and_where_to_sign_in(fmt: str) -> None:
    printed = text(render_credentials_slip(slip(), fmt))
    assert "Логин (СНИЛС): 112-233-445 95" in printed
    assert f"Одноразовый пароль: {PASSWORD}" in printed
    assert "er.dzhmao.ru" in printed and "«Вход в личный кабинет»" in printed
    assert "При первом входе система попросит сменить пароль" in printed
    until = (ISSUED + dt.timedelta(hours=72)).astimezone().strftime("%d.%m.%Y %H:%M")
    assert f"Одноразовый пароль действует до {until} (72 часа)." in printed
    assert "Контакт-центр: 8-800-100-86-03" in printed


def test_slip_page_sizes() -> None:
    assert page_sizes_mm(render_credentials_slip(slip())) == [pytest.approx((105, 148), abs=0.5)]
    ((width, _),) = page_sizes_mm(render_credentials_slip(slip(), "roll80"))
    assert width == pytest.approx(80, abs=0.1)


def test_login_is_the_formatted_snils_whatever_was_typed() -> None:
    assert slip("112 233 445-95").login == "112-233-445 95"
    assert slip(Snils.parse("11223344595")).login == "112-233-445 95"
    with pytest.raises(InvalidDocument):
        slip("11223344596")


def test_password_stays_out_of_repr_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    issued = slip()
    render_credentials_slip(issued, "a6")
    render_credentials_slip(issued, "roll80")
    assert PASSWORD not in repr(issued) and PASSWORD not in str(issued)
    assert PASSWORD not in caplog.text


def test_consent_form() -> None:
    form = ConsentForm("Ёлкин Пётр Семёнович", dt.date(2015, 8, 10), accepted_by="Петрова А. А.")
    data = render_consent_form(form)
    assert page_sizes_mm(data) == [pytest.approx((210, 297), abs=0.5)]
    printed = text(data)
    for expected in (
        "СОГЛАСИЕ НА ОБРАБОТКУ ПЕРСОНАЛЬНЫХ ДАННЫХ",
        "Ёлкин Пётр Семёнович",
        "Дата: 10.08.2015",
        "Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных»",
        "СНИЛС; номер полиса ОМС",
        "Отозвать согласие я могу письменным заявлением оператору",
        "(подпись)",
        "(фамилия и инициалы)",
        "Петрова А. А.",
    ):
        assert expected in printed, expected
