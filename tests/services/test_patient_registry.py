"""The patient form: each identification way's required fields, checks, saving and the journal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from workstation.models import JournalEvent, Patient
from workstation.services import patient_registry
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.patient_registry import (
    CONSENT_GIVEN,
    CONTACTS_CHANGED,
    PATIENT_REGISTERED,
    FormField,
    IdentificationWay,
    PatientDataRequired,
    PatientForm,
    PatientFormInvalid,
    has_consent,
    load_form,
    parse_birth_date,
    required_fields,
    save_patient,
    shown_fields,
    validate,
)

TODAY = dt.date(2026, 11, 25)
ACTOR = Actor(operator="petrova", workstation="desk-1 (10.0.0.1)")
SNILS = "112-233-445 95"
ENP = "8600000000000015"
MOBILE = "8 912 345-67-89"
LANDLINE = "8 3467 33-33-33"

W = IdentificationWay
F = FormField


def _required(label: str) -> str:
    return f"Поле «{label}» обязательно для заполнения."


CONSENT_MESSAGE = (
    "Без согласия на обработку персональных данных запись на прием невозможна: "
    "отметьте согласие пациента."
)

# --------------------------------------------------------------------------------------------
# Checks (no database)


@pytest.mark.parametrize(
    ("way", "expected"),
    [
        (
            W.NO_DOCUMENT,
            {
                F.LAST_NAME: _required("Фамилия"),
                F.FIRST_NAME: _required("Имя"),
                F.PATRONYMIC: _required("Отчество"),
                F.BIRTH_DATE: _required("Дата рождения"),
                F.CONSENT: CONSENT_MESSAGE,
            },
        ),
        (
            W.OMS,
            {
                F.DOCUMENT: "Введите номер полиса ОМС: 16 цифр ЕНП, 9 цифр временного "
                "свидетельства или серию и номер полиса старого образца.",
                F.BIRTH_DATE: _required("Дата рождения"),
                F.CONSENT: CONSENT_MESSAGE,
            },
        ),
        (
            W.SNILS,
            {
                F.DOCUMENT: "Введите СНИЛС: 11 цифр, например 112-233-445 95.",
                F.CONSENT: CONSENT_MESSAGE,
            },
        ),
        (
            W.PASSPORT,
            {
                F.DOCUMENT: "Введите серию и номер паспорта: 10 цифр, например 45 02 573482.",
                F.CONSENT: CONSENT_MESSAGE,
            },
        ),
        (
            W.DMS,
            {
                F.DOCUMENT: "Введите номер полиса ДМС.",
                F.BIRTH_DATE: _required("Дата рождения"),
                F.CONSENT: CONSENT_MESSAGE,
            },
        ),
    ],
)
def test_each_way_requires_the_manuals_fields(
    way: IdentificationWay, expected: dict[FormField, str]
) -> None:
    errors = validate(PatientForm(way=way), today=TODAY)
    assert errors == expected
    assert list(errors) == list(expected)  # in the form's order
    assert set(required_fields(way)) == set(expected)
    assert set(expected) <= set(shown_fields(way))


@pytest.mark.parametrize(
    "form",
    [
        PatientForm(W.NO_DOCUMENT, "Иванова", "Анна", "Петровна", "12.05.1980", consent=True),
        PatientForm(W.OMS, document=ENP, birth_date=dt.date(1980, 5, 12), consent=True),
        PatientForm(W.SNILS, document=SNILS, consent=True),
        PatientForm(W.PASSPORT, document="45 02 573482", consent=True),
        PatientForm(W.DMS, document="ДМС-001/23", birth_date="12051980", consent=True),
    ],
    ids=lambda form: form.way.name,
)
def test_a_complete_form_of_each_way_passes(form: PatientForm) -> None:
    form.phone = MOBILE
    form.email = "ivanova@mail.ru"
    assert validate(form, today=TODAY) == {}


def test_documents_are_checked_by_their_types() -> None:
    errors = validate(PatientForm(W.SNILS, document="112-233-445 96", consent=True), today=TODAY)
    assert errors == {F.DOCUMENT: "Неверное контрольное число СНИЛС: проверьте номер по документу."}
    errors = validate(
        PatientForm(W.OMS, document="8600000000000010", birth_date="01.01.1990", consent=True)
    )
    assert set(errors) == {F.DOCUMENT}


def test_a_landline_phone_is_refused_and_a_wrong_email_is_explained() -> None:
    form = PatientForm(W.SNILS, document=SNILS, phone=LANDLINE, email="ivanova@mail", consent=True)
    errors = validate(form, today=TODAY)
    assert errors[F.PHONE] == (
        "Это городской номер, а нужен номер мобильного телефона (+7 9XX …): "
        "на него придет СМС с кодом подтверждения записи."
    )
    assert "домен с точкой" in errors[F.EMAIL]
    form.phone, form.email = "8 912 345-67", ""
    assert "10 цифр" in validate(form, today=TODAY)[F.PHONE]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.05.80", "четырьмя цифрами"),
        ("31.02.1980", "не существует"),
        ("01.01.2027", "еще не наступила"),
        ("01.01.1870", "слишком ранняя"),
        ("завтра", "ДД.ММ.ГГГГ"),
    ],
)
def test_a_wrong_birth_date_is_explained(text: str, message: str) -> None:
    form = PatientForm(W.OMS, document=ENP, birth_date=text, consent=True)
    assert message in validate(form, today=TODAY)[F.BIRTH_DATE]


def test_birth_dates_are_read_as_operators_type_them() -> None:
    for text in ("12.05.1980", "12/05/1980", "12-05-1980", "12051980", " 12.5.1980 "):
        assert parse_birth_date(text, today=TODAY) == dt.date(1980, 5, 12)


def test_names_with_digits_are_refused_and_optional_names_are_checked_when_given() -> None:
    form = PatientForm(W.NO_DOCUMENT, "Иван0ва", "Анна", "-", "12.05.1980", consent=True)
    errors = validate(form, today=TODAY)
    assert errors[F.LAST_NAME].endswith("а введен символ «0».")
    assert errors[F.PATRONYMIC] == "В поле «Отчество» должна быть хотя бы одна буква."
    # A document way does not require a name, but checks one that is typed.
    assert set(validate(PatientForm(W.SNILS, "7", document=SNILS, consent=True))) == {F.LAST_NAME}


def test_a_new_patient_shows_the_name_and_birth_date_too() -> None:
    assert shown_fields(W.SNILS) == (F.DOCUMENT, F.PHONE, F.EMAIL, F.CONSENT)
    assert shown_fields(W.SNILS, new_patient=True) == (
        F.DOCUMENT,
        F.LAST_NAME,
        F.FIRST_NAME,
        F.PATRONYMIC,
        F.BIRTH_DATE,
        F.PHONE,
        F.EMAIL,
        F.CONSENT,
    )


def test_the_form_keeps_personal_data_out_of_its_repr() -> None:
    form = PatientForm(W.SNILS, "Иванова", document=SNILS, phone=MOBILE)
    assert repr(form) == "PatientForm(SNILS, consent=False)"


# --------------------------------------------------------------------------------------------
# Saving (both engines)


def _journal(database: Database) -> list[tuple[str, str, int | None]]:
    with database.session() as session:
        events = session.scalars(select(JournalEvent).order_by(JournalEvent.id)).all()
        return [(event.action, event.details, event.patient_id) for event in events]


def test_saving_refuses_a_bad_form_and_registers_a_new_patient_with_the_consent(
    database: Database,
) -> None:
    # Refused without the consent, or with a landline: nothing saved, nothing journalled.
    form = PatientForm(W.SNILS, "Иванова", "Анна", "", "12.05.1980", document=SNILS)
    with pytest.raises(PatientFormInvalid) as refused, database.write_session() as session:
        save_patient(session, form, ACTOR)
    assert refused.value.errors == {F.CONSENT: CONSENT_MESSAGE}
    form.consent, form.phone = True, LANDLINE
    with pytest.raises(PatientFormInvalid) as refused, database.write_session() as session:
        save_patient(session, form, ACTOR)
    assert set(refused.value.errors) == {F.PHONE}
    with database.session() as session:
        assert session.scalars(select(Patient)).all() == []
    assert _journal(database) == []

    form = PatientForm(
        W.SNILS,
        " Иванова ",
        "Анна",
        "Петровна",
        "12.05.1980",
        document=SNILS,
        phone=MOBILE,
        email="Ivanova@Mail.RU",
        consent=True,
    )
    with database.write_session() as session:
        patient_id = save_patient(session, form, ACTOR)
    with database.session() as session:
        patient = session.get_one(Patient, patient_id)
        assert (patient.last_name, patient.first_name, patient.patronymic) == (
            "Иванова",
            "Анна",
            "Петровна",
        )
        assert patient.birth_date == dt.date(1980, 5, 12)
        assert (patient.snils, patient.phone, patient.email) == (
            "11223344595",
            "+79123456789",
            "Ivanova@mail.ru",
        )
        assert patient.consent_given_at is not None
        assert has_consent(session, patient_id)
        events = session.scalars(select(JournalEvent)).all()
        assert {(event.operator, event.workstation_address) for event in events} == {
            (ACTOR.operator, ACTOR.workstation)
        }
    assert _journal(database) == [
        (
            PATIENT_REGISTERED,
            "СНИЛС ***-***-445 95, телефон +7 912 ***-**-89, e-mail Iv***@mail.ru",
            patient_id,
        ),
        (CONSENT_GIVEN, "дано", patient_id),
    ]

    # The same document again: the same patient; a new phone is a contacts change (masked),
    # the consent is not recorded twice, an empty e-mail keeps the registered one.
    again = PatientForm(W.SNILS, document="11223344595", phone="+7 (922) 111-22-33", consent=True)
    with database.write_session() as session:
        assert save_patient(session, again, ACTOR) == patient_id
    journal = _journal(database)
    assert journal[2:] == [(CONTACTS_CHANGED, "телефон +7 922 ***-**-33", patient_id)]
    with database.session() as session:
        patient = session.get_one(Patient, patient_id)
        assert (patient.phone, patient.email) == ("+79221112233", "Ivanova@mail.ru")
        loaded = load_form(session, patient_id)
    assert loaded == PatientForm(
        W.SNILS,
        "Иванова",
        "Анна",
        "Петровна",
        "12.05.1980",
        document=SNILS,
        phone="+7 922 111-22-33",
        email="Ivanova@mail.ru",
        consent=True,
    )
    # Nothing changed: nothing journalled.
    with database.write_session() as session:
        assert save_patient(session, loaded, ACTOR) == patient_id
    assert len(_journal(database)) == len(journal)


def test_each_way_finds_the_registered_patient_or_asks_for_a_new_ones_name(
    database: Database,
) -> None:
    birth = dt.date(1975, 3, 1)
    patient = Patient(
        birth_date=birth,
        snils="08765430300",
        oms_number=ENP,
        oms_kind="unified",
        passport="4502573482",
        dms_insurer="СОГАЗ",
        dms_number="ДМС-001/23",
        consent_given_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    patient.set_name("Семёнов", "Пётр", "Ильич")
    with database.session() as session:
        session.add(patient)
        session.flush()
        known = patient.id

    forms = [
        PatientForm(W.NO_DOCUMENT, "СЕМЕНОВ", "петр", "Ильич", "01.03.1975", consent=True),
        PatientForm(W.OMS, document="8600 0000 0000 0015", birth_date="01031975", consent=True),
        PatientForm(W.SNILS, document="087-654-303 00", consent=True),
        PatientForm(W.PASSPORT, document="4502 № 573482", consent=True),
        PatientForm(W.DMS, document="№ ДМС-001/23", birth_date=birth, consent=True),
    ]
    with database.write_session() as session:
        assert [save_patient(session, form, ACTOR) for form in forms] == [known] * 5
    assert _journal(database) == []  # no contacts given, the consent was already recorded

    # The polis is registered with another birth date: the operator is told, nothing saved.
    wrong = PatientForm(W.OMS, document=ENP, birth_date="02.03.1975", consent=True)
    with pytest.raises(PatientFormInvalid) as refused, database.write_session() as session:
        save_patient(session, wrong, ACTOR)
    assert "не совпадает" in refused.value.errors[F.BIRTH_DATE]

    # An unknown СНИЛС needs a name and a birth date before a patient can be added.
    unknown = PatientForm(W.SNILS, document="123-456-789 64", consent=True)
    with pytest.raises(PatientDataRequired) as required, database.write_session() as session:
        save_patient(session, unknown, ACTOR)
    assert set(required.value.errors) == {F.LAST_NAME, F.FIRST_NAME, F.BIRTH_DATE}
    assert required.value.errors[F.LAST_NAME] == (
        "Пациента с этим документом нет в регистре: для нового пациента заполните поле «Фамилия»."
    )
    unknown.last_name, unknown.first_name, unknown.birth_date = "Орлова", "Вера", "02.02.2002"
    with database.write_session() as session:
        added = save_patient(session, unknown, ACTOR)
    assert added != known
    assert _journal(database) == [
        (PATIENT_REGISTERED, "СНИЛС ***-***-789 64", added),
        (CONSENT_GIVEN, "дано", added),
    ]

    # A ДМС number of another holder (another birth date) is another patient.
    other = PatientForm(
        W.DMS, "Белова", "Ольга", "", "05.05.1990", document="ДМС-001/23", consent=True
    )
    with database.write_session() as session:
        assert save_patient(session, other, ACTOR) not in (known, added)


def test_a_patient_added_meanwhile_by_another_workstation_is_used(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = PatientForm(W.SNILS, "Иванова", "Анна", "", "12.05.1980", document=SNILS, consent=True)
    with database.write_session() as session:
        first = save_patient(session, form, ACTOR)
    # The lookup misses the row (as if another workstation added it after the lookup):
    # the insert fails on the unique СНИЛС and the row found then is used.
    real_find = patient_registry._find
    calls: list[tuple[Any, ...]] = []

    def find_late(*args: Any) -> Patient | None:
        calls.append(args)
        return None if len(calls) == 1 else real_find(*args)

    monkeypatch.setattr(patient_registry, "_find", find_late)
    form.phone = MOBILE
    with database.write_session() as session:
        assert save_patient(session, form, ACTOR) == first
    assert len(calls) == 2
    with database.session() as session:
        assert session.get_one(Patient, first).phone == "+79123456789"
        assert len(session.scalars(select(Patient)).all()) == 1
