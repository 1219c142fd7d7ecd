"""A connector for the configured endpoints, routing each cached institution to its own."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from workstation.models import Institution
from workstation.services.database import Database
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.endpoints import HubEndpoint, HubSettings
from workstation.services.hub.journal_sink import HubJournal


def build_connector(
    database: Database,
    endpoints: Sequence[HubEndpoint],
    *,
    settings: HubSettings | None = None,
    journal: HubJournal | None = None,
) -> HubConnector:
    """Institutions synced from an endpoint are served by it; the first endpoint serves the rest
    (a regional hub; or the demo emulator, whose port changes from run to run)."""
    connector = HubConnector(settings, journal=journal)
    if not endpoints:
        return connector
    by_url = {endpoint.url: endpoint for endpoint in endpoints}
    for index, endpoint in enumerate(endpoints):
        connector.add(endpoint, regional=index == 0)
    with database.session() as session:
        rows = session.execute(
            select(Institution.hub_id, Institution.endpoint_url, Institution.short_name)
        ).all()
    for hub_id, url, name in rows:
        if url in by_url:
            connector.add(by_url[url], lpus=[hub_id])
        if name:
            connector.name_institution(hub_id, name)
    return connector
