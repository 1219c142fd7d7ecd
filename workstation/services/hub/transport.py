"""The zeep transport: pooled requests session, (connect, read) timeouts, no network for the
WSDL, and a response size limit enforced while streaming."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter
from zeep.transports import Transport

from workstation.services.hub.endpoints import HubSettings

log = logging.getLogger(__name__)

RequestObserver = Callable[[str, bytes, Mapping[str, str]], None]
"""Called with (address, envelope bytes, HTTP headers) before every POST is sent."""

_CHUNK = 64 * 1024


class ResponseTooLarge(Exception):
    """The response is over the configured size limit; reading stopped."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"ответ больше допустимого размера ({limit} байт), чтение прервано")
        self.limit = limit


class NetworkLoadRefused(Exception):
    """The WSDL or a schema asked for an http(s) document: only bundled files are loaded."""


class HubTransport(Transport):
    """A zeep ``Transport`` over a pooled ``requests.Session``.

    ``load`` (WSDL/XSD documents) reads local files only; ``post`` streams the response and stops
    past ``max_response_bytes``. Observers see every request envelope (tests count attempts and
    validate requests with them).
    """

    def __init__(self, settings: HubSettings) -> None:
        session = requests.Session()
        adapter = HTTPAdapter(
            pool_connections=settings.pool_connections,
            pool_maxsize=settings.pool_maxsize,
            max_retries=0,
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        super().__init__(  # type: ignore[no-untyped-call]
            session=session, timeout=settings.connect_timeout
        )
        self._close_session = True
        self.session.headers["User-Agent"] = "RegistryWorkstation (zeep)"
        self.timeouts = settings.timeout
        self.max_response_bytes = settings.max_response_bytes
        self.observers: list[RequestObserver] = []

    def load(self, url: str) -> bytes:
        if urlparse(url).scheme in ("http", "https"):
            raise NetworkLoadRefused(f"загрузка по сети запрещена: {url}")
        content: bytes = super().load(url)  # type: ignore[no-untyped-call]
        return content

    def post(self, address: str, message: Any, headers: Mapping[str, str]) -> requests.Response:
        body = message.encode("utf-8") if isinstance(message, str) else bytes(message)
        for observer in list(self.observers):
            observer(address, body, headers)
        response = self.session.post(
            address, data=body, headers=dict(headers), timeout=self.timeouts, stream=True
        )
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_response_bytes:
                raise ResponseTooLarge(self.max_response_bytes)
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_content(_CHUNK):
                total += len(chunk)
                if total > self.max_response_bytes:
                    raise ResponseTooLarge(self.max_response_bytes)
                chunks.append(chunk)
        except BaseException:
            response.close()  # drops the half-read connection instead of pooling it
            raise
        response._content = b"".join(chunks)
        return response

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()
