"""Staff of the workstation: accounts, roles and what each role may do, sign-in and passwords.

Passwords are kept only as Argon2id hashes (``services.passwords``) and never reach the journal
or the log. A sign-in journals «Вход в систему»; a refused one «Неудачная попытка входа», with
the reason but never the password typed. After ``StaffPolicy.max_failures`` refusals in a row
the account is locked for ``StaffPolicy.lockout``.

Functions take the caller's ``Session`` and leave committing to it, except ``authenticate``:
a refused sign-in raises, and the failure it counts must survive the caller's rollback.

The journal names a member of staff by login (``SignedInStaff.actor``): logins are unique and
fit the journal's 64 characters, while two namesakes share «Фамилия И. О.».
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workstation.models import StaffAccount, StaffRole
from workstation.services.booking.journal_text import PASSWORD_CHANGED, SIGN_IN
from workstation.services.journal import Actor, record, workstation_address
from workstation.services.passwords import (
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)


class Permission(enum.StrEnum):
    """Something a role may do; screens ask ``can(role, permission)``."""

    BOOK = "book"  # hold, book, confirm, cancel and reschedule visits
    PRINT_TICKETS = "print_tickets"
    ISSUE_CABINET_ACCOUNTS = "issue_cabinet_accounts"  # personal-cabinet accounts for patients
    MANAGE_CABINET_ACCOUNTS = "manage_cabinet_accounts"  # reset, block, unblock them
    WORK_FEEDBACK = "work_feedback"  # answer patients' feedback
    MANAGE_STAFF = "manage_staff"


ROLE_PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.OPERATOR: frozenset(
        {
            Permission.BOOK,
            Permission.PRINT_TICKETS,
            Permission.ISSUE_CABINET_ACCOUNTS,
            Permission.MANAGE_CABINET_ACCOUNTS,
            Permission.WORK_FEEDBACK,
        }
    ),
    StaffRole.CLERK: frozenset({Permission.BOOK, Permission.PRINT_TICKETS}),
    StaffRole.ADMIN: frozenset(Permission),
}

ROLE_LABELS: dict[StaffRole, str] = {
    StaffRole.OPERATOR: "Оператор контакт-центра",
    StaffRole.CLERK: "Регистратор",
    StaffRole.ADMIN: "Администратор",
}

SIGN_IN_FAILED = "Неудачная попытка входа"
STAFF_ADDED = "Добавление сотрудника"
PASSWORD_RESET = "Сброс пароля сотрудника"
STAFF_DISABLED = "Отключение учетной записи сотрудника"
STAFF_ENABLED = "Включение учетной записи сотрудника"
ROLE_CHANGED = "Изменение роли сотрудника"
MUST_CHANGE_SET = "Требование сменить пароль при входе"

WRONG_CREDENTIALS = "Неверный логин или пароль."
INACTIVE = "Учетная запись отключена. Обратитесь к администратору."

# Latin letters, digits and «._-»: typed on any keyboard layout the same way.
LOGIN_PATTERN = re.compile(r"[a-z0-9._-]{3,64}")

# Who the journal names for a sign-in with a login that does not exist: the typed text is left
# out, since people type their password into the login field often enough.
UNKNOWN_LOGIN_OPERATOR = "(неизвестный логин)"

DEMO_PASSWORD = "demo1234"
"""The demo staff's password: the demo database only, printed by ``workstation --demo``."""

DEMO_STAFF: tuple[tuple[str, str, StaffRole], ...] = (
    ("admin", "Администраторов А. А.", StaffRole.ADMIN),
    ("operator", "Операторова О. О.", StaffRole.OPERATOR),
    ("clerk", "Регистраторова Р. Р.", StaffRole.CLERK),
)

# Verified against when the login is unknown, so that a refusal takes as long either way and
# does not tell which logins exist.
_DUMMY_HASH = hash_password("not a password of anyone 0")


