"""The Qt user interface; the only package that imports PySide6."""

from workstation.ui.pyside_compat import apply_refcount_workaround

# Before any other Qt call of the process: see pyside_compat for the PySide6 6.12.0 bug.
apply_refcount_workaround()
