"""The ``workstation`` command: the GUI, the demo, and maintenance subcommands."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workstation import __version__

NO_DATABASE = (
    "База данных не настроена. Запустите `workstation --demo` для демонстрационной базы, "
    "укажите `--db URL` или задайте database_url в файле настроек {config}."
)


def _database_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    source = options.add_mutually_exclusive_group()
    source.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="SQLAlchemy URL: sqlite:///файл или postgresql+psycopg://пользователь@хост/база",
    )
    source.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="демонстрационная база SQLite в каталоге данных пользователя "
        "(создается при первом запуске)",
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``workstation`` command."""
    database = _database_options()
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="АРМ оператора «Электронной регистратуры» ХМАО-Югры",
        parents=[database],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        type=Path,
        help="построить главное окно без экрана, дождаться загрузки данных, сохранить PNG и выйти",
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="режим киоска для пациентов: полноэкранное окно с входом в личный кабинет, "
        "обратной связью и справочными страницами (с --screenshot — снимок киоска)",
    )
    commands = parser.add_subparsers(dest="command", metavar="КОМАНДА")
    db = commands.add_parser("db", help="обслуживание базы данных", parents=[database])
    db_commands = db.add_subparsers(dest="db_command", metavar="ДЕЙСТВИЕ", required=True)
    db_commands.add_parser(
        "upgrade", help="применить миграции схемы до последней версии", parents=[database]
    )
    sync = commands.add_parser(
        "sync", help="обновить кэш расписаний из сервиса записи (HubService)", parents=[database]
    )
    sync.add_argument("--hub", metavar="URL", help="адрес HubService (иначе из файла настроек)")
    sync.add_argument("--guid", metavar="G", help="guid клиентской системы для --hub")
    sync.add_argument("--days", type=int, default=14, help="на сколько дней вперед (14)")
    sync.add_argument("--lpu", type=int, nargs="+", metavar="ID", help="только эти IdLPU")
    sync.add_argument(
        "--concurrency", type=int, default=4, help="сколько учреждений читать одновременно (4)"
    )
    _add_lifecycle_commands(commands, database)
    _add_staff_commands(commands, database)
    _add_district_commands(commands, database)
    from workstation.services.config_command import add_config_commands

    add_config_commands(commands)
    print_ticket = commands.add_parser(
        "print-ticket", help="сохранить талон из базы в PDF", parents=[database]
    )
    print_ticket.add_argument("ticket", metavar="НОМЕР", help="номер талона")
    print_ticket.add_argument(
        "--format", choices=["a6", "roll80", "a4"], default="a6",
        help="A6 (по умолчанию), чековая лента 80 мм или A4",
    )
    print_ticket.add_argument("--pdf", type=Path, required=True, metavar="ФАЙЛ")
    return parser


def _add_lifecycle_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    bookings = commands.add_parser(
        "bookings",
        help="записи на прием: запись, подтверждение, отмена, сверка с ЛПУ",
        parents=[database],
    )
    actions = bookings.add_subparsers(dest="bookings_command", metavar="ДЕЙСТВИЕ", required=True)
    book = actions.add_parser(
        "book", help="записать пациента на талон (удержание и запись в ЛПУ)", parents=[database]
    )
    book.add_argument("--slot", type=int, required=True, metavar="ID", help="талон (id в кэше)")
    book.add_argument("--patient", type=int, required=True, metavar="ID", help="пациент (id)")
    book.add_argument(
        "--phone", help="мобильный телефон: запись подтверждается кодом из СМС (Вариант 1)"
    )
    confirm = actions.add_parser(
        "confirm", help="подтвердить запись кодом из СМС", parents=[database]
    )
    confirm.add_argument("ticket", metavar="ТАЛОН")
    confirm.add_argument("code", metavar="КОД")
    cancel = actions.add_parser("cancel", help="отменить посещение", parents=[database])
    cancel.add_argument("ticket", metavar="ТАЛОН")
    show = actions.add_parser("show", help="показать талон", parents=[database])
    show.add_argument("ticket", metavar="ТАЛОН")
    reconcile = actions.add_parser(
        "reconcile",
        help="сверить незавершенные запросы записи и отмены с ЛПУ",
        parents=[database],
    )
    reconcile.add_argument(
        "--older-than",
        type=float,
        metavar="СЕК",
        help="только запросы старше стольких секунд (по умолчанию 90: запрос другого рабочего "
        "места может быть еще в пути; 0 — когда известно, что других нет)",
    )
    jobs = commands.add_parser(
        "jobs", help="фоновые задачи записи (для планировщика)", parents=[database]
    )
    job_actions = jobs.add_subparsers(dest="jobs_command", metavar="ДЕЙСТВИЕ", required=True)
    run_once = job_actions.add_parser(
        "run-once",
        help="один проход: снять истекшие удержания, сверить, аннулировать неподтвержденные "
        "записи, напоминания, отправить СМС",
        parents=[database],
    )
    run_once.add_argument("--older-than", type=float, metavar="СЕК", help="как у reconcile")
    sms = commands.add_parser("sms", help="СМС пациентам", parents=[database])
    sms_actions = sms.add_subparsers(dest="sms_command", metavar="ДЕЙСТВИЕ", required=True)
    outbox = sms_actions.add_parser("outbox", help="последние СМС (исходящие)", parents=[database])
    outbox.add_argument("--limit", type=int, default=50, help="сколько показать (50)")
    sms_actions.add_parser(
        "send", help="отправить СМС из очереди через шлюз из настроек", parents=[database]
    )


