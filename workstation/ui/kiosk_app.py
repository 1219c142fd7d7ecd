"""Starting the kiosk (``workstation --kiosk``): the database, the pages and the full-screen window.

The sign-in page (``workstation.ui.kiosk_sign_in.KioskSignIn``) and the patient's cabinet
(``workstation.ui.patient_cabinet.PatientCabinet``) are imported when the kiosk starts; when one
of them is missing or fails to build, the kiosk shows a placeholder page for it and logs why.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtWidgets import QApplication, QWidget

from workstation.services.database import Database
from workstation.services.hub.endpoints import HubEndpoint
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.kiosk_window import (
    DEFAULT_IDLE_TIMEOUT_MS,
    KIOSK_ACTOR_NAME,
    KioskWindow,
    WidgetFactory,
    kiosk_actor,
)

log = logging.getLogger(__name__)

SCREENSHOT_SIZE = (1280, 1024)


def _import(module: str, name: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as error:
        if error.name != module:
            log.exception("%s could not be imported; the kiosk shows a placeholder", module)
        else:
            log.warning("%s is not installed; the kiosk shows a placeholder", module)
        return None
    except Exception:  # a broken page: the kiosk shows a placeholder instead
        log.exception("%s.%s could not be imported; the kiosk shows a placeholder", module, name)
        return None


def _bookings_factory(database: Database, endpoints: list[HubEndpoint]) -> Callable[[], Any]:
    """The booking service of the kiosk, built on first use."""

    def build() -> Any:
        from workstation.services.booking import Bookings
        from workstation.services.hub.routing import build_connector

        return Bookings(database, build_connector(database, endpoints), actor=kiosk_actor())

    return build


def kiosk_factories(
    database: Database,
    worker: DatabaseWorker,
    endpoints: list[HubEndpoint] | None = None,
    *,
    keep: list[QWidget] | None = None,
) -> tuple[WidgetFactory | None, WidgetFactory | None]:
    """The sign-in and cabinet factories, each None when its widget cannot be imported.

    ``keep`` collects objects that must be waited for at shutdown (the ticket printers).
    """
    actor = kiosk_actor()
    sign_in_class = _import("workstation.ui.kiosk_sign_in", "KioskSignIn")
    cabinet_class = _import("workstation.ui.patient_cabinet", "PatientCabinet")
    sign_in_factory: WidgetFactory | None = None
    cabinet_factory: WidgetFactory | None = None
    if sign_in_class is not None:

        def make_sign_in(_parent: QWidget) -> QWidget:
            widget: QWidget = sign_in_class(worker, actor=actor)
            return widget

        sign_in_factory = make_sign_in
    if cabinet_class is not None:
        bookings = _bookings_factory(database, list(endpoints)) if endpoints else None

        def make_cabinet(parent: QWidget) -> QWidget:
            from workstation.ui.ticket_print_actions import TicketPrintActions

            ticket_actions = TicketPrintActions(worker, KIOSK_ACTOR_NAME, parent)
            if keep is not None:
                keep.append(ticket_actions)  # type: ignore[arg-type]
            widget: QWidget = cabinet_class(
                worker, database, bookings, ticket_actions, actor=actor, kiosk=True
            )
            return widget

        cabinet_factory = make_cabinet
    return sign_in_factory, cabinet_factory


def run_kiosk(
    database_url: str,
    *,
    endpoints: list[HubEndpoint] | None = None,
    screenshot: Path | None = None,
    idle_timeout_ms: int = DEFAULT_IDLE_TIMEOUT_MS,
) -> int:
    """Run the kiosk full screen on an already migrated database; the process exit code.

    With ``screenshot``: build the window offscreen, save it as PNG and return instead of
    running the event loop.
    """
    if screenshot is not None and QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from workstation.ui.app import _application
    from workstation.ui.fonts import install_application_font

    app, _created = _application()
    install_application_font(app)
    database = Database(database_url)
    worker = DatabaseWorker(database)
    printers: list[Any] = []
    window: KioskWindow | None = None
    try:
        sign_in_factory, cabinet_factory = kiosk_factories(
            database, worker, endpoints, keep=printers
        )
        window = KioskWindow(
            database,
            sign_in_factory=sign_in_factory,
            cabinet_factory=cabinet_factory,
            idle_timeout_ms=idle_timeout_ms,
            worker=worker,
        )
        if screenshot is not None:
            window.resize(*SCREENSHOT_SIZE)
            window.show()
            app.processEvents()
            path = screenshot.expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(path), "PNG"):
                print(f"Снимок киоска не сделан: не удалось записать файл {path}")
                return 1
            return 0
        app.aboutToQuit.connect(window.shutdown)
        window.showFullScreen()
        return app.exec()
    finally:
        if window is not None:
            window.shutdown()
            window.close()
        for printer in printers:
            printer.wait(timeout=5.0)
        worker.stop()
        if window is not None:
            shiboken6.delete(window)
        database.dispose()
