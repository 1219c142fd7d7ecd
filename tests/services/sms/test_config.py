"""The ``[sms]`` table of workstation.toml: the default, a full HTTP setup, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from workstation.models import SmsStatus
from workstation.services.sms.config import configured_sms_gateway
from workstation.services.sms.gateway import OutboxGateway
from workstation.services.sms.http_gateway import HttpSmsGateway, HttpSmsSettings


def write_config(home: Path, content: str) -> None:
    config = home / "config" / "workstation.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(content, encoding="utf-8")


def test_without_a_config_file_the_outbox_is_the_gateway() -> None:
    assert isinstance(configured_sms_gateway(), OutboxGateway)


def test_without_an_sms_table_the_outbox_is_the_gateway(workstation_home: Path) -> None:
    write_config(workstation_home, 'database_url = "sqlite:///x.sqlite3"\n')
    assert isinstance(configured_sms_gateway(), OutboxGateway)


def test_outbox_ignores_the_kept_http_keys(workstation_home: Path) -> None:
    write_config(workstation_home, '[sms]\ngateway = "outbox"\nurl = "https://op/send"\n')
    assert isinstance(configured_sms_gateway(), OutboxGateway)


def test_a_full_http_setup(workstation_home: Path) -> None:
    write_config(
        workstation_home,
        """
[sms]
gateway = "http"
url = "https://sms.example.ru/api/send"
method = "get"
body = "to=$phone_digits&msg=$text"
user = "clinic"
password = "secret"
timeout = 5
id_field = "result.id"
status_url = "https://sms.example.ru/api/status/$provider_id"
status_field = "state"

[sms.headers]
X-Client = "registry"

[sms.statuses]
DELIVRD = "delivered"
UNDELIV = "failed"
""",
    )
    gateway = configured_sms_gateway()
    assert isinstance(gateway, HttpSmsGateway)
    assert gateway.settings == HttpSmsSettings(
        url="https://sms.example.ru/api/send",
        method="GET",
        body="to=$phone_digits&msg=$text",
        user="clinic",
        password="secret",
        timeout=5.0,
        id_field="result.id",
        status_url="https://sms.example.ru/api/status/$provider_id",
        status_field="state",
        headers={"X-Client": "registry"},
        statuses={"DELIVRD": SmsStatus.DELIVERED, "UNDELIV": SmsStatus.FAILED},
    )
    gateway.close()


def test_an_empty_id_field_means_no_id(workstation_home: Path) -> None:
    write_config(workstation_home, '[sms]\ngateway = "http"\nurl = "https://op/s"\nid_field = ""\n')
    gateway = configured_sms_gateway()
    assert isinstance(gateway, HttpSmsGateway)
    assert gateway.settings.id_field is None
    gateway.close()


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ('sms = "http"', "sms должен быть таблицей"),
        ('[sms]\ngateway = "smpp"', "[sms] gateway: допустимы «outbox» или «http», указано «smpp»"),
        ('[sms]\ngateway = "http"', "[sms] url: для gateway = «http» нужен адрес"),
        ('[sms]\ngateway = "http"\nurl = "https://op/s"\ntokn = "x"', "[sms] tokn: неизвестный"),
        ('[sms]\ngateway = "http"\nurl = 5', "[sms] url: нужна строка"),
        ('[sms]\ngateway = "http"\nurl = "https://op/s"\nmethod = "PUT"', "[sms] method"),
        ('[sms]\ngateway = "http"\nurl = "https://op/s"\ntimeout = "10"', "[sms] timeout"),
        ('[sms]\ngateway = "http"\nurl = "https://op/s"\ntimeout = -1', "[sms] timeout"),
        ('[sms]\ngateway = "http"\nurl = "https://op/s"\nbody = "$txt"', "[sms] body"),
        (
            '[sms]\ngateway = "http"\nurl = "https://op/s"\n'
            'token = "t"\nuser = "u"\npassword = "p"',
            "[sms] token",
        ),
        ('[sms]\ngateway = "http"\nurl = "https://op/s"\nheaders = "X"', "[sms] headers"),
        (
            '[sms]\ngateway = "http"\nurl = "https://op/s"\n[sms.headers]\nX-Key = 1',
            "[sms.headers] X-Key",
        ),
        (
            '[sms]\ngateway = "http"\nurl = "https://op/s"\n[sms.statuses]\nDELIVRD = "ok"',
            "[sms.statuses] DELIVRD: допустимы «delivered» или «failed», указано «ok»",
        ),
    ],
)
def test_mistakes_are_named(workstation_home: Path, content: str, complaint: str) -> None:
    write_config(workstation_home, content + "\n")
    with pytest.raises(ValueError) as caught:
        configured_sms_gateway()
    assert complaint in str(caught.value)