def _add_staff_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    staff = commands.add_parser(
        "staff", help="сотрудники: учетные записи для входа в программу", parents=[database]
    )
    actions = staff.add_subparsers(dest="staff_command", metavar="ДЕЙСТВИЕ", required=True)
    add = actions.add_parser(
        "add",
        help="добавить сотрудника (пароль спрашивается; без терминала — первая строка ввода)",
        parents=[database],
    )
    add.add_argument("--role", required=True, choices=["operator", "clerk", "admin"],
                     help="оператор контакт-центра, регистратор или администратор")
    add.add_argument("--name", default="", metavar="ФИО", help="фамилия, имя, отчество")
    add.add_argument("login", metavar="ЛОГИН", help="латинские буквы, цифры, «.», «_», «-»")
    actions.add_parser("list", help="список сотрудников", parents=[database])
    passwd = actions.add_parser(
        "passwd", help="задать новый пароль (сотрудник сменит его при входе)", parents=[database]
    )
    passwd.add_argument("login", metavar="ЛОГИН")
    for name, what in (("disable", "отключить"), ("enable", "включить")):
        action = actions.add_parser(name, help=f"{what} учетную запись", parents=[database])
        action.add_argument("login", metavar="ЛОГИН")


def _resolve_database(args: argparse.Namespace) -> str | None:
    from workstation.services.settings import configured_database_url

    if getattr(args, "demo", False):
        from workstation.services.demo import prepare_demo_database

        return prepare_demo_database(report=lambda line: print(line, file=sys.stderr))
    return configured_database_url(getattr(args, "db", None))


def _no_database() -> int:
    from workstation.services.settings import locations

    print(NO_DATABASE.format(config=locations().config_file), file=sys.stderr)
    return 2


def _db_upgrade(args: argparse.Namespace) -> int:
    from workstation.services.database import Database

    url = _resolve_database(args)
    if url is None:
        return _no_database()
    database = Database(url)
    try:
        database.upgrade()
        print(f"Схема базы данных обновлена до последней версии: {database.engine.url!r}")
    finally:
        database.dispose()
    return 0


def _run_gui(args: argparse.Namespace) -> int:
    if args.screenshot is not None:
        # Must be set before Qt is imported: there may be no display at all (CI).
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    url = _resolve_database(args)
    if url is None:
        return _no_database()
    from workstation.services.database import Database

    database = Database(url)
    try:
        if not database.is_current():
            print(
                "Схема базы данных устарела или не создана: выполните `workstation db upgrade`.",
                file=sys.stderr,
            )
            return 2
    finally:
        database.dispose()
    os.environ.setdefault("QT_API", "pyside6")
    from workstation.services.settings import configured_hubs
    from workstation.ui.app import run_gui

    demo = bool(getattr(args, "demo", False))
    endpoints = configured_hubs()
    with contextlib.ExitStack() as stack:
        if demo and not endpoints:
            # The demo needs nothing else running: its own LPU emulator on a free local port
            # (the screenshot, too, shows a schedule synced from it).
            from workstation.services.demo import demo_emulator

            endpoints = [stack.enter_context(demo_emulator())]
        if getattr(args, "kiosk", False):
            from workstation.ui.app import run_kiosk

            return run_kiosk(url, endpoints=endpoints, screenshot=args.screenshot)
        banner = "Демонстрационная база данных" if demo else None
        exit_code: int = run_gui(
            url,
            screenshot=args.screenshot,
            banner=banner,
            endpoints=endpoints,
            sync_on_start=demo and args.screenshot is None,
            demo=demo,
        )
    return exit_code


