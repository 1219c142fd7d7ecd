"""The address registry: street names and house numbers as typed, and where a house is.

Street names arrive in every spelling («ул. Ленина», «Ленина ул», «улица  ЛЕНИНА», «пр-т Мира»,
«1-й мкр»); ``normalise_street`` folds them to the one stored form («ЛЕНИНА», «МИРА», «1») and
``parse_street`` also returns the type the text named. House numbers («12А», «12 а», «12/1»,
«12 к1», «12 корп. 1 стр. 2») are read by ``parse_house`` into a ``HouseNumber`` whose ``label``
is the canonical spelling, the key of the registry and of exact district rules.

Like the other read services, the queries return frozen rows, never ORM objects.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import House, Street
from workstation.models.text import normalise_name

# The type words of a street and the type each means; abbreviations as the region writes them.
STREET_KIND_WORDS: dict[str, str] = {
    "УЛ": "улица",
    "УЛИЦА": "улица",
    "ПР-Т": "проспект",
    "ПР-КТ": "проспект",
    "ПРОСП": "проспект",
    "ПРОСПЕКТ": "проспект",
    "МКР": "микрорайон",
    "МКРН": "микрорайон",
    "МКР-Н": "микрорайон",
    "М-Н": "микрорайон",
    "МИКРОРАЙОН": "микрорайон",
    "ПЕР": "переулок",
    "ПЕРЕУЛОК": "переулок",
    "ПР-Д": "проезд",
    "ПРОЕЗД": "проезд",
    "Б-Р": "бульвар",
    "БУЛЬВАР": "бульвар",
    "Ш": "шоссе",
    "ШОССЕ": "шоссе",
    "НАБ": "набережная",
    "НАБЕРЕЖНАЯ": "набережная",
    "ПЛ": "площадь",
    "ПЛОЩАДЬ": "площадь",
    "ТУП": "тупик",
    "ТУПИК": "тупик",
    "КВ-Л": "квартал",
    "КВАРТАЛ": "квартал",
    "ТРАКТ": "тракт",
}
STREET_KINDS: tuple[str, ...] = tuple(dict.fromkeys(STREET_KIND_WORDS.values()))
"""The street types the registry knows, «улица» first (the default)."""

# How a label writes each type: before the name, as on the region's address plates.
STREET_KIND_ABBREVIATIONS: dict[str, str] = {
    "улица": "ул.",
    "проспект": "пр-т",
    "микрорайон": "мкр.",
    "переулок": "пер.",
    "проезд": "пр-д",
    "бульвар": "б-р",
    "шоссе": "ш.",
    "набережная": "наб.",
    "площадь": "пл.",
    "тупик": "туп.",
    "квартал": "кв-л",
    "тракт": "тракт",
}

_PUNCTUATION = re.compile(r"[.,;:\"«»'()№]")
# «1-й», «2-я», «3-го»: the ordinal ending of a numbered street or микрорайон is not part of it.
_ORDINAL = re.compile(r"^(\d+)-?(?:ЫЙ|ИЙ|ОЙ|АЯ|ЯЯ|ГО|Й|Я|Е)$")


def _words(text: str) -> list[str]:
    folded = normalise_name(_PUNCTUATION.sub(" ", text))
    return [_ORDINAL.sub(r"\1", word) for word in folded.split(" ") if word]


def parse_street(text: str) -> tuple[str, str | None]:
    """The normalised name and the type the text names (``None`` when it names none).

    A type word is taken off either end («ул. Ленина», «Ленина ул.», «Иртышская набережная»),
    but never when it is all there is: «Набережная» is a street's name.
    """
    words = _words(text)
    kind: str | None = None
    if len(words) > 1 and words[0] in STREET_KIND_WORDS:
        kind = STREET_KIND_WORDS[words.pop(0)]
    elif len(words) > 1 and words[-1] in STREET_KIND_WORDS:
        kind = STREET_KIND_WORDS[words.pop()]
    return " ".join(words), kind


def street_kind(text: str) -> str | None:
    """The street type a word names: «ул.», «Улица», «пр-т», «микрорайон» → «улица», …"""
    word = normalise_name(text).strip(" .")
    if word.lower() in STREET_KINDS:
        return word.lower()
    return STREET_KIND_WORDS.get(word)


def street_parts(text: str) -> tuple[str, str | None]:
    """The name as written (spaces collapsed) and the type the text names, if any:
    «ул. Карла Маркса» → («Карла Маркса», «улица»); «Набережная» → («Набережная», None)."""
    words = _PUNCTUATION.sub(lambda m: " " if m.group() != "." else ". ", text).split()
    words = [word for word in words if word != "."]
    kind: str | None = None
    if len(words) > 1 and street_kind(words[0]) is not None:
        kind = street_kind(words.pop(0))
    elif len(words) > 1 and street_kind(words[-1]) is not None:
        kind = street_kind(words.pop())
    return " ".join(word.strip(".") for word in words if word.strip(".")), kind


def normalise_street(text: str) -> str:
    """«ул. Ленина», «Ленина улица», «  улица ЛЕНИНА » → «ЛЕНИНА» (ё→Е, type word dropped)."""
    return parse_street(text)[0]


def street_label(name: str, kind: str) -> str:
    """«ул. Ленина», «пр-т Мира», «мкр. 5»."""
    abbreviation = STREET_KIND_ABBREVIATIONS.get(kind, kind)
    return f"{abbreviation} {name}" if abbreviation else name


# --------------------------------------------------------------------------------------------
# House numbers


class InvalidHouse(ValueError):
    """A house number that cannot be read; ``message`` is Russian and meant for the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Latin look-alikes typed in the wrong layout («12A» with a Latin A) are the Cyrillic letter.
