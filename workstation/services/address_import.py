"""Import of the address registry and of участки from CSV files, all or nothing.

Every row is checked before anything is written. A file with a bad row writes nothing: the report
names each bad row by its line number (the header is line 1) and says what is wrong. When every
row is good the file is written in one savepoint, so a database error leaves no half of it either.

Both files are UTF-8 (a BOM is fine), comma- or semicolon-separated (as a spreadsheet saves it),
with a header row; columns may be named in English or in Russian, in any order.

Addresses (``import_addresses_csv``), one row per house, or per street with no house:

==============  ======================  ====================================================
column          also named              value
==============  ======================  ====================================================
settlement      населенный пункт        settlement code (``khanty-mansiysk``) or name
street          улица                   «ул. Ленина», «Ленина», «пр-т Мира», «мкр. 5»
kind            тип                     the street's type when ``street`` does not say it
                                        («улица» when neither does)
house           дом                     «12», «12А», «24 к2»; empty: the street itself
lat, lon        широта, долгота         WGS 84 degrees; required for a house, and for a
                                        street row they are its middle
==============  ======================  ====================================================

Streets and houses are matched by their normalised names and labels and updated in place; rows
the file does not mention are kept.

Участки (``import_districts_csv``), one row per rule:

==============  ======================  ====================================================
institution     учреждение              the institution's IdLPU; may be left out when the
                                        import is for one institution
district        участок                 the участок's number («91»)
kind            тип участка             терапевтический, педиатрический, врача общей
                                        практики, гинекологический, … (or the stored code,
                                        ``therapeutic``)
doctor          врач                    the участок's doctor, ФИО (optional)
post            должность               «врач-терапевт участковый» (optional: else the
                                        doctor's specialty when the doctor is one of the
                                        institution's)
street          улица                   a street of the registry in the institution's
                                        settlement
houses          дома                    which houses; see below
==============  ======================  ====================================================

``houses``: empty or «все» for the whole street; «нечетные» / «четные» for one side, optionally
with a range («нечетные 1-45», «четные с 42»); a range of both sides («1-45», «с 51», «до 20»);
or houses named exactly («12А», «24 к2»). Several items are separated by «;» (or «,» between
plain house numbers).

The file is the whole truth about the institutions it names: their участки and rules are
replaced by the file's (an участок the file no longer lists is removed). Two участки of the same
type claiming a house at the same level (two ranges, two exact rules for one house, two «все»)
are a data error and nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from workstation.models import (
    DistrictKind,
    DistrictRule,
    Doctor,
    House,
    Institution,
    MedicalDistrict,
    RuleKind,
    Settlement,
    Street,
)
from workstation.models.text import normalise_name
from workstation.services.addresses import (
    STREET_KINDS,
    InvalidHouse,
    normalise_street,
    parse_house,
    street_kind,
    street_label,
    street_parts,
)
from workstation.services.districts import (
    DISTRICT_KIND_LABELS,
    DistrictKey,
    RuleSpec,
    invalidate_district_index,
    rule_conflicts,
)
from workstation.services.resources import resource_path


@dataclass(frozen=True, slots=True)
class RowError:
    """A bad row of an imported file: its line number (the header is 1) and what is wrong."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"строка {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: rows imported, or why none was (errors, conflicting участки)."""

    imported: int
    errors: tuple[RowError, ...] = ()
    conflicts: tuple[str, ...] = ()
    details: str = ""

    @property
    def ok(self) -> bool:
        """True when the file was imported."""
        return not self.errors and not self.conflicts

    def lines(self) -> list[str]:
        """The report in Russian, one line per fact."""
        if self.ok:
            text = f"Импортировано строк: {self.imported}."
            return [f"{text} {self.details}" if self.details else text]
        lines = ["Файл не импортирован: ничего не записано."]
        lines += [str(error) for error in self.errors]
        if self.conflicts:
            lines.append("Дом относится к двум участкам одного типа (ошибка данных):")
            lines += [f"  {conflict}" for conflict in self.conflicts]
        return lines


class _Rejected(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------
# Reading CSV


def _column_names(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for column, others in aliases.items():
        for name in (column, *others):
            names[normalise_name(name).replace("Ё", "Е")] = column
    return names


def _read(
    text: str, aliases: dict[str, tuple[str, ...]], required: Sequence[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The data rows with their line numbers, by canonical column name, or the header's errors."""
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(0, "Файл пуст: нет строки заголовка.")]
    names = _column_names(aliases)
    columns = [names.get(normalise_name(cell)) for cell in header]
    missing = [column for column in required if column not in columns]
    if missing:
        return [], [RowError(1, f"нет столбца {', '.join(f'«{column}»' for column in missing)}")]
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            errors.append(RowError(start, f"лишние значения: {len(cells)} вместо {len(header)}"))
            continue
        row = {column: "" for column in aliases}
        for column, cell in zip(columns, cells, strict=False):
            if column is not None:
                row[column] = cell.strip()
        rows.append((start, row))
    return rows, errors


