"""Serving the project's WSDL and XSD files with addresses pointing back at the server."""

from __future__ import annotations

import re
from functools import cache

from workstation.services.resources import resource_path

WSDL_FILE = "HubService.wsdl"
_ADDRESS = re.compile(r'(<soap:address\s+location=")[^"]*(")')
_SCHEMA_LOCATION = re.compile(r'schemaLocation="([A-Za-z0-9_.]+)\.xsd"')


@cache
def _read(name: str) -> str:
    return resource_path("wsdl", name).read_text(encoding="utf-8")


@cache
def schema_names() -> frozenset[str]:
    """The XSD files that may be served (their names without ``.xsd``)."""
    return frozenset(p.stem for p in resource_path("wsdl").glob("*.xsd"))


def _point_imports(text: str, service_url: str) -> str:
    return _SCHEMA_LOCATION.sub(lambda m: f'schemaLocation="{service_url}?xsd={m.group(1)}"', text)


def wsdl_document(service_url: str) -> bytes:
    """The WSDL: ``soap:address`` is ``service_url``, imports are ``service_url?xsd=<name>``."""
    text = _ADDRESS.sub(lambda m: f"{m.group(1)}{service_url}{m.group(2)}", _read(WSDL_FILE))
    return _point_imports(text, service_url).encode("utf-8")


def xsd_document(name: str, service_url: str) -> bytes | None:
    """The schema ``name`` (with or without ``.xsd``), imports rewritten; None when unknown."""
    stem = name[:-4] if name.endswith(".xsd") else name
    if stem not in schema_names():
        return None
    return _point_imports(_read(f"{stem}.xsd"), service_url).encode("utf-8")