@dataclass(frozen=True)
class StaffPolicy:
    """The numbers of the sign-in rules."""

    max_failures: int = 5  # wrong passwords in a row before the account locks
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    idle_lock: dt.timedelta = dt.timedelta(minutes=10)  # the screen locks after this idle time


POLICY = StaffPolicy()


class StaffError(Exception):
    """A staff operation refused; ``message`` says why (in Russian, for the user)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(StaffError):
    """The signed-in member of staff's role does not permit the action."""


class SignInRefused(StaffError):
    """A sign-in failed: wrong login or password, locked or disabled account."""


@dataclass(frozen=True)
class SignedInStaff:
    """The member of staff at the workstation now."""

    id: int
    login: str
    full_name: str
    role: StaffRole
    must_change_password: bool = False

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def display_name(self) -> str:
        """«Фамилия И. О. (login)», or the login alone when no name was given."""
        return f"{self.full_name} ({self.login})" if self.full_name else self.login

    def actor(self, workstation: str | None = None) -> Actor:
        """The journal's «who»: the login (see the module's docstring) at ``workstation``."""
        return Actor(operator=self.login, workstation=workstation or workstation_address())

    def can(self, permission: Permission) -> bool:
        return can(self.role, permission)


@dataclass(frozen=True)
class StaffRow:
    """One member of staff as the administrator's list shows them."""

    id: int
    login: str
    full_name: str
    role: StaffRole
    is_active: bool
    must_change_password: bool
    locked_until: dt.datetime | None
    last_sign_in_at: dt.datetime | None

    def is_locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def can(role: StaffRole, permission: Permission) -> bool:
    """True when ``role`` may do ``permission``."""
    return permission in ROLE_PERMISSIONS[role]


def require(staff: SignedInStaff | None, permission: Permission) -> None:
    """Raise ``NotAllowed`` unless ``staff`` may do ``permission``.

    ``None`` is the command line: whoever can reach the database with it administers it (the
    same trust as ``workstation db upgrade``).
    """
    if staff is not None and not staff.can(permission):
        raise NotAllowed(
            f"Недостаточно прав: роль «{staff.role_label}» не позволяет это действие."
        )


def normalise_login(login: str) -> str:
    """The stored form of a login: trimmed, lower-case."""
    return login.strip().lower()


def check_login(login: str) -> str:
    """The normalised login, or ``StaffError`` saying what is wrong with it."""
    normalised = normalise_login(login)
    if not LOGIN_PATTERN.fullmatch(normalised):
        raise StaffError(
            "Логин: от 3 до 64 символов, только латинские буквы, цифры, точка, «_» и «-»."
        )
    return normalised


def has_staff(session: Session) -> bool:
    """True when at least one staff account exists (else nobody could sign in)."""
    return session.scalar(select(StaffAccount.id).limit(1)) is not None


def find_staff_id(session: Session, login: str) -> int | None:
    """The id of the account with ``login`` (any case), if there is one."""
    return session.scalar(
        select(StaffAccount.id).where(StaffAccount.login == normalise_login(login))
    )


def add_staff(
    session: Session,
    login: str,
    full_name: str,
    role: StaffRole,
    password: str,
    *,
    actor: Actor,
    must_change_password: bool = False,
) -> int:
    """Create a staff account; its id. ``StaffError`` for a bad or taken login, ``WeakPassword``
    for a password breaking the rules."""
    normalised = check_login(login)
    check_new_password(password, login=normalised)
    if find_staff_id(session, normalised) is not None:
        raise StaffError(f"Сотрудник с логином «{normalised}» уже есть.")
    account = StaffAccount(
        login=normalised,
        full_name=" ".join(full_name.split()),
        role=role,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
    )
    session.add(account)
    session.flush()  # the id; a concurrent insert of the same login fails here, not at commit
    record(session, actor, STAFF_ADDED, f"{normalised}: {ROLE_LABELS[role]}")
    return account.id


