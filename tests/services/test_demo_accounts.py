"""The demo database says who may sign in, and those sign-ins work: staff and the kiosk."""

from __future__ import annotations

import datetime as dt
import re

from workstation.services.cabinet_accounts import SignInStep, sign_in
from workstation.services.database import Database
from workstation.services.demo import DEMO_CABINET_PASSWORD, prepare_demo_database
from workstation.services.journal import Actor
from workstation.services.staff import DEMO_PASSWORD, authenticate


def test_the_demo_prints_working_staff_and_kiosk_sign_ins() -> None:
    lines: list[str] = []
    url = prepare_demo_database(report=lines.append)
    text = "\n".join(lines)
    assert f"operator / {DEMO_PASSWORD}" in text
    found = re.search(r"логин (\d{3}-\d{3}-\d{3} \d{2}), пароль (\S+)\.", text)
    assert found is not None and found.group(2) == DEMO_CABINET_PASSWORD
    now = dt.datetime.now(dt.UTC)
    database = Database(url)
    try:
        with database.session() as session:
            staff = authenticate(session, "operator", DEMO_PASSWORD, now=now, workstation="ws")
        assert staff.login == "operator"
        with database.session() as session:
            result = sign_in(session, found.group(1), DEMO_CABINET_PASSWORD, now=now,
                             actor=Actor("киоск", "ws"))
        assert result.step is SignInStep.SIGNED_IN
        # A second start creates nothing again and says nothing about it.
        again: list[str] = []
        prepare_demo_database(report=again.append)
        assert again == []
    finally:
        database.dispose()
