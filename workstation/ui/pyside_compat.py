"""Stopgap for a reference-counting bug of PySide6 6.12.0 on CPython < 3.12.

There, every call of a void Qt method (``setText``, ``setObjectName``…), every ``None`` returned
by a Python ``data()`` override to Qt, and every ``Signal.emit()`` drops one reference to ``None``
or ``True`` that it never took. From CPython 3.12 on these objects are immortal and nothing
happens; on 3.11 their counts reach zero after a few thousand calls and the process aborts with
"Fatal Python error: none_dealloc" (or bool_dealloc). PySide6 6.11.3 does not have the bug.

When, and only when, the bug is measured in this process, the reference counts of ``None``,
``True`` and ``False`` are raised far out of reach, which is what CPython 3.12 does by design.
Remove this module once the project pins a PySide6 without the bug.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_PROBE_CALLS = 64
_HEADROOM = 1 << 40  # a trillion calls before a count could reach zero again

_applied = False


class _Probe(QObject):
    fired = Signal()


def _lost_references() -> tuple[int, int]:
    """How many references to None and True a batch of probe calls lost."""
    probe = _Probe()
    none_before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
    none_lost = none_before - sys.getrefcount(None)
    true_before = sys.getrefcount(True)
    for _ in range(_PROBE_CALLS):
        probe.fired.emit()
    true_lost = true_before - sys.getrefcount(True)
    return none_lost, true_lost


def refcount_bug_present() -> bool:
    """True when Qt calls in this process lose references to None or True."""
    none_lost, true_lost = _lost_references()
    # Allow for a little noise; the bug loses one reference per call.
    return none_lost >= _PROBE_CALLS // 2 or true_lost >= _PROBE_CALLS // 2


def apply_refcount_workaround() -> bool:
    """Make None/True/False effectively immortal if the bug is present; True if applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # immortal objects already, or a different object layout
    if not refcount_bug_present():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object (non-debug build).
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        refcount.value += _HEADROOM
    _applied = True
    return True
