"""The patient registry search: one input box, whatever the operator typed into it.

:func:`recognise_query` decides what the text is:

* digits only (spaces, hyphens and «№» allowed): 16 → ЕНП, 9 → временное свидетельство,
  11 → СНИЛС (with its check number), 10 → серия и номер паспорта («45 02 573482»); two groups
  of another length → полис ОМС старого образца («7700 12345678»);
* letters and digits that are not a name: a polis ОМС of the old style («ЯП 123456») and/or a
  ДМС number («ДМС-001/23» — looked up in both places when it could be either);
* an explicit keyword first: «снилс …», «енп …», «омс …», «полис …», «паспорт …», «дмс …»;
* otherwise a name: «Фамилия [Имя [Отчество]] [ДД.ММ.ГГГГ]» — a surname prefix of at least two
  letters, optional first-name and patronymic prefixes (initials such as «Иванов И. И.» work)
  and an optional birth date written ДД.ММ.ГГГГ or ДДММГГГГ (four-digit years only).

Names are compared in the normalised form of :func:`workstation.models.text.normalise_name`
(upper case, ё = е), so «семенов», «СЕМЁН» and «Семёнов» are the same to the search; prefixes
are range conditions (``col >= p AND col < prefix_upper_bound(p)``) over the indexed
normalised columns, with ``birth_date`` equality first when a birth date is given (the index
``(birth_date, last_name_norm)``).

Ranking: document matches are exact; name matches come exact surname first, then the prefix
matches; within each, an exact first name before a first-name prefix, then by last name, first
name, birth date. A number that fails its check (СНИЛС, ЕНП) is reported with the Russian
message of :class:`~workstation.models.identity.InvalidDocument` instead of "nothing found";
a text that is neither raises :class:`InvalidQuery` with a hint.

Hits (:class:`PatientHit`) carry only masked documents and phones.

Speed (see ``benchmarks/patient_search.py``; an exact lookup in 2,000,000 patients costs SQLite
about 15 µs): the statements are built with SQLAlchemy Core, compiled once per dialect, and run
on the DBAPI cursor of a pooled connection, because ``Connection.execute`` adds about 30 µs
and an ORM session about 110 µs per query; on SQLite each searching thread keeps its pooled
connection (see :class:`PatientSearch`). Stored documents are canonical and were validated when
written, so their masks are spelled out here in the identity types' layouts instead of going
through the types (and, for phones, ``phonenumbers``, about 40 µs); property tests check that
both give the same text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, TypeAlias

from sqlalchemy import ClauseElement, Engine, Integer, bindparam, case, event, literal, select
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler

from workstation.models import Patient
from workstation.models.identity import (
    DmsPolicy,
    InvalidDocument,
    OmsPolicy,
    OmsPolicyKind,
    Passport,
    Phone,
    Snils,
    mask_middle,
)
from workstation.models.text import normalise_name, prefix_upper_bound
from workstation.services.database import Database

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "SEARCH_ERRORS",
    "DocumentQuery",
    "InvalidQuery",
    "MatchedField",
    "NameQuery",
    "PatientHit",
    "PatientQuery",
    "PatientSearch",
    "SearchResult",
    "recognise_query",
    "search_patients",
]

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 500


class InvalidQuery(ValueError):
    """The search text is not something the search understands.

    ``str(error)`` (and :attr:`message`) is a Russian sentence for the operator.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


SEARCH_ERRORS: Final = (InvalidQuery, InvalidDocument)
"""What :meth:`PatientSearch.search` raises for a text it cannot search by (show ``str(e)``)."""


class MatchedField(enum.Enum):
    """Which field of the patient matched the query."""

    SNILS = "snils"
    OMS = "oms"
    PASSPORT = "passport"
    DMS = "dms"
    NAME = "name"

    @property
    def label(self) -> str:
        """Russian name for the UI («Найдено по …»)."""
        return _FIELD_LABELS[self]


_FIELD_LABELS: Final = {
    MatchedField.SNILS: "СНИЛС",
    MatchedField.OMS: "полис ОМС",
    MatchedField.PASSPORT: "паспорт",
    MatchedField.DMS: "полис ДМС",
    MatchedField.NAME: "ФИО",
}


