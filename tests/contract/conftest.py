"""Shared fixtures for contract tests: the published N3 HubService contract and offline zeep.

The published service description (WSDL + 7 XSD, hub version Hub24) lives beside the checkout in
``../shared/contracts/hub24/``; ``WORKSTATION_CONTRACTS_DIR`` overrides that location (either the
``hub24`` directory itself or a directory holding ``hub24/``). It is reference material, read
only: it is never copied into the project. Tests that need it take ``published_contract_dir`` (or
``published_schema``) and are skipped with the reason when it is absent; tests that need only the
workstation's own files keep running.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import zeep
from lxml import etree
from zeep.transports import Transport

from workstation.services.resources import resource_path

PUBLISHED_WSDL = "netrika-hubservice-hub24.wsdl"
PUBLISHED_XSD = tuple(f"netrika-hubservice-hub24.xsd{n}.xsd" for n in range(7))
CONTRACTS_ENV = "WORKSTATION_CONTRACTS_DIR"

# The published files import each other as http://<host>/Hub24/HubService.svc?xsd=xsdN.
_REMOTE_XSD = re.compile(r'schemaLocation="[^"]*\?xsd=(xsd\d+)"')


class OfflineTransport(Transport):
    """A zeep transport that loads local files only and refuses any http(s) URL."""

    def load(self, url: str) -> bytes:
        if urlparse(url).scheme in ("http", "https"):
            raise RuntimeError(f"network access refused in contract tests: {url}")
        return super().load(url)


def _published_contract_location() -> Path:
    override = os.environ.get(CONTRACTS_ENV)
    if override:
        path = Path(override).expanduser()
        if not (path / PUBLISHED_WSDL).exists() and (path / "hub24" / PUBLISHED_WSDL).exists():
            path = path / "hub24"
        return path
    # tests/contract/conftest.py -> parents[3] is the directory that holds the checkout.
    return Path(__file__).resolve().parents[3] / "shared" / "contracts" / "hub24"


@pytest.fixture(scope="session")
def published_contract_dir() -> Path:
    """Directory of the published HubService contract; skips the test when it is absent."""
    path = _published_contract_location()
    if not all((path / name).is_file() for name in (PUBLISHED_WSDL, *PUBLISHED_XSD)):
        pytest.skip(f"published HubService contract not found at {path}")
    return path


@pytest.fixture(scope="session")
def published_schema(
    published_contract_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> etree.XMLSchema:
    """One lxml schema over all 7 published XSD files, loaded without network.

    The files are rewritten into a temporary directory with their ``?xsd=xsdN`` imports pointed
    at the local file names, and a small driver schema imports every namespace.
    """
    work = tmp_path_factory.mktemp("published-hub24")
    imports = []
    for name in PUBLISHED_XSD:
        text = (published_contract_dir / name).read_text(encoding="utf-8")
        text = _REMOTE_XSD.sub(
            lambda m: f'schemaLocation="netrika-hubservice-hub24.{m.group(1)}.xsd"', text
        )
        (work / name).write_text(text, encoding="utf-8")
        namespace = etree.fromstring(text.encode("utf-8")).get("targetNamespace")
        imports.append(f'<xs:import namespace="{namespace}" schemaLocation="{name}"/>')
    driver = work / "published-all.xsd"
    driver.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        + "".join(imports)
        + "</xs:schema>",
        encoding="utf-8",
    )
    return etree.XMLSchema(etree.parse(str(driver)))


@pytest.fixture(scope="session")
def hub_wsdl_path() -> Path:
    """The workstation's own HubService WSDL (resources/wsdl/HubService.wsdl)."""
    return resource_path("wsdl", "HubService.wsdl")


@pytest.fixture(scope="session")
def hub_client(hub_wsdl_path: Path) -> Iterator[zeep.Client]:
    """A zeep client over the workstation's WSDL, loaded offline (it never sends anything)."""
    transport = OfflineTransport()
    yield zeep.Client(str(hub_wsdl_path), transport=transport)
    transport.session.close()
