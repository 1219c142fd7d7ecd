"""``python -m workstation`` is the same as the ``workstation`` command."""

from workstation.cli import main

raise SystemExit(main())
