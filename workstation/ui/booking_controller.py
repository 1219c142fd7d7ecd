"""The booking flow of the operator's screen: hold a slot, book it, confirm the SMS code.

Every call of the booking lifecycle (``services.booking.Bookings``) may wait on an institution's
MIS, so none runs on the GUI thread or on the window's database worker (schedule queries must
stay quick while a hub takes seconds): they run one after another on a worker thread of their
own. The ``Bookings`` object is built on that thread on first use, since building the connector
reads the database. The hold's countdown lives here: the contract has no hold, the workstation
keeps the slot for the operator (``BookingPolicy.hold``) and lets it go when the time is up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy.orm import Session

from workstation.models.base import utc_now
from workstation.services.booking import Bookings
from workstation.services.booking.errors import (
    BookingError,
    BookingRefused,
    BookingUnavailable,
    SlotOffer,
    SlotUnavailable,
)
from workstation.services.booking.tickets import TicketView
from workstation.services.database import Database
from workstation.services.hub.errors import HubUnavailable
from workstation.ui.db_worker import DatabaseWorker, describe_error

BookingsFactory = Callable[[], Bookings]
NO_PATIENT_HINT = "Сначала найдите или зарегистрируйте пациента (F2), затем выберите время."
NO_HUB_HINT = (
    "Запись недоступна: не настроено подключение к сервису записи. "
    "Обратитесь в службу технической поддержки МИАЦ."
)


class BookingController(QObject):
    """Holds, books, confirms and lets go of one slot at a time for the operator."""

    held = Signal(object)
    """A slot is held (``TicketView`` in state «удерживается»)."""

    holdReleased = Signal()
    """The held slot was let go (by the operator, by a new choice, or after booking failed)."""

    holdExpired = Signal()
    """The hold ran out before the operator booked; the slot is free again."""

    countdownChanged = Signal(int)
    """Seconds left of the hold (each second while a slot is held)."""

    booked = Signal(object)
    """The hub accepted the booking: ``TicketView`` — booked, or waiting for the SMS code."""

    confirmed = Signal(object)
    """The SMS code was accepted: the booked ``TicketView``."""

    confirmFailed = Signal(str)
    """The code was not accepted; the text says what to do (the dialog stays open)."""

    slotUnavailable = Signal(str, object)
    """The slot cannot be had: the message and the nearest alternatives (``tuple[SlotOffer]``)."""

    hubUnreachable = Signal(str, str)
    """No connection with the institution: the manual's message and the endpoint's address."""

    failed = Signal(str)
    """Anything else went wrong; the text is for the operator."""

    busyChanged = Signal(bool)
    """True while a request to the hub is under way (the screen shows it, keys stay live)."""

    def __init__(
        self,
        database: Database,
        bookings_factory: BookingsFactory | None,
        parent: QObject | None = None,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self._factory = bookings_factory
        self._bookings: Bookings | None = None  # touched only on the hub worker's thread
        self._clock = clock
        self._worker = DatabaseWorker(database, self, thread_name="booking-hub")
        self._hold: TicketView | None = None
        self._hold_patient: int | None = None
        # Hold requests are numbered; one that arrives after a newer request or a release is
        # let go at once.
        self._last_hold_request = 0
        self._released_through = 0
        self._requests = 0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

    # --- state ---------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False when the workstation has no hub to book at (no endpoints configured)."""
        return self._factory is not None

    @property
    def hub_worker(self) -> DatabaseWorker:
        """The thread hub-bound calls run on (the patient's tickets cancel through it too)."""
        return self._worker

    @property
    def current_hold(self) -> TicketView | None:
        """The slot held for the operator, if any."""
        return self._hold

    @property
    def hold_patient_id(self) -> int | None:
        """The patient the current hold is for."""
        return self._hold_patient if self._hold is not None else None

    @property
    def is_busy(self) -> bool:
        """True while a request is under way."""
        return self._requests > 0

    def seconds_left(self) -> int:
        """Seconds left of the current hold (0 without one)."""
        if self._hold is None or self._hold.hold_expires_at is None:
            return 0
        left = (self._hold.hold_expires_at - self._clock()).total_seconds()
        return max(0, int(left + 0.999))

    def bookings(self) -> Bookings | None:
        """The booking service; call only from a job running on ``hub_worker``."""
        if self._bookings is None and self._factory is not None:
            self._bookings = self._factory()
        return self._bookings

    # --- actions -------------------------------------------------------------------------------

    def hold(self, slot_id: int, patient_id: int) -> None:
        """Hold ``slot_id`` for ``patient_id``, letting go of the slot held before."""
        previous = self._hold.appointment_id if self._hold is not None else None

        def job(_: Session) -> TicketView:
            bookings = self._require()
            if previous is not None:
                bookings.release_hold(previous)
            return bookings.hold(slot_id, patient_id)

        if previous is not None:
            self._forget_hold(released=True)
        self._hold_patient = patient_id
        self._last_hold_request += 1
        request = self._last_hold_request
        self._submit(job, lambda view: self._on_held(request, view))

    def release(self) -> None:
        """Let the held slot go (Esc, a new call) — also one whose hold is still on its way."""
        if self._hold is None:
            self._released_through = self._last_hold_request  # holds still on their way too
            return
        appointment_id = self._hold.appointment_id
        self._forget_hold(released=True)
        self._submit(lambda _: self._require().release_hold(appointment_id), lambda _: None)

    def book(self, phone: str | None = None, *, reschedule_of: str | None = None) -> bool:
        """Book the held slot (F6); False when nothing is held or a request is under way."""
        if self._hold is None or self.is_busy:
            return False
        appointment_id = self._hold.appointment_id

        def job(_: Session) -> TicketView:
            bookings = self._require()
            if reschedule_of:
                return bookings.book(appointment_id, phone=phone, reschedule_of=reschedule_of)
            return bookings.book(appointment_id, phone=phone)

        self._submit(job, self._on_booked, self._on_book_failed)
        return True

    def confirm(self, ticket_number: str, code: str) -> None:
        """Check the SMS code of a ticket waiting for confirmation (F7)."""

        def job(_: Session) -> TicketView:
            return self._require().confirm(ticket_number, code)

        self._submit(job, self.confirmed.emit, self._on_confirm_failed)

    def shutdown(self) -> None:
        """Stop the countdown and the worker (a running request finishes first)."""
        self._countdown.stop()
        self._worker.stop()

    # --- results -------------------------------------------------------------------------------

    def _on_held(self, request: int, view: TicketView) -> None:
        if request != self._last_hold_request or request <= self._released_through:
            # The operator moved on (another time, a new call, another caller) before this hold
            # arrived: let it go rather than show a slot nobody wants any more.
            appointment_id = view.appointment_id
            self._submit(lambda _: self._require().release_hold(appointment_id), lambda _: None)
            return
        self._hold = view
        self._countdown.start()
        self.held.emit(view)
        self.countdownChanged.emit(self.seconds_left())

    def _on_booked(self, view: TicketView) -> None:
        self._forget_hold(released=False)
        self.booked.emit(view)

    def _on_book_failed(self, error: BaseException) -> None:
        # A refused or unreachable booking has let the hold go in the service (nothing booked
        # on either side); an unknown outcome keeps the slot held until the reconciler knows.
        if isinstance(error, SlotUnavailable | BookingRefused | BookingUnavailable):
            self._forget_hold(released=True)
        self._report(error)

    def _on_confirm_failed(self, error: BaseException) -> None:
        message = error.message if isinstance(error, BookingError) else describe_error(error)
        self.confirmFailed.emit(message)

    def _report(self, error: BaseException) -> None:
        if isinstance(error, SlotUnavailable | BookingRefused):
            offers: tuple[SlotOffer, ...] = error.alternatives
            self.slotUnavailable.emit(error.message, offers)
        elif isinstance(error, BookingUnavailable | HubUnavailable):
            self.hubUnreachable.emit(error.message, error.endpoint_url)
        elif isinstance(error, BookingError):
            self.failed.emit(error.message)
        else:
            self.failed.emit(
                f"Запрос к сервису записи не выполнен: {describe_error(error)}. Повторите; "
                "если ошибка повторится, обратитесь в службу технической поддержки МИАЦ."
            )

    # --- plumbing ------------------------------------------------------------------------------

    def _require(self) -> Bookings:
        bookings = self.bookings()
        if bookings is None:
            raise BookingError(NO_HUB_HINT)
        return bookings

    def _submit(
        self,
        job: Callable[[Session], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._requests += 1
        if self._requests == 1:
            self.busyChanged.emit(True)

        def done(result: Any) -> None:
            self._finish_request()
            on_result(result)

        def failed(error: BaseException) -> None:
            self._finish_request()
            (on_error or self._report)(error)

        self._worker.submit(job, done, failed, owner=self)

    def _finish_request(self) -> None:
        self._requests -= 1
        if self._requests == 0:
            self.busyChanged.emit(False)

    def _forget_hold(self, *, released: bool) -> None:
        had_hold = self._hold is not None
        self._hold = None
        self._countdown.stop()
        if had_hold and released:
            self.holdReleased.emit()

    def _tick(self) -> None:
        left = self.seconds_left()
        self.countdownChanged.emit(left)
        if left > 0 or self._hold is None or self.is_busy:
            return
        appointment_id = self._hold.appointment_id
        self._hold = None
        self._countdown.stop()
        self._submit(lambda _: self._require().release_hold(appointment_id), lambda _: None)
        self.holdExpired.emit()