def _local_time(moment: dt.datetime, now: dt.datetime) -> str:
    local = moment.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%d.%m.%Y %H:%M")


def _refuse(session: Session, actor: Actor, details: str, message: str) -> SignInRefused:
    record(session, actor, SIGN_IN_FAILED, details)
    session.commit()  # the count and the journal line outlive the refusal (see module docstring)
    return SignInRefused(message)


def authenticate(
    session: Session,
    login: str,
    password: str,
    *,
    now: dt.datetime,
    workstation: str,
    policy: StaffPolicy = POLICY,
) -> SignedInStaff:
    """Check a sign-in; the member of staff, or ``SignInRefused`` with the message to show.

    A wrong login and a wrong password get the same message. A refusal is committed before it
    is raised.
    """
    normalised = normalise_login(login)
    account = session.scalar(
        select(StaffAccount).where(StaffAccount.login == normalised).with_for_update()
    )
    if account is None:
        verify_password(_DUMMY_HASH, password)
        raise _refuse(
            session, Actor(UNKNOWN_LOGIN_OPERATOR, workstation), "неизвестный логин",
            WRONG_CREDENTIALS,
        )
    actor = Actor(account.login, workstation)
    if account.locked_until is not None:
        if account.locked_until > now:
            until = _local_time(account.locked_until, now)
            raise _refuse(
                session, actor, f"учетная запись заблокирована до {until}",
                f"Учетная запись заблокирована до {until} после {policy.max_failures} неудачных "
                "попыток входа. Повторите позже или обратитесь к администратору.",
            )
        account.locked_until = None  # the lock ran out: a fresh count
        account.failed_attempts = 0
    if not verify_password(account.password_hash, password):
        account.failed_attempts += 1
        if account.failed_attempts >= policy.max_failures:
            account.locked_until = now + policy.lockout
            account.failed_attempts = 0
            until = _local_time(account.locked_until, now)
            raise _refuse(
                session, actor,
                f"неверный пароль; учетная запись заблокирована до {until}",
                f"{WRONG_CREDENTIALS} Учетная запись заблокирована до {until} после "
                f"{policy.max_failures} неудачных попыток входа.",
            )
        raise _refuse(
            session, actor,
            f"неверный пароль (попытка {account.failed_attempts} из {policy.max_failures})",
            WRONG_CREDENTIALS,
        )
    if not account.is_active:
        raise _refuse(session, actor, "учетная запись отключена", INACTIVE)
    account.failed_attempts = 0
    account.last_sign_in_at = now
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    record(session, actor, SIGN_IN, ROLE_LABELS[account.role])
    return _signed_in(account)


def _signed_in(account: StaffAccount) -> SignedInStaff:
    return SignedInStaff(
        id=account.id,
        login=account.login,
        full_name=account.full_name,
        role=account.role,
        must_change_password=account.must_change_password,
    )


def _account(session: Session, staff_id: int) -> StaffAccount:
    account = session.get(StaffAccount, staff_id, with_for_update=True)
    if account is None:
        raise StaffError("Сотрудник не найден.")
    return account


def change_password(
    session: Session,
    staff_id: int,
    old: str,
    new: str,
    *,
    now: dt.datetime,
    actor: Actor,
) -> SignedInStaff:
    """The member of staff replaces their own password; ``StaffError`` when ``old`` is wrong,
    ``WeakPassword`` when ``new`` breaks the rules. The account as it is now."""
    account = _account(session, staff_id)
    if not verify_password(account.password_hash, old):
        raise StaffError("Текущий пароль введен неверно.")
    check_new_password(new, login=account.login, previous_hash=account.password_hash)
    account.password_hash = hash_password(new)
    account.must_change_password = False
    account.password_changed_at = now
    record(session, actor, PASSWORD_CHANGED, f"сотрудник {account.login}")
    return _signed_in(account)


