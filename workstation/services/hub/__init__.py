"""The hub connector: the N3/Netrika HubService (SOAP 1.1) of the regional registry.

``HubConnector`` maps institutions to endpoints and caches one ``HubClient`` per endpoint;
``AsyncHub`` makes every operation awaitable. Results are plain dataclasses (``results``);
failures are ``HubBusinessError`` subclasses by ``IdError`` or one ``HubUnavailable``
(``errors``).
"""

from workstation.services.hub.async_hub import AsyncHub
from workstation.services.hub.client import HubClient
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.endpoints import HubEndpoint, HubSettings
from workstation.services.hub.errors import (
    HubBusinessError,
    HubError,
    HubNotConfigured,
    HubUnavailable,
)
from workstation.services.hub.journal_sink import HubJournal

__all__ = [
    "AsyncHub",
    "HubBusinessError",
    "HubClient",
    "HubConnector",
    "HubEndpoint",
    "HubError",
    "HubJournal",
    "HubNotConfigured",
    "HubSettings",
    "HubUnavailable",
]
