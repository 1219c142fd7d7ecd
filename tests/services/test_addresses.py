"""Street names and house numbers as operators type them; suggestions and locating a house."""

from __future__ import annotations

import pytest

from tests.helpers.address_data import fill_address_data
from workstation.services.addresses import (
    HouseNumber,
    InvalidHouse,
    distance_m,
    locate,
    normalise_street,
    parse_house,
    parse_street,
    street_parts,
    street_suggestions,
)
from workstation.services.database import Database


@pytest.mark.parametrize(
    "typed",
    ["ул. Ленина", "ул.Ленина", "улица Ленина", "Ленина ул.", "  УЛИЦА   ленина ", "Ленина"],
)
def test_street_spellings_fold_to_one_name(typed: str) -> None:
    assert normalise_street(typed) == "ЛЕНИНА"


def test_street_types_ordinals_and_yo_are_folded() -> None:
    assert parse_street("пр-т Мира") == ("МИРА", "проспект")
    assert parse_street("проспект Мира") == ("МИРА", "проспект")
    assert parse_street("мкр. 5") == ("5", "микрорайон")
    assert parse_street("1-й микрорайон") == ("1", "микрорайон")
    assert parse_street("ул. Ёлочная") == ("ЕЛОЧНАЯ", "улица")
    assert parse_street("Иртышская набережная") == ("ИРТЫШСКАЯ", "набережная")
    # A type word that is all there is, is the name.
    assert parse_street("Набережная") == ("НАБЕРЕЖНАЯ", None)
    assert street_parts("ул. Карла  Маркса") == ("Карла Маркса", "улица")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", HouseNumber(12)),
        ("12А", HouseNumber(12, "А")),
        ("12 а", HouseNumber(12, "А")),
        ("12-а", HouseNumber(12, "А")),
        ("12A", HouseNumber(12, "А")),  # a Latin A typed in the wrong layout
        ("12/1", HouseNumber(12, korpus="1")),
        ("12 к1", HouseNumber(12, korpus="1")),
        ("12 корп. 1 стр. 2", HouseNumber(12, korpus="1", stroenie="2")),
        ("д. 12а корпус 3", HouseNumber(12, "А", "3")),
        ("12 стр. 2", HouseNumber(12, stroenie="2")),
    ],
)
def test_house_numbers_are_read_as_typed(typed: str, expected: HouseNumber) -> None:
    assert parse_house(typed) == expected


def test_house_labels_are_canonical() -> None:
    assert parse_house("12 а").label == "12А"
    assert parse_house("12/1").label == "12 к1"
    assert parse_house("12а корп. 1 стр. 2").label == "12А к1 стр. 2"
    assert [h.label for h in parse_house("12А к1 стр. 2").fallbacks()] == [
        "12А к1 стр. 2",
        "12А к1",
        "12А",
        "12",
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Укажите номер дома."), ("абв", "не распознан"), ("0", "нулевым"), ("12 кор", "12 к1")],
)
def test_unreadable_house_numbers_say_why_in_russian(typed: str, message: str) -> None:
    with pytest.raises(InvalidHouse) as caught:
        parse_house(typed)
    assert message in caught.value.message
    assert isinstance(caught.value, ValueError)


def test_suggestions_match_the_start_of_any_word(database: Database) -> None:
    ids = fill_address_data(database, districts=False)
    with database.session() as session:

        def labels(typed: str) -> list[str]:
            return [row.label for row in street_suggestions(session, ids.khm, typed)]

        assert labels("лен") == ["ул. Ленина"]
        assert labels("ЛЕНИНА") == ["ул. Ленина"]
        assert labels("маркс") == ["ул. Карла Маркса"]
        assert labels("карамова") == ["ул. Мелик-Карамова"]
        assert labels("елоч") == ["ул. Ёлочная"]
        assert labels("мира") == ["ул. Мира", "пр-т Мира"]
        assert labels("пр-т ми") == ["пр-т Мира"]
        assert labels("мкр") == ["мкр. Западный"]
        assert labels("") == []
        assert labels("нет такой") == []
        # Streets of another settlement are not offered.
        assert [row.label for row in street_suggestions(session, ids.surgut, "лен")] == [
            "ул. Ленина"
        ]
        assert len(street_suggestions(session, ids.khm, "л", limit=1)) == 1


def test_locate_a_house_of_the_registry_and_near_misses(database: Database) -> None:
    ids = fill_address_data(database, districts=False)
    with database.session() as session:
        exact = locate(session, ids.khm, "Ленина", "12а")
        assert exact is not None and exact.exact
        assert (exact.lat, exact.lon, exact.label) == (61.0013, 69.0012, "ул. Ленина, 12А")

        lettered = locate(session, ids.khm, "ул. Ленина", "12Б")
        assert lettered is not None and not lettered.exact
        assert (lettered.lat, lettered.lon) == (61.0012, 69.001)
        assert "по дому 12" in lettered.label

        beyond = locate(session, ids.khm, "Ленина", "51")
        assert beyond is not None and not beyond.exact
        # The nearest known house on the same (odd) side.
        assert (beyond.lat, beyond.lon) == (61.0039, 69.0)
        assert "ближайший известный: 39" in beyond.label

        middle = locate(session, ids.khm, "Ёлочная", "3")
        assert middle is not None and not middle.exact
        assert (middle.lat, middle.lon) == (61.05, 69.05)
        assert "середина улицы" in middle.label

        assert locate(session, ids.khm, "Несуществующая", "1") is None
        with pytest.raises(InvalidHouse):
            locate(session, ids.khm, "Ленина", "???")


def test_haversine_distance() -> None:
    # One degree of latitude is about 111.2 km.
    assert distance_m(61.0, 69.0, 62.0, 69.0) == pytest.approx(111_195, rel=1e-3)
    assert distance_m(61.0, 69.0, 61.0, 69.0) == 0.0
