"""The personal cabinet's services on both engines: «Оценить прием» / «Оставить отзыв»,
«Журнал событий» a page at a time, and «Карта пациента» with masked documents."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.helpers.sample_data import SampleIds, fill_sample_data
from workstation.models import (
    Appointment,
    AppointmentSource,
    AppointmentState,
    CabinetAccount,
    JournalEvent,
    Patient,
    PatientLpuLink,
    VisitRating,
)
from workstation.services.database import Database
from workstation.services.journal import Actor, record
from workstation.services.patient_card import PatientNotFound, masked_oms, patient_card
from workstation.services.patient_journal import journal_page, shown_address
from workstation.services.ratings import rate_visit, ratings_of

OPERATOR = Actor("Оператор Тестова", "ws-1 (10.1.0.12)")
PATIENT = Actor("пациент", "киоск-2 (62.168.244.229)")


def _patient(database: Database, surname: str = "Ахмедова", **fields: object) -> int:
    with database.session() as session:
        patient = Patient(birth_date=dt.date(1980, 5, 17), **fields)
        patient.set_name(surname, "Култакин", "Байрам гызы")
        session.add(patient)
        session.flush()
        return patient.id


def _ticket(
    database: Database,
    ids: SampleIds,
    patient_id: int,
    number: str,
    *,
    state: AppointmentState = AppointmentState.VISITED,
    days: int = -3,
) -> str:
    with database.session() as session:
        session.add(
            Appointment(
                ticket_number=number,
                patient_id=patient_id,
                institution_id=ids.institutions["okb"],
                doctor_id=ids.doctors["ivanova"],
                hub_appointment_id=f"hub-{number}",
                visit_start=(dt.datetime.now() + dt.timedelta(days=days)).replace(
                    hour=10, minute=30, second=0, microsecond=0
                ),
                state=state,
                source=AppointmentSource.CONTACT_CENTER,
            )
        )
    return number


@pytest.fixture
def ids(database: Database) -> SampleIds:
    return fill_sample_data(database)


# --- ratings -------------------------------------------------------------------------------------


def test_a_rating_is_stored_and_a_second_one_replaces_it(
    database: Database, ids: SampleIds
) -> None:
    patient = _patient(database)
    ticket = _ticket(database, ids, patient, "21752")
    with database.session() as session:
        rate_visit(session, patient, ticket, 4, actor=OPERATOR)
    with database.session() as session:
        first = ratings_of(session, patient)
    assert list(first) == [ticket]
    assert (first[ticket].stars, first[ticket].review) == (4, "")
    assert first[ticket].recorded_by == "Оператор Тестова"

    with database.session() as session:
        rate_visit(session, patient, ticket, 5, "  Врач внимательный, спасибо.  ", actor=PATIENT)
    with database.session() as session:
        again = ratings_of(session, patient)
        rows = session.scalar(select(func.count()).select_from(VisitRating))
        actions = list(session.scalars(select(JournalEvent.action).order_by(JournalEvent.id)))
    assert rows == 1  # updated, not added
    assert again[ticket].stars == 5
    assert again[ticket].review == "Врач внимательный, спасибо."
    assert again[ticket].recorded_by == "пациент"
    assert len(actions) == 2
    assert all(action.startswith("Оценка приема Талон №21752, ") for action in actions)
    assert actions[0].endswith(": 4 из 5")
    assert actions[1].endswith(": 5 из 5")


@pytest.mark.parametrize("stars", [0, 6, -1, True])
def test_stars_outside_one_to_five_are_refused(
    database: Database, ids: SampleIds, stars: int
) -> None:
    patient = _patient(database)
    ticket = _ticket(database, ids, patient, "100")
    with pytest.raises(ValueError, match="от 1 до 5"), database.session() as session:
        rate_visit(session, patient, ticket, stars, actor=OPERATOR)
    with database.session() as session:
        assert ratings_of(session, patient) == {}
        assert session.scalars(select(JournalEvent)).all() == []


def test_the_database_itself_refuses_six_stars(database: Database, ids: SampleIds) -> None:
    patient = _patient(database)
    with pytest.raises(Exception, match=r"(?i)check|stars"), database.session() as session:
        session.add(VisitRating(patient_id=patient, visit_key="x", stars=6))
        session.flush()


def test_the_journal_keeps_at_most_100_characters_of_the_review(
    database: Database, ids: SampleIds
) -> None:
    patient = _patient(database)
    ticket = _ticket(database, ids, patient, "200")
    review = "Очень долго ждали в очереди у кабинета. " * 10
    with database.session() as session:
        rate_visit(session, patient, ticket, 2, review, actor=OPERATOR)
    with database.session() as session:
        event = session.scalars(select(JournalEvent)).one()
        stored = session.scalars(select(VisitRating.review)).one()
    assert stored == review.strip()  # the rating keeps the whole text
    assert event.details.startswith("Отзыв: Очень долго ждали")
    assert len(event.details) <= len("Отзыв: ") + 100
    assert event.patient_id == patient


def test_a_visit_known_only_to_the_mis_is_rated_by_its_key(
    database: Database, ids: SampleIds
) -> None:
    patient = _patient(database)
    with database.session() as session:
        rate_visit(session, patient, "z13215428", 3, actor=OPERATOR)
    with database.session() as session:
        assert ratings_of(session, patient)["z13215428"].stars == 3
        action = session.scalars(select(JournalEvent.action)).one()
    assert action == "Оценка приема посещение z13215428: 3 из 5"


def test_only_the_patients_own_past_visit_can_be_rated(database: Database, ids: SampleIds) -> None:
    patient = _patient(database)
    other = _patient(database, "Другова")
    theirs = _ticket(database, ids, other, "300")
    ahead = _ticket(database, ids, patient, "301", state=AppointmentState.BOOKED, days=3)
    cancelled = _ticket(database, ids, patient, "302", state=AppointmentState.CANCELLED)
    passed = _ticket(database, ids, patient, "303", state=AppointmentState.BOOKED, days=-1)
    for key, message in ((theirs, "другому пациенту"), (ahead, "не состоялся"),
                         (cancelled, "не состоялся"), ("  ", "Не указано")):
        with pytest.raises(ValueError, match=message), database.session() as session:
            rate_visit(session, patient, key, 5, actor=OPERATOR)
    with pytest.raises(ValueError, match="Пациент не найден"), database.session() as session:
        rate_visit(session, 999_999, "z1", 5, actor=OPERATOR)
    with database.session() as session:
        rate_visit(session, patient, passed, 5, actor=OPERATOR)  # its time has passed
        assert set(ratings_of(session, patient)) == {passed}


# --- the journal ---------------------------------------------------------------------------------


def test_the_journal_is_paged_newest_first_with_the_manuals_columns(
    database: Database, ids: SampleIds
) -> None:
    patient = _patient(database)
    other = _patient(database, "Другова")
    start = dt.datetime(2015, 8, 10, 12, 0, tzinfo=dt.UTC)
    with database.session() as session:
        for n in range(45):
            event = record(session, OPERATOR, f"Действие {n}", "подробности", patient_id=patient)
            event.at = start + dt.timedelta(minutes=n)
        record(session, OPERATOR, "Чужое действие", patient_id=other)
        record(session, OPERATOR, "Без пациента")

    with database.session() as session:
        first = journal_page(session, patient, 1)
        third = journal_page(session, patient, 3)
        beyond = journal_page(session, patient, 9)
        small = journal_page(session, patient, 2, page_size=10)
    assert (first.page, first.pages, first.total) == (1, 3, 45)
    assert [row.action for row in first.rows[:2]] == ["Действие 44", "Действие 43"]
    assert len(first.rows) == 20 and first.has_next and not first.has_previous
    assert [row.action for row in third.rows] == [f"Действие {n}" for n in range(4, -1, -1)]
    assert not third.has_next and third.has_previous
    assert beyond.page == 3 and beyond.rows == third.rows  # clamped to the last page
    assert (small.pages, small.rows[0].action) == (5, "Действие 34")
    row = first.rows[0]
    assert row.address == "10.1.0.12"
    assert row.at == start + dt.timedelta(minutes=44)
    assert row.at_label == row.at.astimezone().strftime("%d.%m.%Y %H:%M:%S")


def test_an_empty_journal_has_one_empty_page(database: Database) -> None:
    patient = _patient(database)
    with database.session() as session:
        page = journal_page(session, patient, 1)
        with pytest.raises(ValueError):
            journal_page(session, patient, 1, page_size=0)
    assert (page.rows, page.page, page.pages, page.total) == ((), 1, 1, 0)


def test_the_address_column_shows_the_ip_address() -> None:
    assert shown_address("desk-3 (10.0.0.3)") == "10.0.0.3"
    assert shown_address("desk-3") == "desk-3"


# --- the card ------------------------------------------------------------------------------------


def test_the_card_masks_the_documents_and_lists_the_institutions(
    database: Database, ids: SampleIds
) -> None:
    consent = dt.datetime(2015, 8, 4, 9, 0, tzinfo=dt.UTC)
    patient = _patient(
        database,
        snils="11223344595",
        oms_number="8321234567890567",
        oms_kind="unified",
        passport="4502573482",
        phone="+79123456789",
        email="ivanova@mail.ru",
        consent_given_at=consent,
    )
    with database.session() as session:
        for key, id_pat in (("polyclinic", "P-1"), ("okb", "P-2")):
            session.add(PatientLpuLink(patient_id=patient, institution_id=ids.institutions[key],
                                       hub_patient_id=id_pat))
    with database.session() as session:
        card = patient_card(session, patient)
    assert card.full_name == "Ахмедова Култакин Байрам гызы"
    assert card.birth_date_label == "17.05.1980"
    assert card.snils == "***-***-445 95"
    assert card.oms == "************0567"
    assert card.passport == "45 ** ***482"
    assert card.phone == "+7 912 ***-**-89"
    assert card.email == "iv***@mail.ru"
    assert card.consent_label == consent.astimezone().strftime("%d.%m.%Y")
    assert [i.name for i in card.institutions] == [
        "Окружная клиническая больница", "Поликлиника № 2"
    ]
    assert card.institutions[0].settlement_id == ids.settlements["khm"]
    assert card.cabinet_status == "не выдан"
    for secret in ("11223344595", "8321234567890567", "4502573482", "9123456789", "ivanova"):
        assert secret not in repr(card)


def test_the_cabinet_status_is_issued_or_blocked(database: Database) -> None:
    patient = _patient(database, snils="11223344595")
    created = dt.datetime(2015, 8, 10, 12, 0, tzinfo=dt.UTC)
    with database.session() as session:
        session.add(CabinetAccount(patient_id=patient, login="11223344595", password_hash="x",
                                   created_at=created))
    with database.session() as session:
        assert patient_card(session, patient).cabinet_status == (
            f"выдан {created.astimezone():%d.%m.%Y}"
        )
        session.scalars(select(CabinetAccount)).one().is_blocked = True
    with database.session() as session:
        card = patient_card(session, patient)
        assert card.cabinet_status == "заблокирован"
        assert (card.snils, card.oms, card.passport, card.phone, card.email) == (
            "***-***-445 95", "", "", "", ""
        )
        assert card.consent_label == "нет"
        with pytest.raises(PatientNotFound):
            patient_card(session, 999_999)


def test_an_old_style_policy_shows_its_last_four_characters() -> None:
    assert masked_oms("АБ 1234567") == "***4567"
    assert masked_oms(None) == ""
