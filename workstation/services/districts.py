"""«Поиск участка»: which участки of an institution serve a house, and conflicting rules.

An участок (``MedicalDistrict``) owns houses through its rules (``DistrictRule``). For one house
and one type of участок the most specific rule wins:

1. an exact rule naming the house («12А к1»), then exact rules naming what it follows
   («12А», then «12»): a lettered house or a корпус goes with its base number unless an exact
   rule names it;
2. a range or one side of the street (odd / even, optionally within a range);
3. the whole street.

Two участки of the same type claiming a house at the same level is a data error:
``find_conflicts`` lists such overlaps, the import refuses them, and a search that meets one
returns both участки rather than pick one silently.

The rules of an institution are read once into a ``DistrictIndex`` (dicts by street, then by
type) kept per database in this process, so a lookup does no SQL at all. The import drops the
cached index of the institutions it changed; changes made by another process are seen after at
most ``REVALIDATE_SECONDS`` (a cheap fingerprint query decides whether to rebuild).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from workstation.models import (
    DistrictKind,
    DistrictRule,
    Doctor,
    Institution,
    MedicalDistrict,
    RuleKind,
    Specialty,
    Street,
)
from workstation.services.addresses import (
    HouseNumber,
    InvalidHouse,
    parse_house,
    parse_street,
    street_label,
)

NO_MATCH_MESSAGE = "Нет совпадений. Уточните параметры поиска или свяжитесь с ЛПУ"
"""The manual's answer when no участок serves the address."""

YOUR_DISTRICT = "Ваш участок"
YOUR_DOCTOR = "Ваш врач"
ADDRESS = "Адрес"
STREET_REQUIRED = "Укажите улицу."

DISTRICT_KIND_LABELS: dict[str, str] = {
    DistrictKind.THERAPEUTIC: "Терапевтический",
    DistrictKind.PEDIATRIC: "Педиатрический",
    DistrictKind.GENERAL_PRACTICE: "Врача общей практики",
    DistrictKind.GYNECOLOGICAL: "Гинекологический",
    DistrictKind.DENTAL: "Стоматологический",
    DistrictKind.FELDSHER: "Фельдшерский",
}
"""The types of участок in the manual's wording («Участок №91, Терапевтический»), in the order
results are listed."""

# The plural «терапевтических» for conflict messages would need declension; the report says
# «тип участка: Терапевтический» instead.

REVALIDATE_SECONDS = 30.0


def kind_label(kind: str) -> str:
    """«Терапевтический» for ``therapeutic``; an unknown stored type is shown as it is."""
    return DISTRICT_KIND_LABELS.get(kind, kind)


def _kind_order(kind: str) -> tuple[int, str]:
    order = list(DISTRICT_KIND_LABELS)
    return (order.index(kind) if kind in order else len(order), kind)


@dataclass(frozen=True, slots=True)
class DistrictMatch:
    """An участок that serves the address.

    ``doctor`` is «Григорьева Татьяна Дмитриевна, врач-терапевт участковый» (empty when the
    участок has no doctor), ``address_label`` the address searched («ул. Ленина, 12А») and
    ``rule_label`` which houses of the street the участок serves («нечётные 1–59»).
    """

    district_id: int
    number: str
    kind: str
    kind_label: str
    doctor: str
    address_label: str
    rule_label: str = ""
    doctor_id: int | None = None

    @property
    def title(self) -> str:
        """«Участок №91, Терапевтический»."""
        return f"Участок №{self.number}, {self.kind_label}"

    def lines(self) -> tuple[str, ...]:
        """The manual's result: «Ваш участок: …», «Ваш врач: …» (when known), «Адрес: …»."""
        lines = [f"{YOUR_DISTRICT}: {self.title}"]
        if self.doctor:
            lines.append(f"{YOUR_DOCTOR}: {self.doctor}")
        lines.append(f"{ADDRESS}: {self.address_label}")
        return tuple(lines)


