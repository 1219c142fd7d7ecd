"""Where the hub lives: endpoint (URL + guid) and the connection settings."""

from __future__ import annotations

from dataclasses import dataclass

BINDING_QNAME = "{http://tempuri.org/}BasicHttpBinding_IHubService"


@dataclass(frozen=True)
class HubEndpoint:
    """One HubService endpoint: a regional hub or one institution's MIS.

    ``guid`` is the client system's token issued by the platform; ``name`` is what the operator
    and the МИАЦ support call it (it goes into error messages).
    """

    url: str
    guid: str
    name: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """The identity a client is cached under."""
        return (self.url, self.guid)

    def __repr__(self) -> str:  # the guid is a credential: keep it out of logs
        return f"HubEndpoint(url={self.url!r}, name={self.name!r})"


@dataclass(frozen=True)
class HubSettings:
    """Connection settings shared by every endpoint of a connector."""

    connect_timeout: float = 3.05
    read_timeout: float = 20.0
    pool_connections: int = 4
    pool_maxsize: int = 8
    max_response_bytes: int = 20 * 1024 * 1024
    read_attempts: int = 3
    retry_delays: tuple[float, ...] = (0.2, 0.6)

    @property
    def timeout(self) -> tuple[float, float]:
        """``(connect, read)`` timeouts as requests takes them."""
        return (self.connect_timeout, self.read_timeout)

    def retry_delay(self, attempt: int) -> float:
        """Seconds to wait after the failed ``attempt`` (0-based) of a read."""
        if not self.retry_delays:
            return 0.0
        return self.retry_delays[min(attempt, len(self.retry_delays) - 1)]
