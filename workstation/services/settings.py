"""Where the workstation keeps its files and which database it uses.

Paths come from platformdirs; ``WORKSTATION_HOME`` moves all of them into one directory (tests,
portable installs). The database URL comes from ``--db``, then ``WORKSTATION_DB``, then the
``database_url`` of the config file, then the demo database.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from workstation.services.hub.endpoints import HubEndpoint

APP_NAME = "registry-workstation"
APP_AUTHOR = "dzhmao"


@dataclass(frozen=True)
class Locations:
    """The directories the workstation writes to."""

    data_dir: Path
    config_dir: Path

    @property
    def demo_database(self) -> Path:
        """The demo SQLite file, created and filled on first ``--demo`` run."""
        return self.data_dir / "demo.sqlite3"

    @property
    def config_file(self) -> Path:
        """The site configuration (TOML)."""
        return self.config_dir / "workstation.toml"


def locations() -> Locations:
    """The current locations, honouring ``WORKSTATION_HOME``."""
    home = os.environ.get("WORKSTATION_HOME")
    if home:
        root = Path(home).expanduser()
        return Locations(data_dir=root / "data", config_dir=root / "config")
    return Locations(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
    )


def sqlite_url(path: Path) -> str:
    """SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def _config() -> dict[str, object]:
    config_file = locations().config_file
    if not config_file.exists():
        return {}
    with config_file.open("rb") as handle:
        return tomllib.load(handle)


def configured_hubs() -> list[HubEndpoint]:
    """The hub endpoints of the config file: ``[[hub]]`` tables with ``url``, ``guid``, ``name``."""
    entries = _config().get("hub", [])
    if not isinstance(entries, list):
        raise ValueError("в файле настроек [[hub]] должен быть списком таблиц")
    return [
        HubEndpoint(url=str(e["url"]), guid=str(e["guid"]), name=str(e.get("name", "")))
        for e in entries
        if isinstance(e, dict)
    ]


def configured_database_url(explicit: str | None = None) -> str | None:
    """The database URL the operator configured, or ``None`` when there is none."""
    if explicit:
        return explicit
    from_env = os.environ.get("WORKSTATION_DB")
    if from_env:
        return from_env
    url = _config().get("database_url")
    return url if isinstance(url, str) and url else None