def _coordinate(value: str, name: str, low: float, high: float) -> float:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise _Rejected(f"{name} «{value}» не число") from None
    if not low <= number <= high:
        raise _Rejected(f"{name} {number} вне допустимых пределов ({low:g}…{high:g})")
    return number


def _savepoint_failed(error: SQLAlchemyError) -> ImportReport:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    return ImportReport(0, (RowError(0, f"Ошибка базы данных, ничего не записано: {first_line}"),))


def _invalidate_after_commit(session: Session, institution_ids: Iterable[int] | None) -> None:
    ids = None if institution_ids is None else list(institution_ids)
    invalidate_district_index(session, ids)

    def dropped(_session: Session) -> None:
        invalidate_district_index(session, ids)

    # Another thread may rebuild the index from the old rows before this transaction commits.
    event.listen(session, "after_commit", dropped, once=True)


# --------------------------------------------------------------------------------------------
# Addresses

_ADDRESS_COLUMNS: dict[str, tuple[str, ...]] = {
    "settlement": ("населенный пункт", "населённый пункт", "город"),
    "street": ("улица",),
    "kind": ("тип", "тип улицы"),
    "house": ("дом", "номер дома"),
    "lat": ("широта",),
    "lon": ("долгота",),
}


@dataclass(slots=True)
class _StreetData:
    settlement_id: int
    name: str
    name_norm: str
    kind: str
    line: int
    middle: tuple[float, float] | None = None
    houses: dict[str, tuple[int, int, str, str, str, float, float]] = field(default_factory=dict)


def _settlements(session: Session) -> dict[str, int]:
    found: dict[str, int] = {}
    for settlement_id, code, name_norm in session.execute(
        select(Settlement.id, Settlement.code, Settlement.name_norm)
    ):
        found[name_norm] = settlement_id
        found[code.lower()] = settlement_id
    return found


def _street_kind_of(text_kind: str | None, column: str) -> str:
    if not column:
        return text_kind or "улица"
    kind = street_kind(column)
    if kind is None:
        raise _Rejected(f"тип улицы «{column}» неизвестен; допустимы: {', '.join(STREET_KINDS)}")
    if text_kind is not None and text_kind != kind:
        raise _Rejected(f"в названии улицы тип «{text_kind}», а в столбце «тип» — «{kind}»")
    return kind


def import_addresses_csv(session: Session, text: str) -> ImportReport:
    """Import streets and houses (see the module for the columns); all rows or none."""
    rows, errors = _read(text, _ADDRESS_COLUMNS, ("settlement", "street", "house", "lat", "lon"))
    settlements = _settlements(session)
    streets: dict[tuple[int, str, str], _StreetData] = {}
    for line, row in rows:
        try:
            settlement_id = settlements.get(row["settlement"].lower()) or settlements.get(
                normalise_name(row["settlement"])
            )
            if settlement_id is None:
                raise _Rejected(f"населенный пункт «{row['settlement']}» не найден")
            name, text_kind = street_parts(row["street"])
            if not name:
                raise _Rejected("не указана улица")
            kind = _street_kind_of(text_kind, row["kind"])
            key = (settlement_id, normalise_street(name), kind)
            street = streets.setdefault(key, _StreetData(settlement_id, name, key[1], kind, line))
            if not row["house"]:
                if row["lat"] or row["lon"]:
                    street.middle = (
                        _coordinate(row["lat"], "широта", -90, 90),
                        _coordinate(row["lon"], "долгота", -180, 180),
                    )
                continue
            try:
                house = parse_house(row["house"])
            except InvalidHouse as error:
                raise _Rejected(error.message) from None
            if not row["lat"] or not row["lon"]:
                raise _Rejected(f"у дома {house.label} нет координат")
            lat = _coordinate(row["lat"], "широта", -90, 90)
            lon = _coordinate(row["lon"], "долгота", -180, 180)
            if house.label in street.houses:
                first = street.houses[house.label][0]
                raise _Rejected(
                    f"{street_label(name, kind)}, {house.label} уже указан в строке {first}"
                )
            street.houses[house.label] = (
                line,
                house.number,
                house.letter,
                house.korpus,
                house.stroenie,
                lat,
                lon,
            )
        except _Rejected as rejected:
            errors.append(RowError(line, rejected.message))
    if errors:
        return ImportReport(0, tuple(sorted(errors, key=lambda error: error.line)))
    try:
        with session.begin_nested():
            _write_addresses(session, streets.values())
    except SQLAlchemyError as error:
        return _savepoint_failed(error)
    _invalidate_after_commit(session, None)
    houses = sum(len(street.houses) for street in streets.values())
    return ImportReport(len(rows), details=f"Улиц в файле: {len(streets)}, домов: {houses}.")


