"""The status bar's view of the hubs: a coloured dot per endpoint and the schedule cache's age.

Green: the newest thing known about the endpoint went well; red: it did not answer (a sync or a
booking call); grey: nothing known yet. The tooltip of a dot gives the address, the last
successful sync and the last error. The states come from ``services.hub_status`` through the
database worker (never on the GUI thread); booking calls report at once with
``set_endpoint_failed`` / ``set_endpoint_ok``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget
from sqlalchemy.orm import Session

from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.hub_status import (
    EndpointState,
    EndpointStatus,
    endpoint_states,
    schedule_age,
)
from workstation.services.hub_status import age_label as age_text
from workstation.ui.db_worker import DatabaseWorker, describe_error

AGE_INTERVAL_MS = 30_000
DOT = "●"
COLORS: dict[EndpointStatus, str] = {
    EndpointStatus.OK: "#2e7d32",
    EndpointStatus.FAILED: "#c62828",
    EndpointStatus.UNKNOWN: "#9e9e9e",
}

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def format_moment(moment: dt.datetime) -> str:
    """A recorded moment in the workstation's local time: «02.12.2026 14:05»."""
    return moment.astimezone().strftime("%d.%m.%Y %H:%M")


@dataclass(frozen=True)
class _Loaded:
    states: list[EndpointState]
    oldest_sync: dt.datetime | None  # now - schedule_age: the stalest institution's sync


@dataclass(frozen=True)
class _Override:
    """What a booking call said about an endpoint, newer than the last load."""

    status: EndpointStatus
    at: dt.datetime
    message: str


