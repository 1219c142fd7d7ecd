"""«Поиск участка»: precedence of rules, letters and корпуса, conflicts, the manual's example."""

from __future__ import annotations

from sqlalchemy import event, select

from tests.helpers.address_data import AddressIds, fill_address_data
from workstation.models import DistrictRule, Institution, MedicalDistrict, RuleKind, Street
from workstation.services.address_import import import_districts_csv
from workstation.services.database import Database
from workstation.services.districts import (
    DISTRICT_KIND_LABELS,
    NO_MATCH_MESSAGE,
    DistrictSearchResult,
    district_search,
    find_conflicts,
    invalidate_district_index,
)
from workstation.services.regional_data import load_regional_data


def _numbers(result: DistrictSearchResult, kind: str = "therapeutic") -> list[str]:
    return [match.number for match in result.matches if match.kind == kind]


def _search(
    database: Database, ids: AddressIds, street: str | int, house: str
) -> DistrictSearchResult:
    with database.session() as session:
        return district_search(session, ids.polyclinic, street, house)


def test_the_manuals_message_and_wording() -> None:
    assert NO_MATCH_MESSAGE == "Нет совпадений. Уточните параметры поиска или свяжитесь с ЛПУ"
    assert DISTRICT_KIND_LABELS["therapeutic"] == "Терапевтический"
    assert DISTRICT_KIND_LABELS["pediatric"] == "Педиатрический"
    assert DISTRICT_KIND_LABELS["general_practice"] == "Врача общей практики"


def test_parity_and_ranges(database: Database) -> None:
    ids = fill_address_data(database)
    assert _numbers(_search(database, ids, "Ленина", "21")) == ["91"]
    assert _numbers(_search(database, ids, "Ленина", "23")) == ["92"]
    assert _numbers(_search(database, ids, "Ленина", "20")) == ["91"]
    assert _numbers(_search(database, ids, "Ленина", "22")) == ["92"]
    # An open range runs to the end of the street, past the registry's last house.
    assert _numbers(_search(database, ids, "Ленина", "301")) == ["92"]


def test_letters_and_korpus_follow_their_base_number(database: Database) -> None:
    ids = fill_address_data(database)
    assert _numbers(_search(database, ids, "Ленина", "3А")) == ["91"]
    assert _numbers(_search(database, ids, "Ленина", "3 к2")) == ["91"]
    assert _numbers(_search(database, ids, "Ленина", "14")) == ["91"]
    assert _numbers(_search(database, ids, "Ленина", "14 к2")) == ["91"]


def test_an_exact_rule_names_a_lettered_house_or_a_korpus(database: Database) -> None:
    ids = fill_address_data(database)
    # 12А is given to №92 by name, although 12 is in №91's even range.
    assert _numbers(_search(database, ids, "Ленина", "12 а")) == ["92"]
    assert _numbers(_search(database, ids, "Ленина", "12")) == ["91"]
    assert _numbers(_search(database, ids, "Ленина", "14/1")) == ["93"]
    # A строение of 14 к1 follows 14 к1.
    assert _numbers(_search(database, ids, "Ленина", "14 корп. 1 стр. 2")) == ["93"]


def test_exact_beats_range_beats_all(database: Database) -> None:
    ids = fill_address_data(database)
    assert _numbers(_search(database, ids, "Гагарина", "11")) == ["93"]  # все дома
    assert _numbers(_search(database, ids, "Гагарина", "5")) == ["94"]  # 5-9
    assert _numbers(_search(database, ids, "Гагарина", "7")) == ["95"]  # д. 7
    assert _numbers(_search(database, ids, "Гагарина", "7Б")) == ["95"]


def test_every_kind_of_district_is_found_in_order(database: Database) -> None:
    ids = fill_address_data(database)
    result = _search(database, ids, "ул. ленина", "5")
    assert [(m.kind, m.number) for m in result.matches] == [
        ("therapeutic", "91"),
        ("pediatric", "6"),
        ("general_practice", "3"),
    ]
    assert [m.title for m in result.matches] == [
        "Участок №91, Терапевтический",
        "Участок №6, Педиатрический",
        "Участок №3, Врача общей практики",
    ]
    assert result.message == "" and result.found


def test_result_lines_name_the_doctor_and_address(database: Database) -> None:
    ids = fill_address_data(database)
    (therapeutic,) = [m for m in _search(database, ids, "Ленина", "5").matches if m.number == "91"]
    assert therapeutic.lines() == (
        "Ваш участок: Участок №91, Терапевтический",
        "Ваш врач: Григорьева Татьяна Дмитриевна, врач-терапевт участковый",
        "Адрес: ул. Ленина, 5",
    )
    assert therapeutic.rule_label == "ул. Ленина, нечётные 1–21"
    # A doctor of the institution without a post in the file: the post is their specialty.
    (other,) = _search(database, ids, "Ленина", "23").matches[:1]
    assert other.doctor == "Фомин Дмитрий Евгеньевич, врач-терапевт участковый"
    assert other.doctor_id == ids.therapist
    # An участок without a doctor shows none.
    (nobody,) = _search(database, ids, "Гагарина", "5").matches
    assert nobody.doctor == "" and len(nobody.lines()) == 2


