"""One place that finds the bundled resources (fonts, WSDL, regional data).

They live in ``resources/`` of the checkout, in ``workstation/_resources`` of an installed wheel
and in the ``resources`` folder of a PyInstaller bundle.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The directory holding the application's resources."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    checkout = Path(__file__).resolve().parents[2] / "resources"
    if checkout.is_dir():
        return checkout
    spec = importlib.util.find_spec("workstation._resources")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    raise FileNotFoundError("the workstation's resources directory is missing")


def resource_path(*parts: str) -> Path:
    """Path of one resource file, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"resource not found: {path}")
    return path