def _write_addresses(session: Session, streets: Iterable[_StreetData]) -> None:
    streets = list(streets)
    settlement_ids = {street.settlement_id for street in streets}
    existing = {
        (street.settlement_id, street.name_norm, street.kind): street
        for street in session.scalars(
            select(Street).where(Street.settlement_id.in_(settlement_ids))
        )
    }
    for data in streets:
        street = existing.get((data.settlement_id, data.name_norm, data.kind))
        if street is None:
            street = Street(
                settlement_id=data.settlement_id, name_norm=data.name_norm, kind=data.kind
            )
            session.add(street)
        street.name = data.name
        if data.middle is not None:
            street.lat, street.lon = data.middle
        elif data.houses and street.lat is None:
            # No middle given: the middle of the houses the file places.
            points = [(house[5], house[6]) for house in data.houses.values()]
            street.lat = sum(point[0] for point in points) / len(points)
            street.lon = sum(point[1] for point in points) / len(points)
        session.flush()
        known = {
            house.label: house
            for house in session.scalars(select(House).where(House.street_id == street.id))
        }
        for label, (_line, number, letter, korpus, stroenie, lat, lon) in data.houses.items():
            house = known.get(label)
            if house is None:
                house = House(street_id=street.id, label=label)
                session.add(house)
            house.number, house.letter, house.korpus, house.stroenie = (
                number,
                letter,
                korpus,
                stroenie,
            )
            house.lat, house.lon = lat, lon
    session.flush()


# --------------------------------------------------------------------------------------------
# Участки

_DISTRICT_COLUMNS: dict[str, tuple[str, ...]] = {
    "institution": ("учреждение", "лпу", "idlpu"),
    "district": ("участок", "номер участка", "number"),
    "kind": ("тип участка", "тип"),
    "doctor": ("врач",),
    "post": ("должность",),
    "street": ("улица",),
    "houses": ("дома",),
}

# The type as a file may write it: the stored code, the label, or its first word.
_DISTRICT_KINDS: dict[str, str] = {}
for _kind, _label in DISTRICT_KIND_LABELS.items():
    _DISTRICT_KINDS[normalise_name(str(_kind))] = str(_kind)
    _DISTRICT_KINDS[normalise_name(_label)] = str(_kind)
_DISTRICT_KINDS[normalise_name("ВОП")] = DistrictKind.GENERAL_PRACTICE
_DISTRICT_KINDS[normalise_name("общей практики")] = DistrictKind.GENERAL_PRACTICE


def district_kind(text: str) -> str | None:
    """The stored type for «терапевтический», «Терапевтический», «therapeutic», «ВОП»."""
    return _DISTRICT_KINDS.get(normalise_name(text).replace("_", " ")) or _DISTRICT_KINDS.get(
        normalise_name(text)
    )


