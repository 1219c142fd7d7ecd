"""Starting the GUI: the QApplication, the bundled font, the database and the main window.

``run_gui(url, screenshot=path)`` builds the window without a screen, waits for the data, saves a
PNG and returns: the CI and the documentation use it.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QDeadlineTimer,
    QEventLoop,
    QLibraryInfo,
    QLocale,
    QTimer,
    QTranslator,
    SignalInstance,
)
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from workstation import __version__
from workstation.services.booking.background import LifecycleJob
from workstation.services.database import Database
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.journal import Actor
from workstation.services.sms.config import configured_sms_gateway
from workstation.services.staff import DEMO_PASSWORD, SignedInStaff, has_staff
from workstation.ui.fonts import install_application_font
from workstation.ui.main_window import MainWindow
from workstation.ui.settings import APPLICATION, ORGANIZATION
from workstation.ui.sign_in_dialog import SignInDialog, show_message

SCREENSHOT_SIZE = (1366, 768)
SCREENSHOT_TIMEOUT_S = 20.0
# Styles without a native look of their own; Fusion looks better than these.
_PLAIN_STYLES = {"windows"}


def _application() -> tuple[QApplication, bool]:
    """The running QApplication, or a new one; True when it was created here."""
    QApplication.setApplicationName(APPLICATION)
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing, False
    app = QApplication(sys.argv[:1] or ["workstation"])
    style = app.style()
    if style is not None and style.name().lower() in _PLAIN_STYLES:
        app.setStyle("Fusion")
    install_qt_translation(app)
    return app, True


def install_qt_translation(app: QApplication) -> bool:
    """Qt's own texts (standard buttons, the file and print dialogs, line-edit menus) in Russian,
    like the rest of the workstation; False when Qt's Russian translation is not installed."""
    translator = QTranslator(app)  # parented: lives as long as the application
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Russian), "qtbase", "_", folder):
        return False
    return app.installTranslator(translator)


def run_gui(
    database_url: str,
    screenshot: Path | None = None,
    *,
    banner: str | None = None,
    endpoints: list[HubEndpoint] | None = None,
    sync_on_start: bool = False,
    demo: bool = False,
) -> int:
    """Run the workstation on an already migrated database; the process exit code.

    With ``screenshot``: build the window offscreen at 1366×768, wait for the initial load and
    the first institution's doctors, save the window as PNG and return (1 on failure, with the
    reason on stderr) instead of running the event loop.
    """
    if screenshot is not None and QApplication.instance() is None:
        # Must precede the QApplication: a CI machine has no display at all.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app, _created = _application()
    install_application_font(app)
    database = Database(database_url)
    window: MainWindow | None = None
    lifecycle: LifecycleJob | None = None
    staff: SignedInStaff | None = None
    try:
        if screenshot is None:
            # Nobody works at the workstation without signing in (the screenshot shows no one).
            signed_in = sign_in(database, demo=demo)
            if not isinstance(signed_in, SignedInStaff):
                return signed_in
            staff = signed_in
            lifecycle = LifecycleJob(database, endpoints or [], configured_sms_gateway)
        window = MainWindow(
            database, banner=banner, remember_geometry=screenshot is None, endpoints=endpoints,
            lifecycle_job=lifecycle,
            # «Выдал» on printed tickets and the journal's «who»: the OS user for the screenshot.
            operator=(staff.actor() if staff is not None else Actor.system()).operator,
            staff=staff,
        )
        if screenshot is not None:
            return _save_screenshot(app, window, screenshot, database, endpoints or [])
        app.aboutToQuit.connect(window.shutdown)
        # What the start-up loaded lives as long as the window: keep it out of the collector's
        # full passes, which otherwise stall the event loop for 50-70 ms (event_loop_stall).
        window.initialLoadFinished.connect(gc.freeze)
        window.show()
        if sync_on_start:
            window.start_sync()
        return app.exec()
    finally:
        if window is not None:
            window.shutdown()
            if screenshot is not None:
                window.close()
                # Deleted now: no event loop is left to process a deleteLater().
                shiboken6.delete(window)
        if lifecycle is not None:
            lifecycle.close()  # after shutdown(): the job's thread has ended
        database.dispose()


