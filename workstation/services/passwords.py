"""Passwords of staff and of personal-cabinet accounts: Argon2id hashes, one-time passwords,
and the rules a new password must follow.

Only hashes are ever stored; a plain password lives in memory for the call that needs it and is
never logged or journalled. One-time passwords come from ``secrets`` over an alphabet without
look-alike characters (no 0/O/o, 1/l/I, 5/S, 2/Z, 8/B), since an operator reads them out on the
phone and a patient types them from a printed slip.
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane): ~30 ms here, slow enough for offline
# guessing, quick enough for a sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

ONE_TIME_ALPHABET = "".join(
    ch for ch in string.ascii_letters + string.digits if ch not in "0Oo1lI5S2Z8B"
)
ONE_TIME_LENGTH = 10
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


class WeakPassword(ValueError):
    """A new password breaks the rules; ``message`` says what to change (in Russian)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hash_password(password: str) -> str:
    """The Argon2id hash (with its own salt and parameters) to store."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches the stored hash (a damaged hash never matches)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (rehash on sign-in)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def one_time_password(length: int = ONE_TIME_LENGTH) -> str:
    """A new one-time password: ``length`` (≥ 10) characters, no look-alikes, with at least one
    digit and one letter so that it reads as a password on the slip."""
    if length < ONE_TIME_LENGTH:
        raise ValueError(f"a one-time password has at least {ONE_TIME_LENGTH} characters")
    while True:
        candidate = "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


def check_new_password(password: str, *, login: str = "", previous_hash: str | None = None) -> None:
    """Raise ``WeakPassword`` unless ``password`` may replace the current one.

    At least 8 characters, letters and digits, not the login, not the password it replaces.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"Пароль слишком короткий: нужно не меньше {MIN_PASSWORD_LENGTH} символов."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"Пароль слишком длинный: не больше {MAX_PASSWORD_LENGTH} символов.")
    if password != password.strip():
        raise WeakPassword("Пароль не должен начинаться или заканчиваться пробелом.")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise WeakPassword("Пароль должен содержать и буквы, и цифры.")
    digits = "".join(c for c in login if c.isdigit())
    if login and (password.lower() == login.lower() or (digits and digits in password)):
        raise WeakPassword("Пароль не должен совпадать с логином или содержать его.")
    if previous_hash is not None and verify_password(previous_hash, password):
        raise WeakPassword("Новый пароль должен отличаться от прежнего.")