_DASH = r"\s*[-–—]\s*"
_SIDE = re.compile(r"^(НЕЧЕТНЫЕ|НЕЧЕТН|НЕЧЕТ|НЕЧ|ЧЕТНЫЕ|ЧЕТН|ЧЕТ)\.?(?:\s+(?:ДОМА|СТОРОНА))?\s*")
_SPAN = re.compile(
    rf"^(?:(?P<low>\d{{1,4}}){_DASH}(?P<high>\d{{1,4}})?|(?:С|ОТ)\s*(?P<from>\d{{1,4}})"
    r"|ДО\s*(?P<to>\d{1,4}))$"
)
_ALL = {"", "ВСЕ", "ВСЕ ДОМА", "ВСЯ УЛИЦА", "ВСЯ", "ВЕСЬ"}

ParsedRule = tuple[RuleKind, int | None, int | None, str | None]


def _span(text: str) -> tuple[int | None, int | None] | None:
    match = _SPAN.match(text)
    if match is None:
        return None
    low = match["low"] or match["from"]
    high = match["high"] or match["to"]
    span = (int(low) if low else None, int(high) if high else None)
    if span[0] is not None and span[1] is not None and span[0] > span[1]:
        raise _Rejected(f"диапазон «{text.lower()}»: начало больше конца")
    if span[0] == 0:
        raise _Rejected("номер дома не может быть нулевым")
    return span


def parse_houses(text: str) -> list[ParsedRule]:
    """The rules a ``houses`` cell names; ``ValueError`` with a Russian message when unreadable."""
    try:
        return _parse_houses(text)
    except _Rejected as rejected:
        raise ValueError(rejected.message) from None


def _parse_houses(text: str) -> list[ParsedRule]:
    rules: list[ParsedRule] = []
    for item in text.split(";"):
        folded = normalise_name(item).replace("Ё", "Е").strip(" .")
        if folded in _ALL:
            if item.strip() or text.strip() == "":
                rules.append((RuleKind.ALL, None, None, None))
            continue
        side = _SIDE.match(folded)
        if side is not None:
            kind = RuleKind.ODD if side.group(1).startswith("НЕЧ") else RuleKind.EVEN
            rest = folded[side.end() :].strip()
            span = _span(rest) if rest else (None, None)
            if span is None:
                raise _Rejected(
                    f"«{item.strip()}»: после «{side.group(1).lower()}» ожидается "
                    "диапазон, например 1-45 или с 51"
                )
            rules.append((kind, span[0], span[1], None))
            continue
        span = _span(folded)
        if span is not None:
            rules.append((RuleKind.RANGE, span[0], span[1], None))
            continue
        rules.extend((RuleKind.EXACT, None, None, label) for label in _exact_houses(item))
    if not rules:
        rules.append((RuleKind.ALL, None, None, None))
    return rules


def _exact_houses(item: str) -> list[str]:
    try:
        return [parse_house(item).label]
    except InvalidHouse as whole:
        parts = [part for part in item.split(",") if part.strip()]
        if len(parts) < 2:
            raise _Rejected(f"дома «{item.strip()}» не распознаны: {whole.message}") from None
        labels = []
        for part in parts:
            try:
                labels.append(parse_house(part).label)
            except InvalidHouse as error:
                raise _Rejected(f"дом «{part.strip()}» не распознан: {error.message}") from None
        return labels


@dataclass(slots=True)
class _DistrictData:
    institution_id: int
    kind: str
    number: str
    doctor: str
    post: str
    line: int


