"""``workstation districts …``: import участки and addresses, check them, try «Поиск участка».

Exit codes: 0 done, 1 refused (the report or message says why), 2 the database is not usable.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import Institution
from workstation.services.address_import import (
    ImportReport,
    import_addresses_csv,
    import_districts_csv,
)
from workstation.services.database import Database
from workstation.services.districts import district_search, find_conflicts

IMPORT_KINDS = ("districts", "addresses")


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _run(
    database_url: str, job: Callable[[Session], tuple[int, list[str]]], out: TextIO | None
) -> int:
    database = Database(database_url)
    try:
        if not database.is_current():
            print(
                "Схема базы данных устарела или не создана: выполните `workstation db upgrade`.",
                file=sys.stderr,
            )
            return 2
        try:
            with database.session() as session:
                code, lines = job(session)
                if code:
                    # A refused import wrote nothing; roll back all the same, to be plain.
                    session.rollback()
        except _Refused as error:
            print(error.message, file=sys.stderr)
            return 1
    finally:
        database.dispose()
    print("\n".join(lines), file=(out or sys.stdout) if code == 0 else sys.stderr)
    return code


def _institution_id(session: Session, hub_id: int | None) -> int | None:
    if hub_id is None:
        return None
    found = session.scalar(select(Institution.id).where(Institution.hub_id == hub_id))
    if found is None:
        raise _Refused(f"Учреждения с IdLPU {hub_id} нет в базе.")
    return found


def run_import(
    database_url: str,
    path: Path,
    *,
    institution: int | None = None,
    kind: str = "districts",
    out: TextIO | None = None,
) -> int:
    """``districts import FILE``: участки (``--institution IdLPU`` when the file is for one
    institution) or, with ``--kind addresses``, streets and houses."""
    if kind not in IMPORT_KINDS:
        print(f"Неизвестный вид файла «{kind}»: {', '.join(IMPORT_KINDS)}.", file=sys.stderr)
        return 1
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"Не удалось прочитать {path}: {error}", file=sys.stderr)
        return 1

    def job(session: Session) -> tuple[int, list[str]]:
        report: ImportReport
        if kind == "addresses":
            report = import_addresses_csv(session, text)
        else:
            report = import_districts_csv(
                session, text, institution_id=_institution_id(session, institution)
            )
        return (0 if report.ok else 1), report.lines()

    return _run(database_url, job, out)


def run_check(
    database_url: str, *, institution: int | None = None, out: TextIO | None = None
) -> int:
    """``districts check``: houses claimed by two участки of the same type (1 when any)."""

    def job(session: Session) -> tuple[int, list[str]]:
        conflicts = find_conflicts(session, _institution_id(session, institution))
        if not conflicts:
            return 0, ["Конфликтов нет: каждый дом относится не более чем к одному участку типа."]
        return 1, ["Дом относится к двум участкам одного типа (ошибка данных):", *conflicts]

    return _run(database_url, job, out)


def run_find(
    database_url: str, *, institution: int, street: str, house: str, out: TextIO | None = None
) -> int:
    """``districts find``: «Поиск участка» from the terminal (1 when nothing is found)."""

    def job(session: Session) -> tuple[int, list[str]]:
        institution_id = _institution_id(session, institution)
        assert institution_id is not None
        result = district_search(session, institution_id, street, house)
        if not result.found:
            return 1, [result.message]
        lines: list[str] = []
        for match in result.matches:
            lines += [*match.lines(), ""]
        return 0, lines[:-1]

    return _run(database_url, job, out)
