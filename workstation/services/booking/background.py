"""The lifecycle job as the workstation runs it in the background (see ``ui.periodic_job``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from workstation.services.booking.jobs import JobReport, run_jobs_once
from workstation.services.booking.service import Bookings
from workstation.services.database import Database
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.hub.routing import build_connector
from workstation.services.journal import Actor
from workstation.services.sms.gateway import SmsGateway


class LifecycleJob:
    """A callable for a background thread: builds its connector on the first run (that reads
    the database, so not on the GUI thread) and reconciles this workstation's own unfinished
    intents at once on that run — after a crash none of them can still be in flight."""

    def __init__(
        self,
        database: Database,
        endpoints: Sequence[HubEndpoint],
        gateway: Callable[[], SmsGateway],
        *,
        actor: Actor | None = None,
    ) -> None:
        self._database = database
        self._endpoints = list(endpoints)
        self._gateway_factory = gateway
        self._actor = actor or Actor.system()
        self._connector: HubConnector | None = None
        self._gateway: SmsGateway | None = None
        self._bookings: Bookings | None = None

    def __call__(self) -> JobReport:
        first = self._bookings is None
        if self._bookings is None:
            self._connector = build_connector(self._database, self._endpoints)
            self._gateway = self._gateway_factory()
            self._bookings = Bookings(self._database, self._connector, actor=self._actor)
        return run_jobs_once(self._bookings, self._gateway, own_intents_at_once=first)

    def close(self) -> None:
        if self._connector is not None:
            self._connector.close()
        if self._gateway is not None:
            self._gateway.close()