def test_no_match_and_bad_input_messages(database: Database) -> None:
    ids = fill_address_data(database)
    for street, house in (("Ёлочная", "1"), ("Нет такой", "1"), ("ул. Мира", "1")):
        result = _search(database, ids, street, house)
        assert result.matches == () and result.message == NO_MATCH_MESSAGE
        assert not result.found
    assert "не распознан" in _search(database, ids, "Ленина", "абв").message
    assert _search(database, ids, "", "1").message == "Укажите улицу."
    # Another institution has no участки at all.
    with database.session() as session:
        assert district_search(session, ids.hospital, "Ленина", "1").message == NO_MATCH_MESSAGE


def test_street_by_id_and_by_type(database: Database) -> None:
    ids = fill_address_data(database)
    with database.session() as session:
        avenue = session.scalar(
            select(Street.id).where(Street.name == "Мира", Street.kind == "проспект")
        )
    assert avenue is not None
    assert _numbers(_search(database, ids, avenue, "2")) == ["93"]
    assert _numbers(_search(database, ids, "пр-т Мира", "2")) == ["93"]
    # Without a type, the street that has участки is the one meant.
    assert _numbers(_search(database, ids, "Мира", "2")) == ["93"]


def test_a_warm_lookup_runs_no_sql(database: Database) -> None:
    ids = fill_address_data(database)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with database.session() as session:
        district_search(session, ids.polyclinic, "Ленина", "5")
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            for house in ("1", "2", "12А", "14 к1", "99"):
                district_search(session, ids.polyclinic, "Ленина", house)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
    assert statements == []


def test_reimport_is_seen_by_the_next_search(database: Database) -> None:
    ids = fill_address_data(database)
    assert _numbers(_search(database, ids, "Ленина", "5")) == ["91"]
    with database.session() as session:
        report = import_districts_csv(
            session,
            "institution,district,kind,street,houses\n5001,77,терапевтический,Ленина,все\n",
        )
        assert report.ok, report.lines()
    assert _numbers(_search(database, ids, "Ленина", "5")) == ["77"]
    assert _numbers(_search(database, ids, "Ленина", "5"), "pediatric") == []


def test_conflicts_are_found_and_both_districts_returned(database: Database) -> None:
    ids = fill_address_data(database)
    with database.session() as session:
        assert find_conflicts(session) == []
        # Written past the import (which would refuse it): №94 also claims Гагарина 9-15.
        district = session.scalars(
            select(MedicalDistrict).where(MedicalDistrict.number == "93")
        ).one()
        gagarina = session.scalars(select(Street).where(Street.name == "Гагарина")).one()
        other = session.scalars(select(MedicalDistrict).where(MedicalDistrict.number == "94")).one()
        session.add_all(
            [
                DistrictRule(
                    district_id=district.id,
                    street_id=gagarina.id,
                    kind=RuleKind.ODD,
                    from_number=9,
                    to_number=15,
                ),
                DistrictRule(
                    district_id=other.id,
                    street_id=gagarina.id,
                    kind=RuleKind.EXACT,
                    house_label="7",
                ),
            ]
        )
        session.flush()
        conflicts = find_conflicts(session, ids.polyclinic)
        assert len(conflicts) == 2
        assert conflicts[0].startswith("Поликлиника: ул. Гагарина, ")
        assert "Поликлиника: ул. Гагарина, д. 7: участок №94 и участок №95 " in conflicts[0]
        assert "нечётные дома 9–9: участок №93 и участок №94 " in conflicts[1]
        assert conflicts[1].endswith("(тип участка: Терапевтический)")
        assert find_conflicts(session, ids.hospital) == []
        invalidate_district_index(session, [ids.polyclinic])
        result = district_search(session, ids.polyclinic, "Гагарина", "9")
        assert [m.number for m in result.matches] == ["93", "94"]


def test_the_manuals_example_in_the_demo_data(database: Database) -> None:
    load_regional_data(database)
    with database.session() as session:
        hospital = session.scalar(select(Institution.id).where(Institution.hub_id == 1002))
        assert hospital is not None
        result = district_search(session, hospital, "Ленина", "5")
        assert [m.lines() for m in result.matches] == [
            (
                "Ваш участок: Участок №91, Терапевтический",
                "Ваш врач: Григорьева Татьяна Дмитриевна, врач-терапевт участковый",
                "Адрес: ул. Ленина, 5",
            )
        ]
        assert district_search(session, hospital, "Ленина", "40А").matches[0].number == "92"
        assert district_search(session, hospital, "Ленина", "1001").matches[0].number == "90"
        missing = district_search(session, hospital, "Самаровская", "1")
        assert missing.message == NO_MATCH_MESSAGE
        assert find_conflicts(session) == []
