"""``workstation config check [--file PATH] [--connect]`` and ``workstation config path``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workstation.services.settings import locations


def add_config_commands(commands: Any) -> None:
    """The ``config`` subcommand and its actions, on the ``workstation`` parser's subparsers."""
    config = commands.add_parser("config", help="файл настроек рабочего места (workstation.toml)")
    actions = config.add_subparsers(dest="config_command", metavar="ДЕЙСТВИЕ", required=True)
    check = actions.add_parser(
        "check", help="проверить файл настроек и сказать, что в нем не так (код выхода 0 или 1)"
    )
    check.add_argument(
        "--file", type=Path, metavar="ФАЙЛ",
        help="проверить этот файл (по умолчанию — файл настроек этого пользователя)",
    )
    check.add_argument(
        "--connect", action="store_true",
        help="еще и подключиться к базе данных из database_url и проверить ее схему",
    )
    actions.add_parser("path", help="где лежит файл настроек")


def run_config(args: argparse.Namespace) -> int:
    """Run ``workstation config …``; the exit code."""
    if args.config_command == "path":
        path = locations().config_file
        print(path)
        if not path.exists():
            print(
                "(файла пока нет: образец — workstation.toml.example из поставки)", file=sys.stderr
            )
        return 0
    from workstation.services.config_check import check_config_file

    path = args.file.expanduser() if args.file is not None else locations().config_file
    report = check_config_file(path, connect=args.connect)
    print(report.text())
    return 0 if report.ok else 1