DEMO_SIGN_IN_HINT = (
    f"Демонстрационная база: operator, clerk или admin, пароль {DEMO_PASSWORD}."
)
NO_STAFF = (
    "В базе данных нет ни одного сотрудника, и войти в программу некому. Создайте "
    "администратора командой\n\n    workstation staff add --role admin ЛОГИН\n\n"
    "(с теми же параметрами базы данных, что и у этого запуска) и запустите программу снова."
)


def sign_in(database: Database, *, demo: bool = False) -> SignedInStaff | int:
    """The sign-in dialog before the main window: who signed in, or the exit code (2 when the
    database has no staff at all, 0 when the dialog was cancelled). The demo says who may
    sign in and offers the operator's login."""
    with database.session() as session:
        staff_exists = has_staff(session)
    if not staff_exists:
        print(NO_STAFF, file=sys.stderr)
        box = QMessageBox(
            QMessageBox.Icon.Critical, "Вход в систему", NO_STAFF, QMessageBox.StandardButton.Ok
        )
        box.setObjectName("noStaffBox")
        _wait_for(box)
        return 2
    dialog = SignInDialog(database, login="operator" if demo else "")
    if demo:
        show_message(dialog.message_label, DEMO_SIGN_IN_HINT)
    try:
        if _wait_for(dialog) != QDialog.DialogCode.Accepted:
            return 0
        return dialog.signed_in()
    finally:
        shiboken6.delete(dialog)  # stops its database worker with it


def _wait_for(dialog: QDialog) -> int:
    """Open ``dialog`` and run events until it closes; its result. (open() and a local loop,
    not exec(): the project's one way of waiting for a dialog.)"""
    loop = QEventLoop()
    dialog.finished.connect(loop.quit)
    dialog.open()
    if dialog.isVisible():
        loop.exec()
    return dialog.result()


def _save_screenshot(
    app: QApplication,
    window: MainWindow,
    path: Path,
    database: Database,
    endpoints: list[HubEndpoint],
) -> int:
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    deadline = QDeadlineTimer(int(SCREENSHOT_TIMEOUT_S * 1000))
    if not window.is_loaded:
        problem = _run_until(lambda: None, window.initialLoadFinished, window.loadFailed, deadline)
        if problem is not None or not window.is_loaded:
            return _fail(problem or "данные не загрузились")
    problem = _run_until(
        window.expand_first_branch, window.firstBranchExpanded, window.loadFailed, deadline
    )
    if problem is not None:
        return _fail(problem)
    problem = fill_booking_screen(window, database, endpoints, deadline)
    if problem is not None:
        return _fail(problem)
    app.processEvents()  # let the view lay out the rows that just arrived
    pixmap = window.grab()
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(path), "PNG"):
        return _fail(f"не удалось записать файл {path}")
    return 0


