"""Fixtures: a fresh emulator per test (a copy of the cached demo template) and zeep clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import zeep

from tests.services.emulator.helpers import BINDING
from workstation.services.emulator import EmulatorServer
from workstation.services.resources import resource_path


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer.start(data="demo") as running:
        yield running


@pytest.fixture(scope="session")
def local_client() -> zeep.Client:
    """A zeep client over the project's WSDL file (loaded once); services point at a server."""
    return zeep.Client(str(resource_path("wsdl", "HubService.wsdl")))


@pytest.fixture
def service(local_client: zeep.Client, server: EmulatorServer) -> Any:
    return local_client.create_service(BINDING, server.url)