class HubStatusWidget(QWidget):
    """Dots for the endpoints and «кэш обновлен … назад», for ``QStatusBar.addPermanentWidget``."""

    refreshed = Signal()
    """A load finished and the dots and the label show it."""

    refreshFailed = Signal(str)
    """A load failed (the text is for the operator); the previous state stays shown."""

    def __init__(
        self,
        worker: DatabaseWorker,
        endpoints: Sequence[HubEndpoint],
        parent: QWidget | None = None,
        *,
        clock: Clock = _utc_now,
        age_interval_ms: int = AGE_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("hubStatus")
        self._worker = worker
        self._endpoints = list(endpoints)
        self._clock = clock
        self._states: dict[str, EndpointState] = {
            e.url: EndpointState(e.name, e.url, EndpointStatus.UNKNOWN, None)
            for e in self._endpoints
        }
        self._overrides: dict[str, _Override] = {}
        self._oldest_sync: dt.datetime | None = None
        self._loaded = False
        self._pending: int | None = None

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._dots: dict[str, QLabel] = {}
        for endpoint in self._endpoints:
            dot = QLabel(DOT, self)
            dot.setObjectName("hubDot")
            dot.setAccessibleName(endpoint.name or endpoint.url)
            self._dots[endpoint.url] = dot
            layout.addWidget(dot)
        self._age_label = QLabel(self)
        self._age_label.setObjectName("cacheAgeLabel")
        layout.addWidget(self._age_label)

        self._age_timer = QTimer(self)
        self._age_timer.setInterval(age_interval_ms)
        self._age_timer.timeout.connect(self._on_age_timer)
        self._age_timer.start()
        for url in self._dots:
            self._show(url)
        self._age_label.setText(self.tr("кэш: загрузка…"))

    # --- public API -----------------------------------------------------------------------------

    @property
    def endpoints(self) -> list[HubEndpoint]:
        return list(self._endpoints)

    @property
    def age_label(self) -> QLabel:
        """The «кэш обновлен … назад» label."""
        return self._age_label

    @property
    def age_timer(self) -> QTimer:
        """The timer that refreshes the age (and the dots) every 30 s."""
        return self._age_timer

    @property
    def is_refreshing(self) -> bool:
        """True while a load is awaited."""
        return self._pending is not None

    def dot(self, url: str) -> QLabel:
        """The dot of the endpoint at ``url``."""
        return self._dots[url]

    def status(self, url: str) -> EndpointStatus:
        """What the dot of ``url`` shows."""
        return self._shown(url)[0]

    def dot_color(self, url: str) -> str:
        """The colour (``#rrggbb``) of the dot of ``url``."""
        return COLORS[self.status(url)]

    def state(self, url: str) -> EndpointState:
        """The last loaded state of ``url`` (without the booking calls' updates)."""
        return self._states[url]

    def refresh(self) -> None:
        """Load the endpoints' states and the cache age on the database worker."""
        if self._pending is not None or not self._worker.is_running:
            return
        endpoints = list(self._endpoints)
        clock = self._clock
        urls = [e.url for e in endpoints] or None

        def job(session: Session) -> _Loaded:
            now = clock()
            age = schedule_age(session, now, endpoint_urls=urls)
            return _Loaded(endpoint_states(session, endpoints, now),
                           None if age is None else now - age)

        self._pending = self._worker.submit(job, self._on_loaded, self._on_failed, owner=self)

    def set_endpoint_failed(self, url: str, message: str) -> None:
        """A call to ``url`` got no answer just now: red until something newer says otherwise."""
        if url in self._dots:
            self._overrides[url] = _Override(EndpointStatus.FAILED, self._clock(), message)
            self._show(url)

    def set_endpoint_ok(self, url: str) -> None:
        """A call to ``url`` was answered just now: green."""
        if url in self._dots:
            self._overrides[url] = _Override(EndpointStatus.OK, self._clock(), "")
            self._show(url)

    # --- internals ----------------------------------------------------------------------------

    def _on_loaded(self, loaded: _Loaded) -> None:
        self._pending = None
        self._loaded = True
        for state in loaded.states:
            self._states[state.url] = state
            override = self._overrides.get(state.url)
            recorded = [m for m in (state.last_success_at, state.last_failure_at) if m]
            if override is not None and recorded and max(recorded) >= override.at:
                del self._overrides[state.url]  # the database knows something newer
            self._show(state.url)
        self._oldest_sync = loaded.oldest_sync
        self._update_age()
        self.refreshed.emit()

    def _on_failed(self, error: BaseException) -> None:
        self._pending = None
        message = self.tr("Состояние сервисов записи не загружено: {0}").format(
            describe_error(error)
        )
        self._age_label.setToolTip(message)
        self.refreshFailed.emit(message)

    def _on_age_timer(self) -> None:
        self._update_age()
        self.refresh()

    def _update_age(self) -> None:
        if not self._loaded:
            return
        age = None if self._oldest_sync is None else self._clock() - self._oldest_sync
        self._age_label.setText(age_text(age))
        if self._oldest_sync is None:
            self._age_label.setToolTip(
                self.tr("Расписания еще не загружались из сервиса записи (F5 — обновить).")
            )
        else:
            self._age_label.setToolTip(
                self.tr("Самое давнее обновление расписания учреждения: {0}").format(
                    format_moment(self._oldest_sync)
                )
            )

    def _shown(self, url: str) -> tuple[EndpointStatus, dt.datetime | None, str]:
        """Status, moment of the failure and its message as the dot shows them."""
        override = self._overrides.get(url)
        if override is not None:
            return override.status, override.at, override.message
        state = self._states[url]
        return state.status, state.last_failure_at, state.last_error

    def _show(self, url: str) -> None:
        status, failed_at, message = self._shown(url)
        state = self._states[url]
        dot = self._dots[url]
        dot.setStyleSheet(f"color: {COLORS[status]};")
        dot.setProperty("status", status.value)
        lines = [state.label if state.name else self.tr("Сервис записи")]
        lines.append(self.tr("Адрес: {0}").format(url))
        if status is EndpointStatus.UNKNOWN:
            lines.append(self.tr("Состояние: нет сведений (синхронизация еще не выполнялась)"))
        elif status is EndpointStatus.OK:
            lines.append(self.tr("Состояние: на связи"))
        else:
            lines.append(self.tr("Состояние: нет связи"))
        if state.last_success_at is not None:
            lines.append(self.tr("Последняя успешная синхронизация: {0}").format(
                format_moment(state.last_success_at)))
        else:
            lines.append(self.tr("Успешных синхронизаций не было"))
        if status is EndpointStatus.FAILED:
            when = format_moment(failed_at) if failed_at is not None else ""
            lines.append(self.tr("Последняя ошибка ({0}): {1}").format(when, message))
        if state.running:
            lines.append(self.tr("Идет синхронизация…"))
        dot.setToolTip("\n".join(lines))
