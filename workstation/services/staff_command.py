"""``workstation staff …``: staff accounts from the terminal.

The first administrator can only be created here (nobody can sign in to the GUI before).
Passwords are asked twice with ``getpass``; when the input is not a terminal (a script, a test)
the first line of it is the password and a second line, when given, must repeat it.

Exit codes: 0 done, 1 refused (the message says why), 2 the database is not usable.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from sqlalchemy.orm import Session

from workstation.models import StaffRole
from workstation.models.base import utc_now
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.passwords import WeakPassword
from workstation.services.sms.command import local_time
from workstation.services.staff import (
    ROLE_LABELS,
    StaffError,
    StaffRow,
    add_staff,
    find_staff_id,
    list_staff,
    reset_password_by_admin,
    set_active,
)

_HEADER = ("Логин", "Роль", "Состояние", "Последний вход", "ФИО")


def format_table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Lines of a plain text table under ``_HEADER``; the last column is not padded."""
    table = [_HEADER, *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(_HEADER) - 1)]

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        return "  ".join([*cells, row[-1]]).rstrip()

    rule = "  ".join("-" * width for width in [*widths, len(_HEADER[-1])])
    return [line(_HEADER), rule, *(line(row) for row in rows)]


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_new_password(stdin: TextIO | None = None) -> str:
    """The new password: twice from the terminal, or from the lines of a piped input."""
    source = stdin or sys.stdin
    if source.isatty():
        first = getpass.getpass("Пароль: ")
        second = getpass.getpass("Пароль еще раз: ")
    else:
        lines = source.read().splitlines()
        if not lines:
            raise _Refused("Пароль не введен.")
        first = lines[0]
        second = lines[1] if len(lines) > 1 and lines[1] else first
    if first != second:
        raise _Refused("Пароли не совпадают.")
    return first


def _run(database_url: str, job: Callable[[Session], str], out: TextIO | None) -> int:
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
                message = job(session)
        except (StaffError, WeakPassword, _Refused) as error:
            print(error.message, file=sys.stderr)
            return 1
    finally:
        database.dispose()
    if message:
        print(message, file=out or sys.stdout)
    return 0


def _staff_id(session: Session, login: str) -> int:
    staff_id = find_staff_id(session, login)
    if staff_id is None:
        raise _Refused(f"Сотрудника с логином «{login}» нет.")
    return staff_id


def run_add(
    database_url: str,
    login: str,
    role: StaffRole,
    full_name: str = "",
    *,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    """``staff add``: create an account with a password typed (or piped) now."""
    try:
        password = read_new_password(stdin)
    except _Refused as error:
        print(error.message, file=sys.stderr)
        return 1

    def job(session: Session) -> str:
        add_staff(session, login, full_name, role, password, actor=Actor.system())
        return (
            f"Сотрудник «{login.strip().lower()}» добавлен: {ROLE_LABELS[role]}. "
            "Войдите в программу с этим логином и паролем."
        )

    return _run(database_url, job, out)


def _state(row: StaffRow) -> str:
    if not row.is_active:
        return "отключен"
    if row.is_locked(utc_now()) and row.locked_until is not None:
        return f"заблокирован до {local_time(row.locked_until)}"
    if row.must_change_password:
        return "сменит пароль при входе"
    return "действует"


def run_list(database_url: str, *, out: TextIO | None = None) -> int:
    """``staff list``: every account with its role and state."""

    def job(session: Session) -> str:
        rows = list_staff(session)
        if not rows:
            return (
                "Сотрудников нет. Создайте администратора: "
                "workstation staff add --role admin ЛОГИН"
            )
        table = [
            (
                row.login,
                ROLE_LABELS[row.role],
                _state(row),
                local_time(row.last_sign_in_at) if row.last_sign_in_at else "—",
                row.full_name,
            )
            for row in rows
        ]
        return "\n".join(format_table(table))

    return _run(database_url, job, out)


def run_passwd(
    database_url: str, login: str, *, stdin: TextIO | None = None, out: TextIO | None = None
) -> int:
    """``staff passwd``: a new password set by the administrator, to be changed at sign-in."""
    try:
        password = read_new_password(stdin)
    except _Refused as error:
        print(error.message, file=sys.stderr)
        return 1

    def job(session: Session) -> str:
        staff_id = _staff_id(session, login)
        reset_password_by_admin(session, None, staff_id, password)
        return (
            f"Пароль сотрудника «{login}» изменен; при следующем входе он задаст свой пароль."
        )

    return _run(database_url, job, out)


def run_set_active(
    database_url: str, login: str, active: bool, *, out: TextIO | None = None
) -> int:
    """``staff disable`` / ``staff enable``."""

    def job(session: Session) -> str:
        set_active(session, None, _staff_id(session, login), active)
        state = "включена" if active else "отключена"
        return f"Учетная запись «{login}» {state}."

    return _run(database_url, job, out)
