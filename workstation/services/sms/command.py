"""``workstation sms outbox`` and ``workstation sms dispatch`` on the terminal."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import TextIO

from workstation.models import SmsKind, SmsStatus
from workstation.models.base import utc_now
from workstation.services.database import Database
from workstation.services.sms.config import configured_sms_gateway
from workstation.services.sms.dispatcher import Clock, dispatch_due, poll_delivery
from workstation.services.sms.outbox_view import OutboxRow, load_outbox

# The same words as the GUI's «СМС-сообщения» list (ui.sms_outbox_model).
KIND_LABELS = {
    SmsKind.CONFIRMATION_CODE: "код подтверждения",
    SmsKind.BOOKED: "запись",
    SmsKind.ANNULMENT: "аннулирование",
    SmsKind.CANCELLATION: "отмена",
    SmsKind.REMINDER: "напоминание",
    SmsKind.OTHER: "прочее",
}
STATUS_LABELS = {
    SmsStatus.QUEUED: "в очереди",
    SmsStatus.SENT: "отправлено",
    SmsStatus.DELIVERED: "доставлено",
    SmsStatus.FAILED: "ошибка",
}
_HEADER = ("Время", "Телефон", "Вид", "Статус", "Текст")


def local_time(moment: dt.datetime) -> str:
    """``moment`` on the clock of this computer: the operator reads the clock on the wall."""
    return moment.astimezone().strftime("%d.%m.%Y %H:%M")


def _status(message: OutboxRow) -> str:
    label = STATUS_LABELS[message.status]
    if message.status == SmsStatus.QUEUED and message.attempts:
        return f"{label} (попыток: {message.attempts})"
    return label


def _row(message: OutboxRow) -> tuple[str, ...]:
    return (
        local_time(message.created_at),
        message.masked_phone,
        KIND_LABELS[message.kind],
        _status(message),
        " ".join(message.text.split()),  # one line per message
    )


def format_table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Lines of a plain text table with a header; the last column is not padded."""
    table = [_HEADER, *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(_HEADER) - 1)]

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        return "  ".join([*cells, row[-1]]).rstrip()

    rule = "  ".join("-" * width for width in [*widths, len(_HEADER[-1])])
    return [line(_HEADER), rule, *(line(row) for row in rows)]


def run_outbox(database_url: str, *, limit: int, out: TextIO | None = None) -> int:
    """Print the latest ``limit`` messages, newest first, as the GUI lists them; 0."""
    out = out or sys.stdout
    database = Database(database_url)
    try:
        with database.session() as session:
            messages = load_outbox(session, limit)
    finally:
        database.dispose()
    if not messages:
        print("Исходящих SMS нет.", file=out)
        return 0
    header, rule, *lines = format_table([_row(message) for message in messages])
    print(header, rule, sep="\n", file=out)
    for message, line in zip(messages, lines, strict=True):
        print(line, file=out)
        if message.last_error and message.status != SmsStatus.DELIVERED:
            print(f"    ↳ {message.last_error}", file=out)  # why it is not sent (yet)
    return 0


def run_dispatch(
    database_url: str,
    *,
    out: TextIO | None = None,
    clock: Clock = utc_now,
    max_attempts: int = 5,
) -> int:
    """Send the due messages once and ask for delivery reports; 0, 1 when some were given up,
    2 when the ``[sms]`` settings are wrong."""
    out = out or sys.stdout
    try:
        gateway = configured_sms_gateway()
    except ValueError as error:
        print(f"Ошибка в файле настроек: {error}", file=sys.stderr)
        return 2
    database = Database(database_url)
    try:
        sent = dispatch_due(database, gateway, clock=clock, max_attempts=max_attempts)
        reports = poll_delivery(database, gateway, clock=clock)
    finally:
        gateway.close()
        database.dispose()
    # The outbox has nothing to report on: its messages are delivered when they are sent.
    polled = f"; {reports.summary()}" if gateway.external else ""
    print(f"SMS через «{gateway.name}»: {sent.summary()}{polled}.", file=out)
    return 1 if sent.failed or reports.failed else 0
