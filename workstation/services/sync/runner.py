"""One sync of the schedule cache from one hub endpoint.

The network work for several institutions runs concurrently (bounded); the database writes
happen one institution at a time on the calling thread, each in its own transaction, so SQLite
sees a single writer and a failing institution does not undo the others.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from sqlalchemy import select

from workstation.models import Institution, SyncRun
from workstation.services.database import Database
from workstation.services.hub.errors import HubError
from workstation.services.hub.results import Clinic
from workstation.services.sync.fetch import (
    HubReader,
    InstitutionSnapshot,
    fetch_institution,
    schedule_window,
)
from workstation.services.sync.store import (
    Changes,
    store_clinics,
    store_districts,
    store_snapshot,
)


@dataclass(frozen=True)
class SyncProgress:
    """Where a running sync is: ``done`` of ``total`` institutions, the last one's name."""

    done: int
    total: int
    institution: str


@dataclass
class SyncSummary:
    """What a sync changed, what failed, and how long it took."""

    endpoint_url: str
    institutions: int = 0
    changes: Changes = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    cancelled: bool = False

    def describe(self) -> str:
        """A few lines for the terminal and the sync journal (Russian)."""
        names = {
            "districts": "районы", "institutions": "учреждения", "specialties": "специальности",
            "doctors": "врачи", "slots": "слоты",
        }
        lines = [f"Синхронизация {self.endpoint_url}: учреждений {self.institutions}, "
                 f"{self.seconds:.1f} с"]
        for kind, label in names.items():
            parts = [f"{verb} {self.changes[f'{kind}.{verb}']}"
                     for verb in ("inserted", "updated", "taken")
                     if self.changes.get(f"{kind}.{verb}")]
            if parts:
                lines.append(f"  {label}: " + ", ".join(parts)
                             .replace("inserted", "новых").replace("updated", "изменено")
                             .replace("taken", "заняты"))
        if not any(self.changes.values()):
            lines.append("  изменений нет")
        if self.cancelled:
            lines.append("  прервана до завершения")
        for name, error in self.failures.items():
            lines.append(f"  ошибка: {name}: {error}")
        return "\n".join(lines)


def sync_hub(
    database: Database,
    hub: HubReader,
    endpoint_url: str,
    *,
    days: int = 14,
    lpu_ids: Iterable[int] | None = None,
    concurrency: int = 4,
    progress: Callable[[SyncProgress], None] | None = None,
    today: dt.date | None = None,
    cancel: threading.Event | None = None,
) -> SyncSummary:
    """Pull districts, institutions, specialties, doctors and free slots into the cache.

    Setting ``cancel`` stops the sync after the institution being written: what was written
    stays, institutions not yet read are not read (``summary.cancelled``).
    """
    started = time.perf_counter()
    summary = SyncSummary(endpoint_url=endpoint_url)
    try:
        with database.session() as session:
            run = SyncRun(endpoint_url=endpoint_url)
            session.add(run)
            store_districts(session, hub.get_district_list(), summary.changes)
            session.flush()
            clinics = hub.get_lpu_list(None)
            store_clinics(session, endpoint_url, clinics, summary.changes)
            run_id = run.id
    except HubError as error:
        # The hub did not give its directory: the run is rolled back with the directory, so
        # it is recorded apart, finished with the error (the status bar shows it).
        with database.session() as session:
            session.add(SyncRun(endpoint_url=endpoint_url, finished_at=dt.datetime.now(dt.UTC),
                                summary=f"Синхронизация {endpoint_url}: справочник не получен",
                                failures=error.message))
        raise
    wanted = set(lpu_ids) if lpu_ids is not None else None
    chosen = [c for c in clinics if c.is_active and (wanted is None or c.id_lpu in wanted)]
    summary.institutions = len(chosen)
    window = schedule_window(days, today)

    with ThreadPoolExecutor(max_workers=max(1, concurrency),
                            thread_name_prefix="sync") as pool:
        futures: dict[Future[InstitutionSnapshot], Clinic] = {
            pool.submit(fetch_institution, hub, clinic, window): clinic for clinic in chosen
        }
        for done, future in enumerate(as_completed(futures), start=1):
            if cancel is not None and cancel.is_set():
                summary.cancelled = True
                pool.shutdown(wait=False, cancel_futures=True)
                break
            clinic = futures[future]
            name = clinic.short_name or clinic.full_name
            try:
                snapshot = future.result()
                with database.session() as session:
                    institution = session.scalars(
                        select(Institution).where(Institution.hub_id == clinic.id_lpu)
                    ).one()
                    store_snapshot(session, institution, snapshot, summary.changes)
            except HubError as error:
                summary.failures[name] = error.message
            if progress is not None:
                progress(SyncProgress(done=done, total=len(chosen), institution=name))

    summary.seconds = time.perf_counter() - started
    with database.session() as session:
        run = session.get_one(SyncRun, run_id)
        run.finished_at = dt.datetime.now(dt.UTC)
        run.summary = summary.describe()
        run.failures = "\n".join(f"{k}: {v}" for k, v in summary.failures.items())
    return summary
