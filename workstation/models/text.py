"""Normalisation of Russian names for case- and ё-insensitive search.

SQLite folds case for ASCII only, so the search columns hold a Python-normalised copy of the
name and lookups compare against the same normalisation (see STACK-NOTES, "SQLite").
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")


def normalise_name(text: str) -> str:
    """Upper-case, ё→Е, collapsed spaces, no spaces around hyphens: the stored search form."""
    folded = text.strip().upper().replace("Ё", "Е")
    folded = _SPACES.sub(" ", folded)
    return folded.replace(" -", "-").replace("- ", "-")


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``.

    ``col >= prefix AND col < prefix_upper_bound(prefix)`` is a prefix match that an ordinary
    B-tree index serves on both SQLite and PostgreSQL (unlike ``LIKE`` under a non-C collation).
    """
    if not prefix:
        raise ValueError("empty prefix")
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
