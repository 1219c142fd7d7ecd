"""Identity documents and contacts of a patient as validated value types.

Every type here is a frozen dataclass that can only hold a valid value.  Each one offers:

* ``parse(text)`` - accepts what operators really type (surrounding whitespace, spaces and
  hyphens in any place, no separators at all; phones also with brackets and a ``+7``/``8``
  prefix) and returns the value, or raises :class:`InvalidDocument` whose message is a Russian
  sentence telling the operator what is wrong and how to fix it;
* ``canonical`` - the form stored in the database (see ``models.patients.Patient``);
* ``display`` - the form shown to the operator (also what ``str()`` returns);
* ``masked`` - the form shown in lists and journals, with the middle hidden by ``*``.

``repr()`` of every value shows the masked form only, so that personal data does not leak into
logs and tracebacks by accident.

The rules follow ``domain-facts.md`` sections 1-5 and 9:

* СНИЛС - check number ``(S mod 101) mod 100`` with weights 9..1; bodies up to 001-001-998
  were issued before the check number existed and are accepted unchecked
  (:attr:`Snils.is_legacy_unchecked` lets the UI warn);
* полис ОМС - ЕНП (16 digits, Luhn = ISO/HL7 27931 Mod10, ``stdnum.luhn``), временное
  свидетельство (9 digits, no checksum) or the old-style polis (free alphanumeric series and
  number);
* паспорт РФ - 4-digit series (region + blank year) and 6-digit number, no checksum;
* полис ДМС - insurer plus a free-form number;
* phones - ``phonenumbers`` with region RU; only Russian numbers are accepted;
* e-mail - a pragmatic check, not full RFC 5322.

Digits always mean the ASCII digits 0-9: other Unicode digits (Arabic-Indic, superscripts,
full-width) are rejected rather than silently converted.

This module must not import Qt or SQLAlchemy: it is used by the UI, the services and the hub
client alike.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Self

import phonenumbers
from stdnum import luhn

__all__ = [
    "MASK_CHAR",
    "DmsPolicy",
    "Email",
    "InvalidDocument",
    "OmsPolicy",
    "OmsPolicyKind",
    "Passport",
    "Phone",
    "Snils",
    "mask_middle",
    "only_digits",
    "snils_check_number",
]

MASK_CHAR = "*"
"""The character that replaces hidden characters in every ``masked`` form."""

_DIGITS = frozenset("0123456789")
# Hyphen-like characters that come with text copied from Word, PDF or web pages.
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")
_NUMBER_SIGN = "№"

# Look-alike letters typed instead of a digit, for a more helpful message.
_LOOKALIKE_DIGITS = {
    "O": "0",
    "o": "0",
    "О": "0",
    "о": "0",
    "З": "3",
    "з": "3",
    "I": "1",
    "l": "1",
}


class InvalidDocument(ValueError):
    """A document number or contact that cannot be accepted.

    ``str(error)`` (and :attr:`message`) is a complete Russian sentence for the operator: what
    is wrong and how to fix it, e.g. «СНИЛС должен содержать 11 цифр, введено 10.».
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------
# Helpers


