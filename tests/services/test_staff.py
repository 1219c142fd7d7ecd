"""Staff accounts: roles and permissions, adding, sign-in with lockout, passwords, the journal."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from workstation.models import JournalEvent, StaffAccount, StaffRole
from workstation.services.database import Database
from workstation.services.journal import Actor
from workstation.services.passwords import WeakPassword, hash_password
from workstation.services.staff import (
    DEMO_PASSWORD,
    POLICY,
    ROLE_LABELS,
    SIGN_IN_FAILED,
    WRONG_CREDENTIALS,
    NotAllowed,
    Permission,
    SignedInStaff,
    SignInRefused,
    StaffError,
    add_staff,
    authenticate,
    can,
    change_password,
    ensure_demo_staff,
    find_staff_id,
    has_staff,
    list_staff,
    reset_password_by_admin,
    set_active,
    set_must_change_password,
    set_role,
)

ACTOR = Actor("setup", "test-host")
WORKSTATION = "ws-7 (10.0.0.7)"
PASSWORD = "Kolokol42"
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


class Clock:
    """A settable clock: the lockout is about time passing."""

    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


def _add(database: Database, login: str = "ivanova", role: StaffRole = StaffRole.OPERATOR,
         password: str = PASSWORD) -> int:
    with database.session() as session:
        return add_staff(session, login, "Иванова Анна Петровна", role, password, actor=ACTOR)


def _sign_in(database: Database, login: str, password: str, now: dt.datetime) -> SignedInStaff:
    with database.session() as session:
        return authenticate(session, login, password, now=now, workstation=WORKSTATION)


def _journal(database: Database) -> list[tuple[str, str, str, str]]:
    with database.session() as session:
        events = session.scalars(select(JournalEvent).order_by(JournalEvent.id))
        return [(e.operator, e.workstation_address, e.action, e.details) for e in events]


def test_roles_permit_what_the_issue_says() -> None:
    table = {
        role: {permission for permission in Permission if can(role, permission)}
        for role in StaffRole
    }
    assert table[StaffRole.OPERATOR] == {
        Permission.BOOK,
        Permission.PRINT_TICKETS,
        Permission.ISSUE_CABINET_ACCOUNTS,
        Permission.MANAGE_CABINET_ACCOUNTS,
        Permission.WORK_FEEDBACK,
    }
    assert table[StaffRole.CLERK] == {Permission.BOOK, Permission.PRINT_TICKETS}
    assert table[StaffRole.ADMIN] == set(Permission)
    assert ROLE_LABELS == {
        StaffRole.OPERATOR: "Оператор контакт-центра",
        StaffRole.CLERK: "Регистратор",
        StaffRole.ADMIN: "Администратор",
    }
    clerk = SignedInStaff(1, "petrov", "Петров П. П.", StaffRole.CLERK)
    assert clerk.can(Permission.BOOK)
    assert not clerk.can(Permission.ISSUE_CABINET_ACCOUNTS)
    assert clerk.actor("ws") == Actor("petrov", "ws")
    assert clerk.display_name == "Петров П. П. (petrov)"


def test_staff_is_added_with_a_normalised_login_and_only_a_hash(database: Database) -> None:
    with database.session() as session:
        assert not has_staff(session)
    staff_id = _add(database, login="  Ivanova.A ")
    with database.session() as session:
        account = session.get(StaffAccount, staff_id)
        assert account is not None
        assert account.login == "ivanova.a"
        assert account.password_hash.startswith("$argon2id$")
        assert PASSWORD not in account.password_hash
        assert has_staff(session)
        assert find_staff_id(session, "IVANOVA.A") == staff_id
    assert _journal(database) == [
        ("setup", "test-host", "Добавление сотрудника", "ivanova.a: Оператор контакт-центра")
    ]


@pytest.mark.parametrize("login", ["ab", "иванова", "a b", "x" * 65, "anna@mail"])
def test_a_bad_login_is_refused_with_the_rule(database: Database, login: str) -> None:
    with pytest.raises(StaffError, match="латинские буквы"):
        _add(database, login=login)


def test_a_duplicate_login_and_a_weak_password_are_refused(database: Database) -> None:
    _add(database, login="ivanova")
    with pytest.raises(StaffError) as duplicate:
        _add(database, login="IVANOVA")
    assert duplicate.value.message == "Сотрудник с логином «ivanova» уже есть."
    with pytest.raises(WeakPassword, match="не меньше 8"):
        _add(database, login="petrov", password="abc12")
    with database.session() as session:
        assert [row.login for row in list_staff(session)] == ["ivanova"]


def test_sign_in_succeeds_and_is_journalled(database: Database) -> None:
    staff_id = _add(database)
    staff = _sign_in(database, "IVANOVA", PASSWORD, T0)
    assert staff == SignedInStaff(staff_id, "ivanova", "Иванова Анна Петровна",
                                  StaffRole.OPERATOR)
    with database.session() as session:
        account = session.get(StaffAccount, staff_id)
        assert account is not None and account.last_sign_in_at == T0
    assert _journal(database)[-1] == (
        "ivanova", WORKSTATION, "Вход в систему", "Оператор контакт-центра"
    )


def test_a_wrong_login_or_password_gets_one_generic_message(database: Database) -> None:
    _add(database)
    for login, password in (("ivanova", "Wrong1234"), ("nobody", PASSWORD)):
        with pytest.raises(SignInRefused) as refused:
            _sign_in(database, login, password, T0)
        assert refused.value.message == WRONG_CREDENTIALS == "Неверный логин или пароль."
    # The refusals outlive the caller's rollback: counted and journalled without the password.
    journal = _journal(database)[1:]
    assert journal == [
        ("ivanova", WORKSTATION, SIGN_IN_FAILED, "неверный пароль (попытка 1 из 5)"),
        ("(неизвестный логин)", WORKSTATION, SIGN_IN_FAILED, "неизвестный логин"),
    ]
    assert "nobody" not in str(journal)
    with database.session() as session:
        account = session.scalar(select(StaffAccount))
        assert account is not None and account.failed_attempts == 1


def test_five_failures_lock_the_account_until_the_lockout_ends(database: Database) -> None:
    _add(database)
    clock = Clock()
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(SignInRefused):
            _sign_in(database, "ivanova", "Wrong1234", clock.now)
    with pytest.raises(SignInRefused) as locked:
        _sign_in(database, "ivanova", "Wrong1234", clock.now)
    until = (T0 + POLICY.lockout).astimezone().strftime("%H:%M")
    assert f"заблокирована до {until}" in locked.value.message
    # Locked: even the right password is refused, saying until when.
    clock.advance(POLICY.lockout - dt.timedelta(seconds=1))
    with pytest.raises(SignInRefused) as still:
        _sign_in(database, "ivanova", PASSWORD, clock.now)
    assert f"Учетная запись заблокирована до {until}" in still.value.message
    # After the lockout the right password works, and the count starts afresh.
    clock.advance(dt.timedelta(seconds=1))
    assert _sign_in(database, "ivanova", PASSWORD, clock.now).login == "ivanova"
    with database.session() as session:
        account = session.scalar(select(StaffAccount))
        assert account is not None
        assert account.failed_attempts == 0 and account.locked_until is None
    actions = [(action, details) for _, _, action, details in _journal(database)]
    assert (SIGN_IN_FAILED, f"неверный пароль; учетная запись заблокирована до {until}") in actions
    assert actions[-1][0] == "Вход в систему"


def test_success_resets_the_failure_count(database: Database) -> None:
    _add(database)
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(SignInRefused):
            _sign_in(database, "ivanova", "Wrong1234", T0)
    _sign_in(database, "ivanova", PASSWORD, T0)
    with pytest.raises(SignInRefused) as refused:
        _sign_in(database, "ivanova", "Wrong1234", T0)
    assert refused.value.message == WRONG_CREDENTIALS  # not locked: counting from zero again


def test_a_disabled_account_is_told_so_only_with_the_right_password(database: Database) -> None:
    admin = _add(database, login="admin", role=StaffRole.ADMIN)
    staff_id = _add(database)
    with database.session() as session:
        set_active(session, None, staff_id, False)
    with pytest.raises(SignInRefused) as wrong:
        _sign_in(database, "ivanova", "Wrong1234", T0)
    assert wrong.value.message == WRONG_CREDENTIALS
    with pytest.raises(SignInRefused) as disabled:
        _sign_in(database, "ivanova", PASSWORD, T0)
    assert disabled.value.message == "Учетная запись отключена. Обратитесь к администратору."
    with database.session() as session:
        set_active(session, None, staff_id, True)
        with pytest.raises(StaffError, match="последний действующий администратор"):
            set_active(session, None, admin, False)
    assert _sign_in(database, "ivanova", PASSWORD, T0).id == staff_id


def test_an_outdated_hash_is_replaced_at_sign_in(database: Database) -> None:
    from argon2 import PasswordHasher

    staff_id = _add(database)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with database.session() as session:
        account = session.get(StaffAccount, staff_id)
        assert account is not None
        account.password_hash = weak
    _sign_in(database, "ivanova", PASSWORD, T0)
    with database.session() as session:
        account = session.get(StaffAccount, staff_id)
        assert account is not None and account.password_hash != weak
    assert _sign_in(database, "ivanova", PASSWORD, T0).id == staff_id


def test_password_change_checks_the_old_and_the_rules(database: Database) -> None:
    staff_id = _add(database)
    actor = Actor("ivanova", WORKSTATION)
    with database.session() as session:
        with pytest.raises(StaffError, match="Текущий пароль"):
            change_password(session, staff_id, "Wrong1234", "Novyi2025", now=T0, actor=actor)
        with pytest.raises(WeakPassword, match="отличаться"):
            change_password(session, staff_id, PASSWORD, PASSWORD, now=T0, actor=actor)
        staff = change_password(session, staff_id, PASSWORD, "Novyi2025", now=T0, actor=actor)
    assert not staff.must_change_password
    assert _sign_in(database, "ivanova", "Novyi2025", T0).id == staff_id
    with pytest.raises(SignInRefused):
        _sign_in(database, "ivanova", PASSWORD, T0)
    assert ("ivanova", WORKSTATION, "Изменение пароля", "сотрудник ivanova") in _journal(database)


def test_an_administrator_resets_a_password_to_be_changed_at_sign_in(database: Database) -> None:
    admin_id = _add(database, login="admin", role=StaffRole.ADMIN)
    staff_id = _add(database)
    admin = SignedInStaff(admin_id, "admin", "", StaffRole.ADMIN)
    operator = SignedInStaff(staff_id, "ivanova", "", StaffRole.OPERATOR)
    with database.session() as session:
        with pytest.raises(NotAllowed) as refused:
            reset_password_by_admin(session, operator, admin_id, "Vzlom2025")
        assert "Оператор контакт-центра" in refused.value.message
        with pytest.raises(NotAllowed):
            set_role(session, operator, staff_id, StaffRole.ADMIN)
        reset_password_by_admin(session, admin, staff_id, "Vremenno77")
    staff = _sign_in(database, "ivanova", "Vremenno77", T0)
    assert staff.must_change_password
    with database.session() as session:
        set_role(session, admin, staff_id, StaffRole.CLERK)
        set_must_change_password(session, staff_id, False, actor=admin.actor())
    staff = _sign_in(database, "ivanova", "Vremenno77", T0)
    assert staff.role == StaffRole.CLERK and not staff.must_change_password
    journal = [(operator, action, details) for operator, _, action, details in _journal(database)]
    assert ("admin", "Сброс пароля сотрудника", "сотрудник ivanova") in journal
    assert (
        "admin", "Изменение роли сотрудника",
        "сотрудник ivanova: Оператор контакт-центра → Регистратор",
    ) in journal


def test_demo_staff_is_created_once(database: Database) -> None:
    with database.session() as session:
        created = ensure_demo_staff(session)
    assert created == [
        ("admin", DEMO_PASSWORD, StaffRole.ADMIN),
        ("operator", DEMO_PASSWORD, StaffRole.OPERATOR),
        ("clerk", DEMO_PASSWORD, StaffRole.CLERK),
    ]
    for login, password, role in created:
        assert _sign_in(database, login, password, T0).role == role
    with database.session() as session:
        assert ensure_demo_staff(session) == []


def test_no_password_is_ever_stored_or_logged_in_clear(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    database = Database(sqlite_url)
    database.upgrade()
    secrets = ["Kolokol42", "Wrong7777", "Novyi2025", "Vremenno77"]
    try:
        admin_id = _add(database, login="admin", role=StaffRole.ADMIN, password="Admin2025x")
        staff_id = _add(database, password=secrets[0])
        with pytest.raises(SignInRefused):
            _sign_in(database, "ivanova", secrets[1], T0)
        with pytest.raises(SignInRefused):
            _sign_in(database, secrets[1], secrets[1], T0)  # a password typed as the login
        _sign_in(database, "ivanova", secrets[0], T0)
        with database.session() as session:
            change_password(session, staff_id, secrets[0], secrets[2], now=T0, actor=ACTOR)
            admin = SignedInStaff(admin_id, "admin", "", StaffRole.ADMIN)
            reset_password_by_admin(session, admin, staff_id, secrets[3])
    finally:
        database.dispose()
    path = Path(str(make_url(sqlite_url).database))
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for secret in secrets:
        assert secret.encode() not in stored
        assert secret not in caplog.text
    assert hash_password("x").encode()[:10] in stored  # the hashes are there
