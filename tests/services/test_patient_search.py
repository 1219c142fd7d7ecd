"""The patient registry search: recognition, folding, ranking, masking, limits; both engines."""

from __future__ import annotations

import datetime as dt
import gc
import random
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import FrozenInstanceError, fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url
from stdnum import luhn

from workstation.models import Patient
from workstation.models.identity import (
    DmsPolicy,
    InvalidDocument,
    OmsPolicy,
    OmsPolicyKind,
    Passport,
    Phone,
    Snils,
    snils_check_number,
)
from workstation.services import patient_search
from workstation.services.database import Database
from workstation.services.patient_search import (
    DocumentQuery,
    InvalidQuery,
    MatchedField,
    NameQuery,
    PatientHit,
    PatientSearch,
    SearchResult,
    recognise_query,
    search_patients,
)

TODAY = dt.date(2026, 11, 25)


def _snils(body: int) -> str:
    digits = f"{body:09d}"
    return digits + snils_check_number(digits)


def _enp(body: int) -> str:
    digits = f"86{body:013d}"
    return digits + luhn.calc_check_digit(digits)


_counter = iter(range(10_000_000, 99_999_999))


def _add(
    database: Database,
    last: str,
    first: str,
    patronymic: str = "",
    birth: dt.date = dt.date(1980, 1, 1),
    **documents: str | None,
) -> int:
    """Insert one patient with unique documents (unless given) and return its id."""
    number = next(_counter)
    patient = Patient(
        birth_date=birth,
        snils=documents.get("snils", _snils(number)),
        oms_number=documents.get("oms_number", _enp(number)),
        oms_kind=documents.get("oms_kind", OmsPolicyKind.UNIFIED.value),
        passport=documents.get("passport", f"6715{number % 1_000_000:06d}"),
        dms_insurer=documents.get("dms_insurer"),
        dms_number=documents.get("dms_number"),
        phone=documents.get("phone", f"+7912{number % 10_000_000:07d}"),
    )
    patient.set_name(last, first, patronymic)
    with database.session() as session:
        session.add(patient)
        session.flush()
        return patient.id


@pytest.fixture
def search(database: Database) -> Iterator[PatientSearch]:
    with PatientSearch(database) as service:
        yield service


def _names(result: SearchResult) -> list[str]:
    return [hit.full_name for hit in result.hits]


# --------------------------------------------------------------------------------------------
# Recognition (no database)


@pytest.mark.parametrize(
    ("text", "field", "value", "kind"),
    [
        ("112-233-445 95", MatchedField.SNILS, "11223344595", None),
        ("11223344595", MatchedField.SNILS, "11223344595", None),
        (" 112 233 445 95 ", MatchedField.SNILS, "11223344595", None),
        ("8600 0000 0000 0015", MatchedField.OMS, "8600000000000015", OmsPolicyKind.UNIFIED),
        ("8600000000000015", MatchedField.OMS, "8600000000000015", OmsPolicyKind.UNIFIED),
        ("123 456 789", MatchedField.OMS, "123456789", OmsPolicyKind.TEMPORARY),
        ("45 02 573482", MatchedField.PASSPORT, "4502573482", None),
        ("4502 № 573482", MatchedField.PASSPORT, "4502573482", None),
        ("4502573482", MatchedField.PASSPORT, "4502573482", None),
        ("7700 12345678", MatchedField.OMS, "7700 12345678", OmsPolicyKind.OLD_STYLE),
        ("паспорт 4502 573482", MatchedField.PASSPORT, "4502573482", None),
        ("СНИЛС: 112-233-445 95", MatchedField.SNILS, "11223344595", None),
        ("енп 8600000000000015", MatchedField.OMS, "8600000000000015", OmsPolicyKind.UNIFIED),
        ("дмс 01-2345678/26", MatchedField.DMS, "01-2345678/26", None),
        ("полис ДМС АБ 123", MatchedField.DMS, "АБ 123", None),
        ("полис ЯП 123456", MatchedField.OMS, "ЯП 123456", OmsPolicyKind.OLD_STYLE),
    ],
)
def test_documents_are_recognised_by_their_shape(
    text: str, field: MatchedField, value: str, kind: OmsPolicyKind | None
) -> None:
    query = recognise_query(text, today=TODAY)
    assert isinstance(query, DocumentQuery)
    assert query.lookups == ((field, value),)
    assert query.oms_kind is kind