def only_digits(text: str) -> str:
    """Return the ASCII digits of ``text`` in order, dropping everything else."""
    return "".join(ch for ch in text if ch in _DIGITS)


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """Replace the middle of ``value`` by :data:`MASK_CHAR`, keeping the ends visible.

    The result has the same length as ``value``: ``keep_start`` leading and ``keep_end``
    trailing characters stay, the rest become ``*``.  However short the value, at least a third
    of its characters (rounded up, so at least one) is hidden: when the requested ends would
    show more, ``keep_start`` is reduced first, then ``keep_end`` (operators compare the last
    characters with the document).

    >>> mask_middle("8321234567890567", 3, 3)
    '832**********567'
    >>> mask_middle("83212345567", 3, 3)
    '832*****567'
    >>> mask_middle("12345", 3, 3)
    '**345'
    """
    if keep_start < 0 or keep_end < 0:
        raise ValueError("keep_start and keep_end must not be negative")
    length = len(value)
    min_hidden = -(-length // 3)
    excess = keep_start + keep_end - (length - min_hidden)
    if excess > 0:
        cut = min(excess, keep_start)
        keep_start -= cut
        keep_end -= excess - cut
    hidden = length - keep_start - keep_end
    return value[:keep_start] + MASK_CHAR * hidden + value[length - keep_end :]


def _is_digits(text: str) -> bool:
    """Non-empty and ASCII digits only."""
    return bool(text) and all(ch in _DIGITS for ch in text)


def _is_separator(ch: str) -> bool:
    return ch.isspace() or ch in _HYPHENS


def _compact(text: str, *, extra: str = "") -> str:
    """``text`` without whitespace, hyphen-like characters and the characters in ``extra``."""
    return "".join(ch for ch in text if not (_is_separator(ch) or ch in extra))


def _first_non_digit(text: str) -> str | None:
    return next((ch for ch in text if ch not in _DIGITS), None)


def _bad_char_hint(ch: str) -> str:
    """« «O» — похоже, буква вместо цифры 0» or just « «x» » for the operator."""
    digit = _LOOKALIKE_DIGITS.get(ch)
    if digit is not None:
        return f"«{ch}» — похоже, буква вместо цифры {digit}"
    return f"«{ch}»"


def _with_layout(digits: str, groups: tuple[int, ...], separators: tuple[str, ...]) -> str:
    """Split ``digits`` into ``groups`` and join them with ``separators``."""
    parts: list[str] = []
    start = 0
    for size in groups:
        parts.append(digits[start : start + size])
        start += size
    out = parts[0]
    for separator, part in zip(separators, parts[1:], strict=True):
        out += separator + part
    return out


# --------------------------------------------------------------------------------------------
# СНИЛС

_SNILS_UNCHECKED_MAX = 1_001_998
_SNILS_GROUPS = (3, 3, 3, 2)
_SNILS_SEPARATORS = ("-", "-", " ")


def snils_check_number(body9: str) -> str:
    """The two-digit check number of a СНИЛС whose first nine digits are ``body9``.

    Weights 9..1 from the left; ``S < 100`` → S, ``S`` of 100 or 101 → ``00``, otherwise
    ``S mod 101`` with a remainder of 100 giving ``00``.  All of this is ``(S mod 101) mod
    100``.  Raises :class:`InvalidDocument` unless ``body9`` is nine ASCII digits.
    """
    if len(body9) != 9 or not _is_digits(body9):
        raise InvalidDocument("Для расчёта контрольного числа СНИЛС нужны первые 9 цифр номера.")
    total = sum(int(d) * w for d, w in zip(body9, range(9, 0, -1), strict=True))
    return f"{total % 101 % 100:02d}"


def _validate_snils(digits: str) -> None:
    bad = _first_non_digit(digits)
    if bad is not None:
        raise InvalidDocument(
            "В СНИЛС допускаются только цифры, пробелы и дефисы, "
            f"а введён символ {_bad_char_hint(bad)}."
        )
    if len(digits) != 11:
        raise InvalidDocument(f"СНИЛС должен содержать 11 цифр, введено {len(digits)}.")
    body, check = digits[:9], digits[9:]
    if body == "000000000":
        raise InvalidDocument(
            "СНИЛС не может начинаться с 000-000-000: проверьте номер по документу."
        )
    if int(body) > _SNILS_UNCHECKED_MAX and snils_check_number(body) != check:
        raise InvalidDocument("Неверное контрольное число СНИЛС: проверьте номер по документу.")


@dataclass(frozen=True, slots=True, repr=False)
class Snils:
    """СНИЛС: 11 digits, shown as ``112-233-445 95``.

    ``masked`` hides the first six digits and keeps the last three digits of the account
    number plus the check number: ``***-***-445 95`` (enough to compare with the document).
    """

    digits: str
    """The 11 digits (the canonical form)."""

    def __post_init__(self) -> None:
        if _compact(self.digits) != self.digits:
            raise InvalidDocument(
                "СНИЛС хранится как 11 цифр без пробелов и дефисов: используйте Snils.parse."
            )
        _validate_snils(self.digits)

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept ``112-233-445 95``, ``11223344595``, ``112 233 445 95`` and the like."""
        if not text.strip():
            raise InvalidDocument("Введите СНИЛС: 11 цифр, например 112-233-445 95.")
        return cls(_compact(text))

    @property
    def canonical(self) -> str:
        return self.digits

    @property
    def display(self) -> str:
        return _with_layout(self.digits, _SNILS_GROUPS, _SNILS_SEPARATORS)

    @property
    def masked(self) -> str:
        return _with_layout(mask_middle(self.digits, 0, 5), _SNILS_GROUPS, _SNILS_SEPARATORS)

    @property
    def body(self) -> str:
        """The first nine digits (the account number)."""
        return self.digits[:9]

    @property
    def check_number(self) -> str:
        """The last two digits."""
        return self.digits[9:]

    @property
    def is_legacy_unchecked(self) -> bool:
        """True for numbers up to 001-001-998, whose check number cannot be verified.

        Such numbers are accepted; the UI should ask the operator to compare the number with
        the document.
        """
        return int(self.body) <= _SNILS_UNCHECKED_MAX

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"Snils({self.masked!r})"


# --------------------------------------------------------------------------------------------
# Полис ОМС


class OmsPolicyKind(enum.Enum):
    """The three kinds of ОМС document (НСИ 1.2.643.5.1.13.13.99.2.245)."""

    UNIFIED = "unified"
    """Полис единого образца / ЕНП: 16 digits, the last one a Luhn check digit."""
    TEMPORARY = "temporary"
    """Временное свидетельство: 9 digits, no checksum."""
    OLD_STYLE = "old_style"
    """Полис старого образца (до 2011): series and number, free alphanumeric."""

    @property
    def nsi_code(self) -> int:
        """Code in НСИ «Типы полисов ОМС» and ФОМС F008: 1 old-style, 2 temporary, 3 unified."""
        return _OMS_NSI_CODES[self]

    @property
    def label(self) -> str:
        """Russian name for the UI."""
        return _OMS_LABELS[self]


_OMS_NSI_CODES = {
    OmsPolicyKind.OLD_STYLE: 1,
    OmsPolicyKind.TEMPORARY: 2,
    OmsPolicyKind.UNIFIED: 3,
}
_OMS_LABELS = {
    OmsPolicyKind.UNIFIED: "Полис ОМС единого образца (ЕНП)",
    OmsPolicyKind.TEMPORARY: "Временное свидетельство",
    OmsPolicyKind.OLD_STYLE: "Полис ОМС старого образца",
}
_ENP_LENGTH = 16
_TEMPORARY_LENGTH = 9
_OLD_SERIES_MAX = 10
_OLD_NUMBER_MAX = 20
_OLD_STYLE_HINT = "полис старого образца вводите как серию и номер через пробел или знак №"


def _is_old_style_char(ch: str) -> bool:
    """ASCII digits, Latin and Cyrillic letters (any case)."""
    return (
        ch in _DIGITS
        or ("A" <= ch <= "Z")
        or ("a" <= ch <= "z")
        or ("А" <= ch <= "я")
        or ch in "Ёё"
    )


# The word for each old-style field in the cases the messages need.
_SERIES_WORDS = ("серия", "серию", "серии")
_NUMBER_WORDS = ("номер", "номер", "номере")


def _normalise_old_style_part(text: str, words: tuple[str, str, str], max_length: int) -> str:
    """Strip separators, check characters and length, upper-case.

    ``words`` is the field name in the nominative, accusative and prepositional case.
    """
    nominative, accusative, prepositional = words
    part = _compact(text)
    if not part:
        raise InvalidDocument(
            f"Укажите {accusative} полиса ОМС старого образца: {_OLD_STYLE_HINT}, "
            "например «ЯП 123456»."
        )
    for ch in part:
        if not _is_old_style_char(ch):
            raise InvalidDocument(
                f"В {prepositional} полиса ОМС старого образца допускаются только "
                f"буквы и цифры, а введён символ {_bad_char_hint(ch)}."
            )
    if len(part) > max_length:
        raise InvalidDocument(
            f"{nominative.capitalize()} полиса ОМС старого образца не может быть длиннее "
            f"{max_length} знаков, введено {len(part)}."
        )
    return part.upper()


def _validate_oms(kind: OmsPolicyKind, series: str, number: str) -> None:
    if kind is OmsPolicyKind.OLD_STYLE:
        for part, words, max_length in (
            (series, _SERIES_WORDS, _OLD_SERIES_MAX),
            (number, _NUMBER_WORDS, _OLD_NUMBER_MAX),
        ):
            if _normalise_old_style_part(part, words, max_length) != part:
                raise InvalidDocument(
                    "Серия и номер полиса ОМС старого образца хранятся заглавными буквами "
                    "без пробелов: используйте OmsPolicy.parse или OmsPolicy.from_parts."
                )
        if set(number) == {"0"}:
            raise InvalidDocument(
                "Номер полиса ОМС не может состоять из одних нулей: проверьте его по полису."
            )
        return
    if series:
        raise InvalidDocument(
            "У полиса единого образца и временного свидетельства нет серии: "
            "оставьте поле серии пустым."
        )
    bad = _first_non_digit(number)
    if bad is not None:
        raise InvalidDocument(
            "Номер полиса ОМС единого образца и временного свидетельства состоит только из "
            f"цифр, а введён символ {_bad_char_hint(bad)}."
        )
    if kind is OmsPolicyKind.UNIFIED:
        if len(number) != _ENP_LENGTH:
            raise InvalidDocument(
                f"Единый номер полиса (ЕНП) должен содержать 16 цифр, введено {len(number)}."
            )
        if set(number) == {"0"}:
            raise InvalidDocument(
                "ЕНП не может состоять из одних нулей: проверьте номер по полису."
            )
        if not luhn.is_valid(number):
            raise InvalidDocument(
                "Неверная контрольная цифра ЕНП: проверьте номер по полису или выписке."
            )
    else:
        if len(number) != _TEMPORARY_LENGTH:
            raise InvalidDocument(
                f"Номер временного свидетельства должен содержать 9 цифр, введено {len(number)}."
            )
        if set(number) == {"0"}:
            raise InvalidDocument(
                "Номер временного свидетельства не может состоять из одних нулей: "
                "проверьте его по документу."
            )


@dataclass(frozen=True, slots=True, repr=False)
class OmsPolicy:
    """Полис ОМС of one of the three :class:`OmsPolicyKind` kinds.

    ``canonical``: the 16 ЕНП digits, the 9 digits of a temporary certificate, or
    ``"SERIES NUMBER"`` upper-cased for an old-style polis (at most 31 characters).
    ``display``: ``8600 0000 0000 0015``, ``123 456 789`` or ``ЯП № 123456``; all three parse
    back to the same value.  ``masked``: ``860**********015`` (first 3 and last 3 digits), for
    a temporary certificate ``123***789`` (at least a third is always hidden, see
    :func:`mask_middle`), for an old-style polis the series and the last 3 characters of the
    number, ``ЯП ***456``.
    """

    kind: OmsPolicyKind
    number: str
    series: str = ""
    """Old-style polis only; empty for the other kinds."""

    def __post_init__(self) -> None:
        _validate_oms(self.kind, self.series, self.number)

    @classmethod
    def parse(cls, text: str) -> Self:
        """Recognise the kind from what the operator typed.

        * Digits only (spaces and hyphens ignored): 16 → ЕНП, 9 → временное свидетельство.
        * ``СЕРИЯ № НОМЕР`` → old-style (a leading ``№`` before a bare number is ignored).
        * Two parts separated by whitespace that are not 16 or 9 digits in total (e.g.
          ``ЯП 123456``, ``7700 12345678``) → old-style.
        * Anything else is rejected with a message that names the expected lengths.
        """
        stripped = text.strip()
        if not stripped:
            raise InvalidDocument(
                "Введите номер полиса ОМС: 16 цифр ЕНП, 9 цифр временного свидетельства "
                "или серию и номер полиса старого образца."
            )
        if _NUMBER_SIGN in stripped:
            series, _, number = stripped.partition(_NUMBER_SIGN)
            if _compact(series):
                return cls.from_parts(series, number)
            return cls.parse(number)
        compact = _compact(stripped)
        tokens = stripped.split()
        if _is_digits(compact):
            if len(compact) == _ENP_LENGTH:
                if len(tokens) == 2 and not luhn.is_valid(compact):
                    raise InvalidDocument(
                        "Неверная контрольная цифра ЕНП: проверьте номер по полису. Если это "
                        "полис старого образца, введите серию и номер через знак №."
                    )
                return cls(OmsPolicyKind.UNIFIED, compact)
            if len(compact) == _TEMPORARY_LENGTH:
                return cls(OmsPolicyKind.TEMPORARY, compact)
            if len(tokens) != 2:
                raise InvalidDocument(
                    "Номер полиса ОМС единого образца (ЕНП) должен содержать 16 цифр, "
                    f"номер временного свидетельства — 9 цифр, а введено {len(compact)}."
                )
        if len(tokens) != 2:
            raise InvalidDocument(
                f"Не удалось разобрать номер полиса ОМС: ЕНП — это 16 цифр, временное "
                f"свидетельство — 9 цифр, а {_OLD_STYLE_HINT}, например «ЯП 123456»."
            )
        return cls.from_parts(tokens[0], tokens[1])

    @classmethod
    def from_parts(cls, series: str | None, number: str) -> Self:
        """Build from separate series and number fields (the hub's ``Polis_S``/``Polis_N``).

        An empty or missing series means the number alone is parsed with :meth:`parse`
        (ЕНП or temporary certificate); a non-empty series means an old-style polis.
        """
        if series is None or not _compact(series):
            if not number.strip():
                raise InvalidDocument("Введите номер полиса ОМС.")
            return cls.parse(number)
        return cls(
            OmsPolicyKind.OLD_STYLE,
            number=_normalise_old_style_part(number, _NUMBER_WORDS, _OLD_NUMBER_MAX),
            series=_normalise_old_style_part(series, _SERIES_WORDS, _OLD_SERIES_MAX),
        )

    @property
    def canonical(self) -> str:
        if self.kind is OmsPolicyKind.OLD_STYLE:
            return f"{self.series} {self.number}"
        return self.number

    @property
    def display(self) -> str:
        if self.kind is OmsPolicyKind.UNIFIED:
            return _with_layout(self.number, (4, 4, 4, 4), (" ", " ", " "))
        if self.kind is OmsPolicyKind.TEMPORARY:
            return _with_layout(self.number, (3, 3, 3), (" ", " "))
        return f"{self.series} № {self.number}"

    @property
    def masked(self) -> str:
        if self.kind is OmsPolicyKind.OLD_STYLE:
            return f"{self.series} {mask_middle(self.number, 0, 3)}"
        return mask_middle(self.number, 3, 3)

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"OmsPolicy({self.kind.name}, {self.masked!r})"


# --------------------------------------------------------------------------------------------
# Паспорт РФ

_PASSPORT_LEGACY_YEARS = frozenset({"97", "98", "99"})


def _validate_passport(digits: str) -> None:
    bad = _first_non_digit(digits)
    if bad is not None:
        raise InvalidDocument(
            "Серия и номер паспорта РФ состоят только из цифр, "
            f"а введён символ {_bad_char_hint(bad)}."
        )
    if len(digits) != 10:
        raise InvalidDocument(
            "Серия и номер паспорта должны содержать 10 цифр (4 цифры серии и 6 цифр номера), "
            f"введено {len(digits)}."
        )
    series, number = digits[:4], digits[4:]
    if series == "0000":
        raise InvalidDocument("Серия паспорта не может быть 0000: проверьте её по паспорту.")
    if number == "000000":
        raise InvalidDocument("Номер паспорта не может быть 000000: проверьте его по паспорту.")
    year = series[2:]
    current = dt.date.today().year % 100
    if year not in _PASSPORT_LEGACY_YEARS and int(year) > current:
        raise InvalidDocument(
            "3-я и 4-я цифры серии паспорта — год изготовления бланка "
            f"(97–99 или 00–{current:02d}), а введено «{year}»: проверьте серию по паспорту."
        )


@dataclass(frozen=True, slots=True, repr=False)
class Passport:
    """Паспорт гражданина РФ: series of 4 digits (region + blank year) and number of 6 digits.

    ``canonical`` ``4502573482``; ``display`` ``45 02 573482``; ``masked`` ``45 ** ***482``
    (the region code and the last three digits of the number).  The blank year (digits 3-4 of
    the series) must be 97, 98, 99 or 00 up to the current year.
    """

    digits: str
    """The 10 digits: series then number (the canonical form)."""

    def __post_init__(self) -> None:
        if _compact(self.digits, extra=_NUMBER_SIGN) != self.digits:
            raise InvalidDocument(
                "Паспорт хранится как 10 цифр без пробелов: используйте Passport.parse."
            )
        _validate_passport(self.digits)

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept ``45 02 573482``, ``4502 573482``, ``4502№573482``, ``4502573482``..."""
        if not text.strip():
            raise InvalidDocument("Введите серию и номер паспорта: 10 цифр, например 45 02 573482.")
        return cls(_compact(text, extra=_NUMBER_SIGN))

    @property
    def series(self) -> str:
        return self.digits[:4]

    @property
    def number(self) -> str:
        return self.digits[4:]

    @property
    def canonical(self) -> str:
        return self.digits

    @property
    def display(self) -> str:
        return _with_layout(self.digits, (2, 2, 6), (" ", " "))

    @property
    def masked(self) -> str:
        return _with_layout(mask_middle(self.digits, 2, 3), (2, 2, 6), (" ", " "))

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"Passport({self.masked!r})"


# --------------------------------------------------------------------------------------------
# Полис ДМС

_DMS_NUMBER_MIN = 3
_DMS_NUMBER_MAX = 40
_DMS_INSURER_MAX = 200
_DMS_NUMBER_PUNCT = frozenset(" -/.")


def _collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def _normalise_dms_number(text: str) -> str:
    """Strip, drop a leading «№», unify hyphens, collapse whitespace."""
    number = text.strip()
    if number.startswith(_NUMBER_SIGN):
        number = number[1:]
    number = "".join("-" if ch in _HYPHENS else ch for ch in number)
    return _collapse_spaces(number)


def _validate_dms(insurer: str, number: str) -> None:
    if insurer != _collapse_spaces(insurer) or number != _collapse_spaces(number):
        raise InvalidDocument(
            "Страховщик и номер полиса ДМС хранятся без лишних пробелов: "
            "используйте DmsPolicy.parse или DmsPolicy.create."
        )
    if len(insurer) > _DMS_INSURER_MAX:
        raise InvalidDocument(
            f"Название страховой компании не может быть длиннее 200 знаков, введено {len(insurer)}."
        )
    bad_insurer = next((ch for ch in insurer if not ch.isprintable()), None)
    if bad_insurer is not None:
        raise InvalidDocument(
            "Название страховой компании содержит непечатаемый символ: введите его заново."
        )
    if not number:
        raise InvalidDocument("Введите номер полиса ДМС.")
    for ch in number:
        if not (ch.isalpha() or ch in _DIGITS or ch in _DMS_NUMBER_PUNCT):
            raise InvalidDocument(
                "В номере полиса ДМС допускаются буквы, цифры, пробелы и знаки «-», «/», «.», "
                f"а введён символ «{ch}»."
            )
    if not any(ch.isalpha() or ch in _DIGITS for ch in number):
        raise InvalidDocument("Номер полиса ДМС должен содержать хотя бы одну букву или цифру.")
    if not _DMS_NUMBER_MIN <= len(number) <= _DMS_NUMBER_MAX:
        raise InvalidDocument(
            f"Номер полиса ДМС должен содержать от 3 до 40 знаков, введено {len(number)}."
        )


@dataclass(frozen=True, slots=True, repr=False)
class DmsPolicy:
    """Полис ДМС: the insurer and a free-form number (there is no common format or checksum).

    The number is 3-40 characters: letters, digits, spaces, ``-``, ``/`` and ``.``; its case is
    kept as typed.  ``canonical`` is the normalised number only (the insurer is stored in a
    column of its own); ``display`` is ``СОГАЗ, № 123-456/7`` (or just the number when the
    insurer is unknown); ``masked`` is the number with all but the last 3 characters hidden.
    """

    insurer: str
    """The insurance company; may be empty only for a value made by :meth:`parse`."""
    number: str

    def __post_init__(self) -> None:
        _validate_dms(self.insurer, self.number)

    @classmethod
    def parse(cls, text: str, insurer: str = "") -> Self:
        """Validate a policy number; the insurer is optional here (see :meth:`create`)."""
        return cls(_collapse_spaces(insurer), _normalise_dms_number(text))

    @classmethod
    def create(cls, insurer: str, number: str) -> Self:
        """Validate both fields; the insurer is required."""
        name = _collapse_spaces(insurer)
        if not name:
            raise InvalidDocument("Укажите страховую компанию, выдавшую полис ДМС.")
        return cls(name, _normalise_dms_number(number))

    @property
    def canonical(self) -> str:
        return self.number

    @property
    def display(self) -> str:
        if self.insurer:
            return f"{self.insurer}, № {self.number}"
        return self.number

    @property
    def masked(self) -> str:
        return mask_middle(self.number, 0, 3)

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"DmsPolicy({self.masked!r})"


# --------------------------------------------------------------------------------------------
# Телефон

_PHONE_PUNCT = frozenset("+().")
_PHONE_EXAMPLE = "например 8 912 345-67-89"
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def _phone_from_text(text: str) -> phonenumbers.PhoneNumber:
    """Parse and check a Russian number; raise :class:`InvalidDocument` otherwise."""
    stripped = text.strip()
    if not stripped:
        raise InvalidDocument(f"Введите номер телефона, {_PHONE_EXAMPLE}.")
    for ch in stripped:
        if not (ch in _DIGITS or _is_separator(ch) or ch in _PHONE_PUNCT):
            raise InvalidDocument(
                "В номере телефона допускаются только цифры, пробелы, скобки, дефисы и знак «+», "
                f"а введён символ {_bad_char_hint(ch)}. Добавочный номер укажите в примечании."
            )
    if "+" in stripped[1:]:
        raise InvalidDocument("Знак «+» может стоять только в начале номера телефона.")
    digits = only_digits(stripped)
    international = stripped.startswith("+")
    if international and digits and not digits.startswith("7"):
        raise InvalidDocument(
            "Принимаются только российские номера телефонов (+7 или 8): "
            "иностранный номер укажите в примечании."
        )
    try:
        number = phonenumbers.parse(("+" if international else "") + digits, "RU")
    except phonenumbers.NumberParseException:
        raise InvalidDocument(
            f"Не удалось распознать номер телефона: введите 10 цифр после +7 или 8, "
            f"{_PHONE_EXAMPLE}."
        ) from None
    if number.country_code != 7:
        raise InvalidDocument(
            "Принимаются только российские номера телефонов (+7 или 8): "
            "иностранный номер укажите в примечании."
        )
    national = phonenumbers.national_significant_number(number)
    if len(national) != 10 or not phonenumbers.is_possible_number(number):
        # Count what the operator typed after the country code or the trunk prefix.
        typed = digits[1:] if international or (len(digits) > 10 and digits[0] in "78") else digits
        raise InvalidDocument(
            "Номер телефона должен содержать 10 цифр без учёта +7 или 8 "
            f"({_PHONE_EXAMPLE}), а введено {len(typed)}."
        )
    if not phonenumbers.is_valid_number_for_region(number, "RU"):
        if phonenumbers.region_code_for_number(number) == "KZ":
            raise InvalidDocument(
                "Номера +7 7XX принадлежат Казахстану, а принимаются только российские "
                "номера: проверьте код оператора или укажите номер в примечании."
            )
        if not international and len(digits) == 10 and digits[0] in "78":
            # «8 912 345-67-8»: the trunk prefix was typed but a digit is missing.
            raise InvalidDocument(
                "Похоже, в номере телефона не хватает цифры: после 8 или +7 должно быть "
                f"10 цифр, {_PHONE_EXAMPLE}."
            )
        raise InvalidDocument(
            "Такого российского номера телефона не существует: проверьте код оператора или города."
        )
    return number


@dataclass(frozen=True, slots=True, repr=False)
class Phone:
    """A Russian phone number (mobile or landline).

    ``canonical`` is E.164 ``+79123456789``; ``display`` is the international format of
    libphonenumber, ``+7 912 345-67-89`` (landlines: ``+7 346 733-33-33``); ``masked`` keeps
    the operator or area code and the last two digits, ``+7 912 ***-**-89``.
    Kazakhstan (+7 7XX) and other foreign numbers are rejected.
    """

    e164: str
    """E.164 form, ``+7`` and 10 digits (the canonical form)."""

    def __post_init__(self) -> None:
        if not (len(self.e164) == 12 and self.e164.startswith("+7") and _is_digits(self.e164[1:])):
            raise InvalidDocument(
                "Телефон хранится в виде +7 и 10 цифр без пробелов: используйте Phone.parse."
            )
        _phone_from_text(self.e164)

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept ``8 912 345-67-89``, ``+7 (912) 345-67-89``, ``9123456789``, ``79123456789``..."""
        number = _phone_from_text(text)
        return cls(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))

    def _number(self) -> phonenumbers.PhoneNumber:
        return phonenumbers.parse(self.e164, "RU")

    @property
    def canonical(self) -> str:
        return self.e164

    @property
    def display(self) -> str:
        return phonenumbers.format_number(
            self._number(), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )

    @property
    def masked(self) -> str:
        display = self.display
        prefix = "+7 "
        hidden = iter(mask_middle(self.e164[2:], 3, 2))
        body = "".join(next(hidden) if ch in _DIGITS else ch for ch in display[len(prefix) :])
        return prefix + body

    @property
    def is_mobile(self) -> bool:
        """True for mobile numbers (+7 9XX)."""
        return phonenumbers.number_type(self._number()) in _MOBILE_TYPES

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"Phone({self.masked!r})"


# --------------------------------------------------------------------------------------------
# Электронная почта

_EMAIL_MAX = 254
_EMAIL_LOCAL_MAX = 64
_EMAIL_DOMAIN_LABEL_MAX = 63
_EMAIL_LOCAL_PUNCT = frozenset("._+-")
_EMAIL_EXAMPLE = "например ivanov@mail.ru"


def _is_word_char(ch: str) -> bool:
    """A letter of any alphabet or an ASCII digit."""
    return ch.isalpha() or ch in _DIGITS


def _validate_email(local: str, domain: str) -> None:
    if not local:
        raise InvalidDocument(
            f"Перед знаком «@» должно быть имя почтового ящика, {_EMAIL_EXAMPLE}."
        )
    if len(local) > _EMAIL_LOCAL_MAX:
        raise InvalidDocument(
            "Имя почтового ящика (до знака «@») не может быть длиннее 64 знаков, "
            f"введено {len(local)}."
        )
    for ch in local:
        if not (_is_word_char(ch) or ch in _EMAIL_LOCAL_PUNCT):
            raise InvalidDocument(
                "В имени почтового ящика допускаются буквы, цифры и знаки «.», «_», «+», «-», "
                f"а введён символ «{ch}»."
            )
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidDocument(
            "Имя почтового ящика не может начинаться или заканчиваться точкой "
            "и содержать две точки подряд."
        )
    if domain != domain.lower():
        raise InvalidDocument("Домен почты хранится строчными буквами: используйте Email.parse.")
    bad = next((ch for ch in domain if not (_is_word_char(ch) or ch in "-.")), None)
    if bad is not None:
        raise InvalidDocument(
            "В домене почты (после знака «@») допускаются буквы, цифры, точки и дефисы, "
            f"а введён символ «{bad}»."
        )
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        raise InvalidDocument(f"После знака «@» должен быть домен с точкой, {_EMAIL_EXAMPLE}.")
    for label in labels:
        if (
            len(label) > _EMAIL_DOMAIN_LABEL_MAX
            or label.startswith("-")
            or label.endswith("-")
            or not all(_is_word_char(ch) or ch == "-" for ch in label)
        ):
            raise InvalidDocument(
                f"Домен почты указан неверно: проверьте часть после знака «@», {_EMAIL_EXAMPLE}."
            )
    top = labels[-1]
    if len(top) < 2 or not any(ch.isalpha() for ch in top):
        raise InvalidDocument(
            "Домен почты должен заканчиваться зоной из букв, например .ru или .рф."
        )
    if len(local) + 1 + len(domain) > _EMAIL_MAX:
        raise InvalidDocument(
            "Адрес электронной почты не может быть длиннее 254 знаков, "
            f"введено {len(local) + 1 + len(domain)}."
        )


@dataclass(frozen=True, slots=True, repr=False)
class Email:
    """An e-mail address, checked pragmatically (not full RFC 5322).

    One ``@``; the mailbox name is 1-64 letters, digits and ``. _ + -`` (no leading, trailing
    or double dots); the domain has at least two labels of letters, digits and hyphens and a
    top-level zone of letters (``.ru``, ``.рф``); at most 254 characters in all; no spaces.
    ``canonical`` and ``display`` keep the mailbox name as typed and lower-case the domain;
    ``masked`` shows up to two leading characters of the mailbox name (never more than half)
    and a fixed ``***`` that does not reveal its length: ``iv***@mail.ru``.
    """

    local_part: str
    domain: str

    def __post_init__(self) -> None:
        _validate_email(self.local_part, self.domain)

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept an address with surrounding whitespace and any case in the domain."""
        stripped = text.strip()
        if not stripped:
            raise InvalidDocument(f"Введите адрес электронной почты, {_EMAIL_EXAMPLE}.")
        if any(ch.isspace() for ch in stripped):
            raise InvalidDocument("Адрес электронной почты не должен содержать пробелов.")
        if stripped.count("@") != 1:
            raise InvalidDocument(
                f"Адрес электронной почты должен содержать ровно один знак «@», {_EMAIL_EXAMPLE}."
            )
        local, _, domain = stripped.partition("@")
        return cls(local, domain.lower())

    @property
    def canonical(self) -> str:
        return f"{self.local_part}@{self.domain}"

    @property
    def display(self) -> str:
        return self.canonical

    @property
    def masked(self) -> str:
        visible = min(2, len(self.local_part) // 2)
        return f"{self.local_part[:visible]}{MASK_CHAR * 3}@{self.domain}"

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"Email({self.masked!r})"
