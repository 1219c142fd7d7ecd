"""Tickets rendered to PDF and read back: the text layer, the paper, the codes a scanner reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.services.tickets.conftest import DOCUMENT_DIGITS, ISSUED_AT, VISIT, Booked
from tests.services.tickets.pdf_tools import decoded, page_sizes_mm, page_texts, text
from workstation.services.tickets import (
    TicketContent,
    TicketFormat,
    load_ticket_content,
    render_tickets,
)
from workstation.services.tickets.qr import draw_qr_widget

FORMATS = list(TicketFormat)


def sample(number: str = "100001", **changes: Any) -> TicketContent:
    content = TicketContent(
        ticket_number=number,
        institution="БУ ХМАО-Югры «Окружная клиническая больница»",
        address="628012, г. Ханты-Мансийск, ул. Калинина, 40",
        registry_phone="+7 (3467) 39-01-01",
        specialty="Терапевт",
        doctor="Иванова Анна Петровна",
        room="215",
        visit_start=VISIT,
        patient="Ёлкин П. С.",
        issued_at=ISSUED_AT,
        issued_by="Петрова А. А.",
    )
    return dataclasses.replace(content, **changes)


def load(booked: Booked, number: str) -> TicketContent:
    with booked.database.session() as session:
        return load_ticket_content(session, number, issued_at=ISSUED_AT, issued_by="Петрова А. А.")


def test_ticket_text_from_the_database(booked: Booked) -> None:
    content = load(booked, booked.booked)
    for fmt in FORMATS:
        data = render_tickets([content], fmt)
        assert data.startswith(b"%PDF-")
        printed = text(data)
        for expected in (
            "Талон №100001",
            "Иванова Анна Петровна",
            "Терапевт",
            "Кабинет 215",
            "Пятница, 14 августа 2015",
            "10:30",
            "Пациент: Ёлкин П. С.",
            "БУ ХМАО-Югры «Окружная клиническая больница»",
            "Регистратура: +7 (3467) 39-01-01, +7 (3467) 39-01-02",
            "8-800-100-86-03",
            "личный кабинет на портале er.dzhmao.ru",
            "Выдал: Петрова А. А.",
        ):
            assert expected in printed, (fmt, expected)


def test_ticket_reveals_no_documents_of_the_patient(booked: Booked) -> None:
    content = load(booked, booked.booked)
    for fmt in FORMATS:
        data = render_tickets([content], fmt)
        printed = text(data)
        squeezed = "".join(ch for ch in printed if ch.isdigit())
        for digits in DOCUMENT_DIGITS:
            assert digits not in printed, (fmt, digits)
            assert "".join(ch for ch in digits if ch.isdigit()) not in squeezed, (fmt, digits)
        assert "Пётр" not in printed and "Семёнович" not in printed
        assert b"elkin@example.ru" not in data


def test_scanner_reads_the_ticket_number(booked: Booked) -> None:
    numeric, alphanumeric = load(booked, booked.booked), load(booked, booked.subdivision)
    for fmt in FORMATS:
        assert decoded(render_tickets([numeric], fmt)) == {
            "QRCode": ["100001"],
            "Code128": ["100001"],
        }, fmt
        assert decoded(render_tickets([alphanumeric], fmt)) == {
            "QRCode": ["z13215428"],
            "Code128": ["z13215428"],
        }, fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_reportlab_qr_widget_baseline_scans(fmt: TicketFormat) -> None:
    data = render_tickets([sample("123456")], fmt, qr=draw_qr_widget)
    assert decoded(data)["QRCode"] == ["123456"]


def test_a_cancelled_ticket_is_marked_invalid(booked: Booked) -> None:
    printed = text(render_tickets([load(booked, booked.cancelled)], "a6"))
    assert "ЗАПИСЬ ОТМЕНЕНА — ТАЛОН НЕДЕЙСТВИТЕЛЕН" in printed
    assert "каб. 3" in printed and "Кабинет каб." not in printed
    subdivision = text(render_tickets([load(booked, booked.subdivision)], "a6"))
    assert "Фельдшерско-акушерский пункт д. Теги" in subdivision
    assert "Регистратура: +7 (3467) 39-01-01" in subdivision
    assert "Кабинет" not in subdivision


def test_a6_page() -> None:
    data = render_tickets([sample(), sample("100002")], TicketFormat.A6)
    assert page_sizes_mm(data) == [pytest.approx((105, 148), abs=0.5)] * 2
    assert ["Талон №100001" in page for page in page_texts(data)] == [True, False]


def test_roll80_page_is_as_tall_as_its_ticket() -> None:
    short = render_tickets([sample()], "roll80")
    long = render_tickets([sample(institution="Очень длинное наименование " * 6)], "roll80")
    ((width, height),) = page_sizes_mm(short)
    ((long_width, long_height),) = page_sizes_mm(long)
    assert width == pytest.approx(80, abs=0.1) == long_width
    assert 90 < height < 160
    assert long_height > height + 10


def test_a4_batch_has_four_tickets_per_sheet() -> None:
    numbers = [str(200001 + index) for index in range(9)]
    data = render_tickets([sample(number) for number in numbers], TicketFormat.A4)
    assert page_sizes_mm(data) == [pytest.approx((210, 297), abs=0.5)] * 3
    texts = page_texts(data)
    assert [sum(f"Талон №{n}" in page for n in numbers) for page in texts] == [4, 4, 1]
    scanned = [code for page in range(3) for code in decoded(data, page).get("QRCode", [])]
    assert sorted(scanned) == numbers


def test_a_ticket_too_long_for_a6_shrinks_onto_one_page() -> None:
    crowded = sample(
        institution="Бюджетное учреждение Ханты-Мансийского автономного округа – Югры " * 4,
        address="628012, Ханты-Мансийский автономный округ – Югра, г. Ханты-Мансийск " * 3,
    )
    data = render_tickets([crowded], "a6")
    assert len(page_sizes_mm(data)) == 1
    assert "Талон №100001" in text(data)
    assert decoded(data)["QRCode"] == ["100001"]


def test_letters_outside_the_russian_alphabet_come_out_intact() -> None:
    data = render_tickets([sample(patient="Müller-Öztürk É. Ç.")], "a6")
    assert "Пациент: Müller-Öztürk É. Ç." in text(data)
    # The next ticket goes back to the shared subset and is still intact.
    assert "Пациент: Ёлкин П. С." in text(render_tickets([sample()], "a6"))


def test_nothing_to_print() -> None:
    with pytest.raises(ValueError, match="nothing to print"):
        render_tickets([], "a6")


def test_unknown_format() -> None:
    with pytest.raises(ValueError):
        render_tickets([sample()], "a5")


def test_issued_time_is_the_workstations_local_time() -> None:
    local = ISSUED_AT.astimezone().strftime("%d.%m.%Y %H:%M")
    assert f"Выдан: {local}." in text(render_tickets([sample()], "a6"))
    naive = dataclasses.replace(sample(), issued_at=dt.datetime(2015, 8, 10, 9, 12))
    assert "Выдан: 10.08.2015 09:12." in text(render_tickets([naive], "a6"))


def test_threads_render_at_once() -> None:
    numbers = [str(300001 + index) for index in range(12)]

    def render(number: str) -> str:
        return text(render_tickets([sample(number, patient=f"Ёж{number} Ю. Щ.")], "a6"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        printed = list(pool.map(render, numbers))
    for number, page in zip(numbers, printed, strict=True):
        assert f"Талон №{number}" in page and f"Пациент: Ёж{number} Ю. Щ." in page