def test_letters_with_digits_are_an_old_style_polis_or_a_dms_number() -> None:
    query = recognise_query("яп 123456", today=TODAY)
    assert isinstance(query, DocumentQuery)
    assert query.lookups == ((MatchedField.OMS, "ЯП 123456"), (MatchedField.DMS, "яп 123456"))
    assert query.oms_kind is OmsPolicyKind.OLD_STYLE
    single = recognise_query("ДМС-001/23", today=TODAY)
    assert isinstance(single, DocumentQuery)
    assert single.lookups == ((MatchedField.DMS, "ДМС-001/23"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Семёнов", NameQuery("СЕМЕНОВ")),
        ("семенов", NameQuery("СЕМЕНОВ")),
        ("СЕМЁН ал", NameQuery("СЕМЕН", "АЛ")),
        ("Иванов Пётр Фёдорович", NameQuery("ИВАНОВ", "ПЕТР", "ФЕДОРОВИЧ")),
        ("Иванов И. И.", NameQuery("ИВАНОВ", "И", "И")),
        ("Иванов И.И.", NameQuery("ИВАНОВ", "И", "И")),
        ("иванов, иван", NameQuery("ИВАНОВ", "ИВАН")),
        ("Иванов 12.05.1980", NameQuery("ИВАНОВ", birth_date=dt.date(1980, 5, 12))),
        ("Иванов Иван 1.5.1980", NameQuery("ИВАНОВ", "ИВАН", birth_date=dt.date(1980, 5, 1))),
        ("Иванов 12051980", NameQuery("ИВАНОВ", birth_date=dt.date(1980, 5, 12))),
        ("Иванов 12-05-1980", NameQuery("ИВАНОВ", birth_date=dt.date(1980, 5, 12))),
        ("Ив", NameQuery("ИВ")),
        ("петров-водкин кузьма", NameQuery("ПЕТРОВ-ВОДКИН", "КУЗЬМА")),
        ("Мамедов Рашид Али оглы", NameQuery("МАМЕДОВ", "РАШИД", "АЛИ ОГЛЫ")),
    ],
)
def test_names_are_recognised_and_folded(text: str, expected: NameQuery) -> None:
    assert recognise_query(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        ("112-233-445 96", InvalidDocument, "контрольное число СНИЛС"),
        ("8600000000000016", InvalidDocument, "контрольная цифра ЕНП"),
        ("", InvalidQuery, "Введите фамилию"),
        ("   ", InvalidQuery, "Введите фамилию"),
        ("И", InvalidQuery, "двух первых букв фамилии"),
        ("И 12.05.1980", InvalidQuery, "двух первых букв фамилии"),
        ("Иванов 12.05.80", InvalidQuery, "четырьмя цифрами"),
        ("Иванов 31.02.1980", InvalidQuery, "не существует"),
        ("Иванов 01.01.2030", InvalidQuery, "ещё не наступила"),
        ("12.05.1980", InvalidQuery, "Введите фамилию перед датой рождения"),
        ("12051980", InvalidQuery, "Введите фамилию перед датой рождения"),
        ("1234567", InvalidQuery, "Номер из 7 цифр"),
        ("12345678901234", InvalidQuery, "СНИЛС — 11"),
        ("4550 573482", InvalidDocument, "год изготовления бланка"),
        ("@@@", InvalidQuery, "Не удалось понять запрос"),
    ],
)
def test_what_cannot_be_searched_gets_a_russian_message(
    text: str, error: type[ValueError], words: str
) -> None:
    with pytest.raises(error) as raised:
        recognise_query(text, today=TODAY)
    assert words in str(raised.value)
    assert isinstance(raised.value, patient_search.SEARCH_ERRORS)