@dataclass(frozen=True, slots=True)
class DistrictSearchResult:
    """The участки found (one per type, two when the data conflicts) or why there are none.

    ``message`` is empty when something was found; otherwise ``NO_MATCH_MESSAGE``, or the reason
    the search could not be made («Укажите улицу.», an unreadable house number).
    """

    matches: tuple[DistrictMatch, ...]
    message: str = ""

    @property
    def found(self) -> bool:
        """True when at least one участок serves the address."""
        return bool(self.matches)


# --------------------------------------------------------------------------------------------
# Rules in memory


DistrictKey = int | tuple[str, str]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule as the index and the conflict check see it (from the database or a CSV file)."""

    district_key: DistrictKey  # a district id, or (kind, number) before the import writes it
    street_id: int
    kind: RuleKind
    from_number: int | None = None
    to_number: int | None = None
    house_label: str | None = None
    source: str = ""  # where it came from, for messages («строка 12»)

    def covers_number(self, number: int) -> bool:
        """True when a range or side rule covers the plain number."""
        if self.kind is RuleKind.ODD and number % 2 == 0:
            return False
        if self.kind is RuleKind.EVEN and number % 2 == 1:
            return False
        low = self.from_number if self.from_number is not None else 1
        high = self.to_number
        return number >= low and (high is None or number <= high)

    @property
    def label(self) -> str:
        """«все дома», «нечётные 1–59», «чётные с 42», «дома 1–20», «д. 12А»."""
        return rule_label(self.kind, self.from_number, self.to_number, self.house_label)


def rule_label(
    kind: RuleKind, from_number: int | None, to_number: int | None, house_label: str | None
) -> str:
    """Which houses a rule names, in words: «все дома», «нечётные 1–59», «д. 12А»."""
    if kind is RuleKind.ALL:
        return "все дома"
    if kind is RuleKind.EXACT:
        return f"д. {house_label}"
    side = {RuleKind.ODD: "нечётные", RuleKind.EVEN: "чётные", RuleKind.RANGE: "дома"}[kind]
    if from_number is None and to_number is None:
        return side
    if to_number is None:
        return f"{side} с {from_number}"
    return f"{side} {from_number if from_number is not None else 1}–{to_number}"


@dataclass(slots=True)
class _StreetRules:
    """The rules of one street for one type of участок, by precedence level."""

    exact: dict[str, list[RuleSpec]] = field(default_factory=dict)
    ranges: list[RuleSpec] = field(default_factory=list)
    whole: list[RuleSpec] = field(default_factory=list)

    def add(self, rule: RuleSpec) -> None:
        if rule.kind is RuleKind.EXACT:
            assert rule.house_label is not None
            self.exact.setdefault(rule.house_label, []).append(rule)
        elif rule.kind is RuleKind.ALL:
            self.whole.append(rule)
        else:
            self.ranges.append(rule)

    def winners(self, house: HouseNumber) -> list[RuleSpec]:
        """The rules of the most specific level that covers the house (several = a conflict)."""
        for candidate in house.fallbacks():
            found = self.exact.get(candidate.label)
            if found:
                return found
        in_range = [rule for rule in self.ranges if rule.covers_number(house.number)]
        if in_range:
            return in_range
        return self.whole


@dataclass(frozen=True, slots=True)
class _District:
    id: int
    number: str
    kind: str
    doctor: str
    doctor_id: int | None


@dataclass(frozen=True, slots=True)
class _IndexedStreet:
    id: int
    name: str
    name_norm: str
    kind: str
    label: str


class DistrictIndex:
    """The участки and rules of one institution, arranged for lookups without SQL."""

    def __init__(
        self,
        institution_id: int,
        districts: Iterable[_District],
        streets: Iterable[_IndexedStreet],
        rules: Iterable[RuleSpec],
        fingerprint: tuple[object, ...] = (),
    ) -> None:
        self.institution_id = institution_id
        self.fingerprint = fingerprint
        self.districts: dict[DistrictKey, _District] = {
            district.id: district for district in districts
        }
        self.streets = {street.id: street for street in streets}
        self.streets_by_name: dict[str, list[_IndexedStreet]] = {}
        for street in self.streets.values():
            self.streets_by_name.setdefault(street.name_norm, []).append(street)
        for same_name in self.streets_by_name.values():
            same_name.sort(key=lambda street: (street.kind != "улица", street.kind, street.id))
        self.rules: dict[int, dict[str, _StreetRules]] = {}
        self.rule_count = 0
        for rule in rules:
            district = self.districts.get(rule.district_key)
            if district is None:
                continue
            per_kind = self.rules.setdefault(rule.street_id, {})
            per_kind.setdefault(district.kind, _StreetRules()).add(rule)
            self.rule_count += 1

    def resolve_streets(self, street: str | int) -> list[_IndexedStreet]:
        """The streets with rules that ``street`` names (an id, or a name with or without type)."""
        if isinstance(street, int):
            found = self.streets.get(street)
            return [found] if found is not None else []
        name, kind = parse_street(street)
        candidates = self.streets_by_name.get(name, [])
        if kind is not None:
            candidates = [candidate for candidate in candidates if candidate.kind == kind]
        return candidates

    def search(self, street: str | int, house: str) -> DistrictSearchResult:
        """The участки serving the house; see the module's precedence."""
        if isinstance(street, str) and not parse_street(street)[0]:
            return DistrictSearchResult((), STREET_REQUIRED)
        try:
            number = parse_house(house)
        except InvalidHouse as error:
            return DistrictSearchResult((), error.message)
        matches: list[DistrictMatch] = []
        for indexed in self.resolve_streets(street):
            address = f"{indexed.label}, {number.label}"
            for kind, street_rules in self.rules.get(indexed.id, {}).items():
                for rule in street_rules.winners(number):
                    district = self.districts[rule.district_key]
                    matches.append(
                        DistrictMatch(
                            district_id=district.id,
                            number=district.number,
                            kind=kind,
                            kind_label=kind_label(kind),
                            doctor=district.doctor,
                            address_label=address,
                            rule_label=f"{indexed.label}, {rule.label}",
                            doctor_id=district.doctor_id,
                        )
                    )
        if not matches:
            return DistrictSearchResult((), NO_MATCH_MESSAGE)
        unique = {match.district_id: match for match in matches}
        ordered = sorted(
            unique.values(), key=lambda m: (_kind_order(m.kind), _number_key(m.number))
        )
        return DistrictSearchResult(tuple(ordered))


