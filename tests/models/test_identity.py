"""Tests for ``workstation.models.identity``: worked examples (domain-facts.md) and properties."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import luhn

from workstation.models import identity
from workstation.models.identity import (
    MASK_CHAR,
    DmsPolicy,
    Email,
    InvalidDocument,
    OmsPolicy,
    OmsPolicyKind,
    Passport,
    Phone,
    Snils,
    mask_middle,
    only_digits,
    snils_check_number,
)

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def assert_russian(error: InvalidDocument) -> None:
    """Operator messages are non-empty Russian sentences."""
    message = str(error)
    assert message.strip(), "empty message"
    assert CYRILLIC.search(message), f"no Cyrillic in {message!r}"
    assert message == error.message
    assert message.rstrip()[-1] in ".!?»", f"not a sentence: {message!r}"


def rejected(call: Callable[[], object]) -> InvalidDocument:
    """Assert that ``call()`` raises InvalidDocument with a Russian message; return it."""
    with pytest.raises(InvalidDocument) as caught:
        call()
    assert_russian(caught.value)
    return caught.value


def rejects(parse: Callable[[str], object], text: str) -> InvalidDocument:
    """Assert that ``parse(text)`` is rejected with a Russian message; return the error."""
    return rejected(lambda: parse(text))


# --------------------------------------------------------------------------------------------
# Strategies


def digit_strings(min_size: int, max_size: int | None = None) -> st.SearchStrategy[str]:
    return st.text(
        alphabet="0123456789",
        min_size=min_size,
        max_size=min_size if max_size is None else max_size,
    )


SEPARATORS = st.sampled_from(["", "", "", " ", "-", "  ", " - ", "\t", "\u2013", "\u00a0"])


@st.composite
def with_separators(draw: st.DrawFn, text: str) -> str:
    """``text`` with random spaces/hyphens between its characters and around it."""
    out = draw(st.sampled_from(["", " ", "  "]))
    for ch in text:
        out += ch + draw(SEPARATORS)
    return out + draw(st.sampled_from(["", " ", "\n"]))


def with_separators_of(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    """Pairs (plain value, the same value with separators inserted)."""
    return strategy.flatmap(lambda value: st.tuples(st.just(value), with_separators(value)))


def snils_reference(body9: str) -> str:
    """Independent oracle: the branch rules of the ПФР instruction, spelled out."""
    s = sum(int(body9[i]) * (9 - i) for i in range(9))
    if s < 100:
        return f"{s:02d}"
    if s in (100, 101):
        return "00"
    remainder = s % 101
    return "00" if remainder == 100 else f"{remainder:02d}"


CHECKED_SNILS_BODIES = st.integers(min_value=1_001_999, max_value=999_999_999).map(
    lambda n: f"{n:09d}"
)
LEGACY_SNILS_BODIES = st.integers(min_value=1, max_value=1_001_998).map(lambda n: f"{n:09d}")
VALID_SNILS = CHECKED_SNILS_BODIES.map(lambda body: body + snils_check_number(body))


def _enp(body15: str) -> str:
    return body15 + luhn.calc_check_digit(body15)


VALID_ENP = digit_strings(15).map(_enp).filter(lambda enp: set(enp) != {"0"})
VALID_TEMPORARY = digit_strings(9).filter(lambda number: set(number) != {"0"})

OLD_STYLE_ALPHABET = "0123456789ABCDEFXYZabcxyzАБВГДЕЁЖЯПабвгдеёжяп"
OLD_SERIES = st.text(alphabet=OLD_STYLE_ALPHABET, min_size=1, max_size=10)
OLD_NUMBER = st.text(alphabet=OLD_STYLE_ALPHABET, min_size=1, max_size=20).filter(
    lambda number: set(number) != {"0"}
)


def _current_yy() -> int:
    return dt.date.today().year % 100


PLAUSIBLE_YEARS = st.one_of(
    st.sampled_from(["97", "98", "99"]),
    st.integers(min_value=0, max_value=_current_yy()).map(lambda y: f"{y:02d}"),
)
IMPLAUSIBLE_YEARS = st.integers(min_value=_current_yy() + 1, max_value=96).map(lambda y: f"{y:02d}")


@st.composite
def valid_passports(draw: st.DrawFn) -> str:
    region = draw(digit_strings(2))
    year = draw(PLAUSIBLE_YEARS)
    number = draw(digit_strings(6).filter(lambda n: n != "000000"))
    assume(region + year != "0000")
    return region + year + number


DMS_ALPHABET = "0123456789ABCXYZabcАБВЯабвя-/. "
VALID_DMS_NUMBERS = (
    st.text(alphabet=DMS_ALPHABET, min_size=3, max_size=40)
    .map(lambda text: " ".join(text.split()))
    .filter(lambda text: 3 <= len(text) <= 40)
    .filter(lambda text: any(ch.isalnum() for ch in text))
)
INSURERS = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=200
).map(lambda text: " ".join(text.split()))

# Operator codes whose whole blocks are valid mobile numbers in libphonenumber's metadata
# (checked by the property tests themselves against phonenumbers).
MOBILE_CODES = st.sampled_from(["902", "912", "919", "922", "929", "950", "982", "999"])
MOBILE_NATIONAL = st.tuples(MOBILE_CODES, digit_strings(7)).map("".join)


def phone_spellings(national: str) -> list[str]:
    """The ways operators type one mobile number (10 national digits)."""
    code, a, b, c = national[:3], national[3:6], national[6:8], national[8:]
    return [
        national,
        "8" + national,
        "7" + national,
        "+7" + national,
        f"8 {code} {a}-{b}-{c}",
        f"8 ({code}) {a}-{b}-{c}",
        f"+7 ({code}) {a}-{b}-{c}",
        f"+7 {code} {a} {b} {c}",
        f"  8-{code}-{a}-{b}-{c}  ",
        f"({code}){a}{b}{c}",
        f"+7.{code}.{a}.{b}.{c}",
    ]


EMAIL_LOCAL = st.text(alphabet="abcxyzABCXYZабвАБВ0123456789_+-", min_size=1, max_size=30).flatmap(
    lambda head: st.lists(
        st.text(alphabet="abcxyz0123456789_+-", min_size=1, max_size=8), max_size=3
    ).map(lambda rest: ".".join([head, *rest]))
)
EMAIL_LABEL = st.text(alphabet="abcxyzABCXYZабвАБВ0123456789", min_size=1, max_size=12)
EMAIL_TLD = st.sampled_from(["ru", "RU", "рф", "РФ", "com", "org", "online", "xn--p1ai"])
EMAIL_DOMAIN = st.tuples(st.lists(EMAIL_LABEL, min_size=1, max_size=3), EMAIL_TLD).map(
    lambda parts: ".".join([*parts[0], parts[1]])
)


# --------------------------------------------------------------------------------------------
# Module-level rules


def test_module_imports_only_stdlib_phonenumbers_and_stdnum() -> None:
    source = Path(identity.__file__).read_text(encoding="utf-8")
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots <= {"__future__", "datetime", "enum", "dataclasses", "typing"} | {
        "phonenumbers",
        "stdnum",
    }, roots


def test_invalid_document_is_a_value_error_with_the_message() -> None:
    error = InvalidDocument("Проверьте номер.")
    assert isinstance(error, ValueError)
    assert str(error) == error.message == "Проверьте номер."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("112-233-445 95", "11223344595"),
        ("+7 (912) 345-67-89", "79123456789"),
        ("", ""),
        ("abc", ""),
        ("١٢٣ ²", ""),  # Arabic-Indic digits and a superscript are not ASCII digits
        ("№ 45 02", "4502"),
    ],
)
def test_only_digits(text: str, expected: str) -> None:
    assert only_digits(text) == expected


@pytest.mark.parametrize(
    ("value", "keep_start", "keep_end", "expected"),
    [
        ("8321234567890567", 3, 3, "832**********567"),
        ("83212345567", 3, 3, "832*****567"),
        ("11223344595", 0, 5, "******44595"),
        ("123456789", 3, 3, "123***789"),
        ("12345", 3, 3, "**345"),  # a third must stay hidden: keep_start shrinks first
        ("123456", 0, 3, "***456"),
        ("abc", 0, 3, "*bc"),
        ("ab", 3, 3, "*b"),
        ("a", 3, 3, "*"),
        ("", 3, 3, ""),
        ("abcdef", 0, 0, "******"),
    ],
)
def test_mask_middle_examples(value: str, keep_start: int, keep_end: int, expected: str) -> None:
    assert mask_middle(value, keep_start, keep_end) == expected


def test_mask_middle_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        mask_middle("12345", -1, 2)
    with pytest.raises(ValueError, match="negative"):
        mask_middle("12345", 1, -2)


@given(
    st.text(alphabet=st.characters(exclude_characters=MASK_CHAR), max_size=40),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=50),
)
def test_mask_middle_hides_at_least_a_third(value: str, keep_start: int, keep_end: int) -> None:
    masked = mask_middle(value, keep_start, keep_end)
    assert len(masked) == len(value)
    hidden = masked.count(MASK_CHAR)
    assert hidden >= -(-len(value) // 3)
    # The visible characters are an unchanged prefix and suffix of the value.
    stars_at = [i for i, ch in enumerate(masked) if ch == MASK_CHAR]
    if stars_at:
        first, last = stars_at[0], stars_at[-1]
        assert last - first + 1 == hidden  # one contiguous run
        assert masked[:first] == value[:first]
        assert masked[last + 1 :] == value[last + 1 :]
        assert first <= keep_start
        assert len(value) - last - 1 <= keep_end
    if value:
        assert masked != value


# --------------------------------------------------------------------------------------------
# СНИЛС

VALID_SNILS_EXAMPLES = [
    ("112-233-445 95", False),
    ("123-456-789 64", False),
    ("555-555-555 23", False),
    ("087-654-303 00", False),
    ("001-508-815 00", False),
    ("001-437-544 00", False),
    ("006-996-682 00", False),
    ("001-001-998 57", True),
]


@pytest.mark.parametrize(("text", "legacy"), VALID_SNILS_EXAMPLES)
def test_snils_worked_examples_are_valid(text: str, legacy: bool) -> None:
    snils = Snils.parse(text)
    assert snils.canonical == only_digits(text)
    assert snils.display == text
    assert str(snils) == text
    assert snils.is_legacy_unchecked is legacy
    assert Snils.parse(only_digits(text)) == snils


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("112-233-445 96", "контрольное число"),
        ("123-456-789 65", "контрольное число"),
        ("1122334459", "11 цифр, введено 10"),
        ("112-233-445 9O", "цифры 0"),
        ("001-001-999 00", "контрольное число"),
        ("000-000-000 00", "000-000-000"),
        ("000-000-000 57", "000-000-000"),
        ("", "Введите СНИЛС"),
        ("   ", "Введите СНИЛС"),
        ("112-233-445 955", "введено 12"),
        ("112/233/445 95", "«/»"),
        ("١١٢٢٣٣٤٤٥٩٥", "только цифры"),
    ],
)
def test_snils_invalid_examples(text: str, fragment: str) -> None:
    error = rejects(Snils.parse, text)
    assert fragment in str(error)


def test_snils_exact_messages_from_the_issue() -> None:
    assert str(rejects(Snils.parse, "1122334459")) == "СНИЛС должен содержать 11 цифр, введено 10."
    assert (
        str(rejects(Snils.parse, "112-233-445 96"))
        == "Неверное контрольное число СНИЛС: проверьте номер по документу."
    )


def test_snils_letter_o_message_names_the_letter() -> None:
    message = str(rejects(Snils.parse, "112-233-445 9O"))
    assert "«O»" in message
    assert "буква" in message
    cyrillic = str(rejects(Snils.parse, "112-233-445 9О"))  # Cyrillic О
    assert "«О»" in cyrillic


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("112233445", "95"),
        ("123456789", "64"),
        ("555555555", "23"),
        ("087654303", "00"),
        ("001508815", "00"),  # S = 100
        ("001437544", "00"),  # S = 101
        ("006996682", "00"),  # S mod 101 = 100
        ("001001999", "65"),  # domain-facts says S = 94; by the weights S is 65
    ],
)
def test_snils_check_number_examples(body: str, check: str) -> None:
    assert snils_check_number(body) == check


@pytest.mark.parametrize("body", ["", "12345678", "1234567890", "12345678O", "١٢٣٤٥٦٧٨٩"])
def test_snils_check_number_rejects_bad_bodies(body: str) -> None:
    rejects(snils_check_number, body)


@given(digit_strings(9))
def test_snils_check_number_matches_the_branch_rules(body: str) -> None:
    assert snils_check_number(body) == snils_reference(body)


@given(VALID_SNILS)
def test_snils_round_trip(digits: str) -> None:
    snils = Snils.parse(digits)
    assert snils.canonical == digits
    assert not snils.is_legacy_unchecked
    assert re.fullmatch(r"\d{3}-\d{3}-\d{3} \d{2}", snils.display)
    assert Snils.parse(snils.display) == snils
    assert Snils.parse(snils.canonical) == snils
    assert Snils(snils.canonical) == snils
    assert (snils.body, snils.check_number) == (digits[:9], digits[9:])


@given(with_separators_of(VALID_SNILS))
def test_snils_separators_anywhere(pair: tuple[str, str]) -> None:
    digits, typed = pair
    assert Snils.parse(typed).canonical == digits


@given(CHECKED_SNILS_BODIES, digit_strings(2))
def test_snils_wrong_check_number_rejected(body: str, check: str) -> None:
    assume(check != snils_check_number(body))
    error = rejects(Snils.parse, body + check)
    assert "контрольное число" in str(error)


@given(LEGACY_SNILS_BODIES, digit_strings(2))
def test_snils_legacy_range_accepted_unchecked(body: str, check: str) -> None:
    snils = Snils.parse(body + check)
    assert snils.is_legacy_unchecked
    assert snils.canonical == body + check


@given(digit_strings(0, 20).filter(lambda d: len(d) != 11))
def test_snils_wrong_length_rejected(digits: str) -> None:
    error = rejects(Snils.parse, digits)
    if digits:
        assert f"введено {len(digits)}" in str(error)


@given(VALID_SNILS, st.integers(min_value=0, max_value=10), st.sampled_from("OoОоlIabcЯ/.,"))
def test_snils_letters_rejected(digits: str, position: int, letter: str) -> None:
    error = rejects(Snils.parse, digits[:position] + letter + digits[position + 1 :])
    assert f"«{letter}»" in str(error)


@given(st.one_of(VALID_SNILS, LEGACY_SNILS_BODIES.map(lambda b: b + "00")))
def test_snils_masked_hides_the_first_six_digits(digits: str) -> None:
    snils = Snils.parse(digits)
    assert snils.masked == f"***-***-{digits[6:9]} {digits[9:]}"
    assert digits not in snils.masked
    assert digits not in repr(snils)
    assert snils.masked in repr(snils)


def test_snils_direct_construction_is_validated() -> None:
    assert Snils("11223344595") == Snils.parse("112 233 445 95")
    rejects(Snils, "11223344596")
    # The field holds the canonical digits only.
    assert "Snils.parse" in str(rejects(Snils, "112-233-445 95"))


def test_snils_is_frozen() -> None:
    snils = Snils.parse("112-233-445 95")
    with pytest.raises(dataclasses.FrozenInstanceError):
        snils.digits = "12345678964"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Полис ОМС


@pytest.mark.parametrize(
    "text",
    ["8600000000000015", "8601234567890125", "7700000000000008", "1234567890123452"],
)
def test_enp_worked_examples_are_valid(text: str) -> None:
    policy = OmsPolicy.parse(text)
    assert policy.kind is OmsPolicyKind.UNIFIED
    assert policy.canonical == text
    assert policy.series == ""
    assert policy.masked == text[:3] + "*" * 10 + text[-3:]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("8600000000000010", "контрольная цифра ЕНП"),
        ("8601234567890120", "контрольная цифра ЕНП"),
        ("860000000000001", "введено 15"),
        ("86000000000000011", "введено 17"),
        ("0000000000000000", "одних нулей"),
        ("000000000", "одних нулей"),
        ("12345678", "введено 8"),
        ("", "Введите номер полиса ОМС"),
        ("№", "Введите номер полиса ОМС"),
        ("ЯП123456", "через пробел или знак №"),
        ("ЯП 12 34", "через пробел или знак №"),
        ("ЯП 12#34", "«#»"),
        ("ABCDEFGHIJK 123", "Серия"),
        ("AB " + "1" * 21, "Номер"),
        ("ЯП 000", "одних нулей"),
        ("№ 860000000000001", "введено 15"),
        ("8600000 000000010", "знак №"),  # 16 digits in two parts with a bad check digit
    ],
)
def test_oms_invalid_examples(text: str, fragment: str) -> None:
    error = rejects(OmsPolicy.parse, text)
    assert fragment in str(error)


def test_oms_wrong_digit_count_names_both_lengths() -> None:
    message = str(rejects(OmsPolicy.parse, "860000000000001"))
    assert "16 цифр" in message
    assert "9 цифр" in message


@pytest.mark.parametrize(
    ("text", "kind", "canonical", "display", "masked"),
    [
        (
            " 8600 0000 0000 0015 ",
            OmsPolicyKind.UNIFIED,
            "8600000000000015",
            "8600 0000 0000 0015",
            "860**********015",
        ),
        (
            "№ 8601-2345-6789-0125",
            OmsPolicyKind.UNIFIED,
            "8601234567890125",
            "8601 2345 6789 0125",
            "860**********125",
        ),
        ("123456789", OmsPolicyKind.TEMPORARY, "123456789", "123 456 789", "123***789"),
        ("123 456 789", OmsPolicyKind.TEMPORARY, "123456789", "123 456 789", "123***789"),
        ("ЯП 123456", OmsPolicyKind.OLD_STYLE, "ЯП 123456", "ЯП № 123456", "ЯП ***456"),
        ("яп № 123456", OmsPolicyKind.OLD_STYLE, "ЯП 123456", "ЯП № 123456", "ЯП ***456"),
        ("яп№123456", OmsPolicyKind.OLD_STYLE, "ЯП 123456", "ЯП № 123456", "ЯП ***456"),
        ("7700 12345678", OmsPolicyKind.OLD_STYLE, "7700 12345678", "7700 № 12345678", None),
        ("7700 № 1234567890ab", OmsPolicyKind.OLD_STYLE, "7700 1234567890AB", None, None),
        ("72-00 1234-5678", OmsPolicyKind.OLD_STYLE, "7200 12345678", None, "7200 *****678"),
    ],
)
def test_oms_parse_examples(
    text: str,
    kind: OmsPolicyKind,
    canonical: str,
    display: str | None,
    masked: str | None,
) -> None:
    policy = OmsPolicy.parse(text)
    assert policy.kind is kind
    assert policy.canonical == canonical
    if display is not None:
        assert policy.display == display
        assert str(policy) == display
    if masked is not None:
        assert policy.masked == masked
    assert OmsPolicy.parse(policy.display) == policy
    assert canonical not in policy.masked
    assert canonical not in repr(policy)


def test_oms_from_parts() -> None:
    assert OmsPolicy.from_parts(None, "8600000000000015") == OmsPolicy.parse("8600000000000015")
    assert OmsPolicy.from_parts("", "123456789").kind is OmsPolicyKind.TEMPORARY
    assert OmsPolicy.from_parts("  ", " 8600 0000 0000 0015 ").kind is OmsPolicyKind.UNIFIED
    old = OmsPolicy.from_parts("  яп ", "12-34")
    assert (old.kind, old.series, old.number) == (OmsPolicyKind.OLD_STYLE, "ЯП", "1234")
    # An explicit series makes even a 16-digit number old-style (the hub said so).
    explicit = OmsPolicy.from_parts("7700", "8600000000000010")
    assert explicit.kind is OmsPolicyKind.OLD_STYLE
    assert explicit.canonical == "7700 8600000000000010"


@pytest.mark.parametrize(
    ("series", "number", "fragment"),
    [
        (None, "", "Введите номер полиса ОМС"),
        (None, "8600000000000010", "контрольная цифра"),
        ("ЯП", "", "Укажите номер"),
        ("ЯП", "12#", "«#»"),
        ("ЯП!", "123", "В серии"),
        ("12345678901", "123", "Серия"),
        ("ЯП", "0000", "одних нулей"),
    ],
)
def test_oms_from_parts_rejects(series: str | None, number: str, fragment: str) -> None:
    error = rejected(lambda: OmsPolicy.from_parts(series, number))
    assert fragment in str(error)


def test_oms_kind_codes_and_labels() -> None:
    assert [k.nsi_code for k in OmsPolicyKind] == [3, 2, 1]
    assert {k.value for k in OmsPolicyKind} == {"unified", "temporary", "old_style"}
    assert all(len(k.value) <= 16 for k in OmsPolicyKind)  # Patient.oms_kind is String(16)
    assert all(CYRILLIC.search(k.label) for k in OmsPolicyKind)
    assert "ЕНП" in OmsPolicyKind.UNIFIED.label


def test_oms_direct_construction_is_validated() -> None:
    assert OmsPolicy(OmsPolicyKind.UNIFIED, "8600000000000015") == OmsPolicy.parse(
        "8600000000000015"
    )
    rejected(lambda: OmsPolicy(OmsPolicyKind.UNIFIED, "8600000000000015", series="ЯП"))
    rejected(lambda: OmsPolicy(OmsPolicyKind.TEMPORARY, "8600000000000015"))
    rejected(lambda: OmsPolicy(OmsPolicyKind.UNIFIED, "123456789"))
    rejected(lambda: OmsPolicy(OmsPolicyKind.OLD_STYLE, "123", series="яп"))
    rejected(lambda: OmsPolicy(OmsPolicyKind.OLD_STYLE, "12 3", series="ЯП"))


@given(VALID_ENP)
def test_enp_round_trip(enp: str) -> None:
    policy = OmsPolicy.parse(enp)
    assert policy.kind is OmsPolicyKind.UNIFIED
    assert policy.canonical == enp
    assert OmsPolicy.parse(policy.display) == policy
    assert OmsPolicy.parse(policy.canonical) == policy
    assert OmsPolicy.from_parts(None, enp) == policy
    assert policy.masked == enp[:3] + "*" * 10 + enp[-3:]
    assert enp not in policy.masked


@given(with_separators_of(VALID_ENP))
def test_enp_separators_anywhere(pair: tuple[str, str]) -> None:
    enp, typed = pair
    assume(len(typed.split()) != 2)  # two parts with a bad check digit get the old-style hint
    assert OmsPolicy.parse(typed).canonical == enp


@given(VALID_ENP, st.integers(min_value=0, max_value=15), st.integers(min_value=1, max_value=9))
def test_enp_any_single_digit_change_rejected(enp: str, position: int, delta: int) -> None:
    changed_digit = str((int(enp[position]) + delta) % 10)
    changed = enp[:position] + changed_digit + enp[position + 1 :]
    assert changed != enp
    rejects(OmsPolicy.parse, changed)


@given(digit_strings(1, 30).filter(lambda d: len(d) not in (9, 16)))
def test_oms_other_digit_counts_rejected(digits: str) -> None:
    message = str(rejects(OmsPolicy.parse, digits))
    assert "16" in message
    assert "9" in message


@given(with_separators_of(VALID_TEMPORARY))
def test_temporary_round_trip(pair: tuple[str, str]) -> None:
    number, typed = pair
    policy = OmsPolicy.parse(typed)
    assert policy.kind is OmsPolicyKind.TEMPORARY
    assert policy.canonical == number
    assert OmsPolicy.parse(policy.display) == policy
    assert OmsPolicy.parse(policy.canonical) == policy
    assert number not in policy.masked
    assert policy.masked == f"{number[:3]}***{number[-3:]}"


@given(OLD_SERIES, OLD_NUMBER)
def test_old_style_round_trip(series: str, number: str) -> None:
    policy = OmsPolicy.from_parts(series, number)
    assert policy.kind is OmsPolicyKind.OLD_STYLE
    assert (policy.series, policy.number) == (series.upper(), number.upper())
    assert policy.canonical == f"{series.upper()} {number.upper()}"
    assert OmsPolicy.parse(policy.display) == policy
    assert OmsPolicy.parse(f"{series} № {number}") == policy
    assert OmsPolicy.from_parts(policy.series, policy.number) == policy
    compact = series + number
    if not (compact.isdigit() and len(compact) in (9, 16)):
        assert OmsPolicy.parse(f" {series}  {number} ") == policy
        assert OmsPolicy.parse(policy.canonical) == policy
    assert policy.canonical not in policy.masked
    assert policy.masked.startswith(policy.series + " ")


# --------------------------------------------------------------------------------------------
# Паспорт


@pytest.mark.parametrize(
    "text", ["45 02 573482", "4502 573482", "4502573482", " 45-02 № 573482 ", "4502№573482"]
)
def test_passport_examples(text: str) -> None:
    passport = Passport.parse(text)
    assert passport.canonical == "4502573482"
    assert passport.display == "45 02 573482"
    assert str(passport) == "45 02 573482"
    assert passport.masked == "45 ** ***482"
    assert (passport.series, passport.number) == ("4502", "573482")
    assert "573482" not in repr(passport)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Введите серию и номер паспорта"),
        ("45 02 57348", "введено 9"),
        ("45 02 5734821", "введено 11"),
        ("0000 573482", "0000"),
        ("4502 000000", "000000"),
        ("4596 573482", "«96»"),
        ("45 O2 573482", "цифры 0"),
        ("45 02 573482 г.", "«г»"),
    ],
)
def test_passport_invalid_examples(text: str, fragment: str) -> None:
    error = rejects(Passport.parse, text)
    assert fragment in str(error)


@pytest.mark.parametrize("year", ["97", "98", "99", "00", "01", "14"])
def test_passport_plausible_years(year: str) -> None:
    assert Passport.parse(f"67{year} 123456").series == f"67{year}"


def test_passport_direct_construction_is_validated() -> None:
    assert Passport("4502573482") == Passport.parse("45 02 573482")
    assert "Passport.parse" in str(rejects(Passport, "45 02 573482"))
    rejects(Passport, "4596573482")


def test_passport_year_bounds_follow_today() -> None:
    current = _current_yy()
    assert Passport.parse(f"67{current:02d} 123456").series[2:] == f"{current:02d}"
    following = (current + 1) % 100
    if following < 97:
        message = str(rejects(Passport.parse, f"67{following:02d} 123456"))
        assert f"00–{current:02d}" in message


@given(with_separators_of(valid_passports()))
def test_passport_round_trip(pair: tuple[str, str]) -> None:
    digits, typed = pair
    passport = Passport.parse(typed)
    assert passport.canonical == digits
    assert Passport.parse(passport.display) == passport
    assert Passport.parse(passport.canonical) == passport
    assert passport.series + passport.number == digits
    assert passport.masked == f"{digits[:2]} ** ***{digits[-3:]}"
    assert digits not in passport.masked


@given(digit_strings(2), IMPLAUSIBLE_YEARS, digit_strings(6))
def test_passport_implausible_years_rejected(region: str, year: str, number: str) -> None:
    assume(number != "000000" and region + year != "0000")
    error = rejects(Passport.parse, region + year + number)
    assert f"«{year}»" in str(error)


# --------------------------------------------------------------------------------------------
# Полис ДМС


def test_dms_create_normalises() -> None:
    policy = DmsPolicy.create("  АО  «СОГАЗ» ", " № 123\u2013456/7  ab ")
    assert policy.insurer == "АО «СОГАЗ»"
    assert policy.number == "123-456/7 ab"
    assert policy.canonical == "123-456/7 ab"
    assert policy.display == "АО «СОГАЗ», № 123-456/7 ab"
    assert str(policy) == policy.display
    assert policy.masked == "*********" + " ab"
    assert "123-456/7 ab" not in repr(policy)


def test_dms_parse_has_optional_insurer() -> None:
    bare = DmsPolicy.parse("ДМС-0012/24")
    assert (bare.insurer, bare.number, bare.display) == ("", "ДМС-0012/24", "ДМС-0012/24")
    assert bare.masked == "********/24"
    with_insurer = DmsPolicy.parse("ДМС-0012/24", insurer=" Ингосстрах ")
    assert with_insurer.insurer == "Ингосстрах"
    assert with_insurer == DmsPolicy.create("Ингосстрах", "ДМС-0012/24")


@pytest.mark.parametrize(
    ("insurer", "number", "fragment"),
    [
        ("", "12345", "страховую компанию"),
        ("   ", "12345", "страховую компанию"),
        ("СОГАЗ", "", "Введите номер полиса ДМС"),
        ("СОГАЗ", "12", "от 3 до 40"),
        ("СОГАЗ", "1" * 41, "введено 41"),
        ("СОГАЗ", "123#45", "«#»"),
        ("СОГАЗ", "№ № 123", "«№»"),
        ("СОГАЗ", "---", "хотя бы одну букву или цифру"),
        ("С" * 201, "12345", "200"),
        ("СОГ\x00АЗ", "12345", "непечатаемый"),
    ],
)
def test_dms_invalid(insurer: str, number: str, fragment: str) -> None:
    error = rejected(lambda: DmsPolicy.create(insurer, number))
    assert fragment in str(error)


def test_dms_insurer_of_200_characters_is_accepted() -> None:
    assert len(DmsPolicy.create("С" * 200, "123").insurer) == 200


@given(VALID_DMS_NUMBERS, INSURERS)
def test_dms_round_trip(number: str, insurer: str) -> None:
    policy = DmsPolicy.parse(number, insurer=insurer)
    assert policy.number == number
    assert DmsPolicy.parse(policy.canonical, insurer=policy.insurer) == policy
    assert DmsPolicy.parse(f"  {number}  ") == DmsPolicy.parse(number)
    if insurer:
        assert DmsPolicy.create(insurer, policy.canonical) == policy
    else:
        rejected(lambda: DmsPolicy.create(insurer, number))
        assert DmsPolicy.parse(policy.display) == policy
    masked = policy.masked
    assert len(masked) == len(number)
    visible = min(3, len(number) - -(-len(number) // 3))
    assert masked == "*" * (len(number) - visible) + number[len(number) - visible :]
    assert number not in masked


# --------------------------------------------------------------------------------------------
# Телефон


@pytest.mark.parametrize(
    "text",
    [
        "8 912 345-67-89",
        "+7 (912) 345-67-89",
        "9123456789",
        "79123456789",
        "89123456789",
        "+79123456789",
        "8(912)3456789",
        " +7 912 345 67 89 ",
        "8\u2011912\u2011345\u201167\u201189",
    ],
)
def test_phone_formats(text: str) -> None:
    phone = Phone.parse(text)
    assert phone.canonical == "+79123456789"
    assert phone.display == "+7 912 345-67-89"
    assert str(phone) == "+7 912 345-67-89"
    assert phone.masked == "+7 912 ***-**-89"
    assert phone.is_mobile
    assert "345" not in repr(phone)


def test_phone_khmao_landline() -> None:
    phone = Phone.parse("8 (3467) 33-33-33")
    assert phone.canonical == "+73467333333"
    assert phone.display == "+7 346 733-33-33"
    assert phone.masked == "+7 346 ***-**-33"
    assert not phone.is_mobile
    assert Phone.parse(phone.display) == phone


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("+7 701 123 4567", "Казахстан"),
        ("7011234567", "Казахстан"),
        ("+44 20 7946 0958", "только российские"),
        ("+1 650 253 0000", "только российские"),
        ("89123456789 доб 12", "Добавочный"),
        ("8 912 345-67-89x", "«x»"),
        ("8 912 345-67-8", "не хватает цифры"),
        ("+7 912 345-67-8", "введено 9"),
        ("8 912 345-67-89 0", "введено 11"),
        ("8+9123456789", "«+»"),
        ("+7 600 123 45 67", "не существует"),
        ("", "Введите номер телефона"),
        ("+", "Не удалось распознать"),
        ("912 345-67-8O", "цифры 0"),
    ],
)
def test_phone_invalid(text: str, fragment: str) -> None:
    error = rejects(Phone.parse, text)
    assert fragment in str(error)


def test_phone_direct_construction_is_validated() -> None:
    assert Phone("+79123456789") == Phone.parse("8 912 345-67-89")
    rejects(Phone, "89123456789")
    rejects(Phone, "+7 912 345-67-89")
    rejects(Phone, "+77011234567")


@given(MOBILE_NATIONAL)
def test_phone_every_spelling_gives_the_same_number(national: str) -> None:
    expected = "+7" + national
    reference = phonenumbers.parse(expected, "RU")
    if not phonenumbers.is_valid_number_for_region(reference, "RU"):
        rejects(Phone.parse, expected)
        return
    for spelling in phone_spellings(national):
        assert Phone.parse(spelling).canonical == expected, spelling
    phone = Phone.parse(expected)
    assert phone.is_mobile
    assert Phone.parse(phone.display) == phone
    assert Phone(phone.canonical) == phone
    assert phone.display == f"+7 {national[:3]} {national[3:6]}-{national[6:8]}-{national[8:]}"
    assert phone.masked == f"+7 {national[:3]} ***-**-{national[8:]}"
    assert expected not in phone.masked
    assert national not in phone.masked


@given(digit_strings(9))
def test_phone_plus7_7xx_rejected(rest: str) -> None:
    error = rejects(Phone.parse, "+7 7" + rest)
    assert "Казахстан" in str(error) or "не существует" in str(error)


@given(st.sampled_from(["3462", "3463", "3464", "3466", "3467", "3468", "3469"]), digit_strings(6))
def test_phone_khmao_landlines_round_trip(code: str, local: str) -> None:
    reference = phonenumbers.parse("+7" + code + local, "RU")
    assume(phonenumbers.is_valid_number_for_region(reference, "RU"))
    phone = Phone.parse(f"8 ({code}) {local[:2]}-{local[2:4]}-{local[4:]}")
    assert phone.canonical == "+7" + code + local
    assert Phone.parse(phone.display) == phone
    assert phone.masked.startswith("+7 " + code[:3] + " ")
    assert phone.masked.endswith(local[-2:])
    assert phone.canonical[2:] not in phone.masked


# --------------------------------------------------------------------------------------------
# Электронная почта


@pytest.mark.parametrize(
    ("text", "canonical", "masked"),
    [
        ("ivanov@mail.ru", "ivanov@mail.ru", "iv***@mail.ru"),
        ("  Ivanov.Petr@Mail.RU ", "Ivanov.Petr@mail.ru", "Iv***@mail.ru"),
        ("ab@почта.РФ", "ab@почта.рф", "a***@почта.рф"),
        ("a@b.ru", "a@b.ru", "***@b.ru"),
        ("ivan+clinic@sub.example-host.com", "ivan+clinic@sub.example-host.com", None),
    ],
)
def test_email_examples(text: str, canonical: str, masked: str | None) -> None:
    email = Email.parse(text)
    assert email.canonical == canonical
    assert email.display == canonical
    assert str(email) == canonical
    if masked is not None:
        assert email.masked == masked
    assert canonical not in repr(email)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Введите адрес"),
        ("ivanov", "ровно один знак «@»"),
        ("a@@b.ru", "ровно один знак «@»"),
        ("a@b@c.ru", "ровно один знак «@»"),
        ("iva nov@mail.ru", "пробелов"),
        ("@mail.ru", "имя почтового ящика"),
        ("ivanov@mail", "домен с точкой"),
        ("ivanov@mail.", "домен с точкой"),
        ("ivanov@.ru", "домен с точкой"),
        ("ivanov@mail,ru", "«,»"),
        ("ivanov@mail_ru.ru", "«_»"),
        ("ivanov@-mail.ru", "Домен почты указан неверно"),
        ("ivanov@mail.r", "зоной из букв"),
        ("ivanov@mail.123", "зоной из букв"),
        ("iva,nov@mail.ru", "«,»"),
        ("iva*nov@mail.ru", "«*»"),
        (".ivanov@mail.ru", "точкой"),
        ("ivanov.@mail.ru", "точкой"),
        ("iva..nov@mail.ru", "две точки"),
        ("a" * 65 + "@mail.ru", "64"),
        ("a@" + "b" * 64 + ".ru", "Домен почты указан неверно"),
        ("a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".rusxyzw", "255"),
    ],
)
def test_email_invalid(text: str, fragment: str) -> None:
    error = rejects(Email.parse, text)
    assert fragment in str(error)


def test_email_length_limits_are_inclusive() -> None:
    assert len(Email.parse("a" * 64 + "@mail.ru").local_part) == 64
    longest = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".rusxyz"  # 64 + 1 + 189 = 254
    assert len(longest) == 254
    assert Email.parse(longest).canonical == longest
    too_long = longest + "w"
    assert "введено 255" in str(rejects(Email.parse, too_long))


@given(EMAIL_LOCAL, EMAIL_DOMAIN)
def test_email_round_trip(local: str, domain: str) -> None:
    assume(not local.endswith("."))
    email = Email.parse(f" {local}@{domain} ")
    assert email.canonical == f"{local}@{domain.lower()}"
    assert Email.parse(email.display) == email
    assert Email.parse(email.canonical) == email
    assert Email.parse(f"{local}@{domain.upper()}") == email
    assert email.canonical not in email.masked
    visible = email.masked.split("***@", 1)[0]
    assert local.startswith(visible)
    assert len(visible) <= min(2, len(local) // 2)
    assert email.masked.endswith("@" + domain.lower())


# --------------------------------------------------------------------------------------------
# Every parser: arbitrary input gives a value or a Russian InvalidDocument, nothing else.


class IdentityValue(Protocol):
    """What every value type offers."""

    @property
    def canonical(self) -> str: ...

    @property
    def display(self) -> str: ...

    @property
    def masked(self) -> str: ...


PARSERS: list[tuple[str, Callable[[str], IdentityValue]]] = [
    ("snils", Snils.parse),
    ("oms", OmsPolicy.parse),
    ("passport", Passport.parse),
    ("dms", DmsPolicy.parse),
    ("phone", Phone.parse),
    ("email", Email.parse),
]
TYPED_ALPHABET = "0123456789 -+()№.@/ЯПяпabAB\t*#"


@pytest.mark.parametrize(("name", "parse"), PARSERS, ids=[name for name, _ in PARSERS])
@given(text=st.one_of(st.text(max_size=40), st.text(alphabet=TYPED_ALPHABET, max_size=40)))
def test_parsers_accept_or_explain_in_russian(
    name: str, parse: Callable[[str], IdentityValue], text: str
) -> None:
    try:
        value = parse(text)
    except InvalidDocument as error:
        assert_russian(error)
        return
    # Accepted values re-parse from their display form and never show it in full when masked.
    assert parse(value.display) == value
    assert str(value) == value.display
    assert MASK_CHAR in value.masked, name
    assert value.canonical not in value.masked, name
