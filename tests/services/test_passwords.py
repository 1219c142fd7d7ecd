"""Argon2id hashes, one-time passwords and the new-password rules."""

from __future__ import annotations

import pytest

from workstation.services.passwords import (
    ONE_TIME_ALPHABET,
    WeakPassword,
    check_new_password,
    hash_password,
    needs_rehash,
    one_time_password,
    verify_password,
)


def test_a_hash_is_argon2id_salted_and_verifies_only_its_password() -> None:
    first, second = hash_password("Секрет123"), hash_password("Секрет123")
    assert first.startswith("$argon2id$")
    assert first != second  # salted
    assert "Секрет123" not in first
    assert verify_password(first, "Секрет123")
    assert not verify_password(first, "секрет123")
    assert not verify_password("not a hash", "Секрет123")
    assert not needs_rehash(first)


def test_one_time_passwords_are_long_random_and_free_of_look_alikes() -> None:
    seen = {one_time_password() for _ in range(300)}
    assert len(seen) == 300
    for password in seen:
        assert len(password) >= 10
        assert set(password) <= set(ONE_TIME_ALPHABET)
        assert not set(password) & set("0Oo1lI5S2Z8B")
        assert any(c.isdigit() for c in password) and any(c.isalpha() for c in password)
    with pytest.raises(ValueError):
        one_time_password(8)


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("abc12", "слишком короткий"),
        ("abcdefghij", "и буквы, и цифры"),
        ("1234567890", "и буквы, и цифры"),
        (" abcdef123", "пробелом"),
        ("x11223344595", "с логином"),
    ],
)
def test_weak_new_passwords_are_refused_with_what_to_change(password: str, says: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_new_password(password, login="112-233-445 95")
    assert says in refused.value.message


def test_the_new_password_must_differ_from_the_old_one() -> None:
    old = hash_password("Старый2024")
    with pytest.raises(WeakPassword, match="отличаться"):
        check_new_password("Старый2024", previous_hash=old)
    check_new_password("Новый20245", previous_hash=old)
