"""The SMS outbox list: the query, the table model (masking, in-place refresh) and the dock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMainWindow, QTableView, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from workstation.models import SmsKind, SmsMessage, SmsStatus
from workstation.services.database import Database
from workstation.services.sms.outbox_view import (
    OutboxRow,
    count_outbox,
    load_outbox,
    mask_phone,
)
from workstation.services.sms.queue import enqueue
from workstation.ui.db_worker import DatabaseWorker
from workstation.ui.sms_outbox_dock import SmsOutboxDock
from workstation.ui.sms_outbox_model import (
    MESSAGE_ID_ROLE,
    ROW_DATA_ROLE,
    Column,
    SmsOutboxModel,
)

# The offscreen platform says so when docks are shown and hidden; nothing to fix on our side.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support ")

TIMEOUT_MS = 10_000
PHONE = "+79123456789"
MASKED = "+7 912 ***-**-89"
YEKATERINBURG = dt.timezone(dt.timedelta(hours=5))  # ХМАО-Югра, UTC+5
QUEUED_AT = dt.datetime(2024, 3, 1, 4, 5, 6, tzinfo=dt.UTC)


def queue_sms(
    database: Database,
    text: str,
    kind: SmsKind = SmsKind.BOOKED,
    *,
    phone: str = PHONE,
    **changes: Any,
) -> int:
    """Put a message in the outbox (as the booking service does); return its id."""
    with database.session() as session:
        message = enqueue(session, phone, text, kind)
        for name, value in changes.items():
            setattr(message, name, value)
        session.flush()
        return message.id


def set_status(database: Database, message_id: int, status: SmsStatus, **changes: Any) -> None:
    """Change a message as the dispatcher would."""
    with database.session() as session:
        session.execute(
            update(SmsMessage).where(SmsMessage.id == message_id).values(status=status, **changes)
        )


def load(database: Database, limit: int = 500) -> list[OutboxRow]:
    with database.session() as session:
        return load_outbox(session, limit)


def all_cell_texts(model: SmsOutboxModel) -> list[str]:
    """Display and tooltip text of every cell."""
    texts: list[str] = []
    for row in range(model.rowCount()):
        for column in Column:
            index = model.index(row, column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = index.data(role)
                if value is not None:
                    texts.append(value)
    return texts


@pytest.fixture
def sqlite_database(sqlite_url: str) -> Iterator[Database]:
    """A migrated, empty SQLite database (the dock does not depend on the engine)."""
    db = Database(sqlite_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def outbox_worker(qtbot: QtBot, sqlite_database: Database) -> Iterator[DatabaseWorker]:
    """A database worker on the SQLite database, stopped after the test."""
    worker = DatabaseWorker(sqlite_database)
    yield worker
    worker.stop()


# --- the query ----------------------------------------------------------------------------------


def test_load_outbox_lists_newest_first_with_masked_phones(database: Database) -> None:
    first = queue_sms(database, "Код подтверждения: 4821", SmsKind.CONFIRMATION_CODE)
    second = queue_sms(database, "Вы записаны к терапевту", phone="+73467333333")
    third = queue_sms(database, "Запись отменена", SmsKind.CANCELLATION)
    set_status(database, first, SmsStatus.FAILED, attempts=3, last_error="номер недоступен")

    rows = load(database)
    assert [row.id for row in rows] == [third, second, first]
    assert [row.masked_phone for row in rows] == [MASKED, "+7 346 ***-**-33", MASKED]
    assert rows[2].status is SmsStatus.FAILED
    assert rows[2].kind is SmsKind.CONFIRMATION_CODE
    assert (rows[2].attempts, rows[2].last_error) == (3, "номер недоступен")
    assert rows[0].created_at.tzinfo is not None
    # The full number never leaves the query.
    assert all(PHONE not in repr(row) for row in rows)
    assert [row.id for row in load(database, limit=2)] == [third, second]

    with database.session() as session:
        counts = count_outbox(session)
    assert (counts.queued, counts.failed, counts.sent, counts.delivered) == (2, 1, 0, 0)
    assert counts.total == 3


def test_a_number_the_validator_rejects_is_still_masked() -> None:
    masked = mask_phone("+12025550123")
    assert masked.startswith("+12") and masked.endswith("23") and "*" in masked


# --- the model ----------------------------------------------------------------------------------


def test_model_shows_local_time_masked_phone_kind_status_and_text(
    qtbot: QtBot, database: Database
) -> None:
    message_id = queue_sms(
        database,
        "Вы записаны к терапевту\nна 04.03.2024 09:30, каб. 12",
        SmsKind.BOOKED,
        created_at=QUEUED_AT,
    )
    set_status(
        database,
        message_id,
        SmsStatus.FAILED,
        attempts=2,
        last_error="шлюз ответил 503",
        gateway="http",
    )
    model = SmsOutboxModel(tz=YEKATERINBURG)
    model.set_rows(load(database))

    assert model.rowCount() == 1
    assert model.columnCount() == len(Column)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers == ["Время", "Телефон", "Вид", "Статус", "Текст"]

    def cell(column: Column, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.index(0, column).data(role)

    assert cell(Column.TIME) == "01.03.2024 09:05:06"
    assert cell(Column.PHONE) == MASKED
    assert cell(Column.KIND) == "запись"
    assert cell(Column.STATUS) == "ошибка"
    assert cell(Column.TEXT) == "Вы записаны к терапевту на 04.03.2024 09:30, каб. 12"
    status_tip = cell(Column.STATUS, Qt.ItemDataRole.ToolTipRole)
    assert "Попыток отправки: 2" in status_tip
    assert "Последняя ошибка: шлюз ответил 503" in status_tip
    text_tip = cell(Column.TEXT, Qt.ItemDataRole.ToolTipRole)
    assert "Вы записаны к терапевту<br>на 04.03.2024 09:30, каб. 12" in text_tip
    assert "Поставлено в очередь: 01.03.2024 09:05:06" in cell(
        Column.TIME, Qt.ItemDataRole.ToolTipRole
    )
    assert cell(Column.STATUS, Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(Column.TIME, MESSAGE_ID_ROLE) == message_id
    assert isinstance(cell(Column.TEXT, ROW_DATA_ROLE), OutboxRow)
    # Masked everywhere: no role of any cell shows the whole number.
    assert not any("3456789" in text or "345-67-89" in text for text in all_cell_texts(model))


def test_every_kind_and_status_has_a_russian_name() -> None:
    model = SmsOutboxModel()
    assert [model.kind_name(kind) for kind in SmsKind] == [
        "код подтверждения",
        "запись",
        "аннулирование",
        "отмена",
        "напоминание",
        "прочее",
    ]
    assert [model.status_name(status) for status in SmsStatus] == [
        "в очереди",
        "отправлено",
        "доставлено",
        "ошибка",
    ]


def test_refresh_updates_rows_in_place_and_keeps_the_selection(
    qtbot: QtBot, database: Database, qtmodeltester: ModelTester
) -> None:
    ids = [queue_sms(database, f"Сообщение {n}") for n in range(4)]
    model = SmsOutboxModel()
    model.set_rows(load(database))
    qtmodeltester.check(model)  # stays attached and checks every change below
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    selected = ids[1]
    view.setCurrentIndex(model.index(model.row_of(selected) or 0, Column.TEXT))
    view.selectRow(model.row_of(selected) or 0)

    resets: list[None] = []
    inserted: list[tuple[int, int]] = []
    changed: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(None))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.dataChanged.connect(
        lambda top_left, bottom_right, _roles: changed.append((top_left.row(), bottom_right.row()))
    )

    new_ids = [queue_sms(database, "Новое 1"), queue_sms(database, "Новое 2")]
    set_status(database, selected, SmsStatus.SENT, attempts=1, sent_at=QUEUED_AT)
    model.set_rows(load(database))

    assert resets == []
    assert inserted == [(0, 1)]  # both new messages at the top, in one insertion
    selected_row = model.row_of(selected)
    assert selected_row == 4
    assert changed == [(selected_row, selected_row)]
    assert model.index(selected_row, Column.STATUS).data() == "отправлено"
    assert [row.id for row in model.rows] == [*reversed(new_ids), *reversed(ids)]
    assert view.currentIndex().row() == selected_row
    assert [index.row() for index in view.selectionModel().selectedRows()] == [selected_row]

    # The same list again changes nothing.
    model.set_rows(load(database))
    assert (resets, inserted, len(changed)) == ([], [(0, 1)], 1)


def test_messages_leaving_the_list_are_removed_not_reset(
    qtbot: QtBot, database: Database, qtmodeltester: ModelTester
) -> None:
    ids = [queue_sms(database, f"Сообщение {n}") for n in range(5)]
    model = SmsOutboxModel()
    model.set_rows(load(database, limit=3))
    qtmodeltester.check(model, force_py=True)
    removed: list[tuple[int, int]] = []
    resets: list[None] = []
    model.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))
    model.modelReset.connect(lambda: resets.append(None))

    newer = [queue_sms(database, "Новое 1"), queue_sms(database, "Новое 2")]
    model.set_rows(load(database, limit=3))
    assert [row.id for row in model.rows] == [newer[1], newer[0], ids[4]]
    assert removed == [(1, 2)]
    assert resets == []

    with database.session() as session:
        session.execute(SmsMessage.__table__.delete().where(SmsMessage.id == newer[0]))
    model.set_rows(load(database, limit=3))
    assert [row.id for row in model.rows] == [newer[1], ids[4], ids[3]]
    assert resets == []

    model.set_rows([])
    assert model.rowCount() == 0
    model.clear()
    assert resets == [None]


def test_rows_out_of_order_fall_back_to_a_reset(qtbot: QtBot, database: Database) -> None:
    for n in range(3):
        queue_sms(database, f"Сообщение {n}")
    rows = load(database)
    model = SmsOutboxModel()
    model.set_rows(rows)
    resets: list[None] = []
    model.modelReset.connect(lambda: resets.append(None))
    model.set_rows(list(reversed(rows)))
    assert resets == [None]
    assert [row.id for row in model.rows] == [row.id for row in reversed(rows)]
    with pytest.raises(ValueError, match="repeat"):
        model.set_rows([rows[0], rows[0]])


def test_model_passes_the_model_tester(
    qtbot: QtBot, database: Database, qtmodeltester: ModelTester
) -> None:
    queue_sms(database, "Код подтверждения: 1234", SmsKind.CONFIRMATION_CODE)
    failed = queue_sms(database, "Напоминание о приеме", SmsKind.REMINDER)
    set_status(database, failed, SmsStatus.FAILED, attempts=5, last_error="нет ответа")
    model = SmsOutboxModel()
    model.set_rows(load(database))
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


# --- the dock -----------------------------------------------------------------------------------


@pytest.fixture
def host(qtbot: QtBot) -> QMainWindow:
    """A main window to dock into, as the real one will."""
    window = QMainWindow()
    window.setCentralWidget(QWidget(window))
    window.resize(900, 400)
    qtbot.addWidget(window)
    return window


def make_dock(host: QMainWindow, worker: DatabaseWorker, **kwargs: Any) -> SmsOutboxDock:
    dock = SmsOutboxDock(worker, host, **kwargs)
    host.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    return dock


def test_the_dock_shows_a_newly_queued_message_after_refresh(
    qtbot: QtBot, sqlite_database: Database, outbox_worker: DatabaseWorker, host: QMainWindow
) -> None:
    queue_sms(sqlite_database, "Вы записаны к терапевту")
    failed = queue_sms(sqlite_database, "Запись аннулирована", SmsKind.ANNULMENT)
    set_status(sqlite_database, failed, SmsStatus.FAILED, attempts=3, last_error="номер недоступен")
    dock = make_dock(host, outbox_worker, interval_ms=60_000)
    assert dock.windowTitle() == "СМС-сообщения"
    dock.refresh()
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not dock.is_refreshing, timeout=TIMEOUT_MS)
    assert dock.status_label.text() == "В очереди: 1 · с ошибкой: 1"

    new_id = queue_sms(sqlite_database, "Код подтверждения: 4821", SmsKind.CONFIRMATION_CODE)
    dock.refresh()
    qtbot.waitUntil(lambda: dock.model.row_of(new_id) == 0, timeout=TIMEOUT_MS)
    assert dock.model.index(0, Column.KIND).data() == "код подтверждения"
    assert dock.model.index(0, Column.PHONE).data() == MASKED
    qtbot.waitUntil(
        lambda: dock.status_label.text() == "В очереди: 2 · с ошибкой: 1", timeout=TIMEOUT_MS
    )


def test_a_refresh_asked_for_during_another_runs_after_it(
    qtbot: QtBot, sqlite_database: Database, outbox_worker: DatabaseWorker, host: QMainWindow
) -> None:
    dock = make_dock(host, outbox_worker, interval_ms=60_000)
    dock.refresh()
    assert dock.is_refreshing
    new_id = queue_sms(sqlite_database, "Вы записаны к терапевту")  # after the first read began
    dock.refresh()  # only marks it to run again
    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        pass
    assert dock.model.row_of(new_id) == 0
    assert not dock.is_refreshing


def test_the_dock_refreshes_by_itself_only_while_visible(
    qtbot: QtBot, sqlite_database: Database, outbox_worker: DatabaseWorker, host: QMainWindow
) -> None:
    dock = make_dock(host, outbox_worker, interval_ms=50)
    assert not dock.auto_refresh_active
    host.show()
    qtbot.waitUntil(lambda: dock.auto_refresh_active, timeout=TIMEOUT_MS)
    new_id = queue_sms(sqlite_database, "Напоминание о приеме", SmsKind.REMINDER)
    qtbot.waitUntil(lambda: dock.model.row_of(new_id) == 0, timeout=TIMEOUT_MS)
    dock.hide()
    assert not dock.auto_refresh_active
    qtbot.waitUntil(lambda: not dock.is_refreshing, timeout=TIMEOUT_MS)
    hidden_id = queue_sms(sqlite_database, "Еще одно")
    qtbot.wait(200)
    assert dock.model.row_of(hidden_id) is None
    dock.toggleViewAction().trigger()  # shown again: refreshed at once
    qtbot.waitUntil(lambda: dock.model.row_of(hidden_id) == 0, timeout=TIMEOUT_MS)


def test_a_refresh_keeps_the_scrolled_place_and_the_selection(
    qtbot: QtBot, sqlite_database: Database, outbox_worker: DatabaseWorker, host: QMainWindow
) -> None:
    for n in range(80):
        queue_sms(sqlite_database, f"Сообщение {n}")
    dock = make_dock(host, outbox_worker, interval_ms=60_000)
    host.show()
    view = dock.view
    qtbot.waitUntil(lambda: dock.model.rowCount() == 80, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not dock.is_refreshing, timeout=TIMEOUT_MS)
    view.scrollTo(dock.model.index(40, 0), QTableView.ScrollHint.PositionAtTop)
    top_row = view.rowAt(0)
    assert top_row > 0
    top_id = dock.model.index(top_row, 0).data(MESSAGE_ID_ROLE)
    view.selectRow(top_row + 1)
    selected_id = dock.model.index(top_row + 1, 0).data(MESSAGE_ID_ROLE)

    for n in range(3):
        queue_sms(sqlite_database, f"Новое {n}")
    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        dock.refresh()
    assert dock.model.rowCount() == 83
    assert dock.model.index(view.rowAt(0), 0).data(MESSAGE_ID_ROLE) == top_id
    selected = view.selectionModel().selectedRows()
    assert [index.data(MESSAGE_ID_ROLE) for index in selected] == [selected_id]

    # At the top of the list new messages come into view.
    view.scrollToTop()
    newest = queue_sms(sqlite_database, "Самое новое")
    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        dock.refresh()
    assert view.rowAt(0) == 0
    assert dock.model.index(0, 0).data(MESSAGE_ID_ROLE) == newest


def test_the_dock_is_keyboard_friendly(
    qtbot: QtBot, sqlite_database: Database, outbox_worker: DatabaseWorker, host: QMainWindow
) -> None:
    long_text = "Вы записаны к врачу-терапевту участковому " * 6
    queue_sms(sqlite_database, long_text.strip())
    dock = make_dock(host, outbox_worker, interval_ms=60_000)
    host.show()
    qtbot.waitExposed(host)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=TIMEOUT_MS)
    dock.focus_view()
    assert dock.view.currentIndex().row() == 0
    assert not dock.view.tabKeyNavigation()  # Tab leaves the table
    assert dock.view.textElideMode() == Qt.TextElideMode.ElideRight
    header = dock.view.horizontalHeader()
    assert header.sectionSize(Column.TIME) >= dock.view.fontMetrics().horizontalAdvance(
        "00.00.0000 00:00:00"
    )
    assert header.sectionResizeMode(Column.TEXT) == header.ResizeMode.Stretch
    assert dock.refresh_action.shortcut().toString() == "Ctrl+R"
    qtbot.waitUntil(lambda: not dock.is_refreshing, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(dock.refreshed, timeout=TIMEOUT_MS):
        dock.refresh_action.trigger()


def test_a_failed_refresh_is_shown_in_the_status_line(
    qtbot: QtBot, sqlite_url: str, host: QMainWindow
) -> None:
    database = Database(sqlite_url)  # not migrated: there is no outbox table
    worker = DatabaseWorker(database)
    try:
        dock = make_dock(host, worker, interval_ms=60_000)
        with qtbot.waitSignal(dock.refreshFailed, timeout=TIMEOUT_MS) as failed:
            dock.refresh()
        assert failed.args[0].startswith("Не удалось обновить список СМС")
        assert dock.status_label.text() == failed.args[0]
    finally:
        worker.stop()
        database.dispose()


def test_a_stopped_worker_is_not_asked(
    qtbot: QtBot, sqlite_database: Database, host: QMainWindow
) -> None:
    worker = DatabaseWorker(sqlite_database)
    dock = make_dock(host, worker, interval_ms=60_000)
    worker.stop()  # the window is closing
    dock.refresh()
    assert not dock.is_refreshing
