"""``workstation staff …`` with the password piped on stdin, as a script would run it."""

from __future__ import annotations

import io
import sys

import pytest
from sqlalchemy import select

from workstation.cli import main
from workstation.models import StaffAccount, StaffRole
from workstation.models.base import utc_now
from workstation.services.database import Database
from workstation.services.staff import SignInRefused, authenticate


@pytest.fixture
def url(db_url: str) -> str:
    assert main(["db", "upgrade", "--db", db_url]) == 0
    return db_url


def _run(
    monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str = ""
) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(args)


def _account(url: str, login: str) -> StaffAccount:
    database = Database(url)
    try:
        with database.session() as session:
            account = session.scalar(select(StaffAccount).where(StaffAccount.login == login))
            assert account is not None
            return account
    finally:
        database.dispose()


def _can_sign_in(url: str, login: str, password: str) -> bool:
    database = Database(url)
    try:
        with database.session() as session:
            authenticate(session, login, password, now=utc_now(), workstation="test")
    except SignInRefused:
        return False
    finally:
        database.dispose()
    return True


def test_the_first_administrator_is_added_from_the_command_line(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(
        monkeypatch,
        ["staff", "add", "--role", "admin", "--name", "Сидоров Петр", "Sidorov", "--db", url],
        "Glavnyi2025\nGlavnyi2025\n",
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Сотрудник «sidorov» добавлен: Администратор" in out
    account = _account(url, "sidorov")
    assert account.role == StaffRole.ADMIN and account.full_name == "Сидоров Петр"
    assert "Glavnyi2025" not in out + err + account.password_hash
    assert _can_sign_in(url, "sidorov", "Glavnyi2025")

    # The same login again, a weak password, a mismatch: refused with the reason, exit code 1.
    assert _run(monkeypatch, ["staff", "add", "--role", "clerk", "sidorov", "--db", url],
                "Drugoi2025\n") == 1
    assert "уже есть" in capsys.readouterr().err
    assert _run(monkeypatch, ["staff", "add", "--role", "clerk", "petrov", "--db", url],
                "korotko\n") == 1
    assert "Пароль слишком короткий" in capsys.readouterr().err
    assert _run(monkeypatch, ["staff", "add", "--role", "clerk", "petrov", "--db", url],
                "Petrov2025\nPetrov2026\n") == 1
    assert "Пароли не совпадают." in capsys.readouterr().err
    assert _run(monkeypatch, ["staff", "add", "--role", "clerk", "petrov", "--db", url], "") == 1
    assert "Пароль не введен." in capsys.readouterr().err


def test_list_passwd_disable_and_enable(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, ["staff", "list", "--db", url]) == 0
    assert "workstation staff add --role admin" in capsys.readouterr().out
    assert _run(monkeypatch, ["staff", "add", "--role", "admin", "boss", "--db", url],
                "Glavnyi2025\n") == 0
    assert _run(monkeypatch, ["staff", "add", "--role", "operator", "--name", "Иванова А. П.",
                              "ivanova", "--db", url], "Kolokol42\n") == 0
    capsys.readouterr()

    assert _run(monkeypatch, ["staff", "passwd", "ivanova", "--db", url], "Vremenno77\n") == 0
    assert "при следующем входе" in capsys.readouterr().out
    assert _account(url, "ivanova").must_change_password
    assert _can_sign_in(url, "ivanova", "Vremenno77")

    assert _run(monkeypatch, ["staff", "disable", "ivanova", "--db", url]) == 0
    assert "отключена" in capsys.readouterr().out
    assert not _can_sign_in(url, "ivanova", "Vremenno77")
    assert _run(monkeypatch, ["staff", "list", "--db", url]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["Логин", "Роль", "Состояние", "Последний", "вход",
                                             "ФИО"]
    ivanova = next(line for line in table.splitlines() if line.startswith("ivanova"))
    assert "Оператор контакт-центра" in ivanova and "отключен" in ivanova
    assert "Иванова А. П." in ivanova
    assert _run(monkeypatch, ["staff", "enable", "ivanova", "--db", url]) == 0
    assert _can_sign_in(url, "ivanova", "Vremenno77")

    # The last administrator stays; an unknown login is named.
    assert _run(monkeypatch, ["staff", "disable", "boss", "--db", url]) == 1
    assert "последний действующий администратор" in capsys.readouterr().err
    assert _run(monkeypatch, ["staff", "disable", "nobody", "--db", url]) == 1
    assert "Сотрудника с логином «nobody» нет." in capsys.readouterr().err


def test_staff_commands_need_a_migrated_database(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, ["staff", "list", "--db", sqlite_url]) == 2
    assert "workstation db upgrade" in capsys.readouterr().err


def test_demo_creates_the_demo_staff_and_says_how_to_sign_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, ["staff", "list", "--demo"]) == 0
    captured = capsys.readouterr()
    assert (
        "Демонстрационные пользователи (логин / пароль): admin / demo1234 (Администратор), "
        "operator / demo1234 (Оператор контакт-центра), clerk / demo1234 (Регистратор)."
    ) in captured.err
    assert [line.split()[0] for line in captured.out.splitlines()[2:]] == [
        "admin", "clerk", "operator"
    ]
    # Said once: the next start finds the staff there.
    assert _run(monkeypatch, ["staff", "list", "--demo"]) == 0
    assert "Демонстрационные пользователи" not in capsys.readouterr().err