def test_unvalidated_recognition_defers_only_the_check() -> None:
    query = recognise_query("112-233-445 96", validate=False)
    assert query == DocumentQuery(((MatchedField.SNILS, "11223344596"),))
    assert "11223344596" not in repr(query)


@settings(max_examples=500, deadline=None)
@given(first=st.sampled_from("3489"), rest=st.integers(min_value=0, max_value=10**9 - 1))
def test_the_fast_phone_mask_agrees_with_phonenumbers(first: str, rest: int) -> None:
    number = f"+7{first}{rest:09d}"
    try:
        expected = Phone(number).masked
    except InvalidDocument:  # not a valid Russian number: never stored, nothing to compare
        return
    assert patient_search._mask_phone(number) == expected


def test_the_phone_mask_is_the_identity_types_mask() -> None:
    rng = random.Random(7)
    numbers = [f"+79{rng.randrange(10**9):09d}" for _ in range(300)]
    numbers += [f"+7346{code}{rng.randrange(10**6):06d}" for code in "2367" for _ in range(20)]
    for number in numbers:
        assert patient_search._mask_phone(number) == Phone(number).masked


@settings(max_examples=300, deadline=None)
@given(body=st.integers(min_value=1_001_999, max_value=999_999_999),
       enp=st.integers(min_value=1, max_value=10**15 - 1),
       temporary=st.integers(min_value=1, max_value=10**9 - 1),
       passport_number=st.integers(min_value=1, max_value=999_999))
def test_the_document_masks_are_the_identity_types_masks(
    body: int, enp: int, temporary: int, passport_number: int
) -> None:
    digits = f"{body:09d}"
    snils = Snils.parse(digits + snils_check_number(digits))
    assert patient_search._mask_snils(snils.canonical) == snils.masked
    unified = OmsPolicy.parse(f"{enp:015d}" + str(luhn.calc_check_digit(f"{enp:015d}")))
    assert patient_search._mask_oms(unified.canonical, unified.kind) == unified.masked
    temporary_policy = OmsPolicy.parse(f"{temporary:09d}")
    assert (patient_search._mask_oms(temporary_policy.canonical, temporary_policy.kind)
            == temporary_policy.masked)
    passport = Passport.parse(f"4502{passport_number:06d}")
    assert patient_search._mask_passport(passport.canonical) == passport.masked


# --------------------------------------------------------------------------------------------
# Searching a database (SQLite and PostgreSQL)


def test_documents_find_their_patient(database: Database, search: PatientSearch) -> None:
    other = _add(database, "Другой", "Пациент")
    patient = _add(
        database,
        "Кузнецова",
        "Алёна",
        "Петровна",
        dt.date(1975, 3, 8),
        snils="11223344595",
        oms_number="8600000000000015",
        passport="4502573482",
        dms_insurer="АО «СОГАЗ»",
        dms_number="01-2345678/26",
        phone="+79123456789",
    )
    temporary = _add(database, "Временный", "Полис", oms_number="123456789", oms_kind="temporary")
    old = _add(database, "Старый", "Полис", oms_number="ЯП 123456", oms_kind="old_style")
    cases = [
        ("112-233-445 95", patient, MatchedField.SNILS),
        ("8600 0000 0000 0015", patient, MatchedField.OMS),
        ("45 02 573482", patient, MatchedField.PASSPORT),
        ("ДМС 01-2345678/26", patient, MatchedField.DMS),
        ("123 456 789", temporary, MatchedField.OMS),
        ("яп 123456", old, MatchedField.OMS),
        ("ЯП № 123456", old, MatchedField.OMS),
    ]
    for text, expected, field in cases:
        result = search.search(text)
        assert [hit.patient_id for hit in result.hits] == [expected], text
        assert result.hits[0].matched is field
        assert result.hits[0].exact
        assert other not in [hit.patient_id for hit in result.hits]
    hit = search.search("11223344595").hits[0]
    assert hit.full_name == "Кузнецова Алёна Петровна"
    assert hit.birth_date == dt.date(1975, 3, 8)
    assert hit.oms_kind is OmsPolicyKind.UNIFIED
    assert search.search("123456789").hits[0].oms_kind is OmsPolicyKind.TEMPORARY


