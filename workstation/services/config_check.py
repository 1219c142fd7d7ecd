"""``workstation config check``: is the site's ``workstation.toml`` right, and if not, what is.

The file is read as the workstation reads it (``workstation.services.settings``), and every
problem is reported at once, in Russian, with the line where it can be found: TOML syntax,
unknown keys (with «может быть, …?»), value types, the database URL (SQLAlchemy must parse it and
have its driver; a SQLite file's folder must exist; with ``connect=True`` the database is opened),
the ``[[hub]]`` endpoints (an http(s) URL and a guid each), the ``[sms]`` gateway (checked by the
same code that builds it, ``workstation.services.sms.config``) and ``[printing]``.
``installer/workstation.toml.example`` documents every key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from workstation.services.printing_settings import PRINTING_KEYS, TICKET_FORMATS
from workstation.services.sms.config import _KNOWN_KEYS as SMS_KEYS
from workstation.services.sms.config import sms_gateway_from

if TYPE_CHECKING:
    from sqlalchemy import Engine

TOP_KEYS = ("database_url", "hub", "sms", "printing")
HUB_KEYS = ("url", "guid", "name")
GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
CONNECT_TIMEOUT_S = 5
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_TOML_END = re.compile(r"\s*\(at end of document\)")


@dataclass
class CheckReport:
    """The outcome: problems (numbered for the operator) and, when there are none, a summary."""

    path: Path
    problems: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def text(self) -> str:
        """What ``workstation config check`` prints."""
        if self.ok:
            lines = [f"Настройки в порядке: {self.path}"]
            lines += [f"  {line}" for line in self.summary]
            return "\n".join(lines)
        count = len(self.problems)
        lines = [f"Файл настроек {self.path}: {_problems(count)}"]
        lines += [f"{number}. {problem}" for number, problem in enumerate(self.problems, 1)]
        return "\n".join(lines)


def _problems(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} ошибка"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return f"{count} ошибки"
    return f"{count} ошибок"


def check_config_file(path: Path, *, connect: bool = False) -> CheckReport:
    """Check the config file at ``path`` (``connect``: also open the database)."""
    report = CheckReport(path)
    if not path.is_file():
        report.problems.append(
            f"файла нет. Образец с описанием каждого ключа — installer/workstation.toml.example "
            f"(в установленной программе — workstation.toml.example рядом с ней); "
            f"скопируйте его в {path} и исправьте."
        )
        return report
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        report.problems.append("файл не в кодировке UTF-8: сохраните его в UTF-8.")
        return report
    except OSError as error:
        report.problems.append(f"файл не прочитан: {error.strerror or error}.")
        return report
    check_config_text(text, report, connect=connect)
    return report


def check_config_text(text: str, report: CheckReport, *, connect: bool = False) -> None:
    """Check the text of a config file, adding to ``report``."""
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        report.problems.append(_syntax_problem(str(error), text))
        return
    _Checker(config, _KeyLines(text), report, connect=connect).run()


def _syntax_problem(message: str, text: str) -> str:
    position = _TOML_POSITION.search(message)
    reason = _TOML_POSITION.sub("", _TOML_END.sub("", message)).strip()
    if position is None:
        return f"ошибка синтаксиса TOML в конце файла: {reason}."
    line, column = int(position.group(1)), int(position.group(2))
    lines = text.splitlines()
    shown = f" — «{lines[line - 1].strip()}»" if 0 < line <= len(lines) else ""
    return f"строка {line}, столбец {column}: ошибка синтаксиса TOML ({reason}){shown}."


class _KeyLines:
    """Where each key is written: line numbers for messages (tomllib keeps none).

    A simple scan of ``[table]`` / ``[[array]]`` headers and ``key =`` lines; keys it cannot
    place (inline tables, dotted keys) get no line number.
    """

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, str], int] = {}
        self.tables: dict[str, int] = {}
        table = ""
        counts: dict[str, int] = {}
        in_multiline = False
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if in_multiline:
                in_multiline = line.count('"""') % 2 == 0 and line.count("'''") % 2 == 0
                continue
            if not line or line.startswith("#"):
                continue
            header = re.match(r"^(\[\[?)\s*([^\]]+?)\s*\]\]?", line)
            if header:
                name = header.group(2).replace('"', "").replace(" ", "")
                if header.group(1) == "[[":
                    counts[name] = counts.get(name, 0) + 1
                    table = f"{name}#{counts[name]}"
                else:
                    table = name
                self.tables.setdefault(table, number)
                continue
            key = re.match(r'^("[^"]*"|[A-Za-z0-9_-]+)\s*=', line)
            if key:
                self.keys.setdefault((table, key.group(1).strip('"')), number)
                rest = line[key.end():]
                if rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1:
                    in_multiline = True

    def at(self, table: str, key: str | None = None) -> str:
        """«строка N: » for a key (else its table's header), or nothing when unknown."""
        number = self.keys.get((table, key)) if key is not None else None
        if number is None:  # a missing key: the header of its table
            number = self.tables.get(table)
        return f"строка {number}: " if number is not None else ""


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"число {value}"
    if isinstance(value, str):
        return f"строка «{value}»"
    if isinstance(value, list):
        return "список"
    if isinstance(value, dict):
        return "таблица"
    if isinstance(value, dt.date | dt.time):
        return f"дата/время {value}"
    return type(value).__name__