@dataclass(frozen=True, slots=True)
class DocumentQuery:
    """An exact lookup by a document in its canonical (stored) form.

    ``lookups`` holds one ``(field, canonical value)`` pair, or two when the text could be
    either an old-style polis ОМС or a ДМС number; ``oms_kind`` is set for polis ОМС lookups.
    ``repr()`` shows the masked value only.
    """

    lookups: tuple[tuple[MatchedField, str], ...]
    oms_kind: OmsPolicyKind | None = None

    def __repr__(self) -> str:
        fields = ", ".join(field.name for field, _value in self.lookups)
        return f"DocumentQuery({fields}, {self.masked!r})"

    @property
    def field(self) -> MatchedField:
        """The (first) field looked up."""
        return self.lookups[0][0]

    @property
    def masked(self) -> str:
        """The (first) document looked up, masked as in the hits (for a status line)."""
        field, value = self.lookups[0]
        return _MASKS[field](value, self.oms_kind)


@dataclass(frozen=True, slots=True)
class NameQuery:
    """A name search; every part is in the normalised form (upper case, ё → Е)."""

    last_name: str
    first_name: str = ""
    patronymic: str = ""
    birth_date: dt.date | None = None


PatientQuery: TypeAlias = DocumentQuery | NameQuery


@dataclass(frozen=True, slots=True)
class PatientHit:
    """One patient found; documents and phone are masked (never the full value).

    ``matched`` tells which field matched; ``exact`` is true for document matches and for
    name matches whose surname equals the query (false for surname-prefix matches).
    """

    patient_id: int
    full_name: str
    birth_date: dt.date
    snils: str | None
    oms: str | None
    oms_kind: OmsPolicyKind | None
    passport: str | None
    dms: str | None
    phone: str | None
    matched: MatchedField
    exact: bool


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The recognised query, the hits in rank order and whether more than ``limit`` matched."""

    query: PatientQuery
    hits: tuple[PatientHit, ...]
    more: bool


# --------------------------------------------------------------------------------------------
# Recognition

_NAME_PUNCT: Final = frozenset("-'’\u2010\u2011")
_DATE_DOTTED: Final = re.compile(r"([0-9]{1,2})[./]([0-9]{1,2})[./]([0-9]+)")
_DATE_COMPACT: Final = re.compile(r"[0-9]{8}")
_DATE_HYPHENATED: Final = re.compile(r"([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})")
# Digits with spaces, hyphens and «№»: a document number typed with or without separators.
_NUMBER_TEXT: Final = re.compile(r"[0-9\s\-\u2010-\u2014\u2212№]+")
_NOT_DIGITS: Final = re.compile(r"[^0-9]+")
_DIGIT: Final = re.compile(r"[0-9]")
_LETTER: Final = re.compile(r"[^\W\d_]")
_KEYWORDS: Final = {
    "СНИЛС": MatchedField.SNILS,
    "ЕНП": MatchedField.OMS,
    "ОМС": MatchedField.OMS,
    "ПОЛИС": MatchedField.OMS,
    "ПАСПОРТ": MatchedField.PASSPORT,
    "ДМС": MatchedField.DMS,
}
_DIGIT_LENGTHS_HINT: Final = (
    "ЕНП — 16 цифр, временное свидетельство — 9, СНИЛС — 11, серия и номер паспорта — 10"
)
_EMPTY_MESSAGE: Final = (
    "Введите фамилию (можно с именем, отчеством и датой рождения ДД.ММ.ГГГГ) "
    "или номер документа: СНИЛС, полис ОМС, паспорт."
)


_YEAR_AT_IMPORT: Final = dt.date.today().year


def _parse_date(token: str, today: dt.date | None) -> dt.date | None:
    """The birth date written in ``token``, ``None`` when it is not a date at all."""
    match = _DATE_DOTTED.fullmatch(token) or _DATE_HYPHENATED.fullmatch(token)
    if match is not None:
        day, month, year = match.groups()
        if len(year) != 4:
            raise InvalidQuery(
                f"Год рождения в «{token}» укажите полностью, четырьмя цифрами: "
                "например 12.05.1980."
            )
    elif _DATE_COMPACT.fullmatch(token):
        day, month, year = token[:2], token[2:4], token[4:]
    else:
        return None
    try:
        value = dt.date(int(year), int(month), int(day))
    except ValueError:
        if match is None:
            return None  # eight digits that are no date: perhaps a polis number («ХМА 00123456»)
        raise InvalidQuery(
            f"Дата рождения «{token}» не существует: введите её как ДД.ММ.ГГГГ, "
            "например 12.05.1980."
        ) from None
    if today is None and value.year < _YEAR_AT_IMPORT - 1:
        pass  # surely in the past: no need to ask the clock
    elif value > (today or dt.date.today()):
        raise InvalidQuery(f"Дата рождения «{token}» ещё не наступила: проверьте год.")
    if value.year < 1880:
        raise InvalidQuery(f"Дата рождения «{token}» слишком ранняя: проверьте год.")
    return value


def _is_name_token(token: str) -> bool:
    """Letters, possibly with hyphens and apostrophes («Петров-Водкин», «Д'Артаньян»)."""
    return token.isalpha() or (
        any(ch.isalpha() for ch in token) and all(ch.isalpha() or ch in _NAME_PUNCT for ch in token)
    )


def _fold(token: str) -> str:
    """``normalise_name`` of one whitespace-free token (the same result, without the regex)."""
    return token.upper().replace("Ё", "Е") if token.isalpha() else normalise_name(token)


def _letters(text: str) -> int:
    return len(text) if text.isalpha() else sum(1 for ch in text if ch.isalpha())


def _document_query(field: MatchedField, text: str) -> DocumentQuery:
    """A lookup of ``text`` as the document ``field`` (raises InvalidDocument when invalid)."""
    if field is MatchedField.SNILS:
        return DocumentQuery(((field, Snils.parse(text).canonical),))
    if field is MatchedField.PASSPORT:
        return DocumentQuery(((field, Passport.parse(text).canonical),))
    if field is MatchedField.OMS:
        policy = OmsPolicy.parse(text)
        return DocumentQuery(((field, policy.canonical),), policy.kind)
    return DocumentQuery(((field, DmsPolicy.parse(text).canonical),))


def _digits_query(text: str, digits: str, *, validate: bool) -> DocumentQuery:
    """A text of digits and separators only: the document is told by the number of digits."""
    length = len(digits)
    field = _FIELD_BY_LENGTH.get(length)
    if field is not None:
        return _unchecked(field, digits) if not validate else _document_query(field, text)
    if "№" in text or len(text.split()) == 2:
        return _document_query(MatchedField.OMS, text)
    raise InvalidQuery(
        f"Номер из {length} цифр не похож ни на один документ: {_DIGIT_LENGTHS_HINT}. "
        "Полис ДМС ищите так: «ДМС 123456»; дату рождения пишите после фамилии."
    )


_FIELD_BY_LENGTH: Final = {
    16: MatchedField.OMS,
    9: MatchedField.OMS,
    11: MatchedField.SNILS,
    10: MatchedField.PASSPORT,
}


def _unchecked(field: MatchedField, digits: str) -> DocumentQuery:
    """A digits-only lookup whose check is deferred until nothing is found (see search)."""
    if field is MatchedField.OMS:
        kind = OmsPolicyKind.UNIFIED if len(digits) == 16 else OmsPolicyKind.TEMPORARY
        return DocumentQuery(((field, digits),), kind)
    return DocumentQuery(((field, digits),))


def _mixed_query(text: str) -> DocumentQuery:
    """Letters and digits that are not a name: an old-style polis ОМС and/or a ДМС number."""
    lookups: list[tuple[MatchedField, str]] = []
    kind: OmsPolicyKind | None = None
    try:
        policy = OmsPolicy.parse(text)
    except InvalidDocument:
        pass
    else:
        lookups.append((MatchedField.OMS, policy.canonical))
        kind = policy.kind
    with contextlib.suppress(InvalidDocument):
        lookups.append((MatchedField.DMS, DmsPolicy.parse(text).canonical))
    if not lookups:
        raise InvalidQuery(
            "Не удалось понять запрос: введите фамилию (не менее двух букв) с именем и датой "
            f"рождения ДД.ММ.ГГГГ или номер документа ({_DIGIT_LENGTHS_HINT})."
        )
    return DocumentQuery(tuple(lookups), kind)


def _name_query(tokens: Sequence[str], birth_date: dt.date | None) -> NameQuery:
    surname, *rest = tokens
    last = _fold(surname)
    if _letters(last) < 2:
        raise InvalidQuery("Введите не менее двух первых букв фамилии.")
    first = _fold(rest[0]) if rest else ""
    patronymic = normalise_name(" ".join(rest[1:])) if len(rest) > 1 else ""
    return NameQuery(last, first, patronymic, birth_date)


def recognise_query(
    text: str, *, today: dt.date | None = None, validate: bool = True
) -> PatientQuery:
    """What the operator typed: a document lookup or a name search.

    Raises :class:`~workstation.models.identity.InvalidDocument` for a document number that
    fails its check and :class:`InvalidQuery` for a text that is neither a document nor a name.
    ``validate=False`` skips the check of digits-only numbers (the search checks them only when
    nothing is found, so that a stored number is always found as it is).
    """
    stripped = text.strip()
    if not stripped:
        raise InvalidQuery(_EMPTY_MESSAGE)

    # The common case first: a number typed with or without separators.
    if _NUMBER_TEXT.fullmatch(stripped):
        digits = _NOT_DIGITS.sub("", stripped)
        if len(digits) == 8 and " " not in stripped and _parse_date(digits, today):
            raise InvalidQuery("Введите фамилию перед датой рождения, например «Иванов 12051980».")
        if digits:
            return _digits_query(stripped, digits, validate=validate)

    # An explicit keyword: «снилс 112-233-445 95», «полис ДМС 123/45», «паспорт: 4502 573482».
    head, _, tail = stripped.partition(" ")
    keyword = head.rstrip(":.").upper()
    if keyword in _KEYWORDS and tail.strip():
        field = _KEYWORDS[keyword]
        if keyword == "ПОЛИС":
            second, _, rest = tail.strip().partition(" ")
            second_keyword = second.rstrip(":.").upper()
            if second_keyword in ("ДМС", "ОМС") and rest.strip():
                field = _KEYWORDS[second_keyword]
                tail = rest
        return _document_query(field, tail.strip().lstrip(":").strip())

    if not _LETTER.search(stripped):
        if _DATE_DOTTED.fullmatch(stripped) or _DATE_HYPHENATED.fullmatch(stripped):
            _parse_date(stripped, today)
            raise InvalidQuery(
                "Введите фамилию перед датой рождения, например «Иванов 12.05.1980»."
            )
        return _mixed_query(stripped)

    # A name, possibly with a birth date somewhere; commas and initials' dots separate parts.
    birth_date: dt.date | None = None
    names: list[str] = []
    for token in stripped.split():
        if token.isalpha():
            names.append(token)
            continue
        if _DIGIT.search(token):
            date = _parse_date(token, today)
            if date is None or birth_date is not None:
                return _mixed_query(stripped)
            birth_date = date
            continue
        for part in token.replace(",", " ").replace(".", " ").split():
            if not _is_name_token(part):
                return _mixed_query(stripped)
            names.append(part)
    if not names:
        raise InvalidQuery(_EMPTY_MESSAGE)
    return _name_query(names, birth_date)


# --------------------------------------------------------------------------------------------
# Statements


_COLUMNS: Final = (
    Patient.id,
    Patient.last_name,
    Patient.first_name,
    Patient.patronymic,
    Patient.birth_date,
    Patient.snils,
    Patient.oms_number,
    Patient.oms_kind,
    Patient.passport,
    Patient.dms_number,
    Patient.phone,
    Patient.last_name_norm,
)
_ID: Final = 0  # row positions used outside _hit (which unpacks the row)
_LN: Final = len(_COLUMNS) - 1
_DOCUMENT_COLUMNS: Final = {
    MatchedField.SNILS: Patient.snils,
    MatchedField.OMS: Patient.oms_number,
    MatchedField.PASSPORT: Patient.passport,
    MatchedField.DMS: Patient.dms_number,
}
_BY_NAME: Final = (Patient.last_name_norm, Patient.first_name_norm, Patient.birth_date, Patient.id)


def _ranked(conditions: Sequence[Any], order: Sequence[Any] = ()) -> ClauseElement:
    """The hit columns of the rows meeting ``conditions``, in rank order, ``:limit`` of them."""
    return (
        select(*_COLUMNS)
        .where(*conditions)
        .order_by(*order, *_BY_NAME)
        .limit(bindparam("limit", type_=Integer))
    )


def _document_statement(field: MatchedField) -> ClauseElement:
    return _ranked([_DOCUMENT_COLUMNS[field] == bindparam("value")])


def _patronymic_conditions() -> list[Any]:
    # search_name is «ФАМИЛИЯ ИМЯ ОТЧЕСТВО»: the patronymic prefix after this row's names.
    names = Patient.last_name_norm + literal(" ") + Patient.first_name_norm + literal(" ")
    return [
        Patient.search_name >= names + bindparam("patronymic"),
        Patient.search_name < names + bindparam("patronymic_end"),
    ]


class _Phase(enum.Enum):
    """The statements of a name search, one per rank group (see ``find_names``)."""

    DATED = "dated"  # birth date given: one small index range, ranked in SQL
    EXACT = "exact"  # surname equal to the query
    PREFIX = "prefix"  # longer surnames (no first name given)
    PREFIX_FIRST_EXACT = "prefix_first_exact"  # longer surnames, first name equal
    PREFIX_FIRST_LONGER = "prefix_first_longer"  # longer surnames, longer first names


def _name_statement(phase: _Phase, first: bool, patronymic: bool) -> ClauseElement:
    last, first_name = Patient.last_name_norm, Patient.first_name_norm
    extra = _patronymic_conditions() if patronymic else []
    first_prefix = (
        [first_name >= bindparam("first"), first_name < bindparam("first_end")] if first else []
    )
    if phase is _Phase.DATED:
        order: list[Any] = [case((last == bindparam("last"), 0), else_=1)]
        if first:
            order.append(case((first_name == bindparam("first"), 0), else_=1))
        return _ranked(
            [
                Patient.birth_date == bindparam("birth_date"),
                last >= bindparam("last"),
                last < bindparam("last_end"),
                *first_prefix,
                *extra,
            ],
            order,
        )
    if phase is _Phase.EXACT:
        return _ranked([last == bindparam("last"), *first_prefix, *extra])
    longer = [last > bindparam("last"), last < bindparam("last_end")]
    if phase is _Phase.PREFIX:
        return _ranked([*longer, *extra])
    if phase is _Phase.PREFIX_FIRST_EXACT:
        return _ranked([*longer, first_name == bindparam("first"), *extra])
    return _ranked(
        [*longer, first_name > bindparam("first"), first_name < bindparam("first_end"), *extra]
    )


class _Compiled:
    """A Core statement compiled once for one dialect: its SQL and how to pass the binds.

    The binds are the statement's ``bindparam`` names plus the values of its literals; the
    DBAPI gets them as a sequence (positional paramstyles such as SQLite's ``?``) or a mapping
    (PostgreSQL's ``%(name)s``).
    """

    __slots__ = ("defaults", "names", "positional", "sql")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError("a SELECT statement was expected")
        self.sql: str = compiled.string
        # The values of literals (and of SQLite's OFFSET 0); the bindparams have none.
        self.defaults: dict[str, Any] = {
            name: bind.value for bind, name in compiled.bind_names.items() if not bind.required
        }
        self.positional: bool = bool(compiled.positional)
        self.names: tuple[str, ...] = (
            tuple(compiled.positiontup or ())
            if self.positional
            else tuple(dict.fromkeys(compiled.bind_names.values()))
        )

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        defaults = self.defaults
        if self.positional:
            return [values[name] if name in values else defaults[name] for name in self.names]
        return {name: values[name] if name in values else defaults[name] for name in self.names}


# --------------------------------------------------------------------------------------------
# Masking stored (canonical, already validated) documents

_new = object.__new__
_set = object.__setattr__


# The masks below spell out the identity types' masks for the canonical forms (a test checks
# they agree): a hit is built on every search, and the generic layout code costs more than the
# query itself.


def _mask_snils(value: str) -> str:
    if len(value) != 11:
        return mask_middle(value, 0, 3)
    return f"***-***-{value[6:9]} {value[9:]}"


_OMS_KINDS: Final = {kind.value: kind for kind in OmsPolicyKind}


def _mask_oms(value: str, kind: OmsPolicyKind | None) -> str:
    if kind is None:
        return mask_middle(value, 0, 3)
    if kind is OmsPolicyKind.UNIFIED and len(value) == 16:
        return f"{value[:3]}**********{value[13:]}"
    if kind is OmsPolicyKind.TEMPORARY and len(value) == 9:
        return f"{value[:3]}***{value[6:]}"
    policy = _new(OmsPolicy)
    _set(policy, "kind", kind)
    if kind is OmsPolicyKind.OLD_STYLE:
        series, _, number = value.partition(" ")
        _set(policy, "series", series)
        _set(policy, "number", number)
    else:
        _set(policy, "series", "")
        _set(policy, "number", value)
    return policy.masked


def _mask_passport(value: str) -> str:
    if len(value) != 10:
        return mask_middle(value, 0, 3)
    return f"{value[:2]} ** ***{value[7:]}"


def _mask_dms(value: str) -> str:
    dms = _new(DmsPolicy)
    _set(dms, "insurer", "")
    _set(dms, "number", value)
    return dms.masked


_PLAIN_LAYOUT: Final = frozenset({"+73", "+74", "+78", "+79"})


def _mask_phone(value: str) -> str:
    # Russian mobile and geographic numbers (+7 9XX, +7 3XX/4XX/8XX) share one international
    # layout, «+7 912 345-67-89», whose mask is «+7 912 ***-**-89»: what Phone.masked gives
    # (a property test compares the two); anything else goes through phonenumbers.
    if len(value) == 12 and value[:3] in _PLAIN_LAYOUT and value[1:].isdigit():
        return f"+7 {value[2:5]} ***-**-{value[10:]}"
    if len(value) == 12 and value.startswith("+7") and value[1:].isdigit():
        phone = _new(Phone)
        _set(phone, "e164", value)
        try:
            return phone.masked
        except Exception:  # a stored value phonenumbers cannot format: mask it plainly
            pass
    return mask_middle(value, 0, 2)


_MASKS: Final[dict[MatchedField, Callable[[str, OmsPolicyKind | None], str]]] = {
    MatchedField.SNILS: lambda value, _kind: _mask_snils(value),
    MatchedField.OMS: _mask_oms,
    MatchedField.PASSPORT: lambda value, _kind: _mask_passport(value),
    MatchedField.DMS: lambda value, _kind: _mask_dms(value),
}


def _hit(row: Sequence[Any], matched: MatchedField, exact: bool) -> PatientHit:
    (
        patient_id,
        last,
        first,
        patronymic,
        birth,
        snils,
        oms,
        oms_kind,
        passport,
        dms,
        phone,
        _last_norm,
    ) = row
    if isinstance(birth, str):  # SQLite returns dates as ISO text at the DBAPI level
        birth = dt.date.fromisoformat(birth)
    kind = _OMS_KINDS.get(oms_kind) if oms else None
    return PatientHit(  # positional: the field order of PatientHit
        patient_id,
        (f"{last} {first} {patronymic}" if patronymic else f"{last} {first}").strip(),
        birth,
        _mask_snils(snils) if snils else None,
        _mask_oms(oms, kind) if oms else None,
        kind,
        _mask_passport(passport) if passport else None,
        _mask_dms(dms) if dms else None,
        _mask_phone(phone) if phone else None,
        matched,
        exact,
    )


# --------------------------------------------------------------------------------------------
# The service


class _Held:
    """The SQLite connections a :class:`PatientSearch` keeps checked out, one per thread.

    ``generation`` changes whenever they are released, so that each thread notices that its
    connection is gone and takes a new one.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections: list[PoolProxiedConnection] = []
        self.generation = 0

    def add(self, connection: PoolProxiedConnection) -> int:
        with self.lock:
            self.connections.append(connection)
            return self.generation

    def give_back(self, connection: PoolProxiedConnection) -> None:
        """Return one connection to the pool (its thread ended) unless already released."""
        with self.lock:
            if connection not in self.connections:
                return
            self.connections.remove(connection)
        connection.close()

    def drop(self, connection: PoolProxiedConnection) -> None:
        """Forget and close a connection that failed."""
        with self.lock:
            if connection in self.connections:
                self.connections.remove(connection)
        connection.invalidate()

    def release(self, *, invalidate: bool = False) -> None:
        """Return every held connection to the pool (close it when the pool was disposed)."""
        with self.lock:
            connections = list(self.connections)
            self.connections.clear()
            self.generation += 1
        for connection in connections:
            if invalidate:
                connection.invalidate()
            else:
                connection.close()

    def on_engine_disposed(self, _engine: Engine) -> None:
        # Engine.dispose() closes only checked-in connections and replaces the pool.
        self.release(invalidate=True)


class _ThreadConnection:
    """One thread's held connection; when the thread ends, its finalizer gives it back."""

    __slots__ = ("__weakref__", "connection", "generation")

    def __init__(self, connection: PoolProxiedConnection, held: _Held) -> None:
        self.connection = connection
        self.generation = held.add(connection)
        weakref.finalize(self, held.give_back, connection)


def _forget(engine: Engine, held: _Held) -> None:
    held.release()
    if event.contains(engine, "engine_disposed", held.on_engine_disposed):
        event.remove(engine, "engine_disposed", held.on_engine_disposed)


class PatientSearch:
    """Searches the registry of one :class:`Database`; safe to share between threads.

    On SQLite each thread that searches keeps one pooled connection checked out for its
    searches (a checkout costs about as much as an indexed lookup; SQLite reads outside a
    transaction hold no locks or snapshots between statements, so new rows are seen at once).
    :meth:`close`, leaving a ``with`` block, garbage collection and ``Database.dispose()``
    give them back. On PostgreSQL every search checks a connection out and back in, so no
    transaction stays open between searches.
    """

    def __init__(self, database: Database) -> None:
        self._engine = database.engine
        dialect = self._engine.dialect
        self._dialect = dialect
        self._sqlite = dialect.name == "sqlite"
        self._statements: dict[tuple[object, ...], _Compiled] = {}
        self._documents: dict[MatchedField, _Compiled] = {}  # the hot ones, by field alone
        self._lock = threading.Lock()
        self._local = threading.local()
        self._held = _Held()
        if self._sqlite:
            event.listen(self._engine, "engine_disposed", self._held.on_engine_disposed)
        self._finalizer = weakref.finalize(self, _forget, self._engine, self._held)

    def close(self) -> None:
        """Give back the connections held for searches (searching again later is fine)."""
        self._held.release()

    def __enter__(self) -> PatientSearch:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _compiled(self, key: tuple[object, ...], build: Callable[[], ClauseElement]) -> _Compiled:
        compiled = self._statements.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._statements.get(key)
                if compiled is None:
                    compiled = self._statements[key] = _Compiled(build(), self._dialect)
        return compiled

    def _run(
        self,
        statements: Iterable[tuple[_Compiled, Mapping[str, Any]]],
        enough: Callable[[list[Sequence[Any]]], bool] | None = None,
    ) -> list[list[Sequence[Any]]]:
        """Rows of each statement, run in order on one DBAPI connection.

        ``enough(rows)`` after each statement can stop the run early (later rank groups of a
        name search are not needed once the limit is reached).
        """
        if not self._sqlite:
            pooled = self._engine.raw_connection()
            try:
                return self._execute(pooled, statements, enough)
            finally:
                pooled.close()
        local = self._local
        held = self._held
        mine: _ThreadConnection | None = getattr(local, "held", None)
        if mine is None or mine.generation != held.generation:
            mine = local.held = _ThreadConnection(self._engine.raw_connection(), held)
        try:
            return self._execute(mine.connection, statements, enough)
        except Exception:
            # Whatever went wrong, do not keep a connection in an unknown state.
            local.held = None
            held.drop(mine.connection)
            raise

    @staticmethod
    def _execute(
        connection: PoolProxiedConnection,
        statements: Iterable[tuple[_Compiled, Mapping[str, Any]]],
        enough: Callable[[list[Sequence[Any]]], bool] | None,
    ) -> list[list[Sequence[Any]]]:
        driver: Any = connection.driver_connection  # the DBAPI's own, without the proxy
        cursor = driver.cursor()
        try:
            results: list[list[Sequence[Any]]] = []
            for compiled, values in statements:
                cursor.execute(compiled.sql, compiled.parameters(values))
                rows: list[Sequence[Any]] = cursor.fetchall()
                results.append(rows)
                if enough is not None and enough(rows):
                    break
            return results
        finally:
            cursor.close()

    def search(self, text: str, *, limit: int = DEFAULT_LIMIT) -> SearchResult:
        """Recognise ``text`` and return the best ``limit`` hits (see the module docstring).

        Raises :class:`InvalidQuery` or :class:`InvalidDocument` (both ``ValueError``, both
        with a Russian message) when the text cannot be searched by.
        """
        query = recognise_query(text, validate=False)
        if isinstance(query, DocumentQuery):
            result = self.find_documents(query, limit=limit)
            if not result.hits and len(query.lookups) == 1:
                # Nothing stored under this number: if it fails its check, say so.
                recognise_query(text, validate=True)
            return result
        result = self.find_names(query, limit=limit)
        if not result.hits and query.birth_date is not None:
            # «ХМА 12051980» reads as a name and a birth date but may be an old-style polis.
            tokens = text.split()
            if len(tokens) == 2 and tokens[1].isdigit():
                documents = self.find_documents(_mixed_query(text), limit=limit)
                if documents.hits:
                    return documents
        return result

    def find_documents(self, query: DocumentQuery, *, limit: int = DEFAULT_LIMIT) -> SearchResult:
        """Patients whose document equals one of the query's canonical values."""
        results = self._run(self._plan(query, limit))
        if len(results) == 1:  # the usual case: one document, one statement
            field, rows = query.lookups[0][0], results[0]
            found = [_hit(row, field, True) for row in rows[:limit]]
            return SearchResult(query, tuple(found), len(rows) > limit)
        hits: list[PatientHit] = []
        seen: set[int] = set()
        more = False
        for (field, _value), rows in zip(query.lookups, results, strict=True):
            for row in rows:
                if row[_ID] in seen:
                    continue
                if len(hits) == limit:
                    more = True
                    break
                seen.add(row[_ID])
                hits.append(_hit(row, field, True))
        return SearchResult(query, tuple(hits), more)

    def find_names(self, query: NameQuery, *, limit: int = DEFAULT_LIMIT) -> SearchResult:
        """Patients by surname prefix, optional first name and patronymic prefixes, birth date.

        Without a birth date the surname range may hold tens of thousands of rows, so each rank
        group is its own statement that the ``(last_name_norm, first_name_norm)`` index serves
        in order, and the groups run in rank order only until ``limit`` + 1 rows are collected
        (the extra row only tells that there are more).
        """
        plan = self._plan(query, limit)
        if len(plan) == 1:  # with a birth date: one statement
            (collected,) = self._run(plan)
        else:
            collected = []

            def enough(rows: list[Sequence[Any]]) -> bool:
                collected.extend(rows)
                return len(collected) > limit

            self._run(plan, enough)
        last = query.last_name
        name = MatchedField.NAME
        hits = [_hit(row, name, row[_LN] == last) for row in collected[:limit]]
        return SearchResult(query, tuple(hits), len(collected) > limit)

    def statements(
        self, query: PatientQuery, *, limit: int = DEFAULT_LIMIT
    ) -> list[tuple[str, Sequence[Any] | Mapping[str, Any]]]:
        """The SQL and DBAPI parameters a search for ``query`` runs, in order.

        For benchmarks and ``EXPLAIN``; a name search without a birth date stops after the
        statement that brings the rows to ``limit`` + 1.
        """
        return [
            (compiled.sql, compiled.parameters(values))
            for compiled, values in self._plan(query, limit)
        ]

    def _plan(self, query: PatientQuery, limit: int) -> list[tuple[_Compiled, Mapping[str, Any]]]:
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if isinstance(query, DocumentQuery):
            documents = self._documents
            plan: list[tuple[_Compiled, Mapping[str, Any]]] = []
            for field, value in query.lookups:
                compiled = documents.get(field)
                if compiled is None:
                    compiled = documents[field] = self._compiled(
                        ("document", field), partial(_document_statement, field)
                    )
                plan.append((compiled, {"value": value, "limit": limit + 1}))
            return plan
        first, patronymic = bool(query.first_name), bool(query.patronymic)
        values: dict[str, Any] = {
            "last": query.last_name,
            "last_end": prefix_upper_bound(query.last_name),
            "limit": limit + 1,
        }
        if first:
            values["first"] = query.first_name
            values["first_end"] = prefix_upper_bound(query.first_name)
        if patronymic:
            values["patronymic"] = query.patronymic
            values["patronymic_end"] = prefix_upper_bound(query.patronymic)
        if query.birth_date is not None:
            values["birth_date"] = (
                query.birth_date.isoformat() if self._sqlite else query.birth_date
            )
            phases = [_Phase.DATED]
        elif first:
            phases = [_Phase.EXACT, _Phase.PREFIX_FIRST_EXACT, _Phase.PREFIX_FIRST_LONGER]
        else:
            phases = [_Phase.EXACT, _Phase.PREFIX]
        plan = []
        for phase in phases:
            key = ("name", phase.value, first, patronymic)
            compiled = self._statements.get(key)
            if compiled is None:
                compiled = self._compiled(key, partial(_name_statement, phase, first, patronymic))
            plan.append((compiled, values))
        return plan


_SERVICES: weakref.WeakKeyDictionary[Database, PatientSearch] = weakref.WeakKeyDictionary()
_SERVICES_LOCK = threading.Lock()


def search_patients(database: Database, text: str, *, limit: int = DEFAULT_LIMIT) -> SearchResult:
    """:meth:`PatientSearch.search` with one cached :class:`PatientSearch` per database."""
    service = _SERVICES.get(database)
    if service is None:
        with _SERVICES_LOCK:
            service = _SERVICES.get(database)
            if service is None:
                service = _SERVICES[database] = PatientSearch(database)
    return service.search(text, limit=limit)