def test_hits_show_only_masked_documents(database: Database, search: PatientSearch) -> None:
    _add(
        database,
        "Маскина",
        "Ольга",
        "Ивановна",
        snils="11223344595",
        oms_number="8600000000000015",
        passport="4502573482",
        dms_number="01-2345678/26",
        phone="+79123456789",
    )
    _add(database, "Маскин", "Олег", oms_number="ХМА 00123456", oms_kind="old_style")
    result = search.search("Маскин")
    assert len(result.hits) == 2
    hit = next(h for h in result.hits if h.full_name.startswith("Маскина"))
    assert hit.snils == Snils("11223344595").masked == "***-***-445 95"
    assert hit.oms == OmsPolicy(OmsPolicyKind.UNIFIED, "8600000000000015").masked
    assert hit.passport == Passport("4502573482").masked
    assert hit.dms == DmsPolicy("", "01-2345678/26").masked
    assert hit.phone == Phone("+79123456789").masked
    old = next(h for h in result.hits if h.full_name.startswith("Маскин "))
    assert old.oms == OmsPolicy.parse("ХМА 00123456").masked
    for shown in result.hits:
        text = repr(shown) + " ".join(str(getattr(shown, f.name)) for f in fields(shown))
        for secret in ("11223344595", "8600000000000015", "4502573482", "2345678", "3456789"):
            assert secret not in text
        assert "00123456" not in text
    with pytest.raises(FrozenInstanceError):
        hit.snils = "11223344595"  # type: ignore[misc]


def test_case_and_yo_are_folded_in_cyrillic(database: Database, search: PatientSearch) -> None:
    semyonov = _add(database, "Семёнов", "Пётр", "Фёдорович", dt.date(1961, 4, 12))
    semenova = _add(database, "Семенова", "Алёна", "", dt.date(1990, 7, 1))
    _add(database, "Сергеев", "Пётр")
    for text in ("семенов", "СЕМЁН", "Семенов", "сЕмЁнОв", "семёнов пётр", "СЕМЕНОВ ПЕТР ФЕДОР"):
        ids = [hit.patient_id for hit in search.search(text).hits]
        assert ids[0] == semyonov, text
    assert [hit.patient_id for hit in search.search("СЕМЁН").hits] == [semyonov, semenova]
    assert [hit.patient_id for hit in search.search("семенова ал").hits] == [semenova]
    assert [hit.patient_id for hit in search.search("сем пет 12.04.1961").hits] == [semyonov]
    assert search.search("семенов пётр 13.04.1961").hits == ()


