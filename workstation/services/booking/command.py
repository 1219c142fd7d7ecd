"""``workstation bookings …`` and ``workstation jobs run-once``: the lifecycle on the terminal.

Exit codes: 0 done; 1 the action was refused or its outcome is not known yet (the message says
what to do); 2 the workstation is not configured (no database, no hub).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from workstation.models import AppointmentState
from workstation.services.booking.errors import BookingError, SlotUnavailable
from workstation.services.booking.jobs import run_jobs_once
from workstation.services.booking.reconcile import reconcile
from workstation.services.booking.service import STATE_LABELS, Bookings
from workstation.services.booking.tickets import TicketView
from workstation.services.database import Database
from workstation.services.hub.endpoints import HubEndpoint
from workstation.services.hub.errors import HubError
from workstation.services.hub.routing import build_connector
from workstation.services.journal import Actor
from workstation.services.settings import configured_hubs

NO_HUB = "Не задан сервис записи: укажите [[hub]] в файле настроек (url, guid, name)."


@dataclass(frozen=True)
class CommandContext:
    database_url: str
    demo: bool = False
    # Looked up when the context is made, not at import: tests and callers replace sys.stdout.
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)


@contextlib.contextmanager
def _bookings(context: CommandContext) -> Iterator[Bookings | None]:
    with contextlib.ExitStack() as stack:
        endpoints: list[HubEndpoint] = configured_hubs()
        if not endpoints and context.demo:
            from workstation.services.demo import demo_emulator

            endpoints = [stack.enter_context(demo_emulator())]
        if not endpoints:
            print(NO_HUB, file=context.err)
            yield None
            return
        database = Database(context.database_url)
        stack.callback(database.dispose)
        connector = build_connector(database, endpoints)
        stack.callback(connector.close)
        yield Bookings(database, connector, actor=Actor.system())


def _run(context: CommandContext, action: Callable[[Bookings], None]) -> int:
    with _bookings(context) as bookings:
        if bookings is None:
            return 2
        try:
            action(bookings)
        except SlotUnavailable as error:
            print(error.message, file=context.err)
            for offer in error.alternatives:
                print(
                    f"  свободно: {offer.start_label}, {offer.doctor} ({offer.specialty}), "
                    f"талон id {offer.slot_id}",
                    file=context.err,
                )
            return 1
        except (BookingError, HubError) as error:
            print(error.message, file=context.err)
            return 1
    return 0


def describe(ticket: TicketView) -> list[str]:
    """A ticket as the operator reads it out."""
    lines = [
        f"Талон №{ticket.ticket_number} — {STATE_LABELS[ticket.state]}",
        f"  Прием: {ticket.visit_label}, {ticket.doctor} ({ticket.specialty})"
        + (f", кабинет {ticket.room}" if ticket.room else ""),
        f"  Учреждение: {ticket.institution}",
        f"  Пациент: {ticket.patient}",
    ]
    if ticket.state == AppointmentState.PENDING_CONFIRMATION and ticket.confirm_by:
        until = ticket.confirm_by.astimezone().strftime("%H:%M")
        lines.append(f"  Ожидает подтверждения кодом из СМС до {until}")
    return lines


def _print(context: CommandContext, ticket: TicketView) -> None:
    for line in describe(ticket):
        print(line, file=context.out)


def run_book(context: CommandContext, *, slot_id: int, patient_id: int, phone: str | None) -> int:
    def act(bookings: Bookings) -> None:
        held = bookings.hold(slot_id, patient_id)
        try:
            ticket = bookings.book(held.appointment_id, phone=phone)
        except BookingError:
            with contextlib.suppress(BookingError):
                bookings.release_hold(held.appointment_id)
            raise
        _print(context, ticket)

    return _run(context, act)


def run_confirm(context: CommandContext, *, ticket: str, code: str) -> int:
    def act(bookings: Bookings) -> None:
        _print(context, bookings.confirm(ticket, code))
        print("Запись на прием подтверждена.", file=context.out)

    return _run(context, act)


def run_cancel(context: CommandContext, *, ticket: str) -> int:
    return _run(context, lambda bookings: _print(context, bookings.cancel(ticket)))


def run_show(context: CommandContext, *, ticket: str) -> int:
    return _run(context, lambda bookings: _print(context, bookings.ticket(ticket)))


def run_reconcile(context: CommandContext, *, older_than: float | None) -> int:
    def act(bookings: Bookings) -> None:
        age = None if older_than is None else dt.timedelta(seconds=older_than)
        report = reconcile(bookings, older_than=age)
        print(f"Сверка с ЛПУ: {report.summary()}", file=context.out)

    return _run(context, act)


def run_jobs(context: CommandContext, *, older_than: float | None) -> int:
    from workstation.services.sms.config import configured_sms_gateway

    try:
        gateway = configured_sms_gateway()
    except ValueError as error:  # a bad [sms] table in the config file
        print(f"Ошибка в файле настроек: {error}", file=context.err)
        return 2

    def act(bookings: Bookings) -> None:
        age = None if older_than is None else dt.timedelta(seconds=older_than)
        report = run_jobs_once(bookings, gateway, reconcile_older_than=age)
        print(report.summary(), file=context.out)

    try:
        return _run(context, act)
    finally:
        gateway.close()
