"""Entry point of the PyInstaller bundle: the ``workstation`` console script's ``main``."""

from __future__ import annotations

import sys

from workstation.cli import main

if __name__ == "__main__":
    sys.exit(main())