_LATIN_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
_HOUSE = re.compile(
    r"^(?:(?:ДОМ|Д)\.?\s*)?"
    r"(?P<number>\d{1,4})"
    r"\s*-?\s*(?P<letter>[А-Я])?"
    r"(?:\s*(?:/|КОРПУС|КОРП\.?|К\.?)\s*(?P<korpus>[0-9]{1,3}|[А-Я]))?"
    r"(?:\s*(?:СТРОЕНИЕ|СТР\.?|С\.?)\s*(?P<stroenie>[0-9]{1,3}|[А-Я]))?$"
)
HOUSE_EXAMPLES = "12, 12А, 12/1, 12 к1, 12 корп. 1 стр. 2"


@dataclass(frozen=True, slots=True, order=True)
class HouseNumber:
    """A house number: the number, a letter («А»), a корпус and a строение (empty when none).

    «12/1» is read as корпус 1: the region's registries write корпуса that way.
    """

    number: int
    letter: str = ""
    korpus: str = ""
    stroenie: str = ""

    @property
    def label(self) -> str:
        """The canonical spelling: «12», «12А», «12 к1», «12А к1 стр. 2»."""
        text = f"{self.number}{self.letter}"
        if self.korpus:
            text += f" к{self.korpus}"
        if self.stroenie:
            text += f" стр. {self.stroenie}"
        return text

    @property
    def base(self) -> HouseNumber:
        """The plain number the house follows in ranges («12А к1» → «12»)."""
        return HouseNumber(self.number)

    def fallbacks(self) -> tuple[HouseNumber, ...]:
        """This house, then the less specific ones it follows: «12А к1 стр. 2», «12А к1»,
        «12А», «12» (each once)."""
        chain = [
            self,
            HouseNumber(self.number, self.letter, self.korpus),
            HouseNumber(self.number, self.letter),
            HouseNumber(self.number),
        ]
        return tuple(dict.fromkeys(chain))

    def __str__(self) -> str:
        return self.label


def parse_house(text: str) -> HouseNumber:
    """Read a house number as typed; ``InvalidHouse`` with a Russian message when it is not one."""
    folded = normalise_name(text.replace(",", " ")).translate(_LATIN_LOOKALIKES)
    if not folded:
        raise InvalidHouse("Укажите номер дома.")
    match = _HOUSE.match(folded)
    if match is None:
        raise InvalidHouse(f"Номер дома «{text.strip()}» не распознан. Примеры: {HOUSE_EXAMPLES}.")
    number = int(match["number"])
    if number == 0:
        raise InvalidHouse("Номер дома не может быть нулевым.")
    return HouseNumber(
        number=number,
        letter=match["letter"] or "",
        korpus=match["korpus"] or "",
        stroenie=match["stroenie"] or "",
    )


# --------------------------------------------------------------------------------------------
# Streets of a settlement


@dataclass(frozen=True, slots=True)
class StreetRow:
    """A street offered while the operator types: «ул. Ленина»."""

    id: int
    name: str
    kind: str
    label: str


def _street_words(name_norm: str) -> tuple[str, ...]:
    words: list[str] = []
    for word in name_norm.split(" "):
        words.append(word)
        if "-" in word:  # «МЕЛИК-КАРАМОВА» is found by «КАРАМ» too
            words.extend(part for part in word.split("-") if part)
    return tuple(words)