def test_names_are_ranked(database: Database, search: PatientSearch) -> None:
    d = dt.date
    ivan_1980 = _add(database, "Иванов", "Иван", "Петрович", d(1980, 1, 1))
    ivan_1970 = _add(database, "Иванов", "Иван", "Сергеевич", d(1970, 1, 1))
    andrey = _add(database, "Иванов", "Андрей", "", d(1990, 6, 1))
    ivanko = _add(database, "Иванов", "Иванко", "", d(1960, 1, 1))
    ivanna = _add(database, "Иванова", "Иванна", "", d(1985, 1, 1))
    maria = _add(database, "Иванова", "Мария", "", d(1980, 1, 1))
    ivanovsky = _add(database, "Ивановский", "Иван", "", d(1950, 1, 1))
    petr = _add(database, "Ивановский", "Пётр", "", d(1980, 1, 1))
    _add(database, "Ивашов", "Иван", "", d(1980, 1, 1))

    def ids(text: str) -> list[int]:
        return [hit.patient_id for hit in search.search(text).hits]

    # Exact surname first; then the first name equal before a longer one, whatever the
    # surname; then by last name, first name, birth date.
    assert ids("Иванов") == [andrey, ivan_1970, ivan_1980, ivanko, ivanna, maria, ivanovsky, petr]
    assert ids("Иванов Иван") == [ivan_1970, ivan_1980, ivanko, ivanovsky, ivanna]
    assert ids("иванов иван п") == [ivan_1980]
    assert ids("Иванов 01.01.1980") == [ivan_1980, maria, petr]
    assert ids("Иванова 01.01.1980") == [maria]
    assert ids("Ивановский Иван") == [ivanovsky]
    # With a birth date the same ranking is done in one statement.
    born = d(1975, 5, 5)
    dated = [
        _add(database, "Иванова", "Иванна", "", born),
        _add(database, "Ивановский", "Иван", "", born),
        _add(database, "Иванов", "Иванко", "", born),
    ]
    assert ids("Иванов Иван 05.05.1975") == [dated[2], dated[1], dated[0]]
    assert ids("Иванов 05.05.1975") == [dated[2], dated[0], dated[1]]
    exact = {hit.patient_id: hit.exact for hit in search.search("Иванов").hits}
    assert exact[ivan_1980] and exact[andrey]
    assert not exact[ivanna] and not exact[ivanovsky]
    assert all(hit.matched is MatchedField.NAME for hit in search.search("Иванов").hits)


def test_limit_and_more(database: Database, search: PatientSearch) -> None:
    for day in range(1, 26):
        _add(database, "Петров", "Пётр", "", dt.date(1980, 1, day))
    result = search.search("Петров")
    assert len(result.hits) == 20
    assert result.more
    assert [hit.birth_date.day for hit in result.hits] == list(range(1, 21))
    few = search.search("петров пётр", limit=5)
    assert [hit.birth_date.day for hit in few.hits] == [1, 2, 3, 4, 5]
    assert few.more
    everything = search.search("Петров", limit=25)
    assert len(everything.hits) == 25
    assert not everything.more
    dated = search.search("Пет 03.01.1980", limit=1)
    assert len(dated.hits) == 1
    assert not dated.more
    shared = "6702123456"
    _add(database, "Первый", "Владелец", passport=shared)
    _add(database, "Второй", "Владелец", passport=shared)
    one = search.search("67 02 123456", limit=1)
    assert len(one.hits) == 1
    assert one.more
    assert len(search.search("67 02 123456").hits) == 2
    for bad in (0, -1, patient_search.MAX_LIMIT + 1):
        with pytest.raises(ValueError, match="limit"):
            search.search("Петров", limit=bad)


def test_check_failures_are_reported_not_empty(database: Database, search: PatientSearch) -> None:
    _add(database, "Проверкин", "Иван", snils="11223344595", oms_number="8600000000000015")
    with pytest.raises(InvalidDocument, match="контрольное число СНИЛС"):
        search.search("112-233-445 96")
    with pytest.raises(InvalidDocument, match="контрольная цифра ЕНП"):
        search.search("8600 0000 0000 0016")
    with pytest.raises(InvalidQuery, match="двух первых букв"):
        search.search("П")
    # A valid number nobody has is simply not found.
    assert search.search(_snils(987_654_321)).hits == ()
    assert search.search("Несуществующий").hits == ()


def test_a_number_stored_as_is_is_found_even_if_its_check_fails(
    database: Database, search: PatientSearch
) -> None:
    # Legacy data: the search finds what is stored instead of refusing the number.
    legacy = _add(database, "Старожилов", "Иван", snils="11223344596")
    assert [hit.patient_id for hit in search.search("112-233-445 96").hits] == [legacy]


