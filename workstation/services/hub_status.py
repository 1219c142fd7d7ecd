"""How the hub endpoints and the schedule cache are doing, for the status bar (no Qt).

What is known comes from what the workstation records:

* ``SyncRun`` rows (services.sync): a run is added when a sync starts and completed with
  ``finished_at``, a summary and the per-institution ``failures`` when it ends; a sync whose
  hub did not answer the directory at all is recorded finished with that error;
* journal events the connector writes when a booking or a refusal got no answer from an LPU
  (``hub.journal_sink``): their details name the service address (``адрес сервиса URL;``).

The newest of these events decides an endpoint's state.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from workstation.models import Institution, JournalEvent, SyncRun
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.hub.journal_sink import BOOKING_UNAVAILABLE, REFUSAL_UNAVAILABLE

# What ``SyncSummary.describe()`` writes into a run cancelled by the operator (closing the
# window): neither a success nor a failure.
CANCELLED_MARK = "прервана до завершения"
# A run started this long ago and still not finished was interrupted (the program was killed
# or the computer turned off), not running.
STALE_RUN = dt.timedelta(hours=1)
_UNAVAILABLE_ACTIONS = (BOOKING_UNAVAILABLE, REFUSAL_UNAVAILABLE)
_MESSAGE_LINES = 5


class EndpointStatus(enum.StrEnum):
    OK = "ok"
    """The newest thing known is a sync that finished with every institution read."""
    FAILED = "failed"
    """The newest thing known is a failure: the hub (or some LPU behind it) did not answer."""
    UNKNOWN = "unknown"
    """Nothing recorded yet for this endpoint."""


@dataclass(frozen=True)
class EndpointState:
    """One endpoint as the status bar shows it."""

    name: str
    url: str
    status: EndpointStatus
    last_success_at: dt.datetime | None
    """When the newest sync that read every institution finished."""
    last_failure_at: dt.datetime | None = None
    """When the newest event failed; set only when ``status`` is ``FAILED``."""
    last_error: str = ""
    """What failed (operator-facing, Russian); set only when ``status`` is ``FAILED``."""
    running: bool = False
    """A sync of this endpoint started and has not finished (within ``STALE_RUN``)."""

    @property
    def label(self) -> str:
        """The endpoint's name for the operator, its URL when it has none."""
        return self.name or self.url


def _shorten(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) > _MESSAGE_LINES:
        more = len(lines) - _MESSAGE_LINES
        lines = [*lines[:_MESSAGE_LINES], f"… и ещё {more}"]
    return "\n".join(lines)


def _successful() -> ColumnElement[bool]:
    return and_(
        SyncRun.finished_at.is_not(None),
        SyncRun.failures == "",
        not_(SyncRun.summary.contains(CANCELLED_MARK, autoescape=True)),
    )


def _endpoint_state(session: Session, endpoint: HubEndpoint, now: dt.datetime) -> EndpointState:
    url = endpoint.url
    last_success = session.scalar(
        select(func.max(SyncRun.finished_at)).where(SyncRun.endpoint_url == url, _successful())
    )
    # The newest runs that are not cancellations, newest first; the first finished one (or an
    # unfinished one gone stale) is the verdict of the sync history.
    runs = session.scalars(
        select(SyncRun)
        .where(
            SyncRun.endpoint_url == url,
            or_(
                SyncRun.finished_at.is_(None),
                not_(SyncRun.summary.contains(CANCELLED_MARK, autoescape=True)),
            ),
        )
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(20)
    ).all()
    running = False
    failure: tuple[dt.datetime, str] | None = None
    for run in runs:
        if run.finished_at is None:
            if now - run.started_at < STALE_RUN:
                running = True
                continue
            failure = (run.started_at, "Синхронизация прервана и не завершена.")
            break
        if run.failures:
            failure = (run.finished_at, _shorten(run.failures))
        break

    # A booking or a refusal that got no answer after the last good sync.
    journal_filter = [
        JournalEvent.action.in_(_UNAVAILABLE_ACTIONS),
        JournalEvent.details.contains(f"адрес сервиса {url};", autoescape=True),
    ]
    if last_success is not None:
        journal_filter.append(JournalEvent.at > last_success)
    event = session.scalars(
        select(JournalEvent).where(*journal_filter).order_by(JournalEvent.at.desc()).limit(1)
    ).first()
    if event is not None and (failure is None or event.at > failure[0]):
        failure = (event.at, _shorten(f"{event.action}: {event.details}"))

    if failure is not None and (last_success is None or failure[0] >= last_success):
        return EndpointState(endpoint.name, url, EndpointStatus.FAILED, last_success,
                             failure[0], failure[1], running)
    if last_success is not None:
        return EndpointState(endpoint.name, url, EndpointStatus.OK, last_success,
                             running=running)
    return EndpointState(endpoint.name, url, EndpointStatus.UNKNOWN, None, running=running)


def endpoint_states(
    session: Session, endpoints: Sequence[HubEndpoint], now: dt.datetime
) -> list[EndpointState]:
    """The state of each endpoint, in the order given.

    ``OK``: the newest event is a sync that finished reading every institution. ``FAILED``: the
    newest event is a failure — a sync the hub did not answer, a sync in which some
    institutions could not be read (their MIS did not answer: the cache is stale for them),
    a sync left unfinished for over ``STALE_RUN``, or a booking or refusal that got no answer.
    ``UNKNOWN``: nothing recorded. A sync cancelled by the operator counts as neither; one in
    progress sets ``running`` and leaves the verdict of the previous events.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return [_endpoint_state(session, endpoint, now) for endpoint in endpoints]


def schedule_age(
    session: Session, now: dt.datetime, *, endpoint_urls: Collection[str] | None = None
) -> dt.timedelta | None:
    """How old the cached schedule is: ``now`` minus the *oldest* ``synced_at`` among the
    active institutions that were ever synced (of ``endpoint_urls`` when given); ``None`` when
    none was.

    The oldest, not the newest: the operator books in any institution and the cache is only as
    fresh as its stalest part. If one polyclinic's MIS has not answered for two days, «обновлен
    2 мин назад» (true of the others) would hide that its free slots are two days old. Inactive
    institutions (the hub lists them as closed) are left out: they are not synced any more and
    nobody books there.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    query = select(func.min(Institution.synced_at)).where(
        Institution.synced_at.is_not(None), Institution.is_active.is_(True)
    )
    if endpoint_urls is not None:
        query = query.where(Institution.endpoint_url.in_(list(endpoint_urls)))
    oldest = session.scalar(query)
    if oldest is None:
        return None
    return max(now - oldest, dt.timedelta(0))


def age_label(age: dt.timedelta | None) -> str:
    """«кэш обновлен 2 мин назад», «… 3 ч назад», «… 2 дн. назад», «кэш не загружался»."""
    if age is None:
        return "кэш не загружался"
    seconds = age.total_seconds()
    if seconds < 60:
        return "кэш обновлен только что"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"кэш обновлен {minutes} мин назад"
    hours = minutes // 60
    if hours < 24:
        return f"кэш обновлен {hours} ч назад"
    return f"кэш обновлен {hours // 24} дн. назад"