def fill_booking_screen(
    window: MainWindow,
    database: Database,
    endpoints: list[HubEndpoint],
    deadline: QDeadlineTimer,
) -> str | None:
    """Show the booking screen at work: the shown institution's schedule synced from the first
    endpoint (when there is one), a patient chosen, the first doctor with free slots and his
    week. Nothing is booked or held. The reason when something did not load, else None."""
    panel = window.schedule_panel
    institution_id = panel.institution_id
    if endpoints and institution_id is not None:
        problem = _sync_institution(database, endpoints[0], institution_id)
        if problem is not None:
            return problem
        problem = _run_until(panel.refresh_schedule, panel.treeLoaded, window.loadFailed,
                             deadline)
        if problem is not None:
            return problem
        status = window.hub_status
        _run_until(status.refresh, status.refreshed, status.refreshFailed, deadline)
    surname = first_patient_surname(database)
    patients = window.patient_panel
    if surname is not None:
        search = patients.searchFinished
        problem = _run_until(lambda: patients.search_field.setText(surname), search,
                             window.loadFailed, deadline)
        if problem is not None:
            return problem
        tickets = window.patient_tickets

        def choose_first() -> None:
            patients.choose(0)

        _run_until(choose_first, tickets.loaded, window.loadFailed, deadline)
    tree = panel.tree_model.tree
    doctor = next((d for d in tree.doctors() if d.free_count), None) if tree else None
    if doctor is not None:
        week = panel.week_view

        def show_doctor() -> None:
            panel.show_doctor(doctor.id)

        problem = _run_until(show_doctor, week.loaded, week.loadFailed, deadline)
        if problem is not None:
            return problem
        week.go_nearest()
        _run_until(lambda: None, week.loaded, week.loadFailed, QDeadlineTimer(2000))
    QApplication.processEvents()
    return None


def _sync_institution(database: Database, endpoint: HubEndpoint, institution_id: int) -> str | None:
    """Pull the schedule of one institution (the screenshot has no operator to wait)."""
    from sqlalchemy import select

    from workstation.models import Institution
    from workstation.services.hub.routing import build_connector
    from workstation.services.sync import sync_hub

    with database.session() as session:
        hub_id = session.scalar(select(Institution.hub_id).where(Institution.id == institution_id))
    if hub_id is None:
        return "учреждение не найдено в базе данных"
    connector = build_connector(database, [endpoint])
    try:
        summary = sync_hub(database, connector.for_lpu(hub_id), endpoint.url, days=14,
                           lpu_ids=[hub_id])
    finally:
        connector.close()
    if summary.failures:
        return f"расписание не загружено: {summary.failures}"
    return None


def first_patient_surname(database: Database) -> str | None:
    """A registered patient with the consent, for the screenshot's ПАЦИЕНТ column."""
    from sqlalchemy import select

    from workstation.models import Patient

    with database.session() as session:
        return session.scalar(
            select(Patient.last_name).where(Patient.consent_given_at.is_not(None))
            .order_by(Patient.id).limit(1)
        ) or session.scalar(select(Patient.last_name).order_by(Patient.id).limit(1))


def _fail(reason: str) -> int:
    print(f"Снимок главного окна не сделан: {reason}", file=sys.stderr)
    return 1


def _run_until(
    start: Callable[[], None],
    done: SignalInstance,
    failed: SignalInstance,
    deadline: QDeadlineTimer,
) -> str | None:
    """Call ``start`` and run events until ``done`` (None), ``failed`` (its text) or timeout."""
    loop = QEventLoop()
    outcome: list[str | None] = []

    def on_done() -> None:
        outcome.append(None)
        loop.quit()

    def on_failed(message: str) -> None:
        outcome.append(message)
        loop.quit()

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    done.connect(on_done)
    failed.connect(on_failed)
    try:
        start()
        if not outcome:
            timer.start(max(0, deadline.remainingTime()))
            loop.exec()
    finally:
        timer.stop()
        done.disconnect(on_done)
        failed.disconnect(on_failed)
    if not outcome:
        return f"данные не загрузились за {SCREENSHOT_TIMEOUT_S:g} с"
    return outcome[0]


def run_kiosk(
    database_url: str,
    *,
    endpoints: list[HubEndpoint] | None = None,
    screenshot: Path | None = None,
) -> int:
    """Run the patients' kiosk full screen (``workstation --kiosk``); the process exit code.

    The sign-in and cabinet pages are imported lazily; a missing one becomes a placeholder
    (see ``workstation.ui.kiosk_app``). With ``screenshot``: save a PNG and return.
    """
    from workstation.ui.kiosk_app import run_kiosk as run

    return run(database_url, endpoints=endpoints, screenshot=screenshot)