def _number_key(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


def doctor_line(name: str, post: str) -> str:
    """«Григорьева Татьяна Дмитриевна, врач-терапевт участковый» (the post only when known)."""
    name, post = name.strip(), post.strip()
    if name and post:
        return f"{name}, {post}"
    return name


def post_of(specialty_name: str) -> str:
    """A specialty as a post after a name: «Врач-терапевт участковый» → «врач-терапевт …»."""
    return specialty_name[:1].lower() + specialty_name[1:] if specialty_name else ""


# --------------------------------------------------------------------------------------------
# Building and caching indexes


def _fingerprint(session: Session, institution_id: int) -> tuple[object, ...]:
    # Imports replace rules (delete + insert), so the count and highest id of the institution's
    # rules and участки change with every import, whichever process made it.
    districts = session.execute(
        select(func.count(MedicalDistrict.id), func.max(MedicalDistrict.id)).where(
            MedicalDistrict.institution_id == institution_id
        )
    ).one()
    rules = session.execute(
        select(func.count(DistrictRule.id), func.max(DistrictRule.id))
        .join(MedicalDistrict, MedicalDistrict.id == DistrictRule.district_id)
        .where(MedicalDistrict.institution_id == institution_id)
    ).one()
    return (*districts, *rules)


def build_index(session: Session, institution_id: int) -> DistrictIndex:
    """Read the institution's участки and rules into a fresh index (no cache)."""
    fingerprint = _fingerprint(session, institution_id)
    districts = [
        _District(
            id=row.id,
            number=row.number,
            kind=row.kind,
            doctor=doctor_line(row.doctor_name, row.doctor_post or post_of(row.specialty or "")),
            doctor_id=row.doctor_id,
        )
        for row in session.execute(
            select(
                MedicalDistrict.id,
                MedicalDistrict.number,
                MedicalDistrict.kind,
                MedicalDistrict.doctor_name,
                MedicalDistrict.doctor_post,
                MedicalDistrict.doctor_id,
                Specialty.name.label("specialty"),
            )
            .outerjoin(Doctor, Doctor.id == MedicalDistrict.doctor_id)
            .outerjoin(Specialty, Specialty.id == Doctor.specialty_id)
            .where(MedicalDistrict.institution_id == institution_id)
        )
    ]
    rule_rows = session.execute(
        select(
            DistrictRule.district_id,
            DistrictRule.street_id,
            DistrictRule.kind,
            DistrictRule.from_number,
            DistrictRule.to_number,
            DistrictRule.house_label,
        )
        .join(MedicalDistrict, MedicalDistrict.id == DistrictRule.district_id)
        .where(MedicalDistrict.institution_id == institution_id)
    ).all()
    rules = [
        RuleSpec(row[0], row[1], RuleKind(row[2]), row[3], row[4], row[5]) for row in rule_rows
    ]
    # A subquery rather than a list of ids: an institution may have rules on thousands of streets.
    used = (
        select(DistrictRule.street_id)
        .join(MedicalDistrict, MedicalDistrict.id == DistrictRule.district_id)
        .where(MedicalDistrict.institution_id == institution_id)
    )
    streets = [
        _IndexedStreet(street_id, name, name_norm, kind, street_label(name, kind))
        for street_id, name, name_norm, kind in session.execute(
            select(Street.id, Street.name, Street.name_norm, Street.kind).where(Street.id.in_(used))
        )
    ]
    return DistrictIndex(institution_id, districts, streets, rules, fingerprint)


@dataclass(slots=True)
class _Cached:
    index: DistrictIndex
    checked_at: float


_lock = threading.Lock()
# Per engine (dropped with it, so a new database never sees another's index), per institution.
_cache: weakref.WeakKeyDictionary[Engine, dict[int, _Cached]] = weakref.WeakKeyDictionary()


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def district_index(session: Session, institution_id: int) -> DistrictIndex:
    """The institution's index: cached for the session's database, rebuilt when stale."""
    engine = _engine_of(session)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(engine, {}).get(institution_id)
    if cached is not None:
        if now - cached.checked_at < REVALIDATE_SECONDS:
            return cached.index
        if _fingerprint(session, institution_id) == cached.index.fingerprint:
            cached.checked_at = now
            return cached.index
    index = build_index(session, institution_id)
    with _lock:
        _cache.setdefault(engine, {})[institution_id] = _Cached(index, now)
    return index


def invalidate_district_index(
    session: Session | None = None, institution_ids: Iterable[int] | None = None
) -> None:
    """Drop cached indexes: of some institutions of the session's database, or all of them."""
    with _lock:
        if session is None:
            _cache.clear()
            return
        per_engine = _cache.get(_engine_of(session))
        if per_engine is None:
            return
        if institution_ids is None:
            per_engine.clear()
            return
        for institution_id in institution_ids:
            per_engine.pop(institution_id, None)


def district_search(
    session: Session, institution_id: int, street: str | int, house: str
) -> DistrictSearchResult:
    """«Поиск участка»: every type of участок of the institution that serves the address.

    ``street`` is a street id or the street as typed («ул. Ленина», «Ленина»); ``house`` as
    typed («12А», «12 к1»). An unreadable house or an empty street gives no matches and a
    message saying so; an address nobody serves gives ``NO_MATCH_MESSAGE``.
    """
    return district_index(session, institution_id).search(street, house)


# --------------------------------------------------------------------------------------------
# Conflicts


def _ranges_overlap(first: RuleSpec, second: RuleSpec) -> str | None:
    """Which houses two range/side rules both cover, in words (None when they share none)."""
    low = max(first.from_number or 1, second.from_number or 1)
    highs = [rule.to_number for rule in (first, second) if rule.to_number is not None]
    high = min(highs) if highs else None
    if high is not None and high < low:
        return None
    parities = {rule.kind for rule in (first, second)} - {RuleKind.RANGE}
    if parities == {RuleKind.ODD, RuleKind.EVEN}:
        return None
    side = "дома"
    if len(parities) == 1:
        odd = parities == {RuleKind.ODD}
        wanted = 1 if odd else 0
        low = low if low % 2 == wanted else low + 1
        if high is not None:
            high = high if high % 2 == wanted else high - 1
            if low > high:
                return None
        side = "нечётные дома" if odd else "чётные дома"
    return f"{side} с {low}" if high is None else f"{side} {low}–{high}"


def rule_conflicts(
    rules: Sequence[RuleSpec],
    district_kind: dict[DistrictKey, str],
    district_name: dict[DistrictKey, str],
    street_name: dict[int, str],
) -> list[str]:
    """Houses claimed by two участки of the same type at the same precedence level.

    ``district_kind`` and ``district_name`` («Участок №91») are by ``RuleSpec.district_key``.
    """
    groups: dict[tuple[int, str], list[RuleSpec]] = {}
    for rule in rules:
        kind = district_kind.get(rule.district_key)
        if kind is not None:
            groups.setdefault((rule.street_id, kind), []).append(rule)
    messages: list[str] = []

    def report(first: RuleSpec, second: RuleSpec, what: str, kind: str, street_id: int) -> None:
        pair = sorted(
            (first, second), key=lambda rule: _number_key(district_name[rule.district_key])
        )
        sources = ", ".join(rule.source for rule in pair if rule.source)
        messages.append(
            f"{street_name.get(street_id, f'улица {street_id}')}, {what}: "
            f"{district_name[pair[0].district_key]} и {district_name[pair[1].district_key]} "
            f"(тип участка: {kind_label(kind)})" + (f" — {sources}" if sources else "")
        )

    for (street_id, kind), group in sorted(
        groups.items(), key=lambda item: (street_name.get(item[0][0], ""), item[0][1])
    ):
        for position, first in enumerate(group):
            for second in group[position + 1 :]:
                if first.district_key == second.district_key:
                    continue
                if first.kind is RuleKind.EXACT or second.kind is RuleKind.EXACT:
                    if first.kind is second.kind and first.house_label == second.house_label:
                        report(first, second, f"д. {first.house_label}", kind, street_id)
                elif first.kind is RuleKind.ALL or second.kind is RuleKind.ALL:
                    if first.kind is second.kind:
                        report(first, second, "все дома", kind, street_id)
                else:
                    shared = _ranges_overlap(first, second)
                    if shared is not None:
                        report(first, second, shared, kind, street_id)
    return messages


def find_conflicts(session: Session, institution_id: int | None = None) -> list[str]:
    """Houses claimed by two участки of the same type (of one institution, or of all): data
    errors, one message each, naming the institution, street, houses and both участки."""
    statement = select(Institution.id, Institution.short_name).where(
        Institution.id.in_(select(MedicalDistrict.institution_id))
    )
    if institution_id is not None:
        statement = statement.where(Institution.id == institution_id)
    messages: list[str] = []
    for owner_id, short_name in sorted(session.execute(statement), key=lambda row: row[1]):
        index = build_index(session, owner_id)
        rules = [
            rule
            for per_kind in index.rules.values()
            for street_rules in per_kind.values()
            for rule in (
                *(r for found in street_rules.exact.values() for r in found),
                *street_rules.ranges,
                *street_rules.whole,
            )
        ]
        kinds = {key: district.kind for key, district in index.districts.items()}
        names = {key: f"участок №{district.number}" for key, district in index.districts.items()}
        streets = {street_id: street.label for street_id, street in index.streets.items()}
        for message in rule_conflicts(rules, kinds, names, streets):
            messages.append(f"{short_name}: {message}")
    return messages