def _suggestion(key: str, known: tuple[str, ...] | frozenset[str]) -> str:
    close = difflib.get_close_matches(key.lower(), sorted(known), n=1, cutoff=0.6)
    return f" Может быть, {close[0]}?" if close else ""


class _Checker:
    def __init__(
        self, config: dict[str, object], lines: _KeyLines, report: CheckReport, *, connect: bool
    ) -> None:
        self.config = config
        self.lines = lines
        self.report = report
        self.connect = connect

    def problem(self, text: str) -> None:
        self.report.problems.append(text)

    def note(self, text: str) -> None:
        self.report.summary.append(text)

    def unknown_keys(
        self, table: Mapping[str, object], known: tuple[str, ...] | frozenset[str],
        where: str, line_table: str,
    ) -> None:
        for key in table:
            if key not in known:
                # A key's own line, else the header of the table it names ([printer]).
                line = self.lines.at(line_table, key) or self.lines.at(
                    f"{line_table}.{key}" if line_table else key
                )
                self.problem(
                    f"{line}{where}{key}: неизвестный ключ, программа "
                    f"его не читает.{_suggestion(key, known)}"
                )

    def run(self) -> None:
        self.unknown_keys(self.config, TOP_KEYS, "", "")
        self.database()
        self.hubs()
        self.sms()
        self.printing()

    # -- database_url --------------------------------------------------------------------------

    def database(self) -> None:
        where = self.lines.at("", "database_url")
        if "database_url" not in self.config:
            self.note("база данных: не задана (database_url): нужен --db URL или --demo")
            return
        url = self.config["database_url"]
        if not isinstance(url, str) or not url.strip():
            self.problem(
                f"{where}database_url: нужен адрес базы данных в кавычках, например "
                f"«postgresql+psycopg://operator@db.example/registry»; указано {_kind(url)}."
            )
            return
        problem = check_database_url(url, connect=self.connect)
        if problem is not None:
            self.problem(f"{where}database_url: {problem}")
            return
        from sqlalchemy.engine import make_url

        shown = make_url(url).render_as_string(hide_password=True)
        checked = " (подключение проверено)" if self.connect else ""
        self.note(f"база данных: {shown}{checked}")
        if os.environ.get("WORKSTATION_DB"):
            self.note("внимание: переменная WORKSTATION_DB задана и заменяет database_url")

    # -- [[hub]] ---------------------------------------------------------------------------------

    def hubs(self) -> None:
        if "hub" not in self.config:
            self.note("сервисы записи: не заданы ([[hub]]); --demo запускает свой эмулятор")
            return
        entries = self.config["hub"]
        if isinstance(entries, dict):
            self.problem(
                f"{self.lines.at('hub')}[hub]: каждый сервис записи описывается таблицей "
                f"[[hub]] — в двойных квадратных скобках."
            )
            return
        if not isinstance(entries, list):
            self.problem(
                f"{self.lines.at('', 'hub')}hub: нужны таблицы [[hub]] с url и guid; "
                f"указано {_kind(entries)}."
            )
            return
        seen: dict[str, int] = {}
        for number, entry in enumerate(entries, 1):
            table = f"hub#{number}"
            where = f"[[hub]] №{number}"
            if not isinstance(entry, dict):
                self.problem(f"{where}: нужна таблица с url и guid; указано {_kind(entry)}.")
                continue
            self.unknown_keys(entry, HUB_KEYS, f"{where} ", table)
            self.hub(entry, number, table, where, seen)
        names = ", ".join(
            str(e.get("name") or e.get("url")) for e in entries if isinstance(e, dict)
        )
        self.note(f"сервисы записи: {len(entries)} ({names})")

    def hub(
        self, entry: dict[str, object], number: int, table: str, where: str, seen: dict[str, int]
    ) -> None:
        url = entry.get("url")
        if url is None:
            self.problem(f"{self.lines.at(table)}{where}: нет адреса url (HubService).")
        elif not isinstance(url, str):
            self.problem(
                f"{self.lines.at(table, 'url')}{where} url: нужна строка в кавычках; "
                f"указано {_kind(url)}."
            )
        else:
            problem = check_http_url(url)
            if problem is not None:
                self.problem(f"{self.lines.at(table, 'url')}{where} url: {problem}")
            elif url in seen:
                self.problem(
                    f"{self.lines.at(table, 'url')}{where} url: тот же адрес, что у [[hub]] "
                    f"№{seen[url]}; у каждого сервиса записи должен быть свой."
                )
            else:
                seen[url] = number
        guid = entry.get("guid")
        if guid is None:
            self.problem(
                f"{self.lines.at(table)}{where}: нет guid (токен клиентской системы, выдает "
                f"оператор платформы)."
            )
        elif not isinstance(guid, str) or not GUID.match(guid.strip()):
            self.problem(
                f"{self.lines.at(table, 'guid')}{where} guid: нужен GUID вида "
                f"«0b6f3c2a-7d41-4e8a-9c55-2f1e8d7a6b90» (32 шестнадцатеричные цифры с дефисами "
                f"8-4-4-4-12); указано {_kind(guid)}."
            )
        name = entry.get("name")
        if name is not None and not isinstance(name, str):
            self.problem(
                f"{self.lines.at(table, 'name')}{where} name: нужна строка в кавычках; "
                f"указано {_kind(name)}."
            )

    # -- [sms] -----------------------------------------------------------------------------------

    def sms(self) -> None:
        if "sms" not in self.config:
            self.note("СМС: только очередь исходящих (нет таблицы [sms])")
            return
        table = self.config["sms"]
        if not isinstance(table, dict):
            self.problem(f"{self.lines.at('', 'sms')}sms: нужна таблица [sms]; {_kind(table)}.")
            return
        self.unknown_keys(table, SMS_KEYS, "[sms] ", "sms")
        known = {key: value for key, value in table.items() if key in SMS_KEYS}
        if known.get("gateway", "outbox") == "http" and isinstance(known.get("url"), str):
            problem = check_http_url(str(known["url"]))
            if problem is not None:
                self.problem(f"{self.lines.at('sms', 'url')}[sms] url: {problem}")
                return
        try:
            sms_gateway_from(known)
        except ValueError as error:
            message = str(error)
            key = re.match(r"Настройка \[sms(?:\.(\w+))?\] ([\w-]+)", message)
            line = ""
            if key is not None:
                line = self.lines.at("sms" if key.group(1) is None else f"sms.{key.group(1)}",
                                     key.group(2))
            self.problem(f"{line}{message[0].lower()}{message[1:]}")
            return
        if known.get("gateway", "outbox") == "http":
            self.note(f"СМС: шлюз http, {known['url']}")
        else:
            self.note("СМС: только очередь исходящих (gateway = «outbox»)")

    # -- [printing] ------------------------------------------------------------------------------

    def printing(self) -> None:
        if "printing" not in self.config:
            self.note("печать: принтер по умолчанию системы, талон A6 (нет таблицы [printing])")
            return
        table = self.config["printing"]
        if not isinstance(table, dict):
            self.problem(
                f"{self.lines.at('', 'printing')}printing: нужна таблица [printing]; "
                f"{_kind(table)}."
            )
            return
        self.unknown_keys(table, PRINTING_KEYS, "[printing] ", "printing")
        printer = table.get("default_printer")
        if printer is not None and (not isinstance(printer, str) or not printer.strip()):
            self.problem(
                f"{self.lines.at('printing', 'default_printer')}[printing] default_printer: "
                f"нужно имя принтера в кавычках, как его показывает система; {_kind(printer)}."
            )
        fmt = table.get("ticket_format")
        if fmt is not None and (not isinstance(fmt, str) or fmt.lower() not in TICKET_FORMATS):
            self.problem(
                f"{self.lines.at('printing', 'ticket_format')}[printing] ticket_format: допустимы "
                f"«a6», «roll80» (чековая лента 80 мм) или «a4»; указано {_kind(fmt)}."
            )
        shown_printer = printer if isinstance(printer, str) and printer.strip() else "системы"
        shown_format = fmt if isinstance(fmt, str) else "a6"
        self.note(f"печать: принтер {shown_printer}, формат талона {shown_format}")


