"""``workstation config check`` and ``config path``: the site's workstation.toml, checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from workstation.cli import main
from workstation.services.config_check import check_config_file
from workstation.services.printing_settings import configured_printing
from workstation.services.settings import locations

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "installer" / "workstation.toml.example"
GUID = "0b6f3c2a-7d41-4e8a-9c55-2f1e8d7a6b90"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def good_config(tmp_path: Path) -> str:
    database = tmp_path / "db" / "registry.sqlite3"
    database.parent.mkdir(parents=True, exist_ok=True)
    return f'''
database_url = "sqlite:///{database.as_posix()}"

[[hub]]
url = "https://hub.example/HubService.svc"
guid = "{GUID}"
name = "Региональная шина"

[[hub]]
url = "http://mis.okb.example/HubService.svc"
guid = "{GUID.upper()}"

[sms]
gateway = "http"
url = "https://sms.example/api/send"
body = '{{"to": "$phone", "text": "$text"}}'
token = "секрет"
timeout = 5

[sms.statuses]
DELIVRD = "delivered"

[printing]
default_printer = "Kyocera-Registratura"
ticket_format = "roll80"
'''


def problems_of(tmp_path: Path, text: str, *, connect: bool = False) -> list[str]:
    report = check_config_file(write(tmp_path / "check.toml", text), connect=connect)
    return report.problems


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


# -- a good file ---------------------------------------------------------------------------------


def test_a_good_file_is_reported_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "site.toml", good_config(tmp_path))
    code, out = run(["config", "check", "--file", str(path)], capsys)
    assert code == 0, out
    assert out.startswith(f"Настройки в порядке: {path}")
    assert "сервисы записи: 2 (Региональная шина, http://mis.okb.example/HubService.svc)" in out
    assert "СМС: шлюз http, https://sms.example/api/send" in out
    assert "принтер Kyocera-Registratura, формат талона roll80" in out


def test_the_documented_example_passes_the_check() -> None:
    report = check_config_file(EXAMPLE)
    assert report.ok, report.text()


def test_every_key_of_the_example_is_documented_in_it() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in (
        "database_url", "[[hub]]", "url", "guid", "name", "[sms]", "gateway", "method",
        "content_type", "body", "token", "user", "password", "timeout", "id_field",
        "status_url", "status_field", "[sms.headers]", "[sms.statuses]", "[printing]",
        "default_printer", "ticket_format",
    ):
        assert key in text, key


def test_the_default_file_is_checked_and_a_missing_one_is_a_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = run(["config", "check"], capsys)
    assert code == 1
    assert "1. файла нет" in out and str(locations().config_file) in out
    write(locations().config_file, good_config(tmp_path))
    code, out = run(["config", "check"], capsys)
    assert code == 0, out


def test_config_path_prints_where_the_file_is(
    capsys: pytest.CaptureFixture[str], workstation_home: Path
) -> None:
    code = main(["config", "path"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.strip() == str(workstation_home / "config" / "workstation.toml")
    assert "файла пока нет" in captured.err


# -- each kind of mistake ----------------------------------------------------------------------


def test_a_syntax_error_names_the_line_and_shows_it(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, '# настройки\n\ndatabase_url = "sqlite:///x\n')
    assert len(problems) == 1
    assert problems[0].startswith("строка 3, столбец ")
    assert "ошибка синтаксиса TOML" in problems[0]
    assert '«database_url = "sqlite:///x»' in problems[0]


def test_unknown_keys_are_named_with_a_suggestion_and_the_line(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        f'databse_url = "sqlite:///{tmp_path.as_posix()}/x.sqlite3"\n'
        f'[[hub]]\nurl = "https://h.example/"\nguids = "{GUID}"\n'
        '[sms]\ngateway = "outbox"\ntimout = 3\n'
        '[printer]\nticket_format = "a6"\n',
    )
    assert (
        "строка 1: databse_url: неизвестный ключ, программа его не читает. "
        "Может быть, database_url?"
    ) in problems
    assert any(p.startswith("строка 4: [[hub]] №1 guids: неизвестный ключ") and
               p.endswith("Может быть, guid?") for p in problems)
    assert any(p.startswith("строка 2: [[hub]] №1: нет guid") for p in problems)
    assert any(p.startswith("строка 7: [sms] timout: неизвестный ключ") and
               p.endswith("Может быть, timeout?") for p in problems)
    assert any(p.startswith("строка 8: printer: неизвестный ключ") and
               p.endswith("Может быть, printing?") for p in problems)


def test_wrong_types_are_named(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        'database_url = 5\nhub = "https://h.example/"\n[printing]\ndefault_printer = true\n'
        "ticket_format = 80\n",
    )
    assert problems == [
        "строка 1: database_url: нужен адрес базы данных в кавычках, например "
        "«postgresql+psycopg://operator@db.example/registry»; указано число 5.",
        "строка 2: hub: нужны таблицы [[hub]] с url и guid; указано строка «https://h.example/».",
        "строка 4: [printing] default_printer: нужно имя принтера в кавычках, как его "
        "показывает система; true/false.",
        "строка 5: [printing] ticket_format: допустимы «a6», «roll80» (чековая лента 80 мм) "
        "или «a4»; указано число 80.",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "адрес базы данных не разбирается"),
        ("mysql://u@h/db", "поддерживаются PostgreSQL и SQLite, указано «mysql»"),
        ("postgresql+psycopg2://u@h/db", "драйвер «postgresql+psycopg2» не установлен"),
        ("sqlite://", "база SQLite в памяти пропадает"),
        ("sqlite:///relative/registry.sqlite3", "относительный"),
        ("sqlite:////nonexistent-folder-x/registry.sqlite3", "папки /nonexistent-folder-x нет"),
    ],
)
def test_database_url_mistakes(tmp_path: Path, url: str, expected: str) -> None:
    problems = problems_of(tmp_path, f'database_url = "{url}"\n')
    assert len(problems) == 1
    assert problems[0].startswith("строка 1: database_url: ")
    assert expected in problems[0]


def test_connect_reports_a_missing_sqlite_file_then_an_old_schema_then_nothing(
    tmp_path: Path,
) -> None:
    from workstation.services.database import Database

    path = tmp_path / "registry.sqlite3"
    text = f'database_url = "sqlite:///{path.as_posix()}"\n'
    assert problems_of(tmp_path, text) == []
    [missing] = problems_of(tmp_path, text, connect=True)
    assert "нет; его создаст `workstation db upgrade`" in missing
    Database(f"sqlite:///{path}").engine.dispose()
    path.touch()
    [old] = problems_of(tmp_path, text, connect=True)
    assert "схема базы устарела или не создана" in old
    database = Database(f"sqlite:///{path}")
    try:
        database.upgrade()
    finally:
        database.dispose()
    assert problems_of(tmp_path, text, connect=True) == []


def test_connect_reports_why_the_server_cannot_be_reached(tmp_path: Path) -> None:
    [problem] = problems_of(
        tmp_path, 'database_url = "postgresql+psycopg://nobody@127.0.0.1:9/registry"\n',
        connect=True,
    )
    assert problem.startswith("строка 1: database_url: подключиться не удалось: ")


def test_hub_mistakes(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        f'[[hub]]\nurl = "ftp://h.example/HubService.svc"\nguid = "{GUID}"\n'
        '[[hub]]\nurl = "https:///HubService.svc"\nguid = "не guid"\nname = 7\n'
        f'[[hub]]\nguid = "{GUID}"\n'
        f'[[hub]]\nurl = "https://a.example/"\nguid = "{GUID}"\n'
        f'[[hub]]\nurl = "https://a.example/"\nguid = "{GUID}"\n',
    )
    assert problems == [
        "строка 2: [[hub]] №1 url: нужен адрес http:// или https://; указано "
        "«ftp://h.example/HubService.svc».",
        "строка 5: [[hub]] №2 url: в адресе «https:///HubService.svc» нет имени сервера.",
        "строка 6: [[hub]] №2 guid: нужен GUID вида «0b6f3c2a-7d41-4e8a-9c55-2f1e8d7a6b90» "
        "(32 шестнадцатеричные цифры с дефисами 8-4-4-4-12); указано строка «не guid».",
        "строка 7: [[hub]] №2 name: нужна строка в кавычках; указано число 7.",
        "строка 8: [[hub]] №3: нет адреса url (HubService).",
        "строка 14: [[hub]] №5 url: тот же адрес, что у [[hub]] №4; у каждого сервиса записи "
        "должен быть свой.",
    ]


def test_a_single_bracket_hub_table_is_explained(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, f'[hub]\nurl = "https://h.example/"\nguid = "{GUID}"\n')
    assert problems == [
        "строка 1: [hub]: каждый сервис записи описывается таблицей [[hub]] — в двойных "
        "квадратных скобках."
    ]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('gateway = "smpp"', "строка 2: настройка [sms] gateway: допустимы «outbox» или «http», "
         "указано «smpp»."),
        ('gateway = "http"', "строка 1: настройка [sms] url: для gateway = «http» нужен адрес"),
        ('gateway = "http"\nurl = "sms.example/send"',
         "строка 3: [sms] url: нужен адрес http:// или https://"),
        ('gateway = "http"\nurl = "https://sms.example/"\ntimeout = "10"',
         "строка 4: настройка [sms] timeout: нужно число секунд"),
        ('gateway = "http"\nurl = "https://sms.example/"\n[sms.statuses]\nDELIVRD = "ok"',
         "строка 5: настройка [sms.statuses] DELIVRD: допустимы «delivered» или «failed»"),
    ],
)
def test_sms_mistakes_come_from_the_gateways_own_parsing(
    tmp_path: Path, table: str, expected: str
) -> None:
    problems = problems_of(tmp_path, f"[sms]\n{table}\n")
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected)


def test_every_problem_is_numbered_and_the_exit_code_is_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "bad.toml", 'database_url = "mysql://x"\n[printing]\nformat = "a6"\n')
    code, out = run(["config", "check", "--file", str(path)], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"Файл настроек {path}: 2 ошибки"
    assert lines[1].startswith("1. строка 1: database_url: ")
    assert lines[2].startswith("2. строка 3: [printing] format: неизвестный ключ")
    assert lines[2].endswith("Может быть, ticket_format?")


# -- [printing] as the workstation reads it --------------------------------------------------------


def test_printing_defaults_come_from_the_config_file(tmp_path: Path) -> None:
    assert configured_printing().ticket_format is None
    write(locations().config_file, good_config(tmp_path))
    settings = configured_printing()
    assert settings.default_printer == "Kyocera-Registratura"
    assert settings.ticket_format == "roll80"
    write(locations().config_file, '[printing]\nticket_format = "a5"\n')
    assert configured_printing().ticket_format is None
    write(locations().config_file, "[printing\n")
    assert configured_printing().default_printer is None  # a broken file never stops printing
