"""``HubConnector``: which endpoint serves which institution, and one client per endpoint."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from workstation.services.hub.client import HubClient
from workstation.services.hub.endpoints import HubEndpoint, HubSettings
from workstation.services.hub.errors import HubNotConfigured
from workstation.services.hub.journal_sink import HubJournal


class HubConnector:
    """Endpoints of the region: a regional hub serving every institution, and/or one endpoint per
    institution (by ``IdLPU``) or per name. Clients are built lazily and cached per (url, guid).
    """

    def __init__(
        self,
        settings: HubSettings | None = None,
        *,
        regional: HubEndpoint | None = None,
        journal: HubJournal | None = None,
        fast_bulk: bool = True,
    ) -> None:
        self.settings = settings or HubSettings()
        self.journal = journal
        self.fast_bulk = fast_bulk
        self.regional = regional
        self.institution_names: dict[int, str] = {}
        self._by_lpu: dict[int, HubEndpoint] = {}
        self._by_name: dict[str, HubEndpoint] = {}
        self._clients: dict[tuple[str, str], HubClient] = {}
        self._lock = threading.Lock()

    def add(
        self,
        endpoint: HubEndpoint,
        *,
        lpus: Iterable[int] = (),
        regional: bool = False,
    ) -> None:
        """Register ``endpoint`` for the institutions ``lpus`` (and/or as the regional hub)."""
        for id_lpu in lpus:
            self._by_lpu[id_lpu] = endpoint
        if endpoint.name:
            self._by_name[endpoint.name] = endpoint
        if regional:
            self.regional = endpoint

    def name_institution(self, id_lpu: int, name: str) -> None:
        """The institution's name for operator messages (e.g. from GetLPUList)."""
        self.institution_names[id_lpu] = name

    def endpoint_for(self, id_lpu: int | None = None) -> HubEndpoint:
        """The endpoint serving ``id_lpu`` (the regional hub unless one is set for it)."""
        endpoint = self._by_lpu.get(id_lpu) if id_lpu is not None else None
        endpoint = endpoint or self.regional
        if endpoint is None:
            raise HubNotConfigured(f"ЛПУ № {id_lpu}" if id_lpu is not None else "регион")
        return endpoint

    def endpoint_named(self, name: str) -> HubEndpoint:
        try:
            return self._by_name[name]
        except KeyError:
            raise HubNotConfigured(name) from None

    def client(self, endpoint: HubEndpoint) -> HubClient:
        """The cached client of ``endpoint`` (its zeep client is built on first use)."""
        with self._lock:
            client = self._clients.get(endpoint.key)
            if client is None:
                client = HubClient(
                    endpoint,
                    self.settings,
                    journal=lambda: self.journal,
                    institution_names=self.institution_names,
                    fast_bulk=self.fast_bulk,
                )
                self._clients[endpoint.key] = client
            return client

    def for_lpu(self, id_lpu: int | None = None) -> HubClient:
        """The client serving ``id_lpu`` (``None``: the regional hub)."""
        return self.client(self.endpoint_for(id_lpu))

    def close(self) -> None:
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            client.close()
