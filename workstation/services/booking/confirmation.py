"""SMS confirmation codes: drawn with ``secrets``, kept only as Argon2id hashes."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

CODE_DIGITS = 6

# OWASP's minimum Argon2id settings (19 MiB, 2 passes): a code lives for an hour and allows a
# handful of tries, so the hash only has to make a stolen database useless within that hour.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def new_code() -> str:
    """A uniformly random code of ``CODE_DIGITS`` digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(code: str) -> str:
    return _hasher.hash(code)


def normalise_code(text: str) -> str:
    """What the operator typed or the caller read out: digits only («12 34 56» → «123456»)."""
    return "".join(ch for ch in text if ch.isdigit())


def code_matches(code_hash: str, typed: str) -> bool:
    code = normalise_code(typed)
    if len(code) != CODE_DIGITS:
        return False
    try:
        return _hasher.verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False
