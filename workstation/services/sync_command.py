"""``workstation sync``: the cache sync on the terminal, with progress and a summary."""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

from workstation.services.database import Database
from workstation.services.demo import demo_emulator
from workstation.services.hub.client import HubClient
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.hub.errors import HubError
from workstation.services.settings import configured_hubs
from workstation.services.sync import SyncProgress, sync_hub


class TerminalProgress:
    """One self-overwriting line on a terminal; one line per tenth otherwise (logs, CI)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self._last_tenth = -1

    def __call__(self, progress: SyncProgress) -> None:
        share = progress.done / progress.total if progress.total else 1.0
        line = f"[{progress.done}/{progress.total}] {share:4.0%} {progress.institution}"
        if self.interactive:
            self.stream.write("\r" + line[:100].ljust(100))
            if progress.done == progress.total:
                self.stream.write("\n")
        elif int(share * 10) != self._last_tenth:
            self._last_tenth = int(share * 10)
            self.stream.write(line + "\n")
        self.stream.flush()


def _endpoints(hub: str | None, guid: str | None) -> list[HubEndpoint]:
    if hub:
        return [HubEndpoint(hub, guid or "", hub)]
    return configured_hubs()


def run_sync(
    database_url: str,
    *,
    hub: str | None,
    guid: str | None,
    days: int,
    lpu_ids: list[int] | None,
    concurrency: int,
    demo: bool,
    out: TextIO = sys.stdout,
) -> int:
    """Sync every configured endpoint (or ``hub``); 0 when all succeeded, 1 otherwise."""
    with contextlib.ExitStack() as stack:
        endpoints = _endpoints(hub, guid)
        if not endpoints and demo:
            endpoints = [stack.enter_context(demo_emulator())]
        if not endpoints:
            print(
                "Не задан сервис записи: укажите --hub URL --guid G или [[hub]] в файле настроек.",
                file=sys.stderr,
            )
            return 2
        database = Database(database_url)
        stack.callback(database.dispose)
        failed = False
        for endpoint in endpoints:
            client = HubClient(endpoint)
            stack.callback(client.close)
            print(f"Синхронизация с {endpoint.name or endpoint.url} …", file=out)
            try:
                summary = sync_hub(
                    database, client, endpoint.url, days=days, lpu_ids=lpu_ids,
                    concurrency=concurrency, progress=TerminalProgress(out),
                )
            except HubError as error:
                print(f"Ошибка: {error.message}", file=out)
                failed = True
                continue
            print(summary.describe(), file=out)
            failed = failed or bool(summary.failures)
        return 1 if failed else 0