def check_http_url(url: str) -> str | None:
    """What is wrong with an http(s) address, or None."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError as error:
        return f"адрес «{url}» не разбирается ({error})."
    if parts.scheme not in ("http", "https"):
        return f"нужен адрес http:// или https://; указано «{url}»."
    if not parts.hostname:
        return f"в адресе «{url}» нет имени сервера."
    return None


def check_database_url(url: str, *, connect: bool = False) -> str | None:
    """What is wrong with a database URL (and, with ``connect``, with the database), or None."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    example = "«postgresql+psycopg://пользователь@сервер/база» или «sqlite:///путь/к/файлу.sqlite3»"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"адрес базы данных не разбирается; нужен вид {example}."
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        return (
            f"поддерживаются PostgreSQL и SQLite, указано «{parsed.drivername}»; "
            f"нужен вид {example}."
        )
    if backend == "sqlite":
        problem = _sqlite_problem(parsed.database)
        if problem is not None:
            return problem
    try:
        engine = create_engine(
            parsed,
            **({"connect_args": {"connect_timeout": CONNECT_TIMEOUT_S}}
               if backend == "postgresql" else {}),
        )
    except (NoSuchModuleError, ImportError) as error:
        return (
            f"драйвер «{parsed.drivername}» не установлен ({error}); для PostgreSQL пишите "
            f"«postgresql+psycopg://…»."
        )
    try:
        if connect:
            if backend == "sqlite" and not Path(str(parsed.database)).expanduser().exists():
                return (
                    f"файла базы {parsed.database} нет; его создаст `workstation db upgrade` "
                    f"(с этим же адресом)."
                )
            try:
                with engine.connect() as connection:
                    connection.execute(text("select 1"))
            except Exception as error:  # any failure to connect is the report
                first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
                return f"подключиться не удалось: {first}"
            return _schema_problem(engine)
    finally:
        engine.dispose()
    return None


def _sqlite_problem(database: str | None) -> str | None:
    if not database or database == ":memory:":
        return "база SQLite в памяти пропадает при выходе из программы; укажите файл."
    path = Path(database).expanduser()
    if not path.is_absolute():
        return (
            f"путь к файлу SQLite «{database}» относительный и зависит от текущего каталога; "
            f"укажите полный путь (sqlite:////полный/путь или sqlite:///C:/путь в Windows)."
        )
    if not path.parent.is_dir():
        return f"папки {path.parent} нет; создайте ее или исправьте путь."
    return None


def _schema_problem(engine: Engine) -> str | None:
    from workstation.services.database import current_revision, head_revision

    if current_revision(engine) != head_revision():
        return (
            "подключение есть, но схема базы устарела или не создана: выполните "
            "`workstation db upgrade`."
        )
    return None
