"""The stopgap for PySide6 6.12.0's lost references to None and True on CPython < 3.12."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from workstation.ui import pyside_compat


class _Emitter(QObject):
    fired = Signal()


def test_many_qt_calls_do_not_exhaust_none_or_true() -> None:
    # Importing workstation.ui applied the workaround if this PySide6 needs it. Without it, on an
    # affected PySide6, this loop alone ends the process with "deallocating None".
    emitter = _Emitter()
    for _ in range(20_000):
        emitter.setObjectName("x")
        emitter.fired.emit()
    assert sys.getrefcount(None) > 0
    assert sys.getrefcount(True) > 0


def test_workaround_is_applied_exactly_when_needed() -> None:
    applied = pyside_compat.apply_refcount_workaround()
    if sys.version_info >= (3, 12):
        assert not applied
    if applied:
        # Out of reach of any realistic number of lost references.
        assert sys.getrefcount(None) > 1 << 39
        assert sys.getrefcount(True) > 1 << 39
    else:
        assert not pyside_compat.refcount_bug_present()