def set_must_change_password(
    session: Session, staff_id: int, must_change: bool = True, *, actor: Actor
) -> None:
    """Make the member of staff choose a new password at their next sign-in (or not)."""
    account = _account(session, staff_id)
    account.must_change_password = must_change
    if must_change:
        record(session, actor, MUST_CHANGE_SET, f"сотрудник {account.login}")


def _actor_of(admin: SignedInStaff | None) -> Actor:
    return admin.actor() if admin is not None else Actor.system()


def reset_password_by_admin(
    session: Session, admin: SignedInStaff | None, staff_id: int, new_password: str
) -> None:
    """Give a member of staff a new password, to be changed at their next sign-in; lifts a
    lockout. ``admin`` needs MANAGE_STAFF (``None``: the command line, see ``require``)."""
    require(admin, Permission.MANAGE_STAFF)
    account = _account(session, staff_id)
    check_new_password(new_password, login=account.login)
    account.password_hash = hash_password(new_password)
    account.must_change_password = True
    account.failed_attempts = 0
    account.locked_until = None
    record(session, _actor_of(admin), PASSWORD_RESET, f"сотрудник {account.login}")


def _other_active_admins(session: Session, staff_id: int) -> int:
    return session.scalar(
        select(func.count(StaffAccount.id)).where(
            StaffAccount.role == StaffRole.ADMIN,
            StaffAccount.is_active.is_(True),
            StaffAccount.id != staff_id,
        )
    ) or 0


def _keep_an_admin(session: Session, account: StaffAccount) -> None:
    if account.role == StaffRole.ADMIN and account.is_active and not _other_active_admins(
        session, account.id
    ):
        raise StaffError(
            "Это последний действующий администратор: сначала назначьте другого."
        )


def set_active(
    session: Session, admin: SignedInStaff | None, staff_id: int, active: bool
) -> None:
    """Disable (or enable again) a staff account; the last active administrator stays."""
    require(admin, Permission.MANAGE_STAFF)
    account = _account(session, staff_id)
    if account.is_active == active:
        return
    if not active:
        _keep_an_admin(session, account)
    account.is_active = active
    if active:
        account.failed_attempts = 0
        account.locked_until = None
    record(
        session, _actor_of(admin), STAFF_ENABLED if active else STAFF_DISABLED,
        f"сотрудник {account.login}",
    )


def set_role(
    session: Session, admin: SignedInStaff | None, staff_id: int, role: StaffRole
) -> None:
    """Change what a member of staff is; the last active administrator stays one."""
    require(admin, Permission.MANAGE_STAFF)
    account = _account(session, staff_id)
    if account.role == role:
        return
    _keep_an_admin(session, account)
    previous = account.role
    account.role = role
    record(
        session, _actor_of(admin), ROLE_CHANGED,
        f"сотрудник {account.login}: {ROLE_LABELS[previous]} → {ROLE_LABELS[role]}",
    )


def list_staff(session: Session) -> list[StaffRow]:
    """Every staff account, by login."""
    accounts = session.scalars(select(StaffAccount).order_by(StaffAccount.login))
    return [
        StaffRow(
            id=account.id,
            login=account.login,
            full_name=account.full_name,
            role=account.role,
            is_active=account.is_active,
            must_change_password=account.must_change_password,
            locked_until=account.locked_until,
            last_sign_in_at=account.last_sign_in_at,
        )
        for account in accounts
    ]


def ensure_demo_staff(session: Session) -> list[tuple[str, str, StaffRole]]:
    """In a database without staff, create the demo's administrator, operator and registry
    clerk, all with ``DEMO_PASSWORD``; (login, password, role) of those created."""
    if has_staff(session):
        return []
    actor = Actor.system()
    created = []
    for login, full_name, role in DEMO_STAFF:
        add_staff(session, login, full_name, role, DEMO_PASSWORD, actor=actor)
        created.append((login, DEMO_PASSWORD, role))
    return created