def test_an_old_style_polis_that_looks_like_a_name_and_date(
    database: Database, search: PatientSearch
) -> None:
    holder = _add(database, "Полисов", "Иван", oms_number="ХМА 12051980", oms_kind="old_style")
    result = search.search("ХМА 12051980")
    assert [hit.patient_id for hit in result.hits] == [holder]
    assert result.hits[0].matched is MatchedField.OMS


def test_search_patients_reuses_one_service(database: Database) -> None:
    patient = _add(database, "Кэшев", "Иван")
    first = search_patients(database, "кэшев")
    again = search_patients(database, "КЭШЕВ", limit=1)
    assert [hit.patient_id for hit in first.hits] == [patient]
    assert again.hits == first.hits
    service = patient_search._SERVICES.get(database)
    assert isinstance(service, PatientSearch)
    search_patients(database, "Кэшев")
    assert patient_search._SERVICES.get(database) is service


def test_close_returns_connections_and_searching_again_works(database: Database) -> None:
    patient = _add(database, "Закрытов", "Иван")
    service = PatientSearch(database)
    assert [hit.patient_id for hit in service.search("Закрытов").hits] == [patient]
    # SQLite keeps one connection per searching thread; PostgreSQL returns it every time.
    held = 1 if database.is_sqlite else 0
    assert len(service._held.connections) == held
    service.close()
    assert service._held.connections == []
    assert [hit.patient_id for hit in service.search("Закрытов").hits] == [patient]
    assert len(service._held.connections) == held
    # Database.dispose() closes them too, and the next search takes a fresh connection.
    before = list(service._held.connections)
    database.dispose()
    assert service._held.connections == []
    assert all(not connection.is_valid for connection in before)
    assert isinstance(service.search("Закрытов").hits[0], PatientHit)
    assert len(service._held.connections) == held
    with service:
        pass
    assert service._held.connections == []


def test_searches_from_several_threads(database: Database, search: PatientSearch) -> None:
    patient = _add(database, "Потоков", "Иван")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _n: search.search("Потоков").hits, range(40)))
    assert all([hit.patient_id for hit in hits] == [patient] for hits in results)
    # The threads have ended: the connections they held went back to the pool.
    gc.collect()
    assert search._held.connections == []
    assert [hit.patient_id for hit in search.search("Потоков").hits] == [patient]
    assert len(search._held.connections) == (1 if database.is_sqlite else 0)


def test_new_rows_are_seen_by_a_service_that_already_searched(
    database: Database, search: PatientSearch
) -> None:
    assert search.search("Новиков").hits == ()
    patient = _add(database, "Новиков", "Иван")
    assert [hit.patient_id for hit in search.search("Новиков").hits] == [patient]


def test_sqlite_uses_the_indexes(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    database.upgrade()
    try:
        path = make_url(sqlite_url).database
        assert path is not None
        with PatientSearch(database) as service, sqlite3.connect(path) as connection:

            def plan(text: str) -> str:
                query = recognise_query(text)
                details = []
                for sql, parameters in service.statements(query):
                    rows = connection.execute(f"EXPLAIN QUERY PLAN {sql}", parameters)
                    details += [row[3] for row in rows]
                return " | ".join(details)

            assert "ix_patient_birth_last_name (birth_date=? AND last_name_norm>? AND" in plan(
                "Иванов 12.05.1980"
            )
            assert "USING INDEX ix_patient_last_name_first_name (last_name_norm=?" in plan(
                "Иванов Иван"
            )
            assert "USING INDEX ix_patient_last_name_first_name (last_name_norm>?" in plan("Ив")
            assert "(snils=?)" in plan("112-233-445 95")
            assert "(oms_number=?)" in plan("8600000000000015")
            assert "ix_patient_passport (passport=?)" in plan("45 02 573482")
            assert "ix_patient_dms_number (dms_number=?)" in plan("ДМС 123-45")
            assert "SCAN" not in plan("Иванов 12.05.1980") + plan("Иванов") + plan("11223344595")
    finally:
        database.dispose()
