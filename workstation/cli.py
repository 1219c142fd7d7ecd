"""The ``workstation`` command: the GUI, the demo, and maintenance subcommands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from workstation import __version__

NO_DATABASE = (
    "База данных не настроена. Запустите `workstation --demo` для демонстрационной базы, "
    "укажите `--db URL` или задайте database_url в файле настроек {config}."
)


def _database_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    source = options.add_mutually_exclusive_group()
    source.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS,
        help="SQLAlchemy URL: sqlite:///файл или postgresql+psycopg://пользователь@хост/база",
    )
    source.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS,
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
        "--screenshot", metavar="FILE", type=Path,
        help="построить главное окно без экрана, дождаться загрузки данных, сохранить PNG и выйти",
    )
    commands = parser.add_subparsers(dest="command", metavar="КОМАНДА")
    db = commands.add_parser("db", help="обслуживание базы данных", parents=[database])
    db_commands = db.add_subparsers(dest="db_command", metavar="ДЕЙСТВИЕ", required=True)
    db_commands.add_parser(
        "upgrade", help="применить миграции схемы до последней версии", parents=[database]
    )
    return parser


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
    from workstation.ui.app import run_gui

    banner = "Демонстрационная база данных" if getattr(args, "demo", False) else None
    exit_code: int = run_gui(url, screenshot=args.screenshot, banner=banner)
    return exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workstation`` command."""
    args = build_parser().parse_args(argv)
    if args.command == "db":
        return _db_upgrade(args)
    return _run_gui(args)