def import_districts_csv(
    session: Session, text: str, *, institution_id: int | None = None
) -> ImportReport:
    """Import участки and their rules (see the module for the columns); all rows or none.

    ``institution_id`` (the database id) imports a file for that one institution: its rows may
    leave ``institution`` empty, and a row naming another institution is an error.
    """
    required = ("district", "kind", "street") + (("institution",) if institution_id is None else ())
    rows, errors = _read(text, _DISTRICT_COLUMNS, required)
    institutions = {
        hub_id: (row_id, settlement_id, short_name)
        for row_id, hub_id, settlement_id, short_name in session.execute(
            select(
                Institution.id,
                Institution.hub_id,
                Institution.settlement_id,
                Institution.short_name,
            )
        )
    }
    by_id = {value[0]: (hub_id, *value) for hub_id, value in institutions.items()}
    if institution_id is not None and institution_id not in by_id:
        return ImportReport(0, (RowError(0, f"Учреждение с id {institution_id} не найдено."),))
    streets: dict[tuple[int, str], list[tuple[int, str, str]]] = {}
    for street_id, street_settlement, name, name_norm, type_of_street in session.execute(
        select(Street.id, Street.settlement_id, Street.name, Street.name_norm, Street.kind)
    ):
        streets.setdefault((street_settlement, name_norm), []).append(
            (street_id, name, type_of_street)
        )
    districts: dict[tuple[int, str, str], _DistrictData] = {}
    rules: dict[int, list[RuleSpec]] = {}
    street_names: dict[int, str] = {}
    for line, row in rows:
        try:
            owner = _owner(row["institution"], institution_id, institutions, by_id)
            owner_id, settlement_id = owner
            kind = district_kind(row["kind"])
            if kind is None:
                labels = ", ".join(label.lower() for label in DISTRICT_KIND_LABELS.values())
                raise _Rejected(f"тип участка «{row['kind']}» неизвестен; допустимы: {labels}")
            number = row["district"].removeprefix("№").strip()
            if not number:
                raise _Rejected("не указан номер участка")
            if len(number) > 16:
                raise _Rejected(f"номер участка «{number}» длиннее 16 знаков")
            district = districts.setdefault(
                (owner_id, kind, number),
                _DistrictData(owner_id, kind, number, row["doctor"], row["post"], line),
            )
            for attribute, label in (("doctor", "врач"), ("post", "должность")):
                given, known = row[attribute], getattr(district, attribute)
                if given and known and normalise_name(given) != normalise_name(known):
                    raise _Rejected(
                        f"у участка №{number} {label} «{known}» (строка {district.line}), "
                        f"а здесь «{given}»"
                    )
                if given and not known:
                    setattr(district, attribute, given)
            street_id, label = _street(row["street"], settlement_id, streets)
            street_names[street_id] = label
            try:
                parsed = _parse_houses(row["houses"])
            except _Rejected as rejected:
                raise _Rejected(f"дома: {rejected.message}") from None
            key: DistrictKey = (kind, number)
            rules.setdefault(owner_id, []).extend(
                RuleSpec(key, street_id, rule_kind, low, high, house, f"строка {line}")
                for rule_kind, low, high, house in parsed
            )
        except _Rejected as rejected:
            errors.append(RowError(line, rejected.message))
    if errors:
        return ImportReport(0, tuple(sorted(errors, key=lambda error: error.line)))
    conflicts: list[str] = []
    for owner_id, owner_rules in rules.items():
        keys = {(d.kind, d.number) for d in districts.values() if d.institution_id == owner_id}
        kinds: dict[DistrictKey, str] = {key: key[0] for key in keys}
        names: dict[DistrictKey, str] = {key: f"участок №{key[1]}" for key in keys}
        short_name = by_id[owner_id][3]
        conflicts += [
            f"{short_name}: {message}"
            for message in rule_conflicts(owner_rules, kinds, names, street_names)
        ]
    if conflicts:
        return ImportReport(0, conflicts=tuple(conflicts))
    try:
        with session.begin_nested():
            _write_districts(session, districts.values(), rules)
    except SQLAlchemyError as error:
        return _savepoint_failed(error)
    _invalidate_after_commit(session, rules)
    rule_count = sum(len(owner_rules) for owner_rules in rules.values())
    return ImportReport(len(rows), details=f"Участков: {len(districts)}, правил: {rule_count}.")


def _owner(
    text: str,
    institution_id: int | None,
    institutions: dict[int, tuple[int, int | None, str]],
    by_id: dict[int, tuple[int, int, int | None, str]],
) -> tuple[int, int]:
    """(institution id, settlement id) of a row."""
    if text:
        try:
            hub_id = int(text)
        except ValueError:
            raise _Rejected(f"учреждение «{text}»: ожидается IdLPU (число)") from None
        if hub_id not in institutions:
            raise _Rejected(f"учреждение с IdLPU {hub_id} не найдено")
        owner_id, settlement_id, _name = institutions[hub_id]
        if institution_id is not None and owner_id != institution_id:
            raise _Rejected(
                f"строка другого учреждения (IdLPU {hub_id}), а импорт для IdLPU "
                f"{by_id[institution_id][0]}"
            )
    elif institution_id is not None:
        owner_id, settlement_id = institution_id, by_id[institution_id][2]
    else:
        raise _Rejected("не указано учреждение (IdLPU)")
    if settlement_id is None:
        raise _Rejected("у учреждения не указан населенный пункт: улицы не с чем сопоставить")
    return owner_id, settlement_id


