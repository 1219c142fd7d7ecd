"""The cache sync running behind the main window, reported in the status bar.

The sync does its own network concurrency and database transactions (services.sync); this
object only runs it on a Python thread and turns its progress into queued Qt signals.

The heap that exists when a sync starts (Qt wrappers, modules, the ORM, the window) is frozen out
of Python's cyclic garbage collector until the sync ends (``gc.freeze``). A collection holds the
GIL from start to end, and the sync allocates enough to trigger full collections: measured with
``python -m benchmarks.event_loop_stall``, one full collection of the window's heap triggered by
a sync thread stalled the event loop for about 110 ms; with the freeze, collections only walk
what the sync itself allocated.
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, Signal

from workstation.services.database import Database
from workstation.services.hub.client import HubClient
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.hub.errors import HubError
from workstation.services.sync import SyncProgress, sync_hub


class BackgroundSync(QObject):
    """Runs one sync of every endpoint at a time; signals arrive on the GUI thread."""

    progressed = Signal(int, int, str)  # done, total, institution
    finished = Signal(str)  # summary for the status bar
    failed = Signal(str)  # operator-facing message

    def __init__(self, database: Database, endpoints: list[HubEndpoint],
                 parent: QObject | None = None, *, days: int = 14) -> None:
        super().__init__(parent)
        self._database = database
        self._endpoints = endpoints
        self._days = days
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._owns_freeze = False

    @property
    def endpoints(self) -> list[HubEndpoint]:
        """The endpoints this sync reads."""
        return self._endpoints

    def is_running(self) -> bool:
        """True while a sync is in progress."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start a sync unless one is running; returns whether it started."""
        if self.is_running() or not self._endpoints:
            return False
        self._cancel.clear()
        # Someone froze the heap for good (at start-up): add to it and leave it frozen.
        self._owns_freeze = gc.get_freeze_count() == 0
        gc.freeze()
        self._thread = threading.Thread(target=self._run, name="background-sync", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        """Ask a running sync to stop after the institution in hand; ``finished`` then says
        so. Never waits (the operator's «Остановить» on the GUI thread)."""
        self._cancel.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask a running sync to stop after the institution in hand, and wait a little for it.

        The thread is a daemon: if a hub hangs past ``timeout`` the window still closes.
        """
        self._cancel.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _report(self, progress: SyncProgress) -> None:
        self.progressed.emit(progress.done, progress.total, progress.institution)

    def _run(self) -> None:
        try:
            self._sync_all()
        finally:
            if self._owns_freeze:
                gc.unfreeze()  # collectable again: nothing alive at the start leaks

    def _sync_all(self) -> None:
        lines: list[str] = []
        for endpoint in self._endpoints:
            client = HubClient(endpoint)
            try:
                summary = sync_hub(self._database, client, endpoint.url, days=self._days,
                                   progress=self._report, cancel=self._cancel)
            except HubError as error:
                self.failed.emit(error.message)
                return
            except Exception as error:  # a database failure must not kill the thread silently
                self.failed.emit(f"Ошибка обновления расписаний: {error}")
                return
            finally:
                client.close()
            if summary.cancelled:
                lines.append(
                    f"Обновление расписаний остановлено: обновлено учреждений "
                    f"{summary.institutions}; остальные — при следующем обновлении (F5)"
                )
                break
            slots = summary.changes["slots.inserted"] + summary.changes["slots.updated"]
            lines.append(
                f"Расписания обновлены: учреждений {summary.institutions}, "
                f"изменено слотов {slots}, ошибок {len(summary.failures)}"
            )
        self.finished.emit("; ".join(lines))