def street_suggestions(
    session: Session, settlement_id: int, typed: str, limit: int = 10
) -> list[StreetRow]:
    """Streets of a settlement whose words begin with the typed words, best first.

    Every typed word must begin some word of the street's name («гаг» finds «Гагарина»,
    «маркс» finds «Карла Маркса»). A type word typed with it («ул.», «мкр») keeps only streets of
    that type. Streets whose whole name begins with the text come first, then by name.
    """
    name, kind = parse_street(typed)
    tokens = tuple(token for token in name.split(" ") if token)
    if not tokens:
        return []
    # A lone type word («мкр», «пер.») also lists the streets of that type, after the streets
    # whose name it begins («ш» is «Шевченко» as well as «шоссе»).
    only_kind = STREET_KIND_WORDS.get(tokens[0]) if kind is None and len(tokens) == 1 else None
    statement = select(Street.id, Street.name, Street.name_norm, Street.kind).where(
        Street.settlement_id == settlement_id
    )
    if kind is not None:
        statement = statement.where(Street.kind == kind)
    ranked: list[tuple[int, str, str, StreetRow]] = []
    for street_id, street_name, name_norm, street_kind_ in session.execute(statement):
        words = _street_words(name_norm)
        if all(any(word.startswith(token) for word in words) for token in tokens):
            rank = 0 if name_norm.startswith(name) else 1
        elif street_kind_ == only_kind:
            rank = 2
        else:
            continue
        row = StreetRow(
            street_id, street_name, street_kind_, street_label(street_name, street_kind_)
        )
        ranked.append((rank, name_norm, street_kind_, row))
    # Same name: the «улица» first, as find_streets resolves a name without a type.
    ranked.sort(key=lambda item: (item[0], item[1], item[2] != "улица", item[2]))
    return [item[3] for item in ranked[:limit]]


def find_streets(session: Session, settlement_id: int, street: str | int) -> list[StreetRow]:
    """The streets ``street`` names in the settlement: by id, or by name (with or without type).

    A name without a type may name several streets (ул. Мира and пр-т Мира): all are returned,
    «улица» first.
    """
    if isinstance(street, int):
        statement = select(Street.id, Street.name, Street.kind).where(
            Street.id == street, Street.settlement_id == settlement_id
        )
    else:
        name, kind = parse_street(street)
        if not name:
            return []
        statement = select(Street.id, Street.name, Street.kind).where(
            Street.settlement_id == settlement_id, Street.name_norm == name
        )
        if kind is not None:
            statement = statement.where(Street.kind == kind)
    rows = [
        StreetRow(street_id, name, kind, street_label(name, kind))
        for street_id, name, kind in session.execute(statement)
    ]
    rows.sort(key=lambda row: (row.kind != "улица", row.kind, row.id))
    return rows


# --------------------------------------------------------------------------------------------
# Where a house is


@dataclass(frozen=True, slots=True)
class AddressPoint:
    """Where an address is on the map, and what the point stands for.

    ``exact`` is False when the house is not in the registry and the point is a neighbour's
    or the street's middle; the label then says which.
    """

    lat: float
    lon: float
    label: str
    exact: bool = True


EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def locate(
    session: Session, settlement_id: int, street: str | int, house: str
) -> AddressPoint | None:
    """Coordinates of a house of the settlement, for «Ближайшие к адресу».

    A house of the registry is exact. A house that is not is shown at the registry's house with
    the same number («12А» at «12»), else at the nearest number on the same side of the street
    (else on either side), else at the street's middle; the label says which. ``None`` when the
    street is unknown or nothing of it has coordinates. ``InvalidHouse`` when the number cannot
    be read.
    """
    wanted = parse_house(house)
    streets = find_streets(session, settlement_id, street)
    if not streets:
        return None
    street_row = streets[0]
    address = f"{street_row.label}, {wanted.label}"
    houses = session.execute(
        select(House.number, House.label, House.lat, House.lon).where(
            House.street_id == street_row.id
        )
    ).all()
    by_label = {label: (lat, lon) for _number, label, lat, lon in houses}
    for candidate in wanted.fallbacks():
        if candidate.label in by_label:
            lat, lon = by_label[candidate.label]
            if candidate == wanted:
                return AddressPoint(lat, lon, address)
            return AddressPoint(lat, lon, f"{address} (по дому {candidate.label})", exact=False)
    if houses:
        same_side = [row for row in houses if row[0] % 2 == wanted.number % 2] or list(houses)
        # Nearest number first; a plain number before a lettered one of the same number.
        _number, label, lat, lon = min(
            same_side, key=lambda row: (abs(row[0] - wanted.number), len(row[1]), row[1])
        )
        return AddressPoint(
            lat, lon, f"{address} (дома нет в реестре; ближайший известный: {label})", exact=False
        )
    middle = session.execute(select(Street.lat, Street.lon).where(Street.id == street_row.id)).one()
    if middle[0] is None or middle[1] is None:
        return None
    return AddressPoint(
        middle[0], middle[1], f"{address} (дома нет в реестре; середина улицы)", exact=False
    )