def _sync(args: argparse.Namespace) -> int:
    from workstation.services.sync_command import run_sync

    url = _resolve_database(args)
    if url is None:
        return _no_database()
    return run_sync(
        url,
        hub=args.hub,
        guid=args.guid,
        days=args.days,
        lpu_ids=args.lpu,
        concurrency=args.concurrency,
        demo=bool(getattr(args, "demo", False)),
    )


def _lifecycle(args: argparse.Namespace) -> int:
    from workstation.services.booking import command

    url = _resolve_database(args)
    if url is None:
        return _no_database()
    if args.command == "sms":
        from workstation.services.sms.command import run_dispatch, run_outbox

        if args.sms_command == "outbox":
            return run_outbox(url, limit=args.limit)
        return run_dispatch(url)
    context = command.CommandContext(url, demo=bool(getattr(args, "demo", False)))
    if args.command == "jobs":
        return command.run_jobs(context, older_than=args.older_than)
    match args.bookings_command:
        case "book":
            return command.run_book(
                context, slot_id=args.slot, patient_id=args.patient, phone=args.phone
            )
        case "confirm":
            return command.run_confirm(context, ticket=args.ticket, code=args.code)
        case "cancel":
            return command.run_cancel(context, ticket=args.ticket)
        case "show":
            return command.run_show(context, ticket=args.ticket)
        case _:
            return command.run_reconcile(context, older_than=args.older_than)


def _staff(args: argparse.Namespace) -> int:
    from workstation.models import StaffRole
    from workstation.services import staff_command

    url = _resolve_database(args)
    if url is None:
        return _no_database()
    match args.staff_command:
        case "add":
            return staff_command.run_add(url, args.login, StaffRole(args.role), args.name)
        case "list":
            return staff_command.run_list(url)
        case "passwd":
            return staff_command.run_passwd(url, args.login)
        case command:
            return staff_command.run_set_active(url, args.login, command == "enable")


def _add_district_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    districts = commands.add_parser(
        "districts", help="участки и реестр адресов: импорт, проверка, поиск участка",
        parents=[database],
    )
    actions = districts.add_subparsers(dest="districts_command", metavar="ДЕЙСТВИЕ", required=True)
    load = actions.add_parser(
        "import", help="импорт CSV: участки учреждения или улицы и дома (все строки или ни одной)",
        parents=[database],
    )
    load.add_argument("file", type=Path, metavar="ФАЙЛ", help="CSV в UTF-8 с заголовком")
    load.add_argument("--institution", type=int, metavar="IdLPU",
                      help="файл участков одного учреждения (столбец «учреждение» можно опустить)")
    load.add_argument("--kind", choices=["districts", "addresses"], default="districts",
                      help="участки (по умолчанию) или адреса (улицы и дома)")
    check = actions.add_parser(
        "check", help="найти дома, отнесенные к двум участкам одного типа", parents=[database]
    )
    check.add_argument("--institution", type=int, metavar="IdLPU", help="только это учреждение")
    find = actions.add_parser("find", help="поиск участка по адресу", parents=[database])
    find.add_argument("--institution", type=int, required=True, metavar="IdLPU")
    find.add_argument("street", metavar="УЛИЦА")
    find.add_argument("house", metavar="ДОМ")


def _districts(args: argparse.Namespace) -> int:
    from workstation.services import district_command

    url = _resolve_database(args)
    if url is None:
        return _no_database()
    match args.districts_command:
        case "import":
            return district_command.run_import(
                url, args.file, institution=args.institution, kind=args.kind
            )
        case "check":
            return district_command.run_check(url, institution=args.institution)
        case _:
            return district_command.run_find(
                url, institution=args.institution, street=args.street, house=args.house
            )


def _print_ticket(args: argparse.Namespace) -> int:
    from workstation.services.tickets.command import run_print_ticket

    url = _resolve_database(args)
    if url is None:
        return _no_database()
    return run_print_ticket(url, args.ticket, fmt=args.format, pdf=args.pdf)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workstation`` command."""
    args = build_parser().parse_args(argv)
    if args.command == "db":
        return _db_upgrade(args)
    if args.command == "sync":
        return _sync(args)
    if args.command in ("bookings", "jobs", "sms"):
        return _lifecycle(args)
    if args.command == "staff":
        return _staff(args)
    if args.command == "districts":
        return _districts(args)
    if args.command == "print-ticket":
        return _print_ticket(args)
    if args.command == "config":
        from workstation.services.config_command import run_config

        return run_config(args)
    return _run_gui(args)