def _street(
    text: str, settlement_id: int, streets: dict[tuple[int, str], list[tuple[int, str, str]]]
) -> tuple[int, str]:
    name, kind = street_parts(text)
    if not name:
        raise _Rejected("не указана улица")
    candidates = streets.get((settlement_id, normalise_street(name)), [])
    if kind is not None:
        candidates = [candidate for candidate in candidates if candidate[2] == kind]
    elif len(candidates) > 1:
        # «Мира» for ул. Мира and пр-т Мира: the улица, as people say it; else ask for the type.
        candidates = [candidate for candidate in candidates if candidate[2] == "улица"]
        if not candidates:
            raise _Rejected(f"«{text}»: улиц с таким названием несколько, укажите тип")
    if not candidates:
        raise _Rejected(f"улица «{text}» не найдена в реестре адресов населенного пункта")
    street_id, street_name, street_kind_ = candidates[0]
    return street_id, street_label(street_name, street_kind_)


def _write_districts(
    session: Session, districts: Iterable[_DistrictData], rules: dict[int, list[RuleSpec]]
) -> None:
    owners = list(rules)
    wanted = {(d.institution_id, d.kind, d.number): d for d in districts}
    doctors = {
        (institution_id, full_name_norm): doctor_id
        for doctor_id, institution_id, full_name_norm in session.execute(
            select(Doctor.id, Doctor.institution_id, Doctor.full_name_norm).where(
                Doctor.institution_id.in_(owners)
            )
        )
    }
    existing = {
        (district.institution_id, district.kind, district.number): district
        for district in session.scalars(
            select(MedicalDistrict).where(MedicalDistrict.institution_id.in_(owners))
        )
    }
    # The file replaces the institutions' rules: old ones go first, with участки it dropped.
    session.execute(
        delete(DistrictRule).where(
            DistrictRule.district_id.in_(
                select(MedicalDistrict.id).where(MedicalDistrict.institution_id.in_(owners))
            )
        )
    )
    for key, district in existing.items():
        if key not in wanted:
            session.delete(district)
    ids: dict[tuple[int, str, str], int] = {}
    for key, data in wanted.items():
        district = existing.get(key) or MedicalDistrict(
            institution_id=data.institution_id, kind=data.kind, number=data.number
        )
        district.doctor_name = data.doctor
        district.doctor_post = data.post
        district.doctor_id = (
            doctors.get((data.institution_id, normalise_name(data.doctor))) if data.doctor else None
        )
        session.add(district)
        session.flush()
        ids[key] = district.id
    for owner_id, owner_rules in rules.items():
        for rule in owner_rules:
            # Before writing, a rule names its участок by (type, number), not by id.
            assert isinstance(rule.district_key, tuple)
            kind, number = rule.district_key
            session.add(
                DistrictRule(
                    district_id=ids[(owner_id, kind, number)],
                    street_id=rule.street_id,
                    kind=rule.kind.value,
                    from_number=rule.from_number,
                    to_number=rule.to_number,
                    house_label=rule.house_label,
                )
            )
    session.flush()


# --------------------------------------------------------------------------------------------
# The shipped demo data


def load_regional_addresses(session: Session, directory: Path | None = None) -> tuple[int, int]:
    """Load ``regional/addresses/*.csv`` and ``regional/districts.csv``; (streets, участки).

    Idempotent like the rest of the regional data. A bad shipped file is a bug, not an operator's
    mistake: ``ValueError`` with the report.
    """
    directory = directory or resource_path("regional")
    for path in sorted((directory / "addresses").glob("*.csv")):
        _loaded(path, import_addresses_csv(session, path.read_text(encoding="utf-8")))
    districts = directory / "districts.csv"
    if districts.exists():
        _loaded(districts, import_districts_csv(session, districts.read_text(encoding="utf-8")))
    streets = session.scalar(select(func.count(Street.id))) or 0
    participating = session.scalar(select(func.count(MedicalDistrict.id))) or 0
    return streets, participating


def _loaded(path: Path, report: ImportReport) -> None:
    if not report.ok:
        raise ValueError(f"{path}:\n" + "\n".join(report.lines()))
