"""The booking lifecycle: hold → book (→ confirm) → cancel / annul / visit, never lost or doubled.

Every request that changes a booking at the hub is preceded by an intent committed to the
database (``HubIntent``). Whatever happens next — an answer, a refusal, a lost answer, a crash —
the intent is finished exactly once, by whoever learns the outcome first: this service, or the
reconciler asking the hub (``GetPatientHistory``). Finishing is a conditional update of the
intent's status, so two workstations (or a slow answer and the reconciler) cannot both do it.

Methods call the network: run them off the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workstation.models import (
    Appointment,
    AppointmentSource,
    AppointmentState,
    BookingConfirmation,
    HubIntent,
    IntentKind,
    IntentStatus,
    Patient,
    Slot,
    SlotState,
    SmsKind,
)
from workstation.models.base import utc_now
from workstation.models.identity import InvalidDocument, Phone
from workstation.services.booking import journal_text
from workstation.services.booking.confirmation import code_matches, hash_code, new_code
from workstation.services.booking.errors import (
    BookingError,
    BookingInProgress,
    BookingRefused,
    BookingUnavailable,
    CancelRefused,
    ConfirmationExpired,
    ConsentMissing,
    HoldExpired,
    InvalidTransition,
    OutcomeUnknown,
    PatientNotIdentified,
    SlotOffer,
    SlotUnavailable,
    WrongCode,
)
from workstation.services.booking.holds import (
    alternatives,
    local_now,
    release,
    release_expired_holds,
)
from workstation.services.booking.identification import identify_patient
from workstation.services.booking.policy import BookingPolicy
from workstation.services.booking.tickets import (
    TicketView,
    find_ticket,
    next_ticket_number,
    ticket_view,
)
from workstation.services.database import Database
from workstation.services.hub.client import HubClient
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.errors import (
    AppointmentNotFound,
    HubBusinessError,
    HubError,
    HubUnavailable,
    InvalidSlot,
    SlotTaken,
)
from workstation.services.journal import Actor, record
from workstation.services.sms.queue import enqueue

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

STATE_LABELS = {
    AppointmentState.HELD: "удерживается оператором",
    AppointmentState.PENDING_CONFIRMATION: "ожидает подтверждения кодом из СМС",
    AppointmentState.BOOKED: "активен",
    AppointmentState.CANCELLED: "отменён",
    AppointmentState.ANNULLED: "аннулирован",
    AppointmentState.VISITED: "приём состоялся",
    AppointmentState.NO_SHOW: "неявка",
    AppointmentState.RELEASED: "не оформлен",
}

PURPOSE_OPERATOR = "operator"
PURPOSE_ANNULMENT = "annulment"
PURPOSE_ORPHAN = "orphan"

# A booking intent that moves an existing booking («Перенос записи») names the appointment it
# replaces in its ``purpose`` («reschedule:<appointment id>»): whoever finishes the intent — this
# service or the reconciler — then cancels that appointment locally in the same transaction, as
# the MIS did in the same SetAppointment.
_RESCHEDULE_PREFIX = "reschedule:"


def reschedule_purpose(previous_appointment_id: int) -> str:
    """The ``purpose`` of a booking intent that replaces appointment ``previous_appointment_id``."""
    return f"{_RESCHEDULE_PREFIX}{previous_appointment_id}"


def rescheduled_from(purpose: str) -> int | None:
    """The appointment a booking intent replaces, or None for an ordinary booking."""
    if not purpose.startswith(_RESCHEDULE_PREFIX):
        return None
    number = purpose.removeprefix(_RESCHEDULE_PREFIX)
    return int(number) if number.isdigit() else None

_OUTCOME_UNKNOWN_BOOK = (
    "Нет ответа от ЛПУ: результат записи пока неизвестен. Талон удержан; запись будет сверена "
    "с ЛПУ автоматически, как только появится связь. Не записывайте пациента на это время "
    "повторно."
)
_OUTCOME_UNKNOWN_CANCEL = (
    "Нет ответа от ЛПУ: отмена записи пока не подтверждена. Запрос будет повторён "
    "автоматически, как только появится связь."
)
_CANCEL_UNAVAILABLE = (
    "Отмена не выполнена: временно нет связи с ЛПУ, запись на прием сохраняется. "
    "Попробуйте отменить позже."
)


@dataclass(frozen=True)
class Target:
    """What a request to the hub about one appointment needs, read in one transaction."""

    intent_id: int
    appointment_id: int
    id_lpu: int
    id_pat: str
    hub_slot: str
    # The hub slot of the booking a reschedule replaces (``idAppointmentPrev``).
    previous_hub_slot: str | None = None


def booked_at_hub(client: HubClient, target: Target) -> bool:
    """Does the institution's MIS have this booking active? (``GetPatientHistory``)"""
    history = client.get_patient_history(target.id_lpu, target.id_pat)
    return any(visit.id_appointment == target.hub_slot for visit in history.visits)


class Bookings:
    """The booking lifecycle of one workstation (``actor``) over a database and the hubs."""

    def __init__(
        self,
        database: Database,
        connector: HubConnector,
        *,
        actor: Actor,
        policy: BookingPolicy | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.database = database
        self.connector = connector
        self.actor = actor
        self.policy = policy or BookingPolicy()
        self.clock = clock

    # -- hold ---------------------------------------------------------------------------------

    def hold(
        self,
        slot_id: int,
        patient_id: int,
        *,
        source: AppointmentSource = AppointmentSource.CONTACT_CENTER,
    ) -> TicketView:
        """Hold the slot for this operator for ``policy.hold`` while the call goes on."""
        now = self.clock()
        try:
            with self.database.write_session() as session:
                slot = session.get(Slot, slot_id)
                if slot is None:
                    raise SlotUnavailable(
                        "Талон не найден в расписании. Обновите расписание и выберите время."
                    )
                self._require_consent(session, patient_id)
                if slot.start <= local_now(now):
                    raise SlotUnavailable(
                        "Время приёма по этому талону уже прошло. Выберите другое время.",
                        self._alternatives(session, slot, now),
                    )
                release_expired_holds(session, now, slot.hub_id)
                if slot.state in (SlotState.TAKEN, SlotState.BOOKED):
                    raise SlotUnavailable(
                        SlotTaken.template, self._alternatives(session, slot, now)
                    )
                appointment = Appointment(
                    ticket_number=next_ticket_number(session),
                    slot_id=slot.id,
                    patient_id=patient_id,
                    institution_id=slot.doctor.institution_id,
                    doctor_id=slot.doctor_id,
                    hub_appointment_id=slot.hub_id,
                    visit_start=slot.start,
                    visit_end=slot.end,
                    room=slot.room,
                    state=AppointmentState.HELD,
                    source=source,
                    operator=self.actor.operator,
                    workstation=self.actor.workstation,
                    hold_expires_at=now + self.policy.hold,
                )
                session.add(appointment)
                session.flush()  # the unique index of active appointments answers here
                slot.state = SlotState.HELD
                self._journal(session, appointment, journal_text.held(appointment))
                return ticket_view(appointment)
        except IntegrityError:
            with self.database.session() as session:
                slot = session.get_one(Slot, slot_id)
                offers = self._alternatives(session, slot, now)
            raise SlotUnavailable(
                "Этот талон только что выбран другим оператором. Выберите другое время.", offers
            ) from None

    @staticmethod
    def _require_consent(session: Session, patient_id: int) -> None:
        """No booking without the consent to personal-data processing (152-ФЗ): the booking
        sends the patient's data to the institution's MIS."""
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BookingError("Пациент не найден в регистре. Найдите пациента заново.")
        if patient.consent_given_at is None:
            raise ConsentMissing()

    def release_hold(self, appointment_id: int) -> None:
        """The operator let the slot go (another time chosen, the call ended)."""
        with self.database.write_session() as session:
            appointment = session.get(Appointment, appointment_id, with_for_update=True)
            if appointment is None or appointment.state != AppointmentState.HELD:
                return
            if self._has_pending_intent(session, appointment.id):
                raise BookingInProgress()
            release(session, appointment, self.clock())
            self._journal(session, appointment, journal_text.hold_released(appointment))

    # -- book ---------------------------------------------------------------------------------

    def book(
        self,
        appointment_id: int,
        *,
        phone: str | None = None,
        reschedule_of: str | None = None,
    ) -> TicketView:
        """Book the held slot at the hub.

        With a mobile ``phone`` («Вариант 1») the booking waits for the SMS code
        (``pending_confirmation``); without one («Вариант 2») the ticket is issued at once.

        ``reschedule_of`` («Перенести»): the number of the patient's active ticket at the same
        institution that this booking replaces. The MIS moves the booking in one step
        (``idAppointmentPrev``), and the previous ticket is cancelled here in the transaction
        that finishes the new booking; if the new booking fails, the previous one stays. With a
        ``phone`` the new booking waits for the SMS code like any other; the previous one is
        gone at the MIS already and is not brought back if the code never comes.
        """
        mobile = self._mobile(phone)
        expired = False
        with self.database.write_session() as session:
            appointment = self._held(session, appointment_id)
            if appointment.hold_expires_at and appointment.hold_expires_at < self.clock():
                release(session, appointment, self.clock())
                expired = True
            else:
                self._replaced(session, appointment, reschedule_of)
            patient_id, institution_id = appointment.patient_id, appointment.institution_id
        if expired:
            raise HoldExpired()
        try:
            id_pat = identify_patient(
                self.database, self.connector, patient_id, institution_id,
                register_unknown=self.policy.register_unknown_patients,
            )
        except PatientNotIdentified as error:
            if isinstance(error.__cause__, HubUnavailable):
                self._identification_unreachable(appointment_id, error.__cause__)
            raise
        with self.database.write_session() as session:
            appointment = self._held(session, appointment_id)
            previous = self._replaced(session, appointment, reschedule_of)
            appointment.phone = mobile
            appointment.hub_patient_id = id_pat
            purpose = reschedule_purpose(previous.id) if previous is not None else ""
            target = self._write_intent(session, appointment, IntentKind.BOOK, purpose)
            if previous is not None:
                target = replace(target, previous_hub_slot=previous.hub_appointment_id)
        client = self.connector.for_lpu(target.id_lpu)
        try:
            client.set_appointment(
                target.id_lpu, target.id_pat, target.hub_slot, target.previous_hub_slot
            )
        except HubBusinessError as error:
            raise self._booking_refused(target, error) from None
        except HubUnavailable as error:
            return self._after_lost_booking_answer(client, target, error)
        return self.finish_booking(target.intent_id)

    def _identification_unreachable(self, appointment_id: int, failure: HubUnavailable) -> None:
        """CheckPatient got no answer: nothing was booked; the hold is let go and journalled
        like any booking refused for want of a connection, then ``BookingUnavailable``."""
        with self.database.write_session() as session:
            appointment = self._held(session, appointment_id)
            release(session, appointment, self.clock())
            self._journal(
                session,
                appointment,
                journal_text.refused_no_connection(failure.endpoint_url),
                f"Талон №{appointment.ticket_number}, {appointment.visit_label}; "
                f"идентификация пациента (CheckPatient); причина: {failure.cause}",
            )
        raise BookingUnavailable(failure.endpoint_url) from failure

    def _held(self, session: Session, appointment_id: int) -> Appointment:
        appointment = session.get(Appointment, appointment_id, with_for_update=True)
        if appointment is None:
            raise BookingError("Удержание талона не найдено. Выберите время приёма заново.")
        if appointment.state != AppointmentState.HELD:
            raise InvalidTransition(
                f"Талон №{appointment.ticket_number} {STATE_LABELS[appointment.state]}: "
                "записать можно только удерживаемый талон."
            )
        if self._has_pending_intent(session, appointment.id):
            raise BookingInProgress()
        return appointment

    def _replaced(
        self, session: Session, appointment: Appointment, reschedule_of: str | None
    ) -> Appointment | None:
        """The booked appointment a reschedule replaces (locked), checked against the hold."""
        if reschedule_of is None or not reschedule_of.strip():
            return None
        previous = find_ticket(session, reschedule_of, for_update=True)
        number = previous.ticket_number
        if previous.patient_id != appointment.patient_id:
            raise InvalidTransition(
                f"Талон №{number} выдан другому пациенту: перенести можно только запись "
                "того же пациента."
            )
        if previous.institution_id != appointment.institution_id:
            raise InvalidTransition(
                f"Талон №{number} выдан в другое учреждение: перенести запись можно только на "
                "время в том же учреждении. Выберите время в учреждении этого талона или "
                "запишите пациента заново."
            )
        if previous.state != AppointmentState.BOOKED:
            raise InvalidTransition(
                f"Талон №{number} {STATE_LABELS[previous.state]}: перенести можно только "
                "активный талон."
            )
        if previous.visit_start <= local_now(self.clock()):
            raise InvalidTransition(
                f"Время приема по талону №{number} уже наступило: перенести запись нельзя."
            )
        if self._has_pending_intent(session, previous.id):
            raise BookingInProgress()
        return previous

    @staticmethod
    def _mobile(phone: str | None) -> str | None:
        if phone is None or not phone.strip():
            return None
        try:
            parsed = Phone.parse(phone)
        except InvalidDocument as error:
            raise BookingError(f"Номер мобильного телефона: {error}") from None
        if not parsed.is_mobile:
            raise BookingError(
                "Для подтверждения записи по СМС нужен номер мобильного телефона; "
                "укажите мобильный номер или оставьте поле пустым."
            )
        return parsed.e164

    def finish_booking(self, intent_id: int) -> TicketView:
        """The hub has the booking: make the local record say so (once)."""
        now = self.clock()
        with self.database.session() as session:
            phone = session.scalar(
                select(Appointment.phone)
                .join(HubIntent, HubIntent.appointment_id == Appointment.id)
                .where(HubIntent.id == intent_id)
            )
        code = new_code()
        code_hash = hash_code(code) if phone else ""  # slow on purpose: outside the transaction
        with self.database.write_session() as session:
            if not self._claim(session, intent_id, IntentStatus.DONE, now):
                return self._view_of_intent(session, intent_id)
            intent = session.get_one(HubIntent, intent_id)
            appointment = intent.appointment
            appointment.booked_at = now
            self._set_slot_state(session, appointment, SlotState.BOOKED)
            previous = self._close_replaced(session, intent, now)
            confirm_by = None
            if appointment.phone:
                appointment.state = AppointmentState.PENDING_CONFIRMATION
                confirm_by = now + self.policy.confirm_within
                session.add(
                    BookingConfirmation(
                        appointment_id=appointment.id,
                        code_hash=code_hash,
                        sent_at=now,
                        expires_at=confirm_by,
                    )
                )
                enqueue(
                    session,
                    appointment.phone,
                    _code_sms(appointment, code),
                    SmsKind.CONFIRMATION_CODE,
                    appointment_id=appointment.id,
                )
                self._journal(
                    session,
                    appointment,
                    journal_text.awaiting_confirmation(appointment)
                    if previous is None
                    else journal_text.rescheduled_awaiting_confirmation(appointment, previous),
                )
            else:
                appointment.state = AppointmentState.BOOKED
                self._journal(
                    session,
                    appointment,
                    journal_text.booked(appointment)
                    if previous is None
                    else journal_text.rescheduled(appointment, previous),
                )
            return ticket_view(appointment, confirm_by)

    def _close_replaced(
        self, session: Session, intent: HubIntent, now: dt.datetime
    ) -> Appointment | None:
        """A finished reschedule: the booking it replaced is cancelled (the MIS cancelled it in
        the same SetAppointment). None for an ordinary booking."""
        previous_id = rescheduled_from(intent.purpose)
        if previous_id is None:
            return None
        previous = session.get(Appointment, previous_id, with_for_update=True)
        if previous is None:
            return None
        if previous.state == AppointmentState.BOOKED:
            previous.state = AppointmentState.CANCELLED
            previous.closed_at = now
            self._set_slot_state(session, previous, SlotState.FREE, only_if=SlotState.BOOKED)
        return previous

    def _booking_refused(self, target: Target, error: HubBusinessError) -> BookingRefused:
        now = self.clock()
        with self.database.write_session() as session:
            claimed = self._claim(
                session, target.intent_id, IntentStatus.REFUSED, now, f"{error.code}: {error}"
            )
            appointment = session.get_one(Appointment, target.appointment_id)
            offers: list[SlotOffer] = []
            if claimed:
                release(session, appointment, now)
                self._journal(session, appointment, journal_text.refused(appointment), str(error))
                if isinstance(error, SlotTaken | InvalidSlot):
                    self._set_slot_state(session, appointment, SlotState.TAKEN, only_if=None)
                if appointment.slot is not None:
                    offers = self._alternatives(session, appointment.slot, now)
        return BookingRefused(error, offers)

    def _after_lost_booking_answer(
        self, client: HubClient, target: Target, lost: HubUnavailable
    ) -> TicketView:
        """No answer to SetAppointment: ask the hub whether the booking exists; never guess."""
        if not lost.sent:  # no connection was made: the MIS never saw the request
            self.roll_back_booking(target.intent_id, lost.cause, watch=False)
            raise BookingUnavailable(client.endpoint.url)
        try:
            exists_at_hub = booked_at_hub(client, target)
        except HubError as error:
            self._still_unknown(target, lost, error)
            raise OutcomeUnknown(_OUTCOME_UNKNOWN_BOOK) from None
        if exists_at_hub:
            return self.finish_booking(target.intent_id)
        self.roll_back_booking(target.intent_id, lost.cause)
        raise BookingUnavailable(client.endpoint.url)

    def roll_back_booking(self, intent_id: int, cause: str, *, watch: bool = True) -> bool:
        """The hub has no such booking: release the hold, and (``watch``) keep checking for a
        late commit of a request the MIS may still be working on."""
        now = self.clock()
        with self.database.write_session() as session:
            if not self._claim(session, intent_id, IntentStatus.ROLLED_BACK, now, cause):
                return False
            intent = session.get_one(HubIntent, intent_id)
            if watch:
                intent.recheck_until = now + self.policy.late_commit_watch
            appointment = intent.appointment
            release(session, appointment, now)
            self._journal(
                session,
                appointment,
                journal_text.refused_no_connection(intent.endpoint_url),
                f"Талон №{appointment.ticket_number}, {appointment.visit_label}; причина: {cause}",
            )
            return True

    def _still_unknown(self, target: Target, failure: HubError, error: HubError) -> None:
        with self.database.write_session() as session:
            intent = session.get_one(HubIntent, target.intent_id)
            intent.attempts += 1
            intent.last_error = f"{_cause(failure)}; сверка: {_cause(error)}"
            appointment = intent.appointment
            what = (
                journal_text.outcome_unknown(appointment, intent.endpoint_url)
                if intent.kind == IntentKind.BOOK
                else journal_text.cancel_refused_no_connection(intent.endpoint_url)
            )
            self._journal(session, appointment, what, intent.last_error)

    # -- confirm ------------------------------------------------------------------------------

    def confirm(self, ticket_number: str, code: str) -> TicketView:
        """Check the SMS code («Введите код подтверждения»); wrong codes are limited."""
        now = self.clock()
        outcome: BookingError | None = None
        annul = False
        with self.database.write_session() as session:
            appointment = find_ticket(session, ticket_number, for_update=True)
            confirmation = session.scalar(
                select(BookingConfirmation).where(
                    BookingConfirmation.appointment_id == appointment.id
                )
            )
            if appointment.state == AppointmentState.BOOKED and confirmation is not None:
                return ticket_view(appointment)  # confirmed before: nothing to do
            if appointment.state != AppointmentState.PENDING_CONFIRMATION or confirmation is None:
                raise InvalidTransition(
                    f"Талон №{appointment.ticket_number} {STATE_LABELS[appointment.state]}: "
                    "подтверждать нечего."
                )
            if now >= confirmation.expires_at:
                outcome, annul = ConfirmationExpired(), True
            elif confirmation.failed_attempts >= self.policy.max_wrong_codes:
                outcome, annul = WrongCode(0), True
            elif code_matches(confirmation.code_hash, code):
                confirmation.confirmed_at = now
                appointment.state = AppointmentState.BOOKED
                self._journal(session, appointment, journal_text.confirmed(appointment))
                return ticket_view(appointment)
            else:
                confirmation.failed_attempts += 1
                left = self.policy.max_wrong_codes - confirmation.failed_attempts
                self._journal(session, appointment, journal_text.wrong_code(appointment))
                outcome, annul = WrongCode(left), left <= 0
        if annul:
            self._annul_now(ticket_number)
        raise outcome

    def _annul_now(self, ticket_number: str) -> None:
        try:
            self.cancel(ticket_number, purpose=PURPOSE_ANNULMENT)
        except BookingError as error:  # the background job annuls it when the hub answers
            log.warning("annulment of a ticket postponed: %s", error.message)

    # -- cancel -------------------------------------------------------------------------------

    def cancel(self, ticket_number: str, *, purpose: str = PURPOSE_OPERATOR) -> TicketView:
        """«Отменить посещение»: cancel at the hub (``CreateClaimForRefusal``), then locally."""
        with self.database.write_session() as session:
            appointment = find_ticket(session, ticket_number, for_update=True)
            if appointment.state not in (
                AppointmentState.BOOKED,
                AppointmentState.PENDING_CONFIRMATION,
            ):
                raise InvalidTransition(
                    f"Талон №{appointment.ticket_number} {STATE_LABELS[appointment.state]}: "
                    "отменить можно только активный талон."
                )
            if self._has_pending_intent(session, appointment.id):
                raise BookingInProgress()
            if purpose == PURPOSE_OPERATOR and appointment.visit_start <= local_now(self.clock()):
                raise InvalidTransition(
                    f"Время приема по талону №{appointment.ticket_number} уже наступило: "
                    "отменить посещение нельзя."
                )
            target = self._write_intent(session, appointment, IntentKind.CANCEL, purpose)
        return self.send_cancel(target)

    def send_cancel(self, target: Target) -> TicketView:
        """Send the cancel intent ``target`` and finish it; the intent is already committed."""
        client = self.connector.for_lpu(target.id_lpu)
        try:
            client.create_claim_for_refusal(target.id_lpu, target.id_pat, target.hub_slot)
        except HubBusinessError as error:
            # «Not found» (75) means nothing active is left at the hub; believed once checked.
            if not isinstance(error, AppointmentNotFound) or self._still_booked(
                client, target, error
            ):
                self._cancel_refused(target, error)
                raise CancelRefused(error.message) from None
        except HubUnavailable as lost:
            if not lost.sent or self._still_booked(client, target, lost):
                self._cancel_not_done(target, lost.cause, client.endpoint.url)
                raise CancelRefused(_CANCEL_UNAVAILABLE) from None
        return self.finish_cancel(target.intent_id)

    def _still_booked(self, client: HubClient, target: Target, failure: HubError) -> bool:
        """After a failed cancel: is the booking still active at the hub? (OutcomeUnknown
        when the hub cannot be asked either: the intent stays open for the reconciler.)"""
        try:
            return booked_at_hub(client, target)
        except HubError as error:
            self._still_unknown(target, failure, error)
            raise OutcomeUnknown(_OUTCOME_UNKNOWN_CANCEL) from None

    def finish_cancel(self, intent_id: int) -> TicketView:
        now = self.clock()
        with self.database.write_session() as session:
            if not self._claim(session, intent_id, IntentStatus.DONE, now):
                return self._view_of_intent(session, intent_id)
            intent = session.get_one(HubIntent, intent_id)
            appointment = intent.appointment
            if intent.purpose == PURPOSE_ORPHAN:
                # A booking the MIS committed after the workstation had given up on it.
                self._journal(
                    session,
                    appointment,
                    journal_text.reconciled(
                        appointment, "запись, сделанная ЛПУ после обрыва связи, отменена"
                    ),
                )
                self._close_replaced_by_late_booking(session, appointment, now)
                return ticket_view(appointment)
            appointment.closed_at = now
            self._set_slot_state(session, appointment, SlotState.FREE, only_if=SlotState.BOOKED)
            if intent.purpose == PURPOSE_ANNULMENT:
                appointment.state = AppointmentState.ANNULLED
                self._journal(session, appointment, journal_text.annulled(appointment))
                if appointment.phone:
                    enqueue(
                        session,
                        appointment.phone,
                        _annulment_sms(appointment),
                        SmsKind.ANNULMENT,
                        appointment_id=appointment.id,
                    )
            else:
                appointment.state = AppointmentState.CANCELLED
                self._journal(session, appointment, journal_text.cancelled(appointment))
            return ticket_view(appointment)

    def _close_replaced_by_late_booking(
        self, session: Session, appointment: Appointment, now: dt.datetime
    ) -> None:
        """A reschedule the MIS committed late had also cancelled the booking it replaced (one
        step at the MIS): the orphan cancel does not bring that one back, so record it
        cancelled here too rather than keep a ticket the hub no longer has."""
        purposes = session.scalars(
            select(HubIntent.purpose).where(
                HubIntent.appointment_id == appointment.id,
                HubIntent.kind == IntentKind.BOOK,
                HubIntent.status == IntentStatus.ROLLED_BACK,
            )
        )
        for purpose in purposes:
            previous_id = rescheduled_from(purpose)
            previous = session.get(Appointment, previous_id) if previous_id is not None else None
            if previous is None or previous.state != AppointmentState.BOOKED:
                continue
            previous.state = AppointmentState.CANCELLED
            previous.closed_at = now
            self._set_slot_state(session, previous, SlotState.FREE, only_if=SlotState.BOOKED)
            self._journal(session, previous, journal_text.cancelled_by_late_reschedule(previous))

    def _cancel_refused(self, target: Target, error: HubBusinessError) -> None:
        with self.database.write_session() as session:
            if self._claim(
                session, target.intent_id, IntentStatus.REFUSED, self.clock(), str(error)
            ):
                appointment = session.get_one(Appointment, target.appointment_id)
                self._journal(
                    session,
                    appointment,
                    f"Отказ в отмене посещения Талон №{appointment.ticket_number}",
                    str(error),
                )

    def _cancel_not_done(self, target: Target, cause: str, endpoint_url: str) -> None:
        with self.database.write_session() as session:
            if self._claim(
                session, target.intent_id, IntentStatus.ROLLED_BACK, self.clock(), cause
            ):
                appointment = session.get_one(Appointment, target.appointment_id)
                self._journal(
                    session,
                    appointment,
                    journal_text.cancel_refused_no_connection(endpoint_url),
                    f"Талон №{appointment.ticket_number}; причина: {cause}",
                )

    # -- after the visit ----------------------------------------------------------------------

    def record_visit(self, ticket_number: str, *, visited: bool) -> TicketView:
        """The registry marks the visit as happened or a no-show (after its time)."""
        with self.database.write_session() as session:
            appointment = find_ticket(session, ticket_number, for_update=True)
            if appointment.state != AppointmentState.BOOKED:
                raise InvalidTransition(
                    f"Талон №{appointment.ticket_number} {STATE_LABELS[appointment.state]}: "
                    "отметить посещение можно только по активному талону."
                )
            if appointment.visit_start > local_now(self.clock()):
                raise InvalidTransition(
                    f"Время приема по талону №{appointment.ticket_number} ещё не наступило."
                )
            appointment.state = AppointmentState.VISITED if visited else AppointmentState.NO_SHOW
            appointment.closed_at = self.clock()
            self._journal(session, appointment, journal_text.visit_outcome(appointment, visited))
            return ticket_view(appointment)

    # -- reading ------------------------------------------------------------------------------

    def ticket(self, ticket_number: str) -> TicketView:
        with self.database.session() as session:
            appointment = find_ticket(session, ticket_number)
            return ticket_view(appointment, self._confirm_by(session, appointment))

    # -- shared steps -------------------------------------------------------------------------

    def _write_intent(
        self, session: Session, appointment: Appointment, kind: IntentKind, purpose: str
    ) -> Target:
        id_lpu = appointment.institution.hub_id
        endpoint = self.connector.endpoint_for(id_lpu)
        intent = HubIntent(
            appointment_id=appointment.id,
            kind=kind,
            status=IntentStatus.PENDING,
            purpose=purpose,
            endpoint_url=endpoint.url,
            operator=self.actor.operator,
            workstation=self.actor.workstation,
            created_at=self.clock(),
        )
        session.add(intent)
        session.flush()
        return Target(
            intent_id=intent.id,
            appointment_id=appointment.id,
            id_lpu=id_lpu,
            id_pat=appointment.hub_patient_id,
            hub_slot=appointment.hub_appointment_id,
        )

    def target_of(self, session: Session, intent: HubIntent) -> Target:
        appointment = intent.appointment
        return Target(
            intent_id=intent.id,
            appointment_id=appointment.id,
            id_lpu=appointment.institution.hub_id,
            id_pat=appointment.hub_patient_id,
            hub_slot=appointment.hub_appointment_id,
        )

    @staticmethod
    def _claim(
        session: Session,
        intent_id: int,
        status: IntentStatus,
        now: dt.datetime,
        error: str | None = None,
    ) -> bool:
        """Finish the intent if it is still pending; False when someone else already did."""
        values: dict[str, object] = {"status": status, "finished_at": now}
        if error is not None:
            values["last_error"] = error
        result = session.execute(
            update(HubIntent)
            .where(HubIntent.id == intent_id, HubIntent.status == IntentStatus.PENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        claimed = bool(getattr(result, "rowcount", 0))
        if claimed:
            session.expire_all()
        return claimed

    @staticmethod
    def _has_pending_intent(session: Session, appointment_id: int) -> bool:
        """A request about this appointment is in flight: its own, or a reschedule replacing it
        (the MIS cancels the replaced booking when that one succeeds)."""
        return bool(
            session.scalar(
                select(
                    exists().where(
                        or_(
                            HubIntent.appointment_id == appointment_id,
                            HubIntent.purpose == reschedule_purpose(appointment_id),
                        ),
                        HubIntent.status == IntentStatus.PENDING,
                    )
                )
            )
        )

    def _view_of_intent(self, session: Session, intent_id: int) -> TicketView:
        intent = session.get_one(HubIntent, intent_id)
        appointment = intent.appointment
        if appointment.state == AppointmentState.RELEASED:
            raise BookingUnavailable(intent.endpoint_url)
        return ticket_view(appointment, self._confirm_by(session, appointment))

    @staticmethod
    def _confirm_by(session: Session, appointment: Appointment) -> dt.datetime | None:
        if appointment.state != AppointmentState.PENDING_CONFIRMATION:
            return None
        return session.scalar(
            select(BookingConfirmation.expires_at).where(
                BookingConfirmation.appointment_id == appointment.id
            )
        )

    @staticmethod
    def _set_slot_state(
        session: Session,
        appointment: Appointment,
        state: SlotState,
        only_if: SlotState | None = SlotState.HELD,
    ) -> None:
        if appointment.slot_id is None:
            return
        statement = update(Slot).where(Slot.id == appointment.slot_id)
        if only_if is not None:
            statement = statement.where(Slot.state == only_if)
        session.execute(statement.values(state=state).execution_options(synchronize_session=False))

    def _alternatives(self, session: Session, slot: Slot, now: dt.datetime) -> list[SlotOffer]:
        return alternatives(session, slot, now, self.policy.alternatives)

    def _journal(
        self, session: Session, appointment: Appointment, action: str, details: str = ""
    ) -> None:
        record(session, self.actor, action, details, patient_id=appointment.patient_id)


def _cause(error: HubError) -> str:
    return error.cause if isinstance(error, HubUnavailable) else error.message


def _code_sms(appointment: Appointment, code: str) -> str:
    return (
        f"Код подтверждения записи на прием: {code}. Талон №{appointment.ticket_number}, "
        f"{appointment.visit_label}. Подтвердите в течение 1 часа, иначе запись будет "
        "аннулирована."
    )


def _annulment_sms(appointment: Appointment) -> str:
    return (
        f"Запись на прием по талону №{appointment.ticket_number}, {appointment.visit_label} "
        "аннулирована: не получено подтверждение в течение 1 часа. Контакт-центр: 8-800-100-86-03."
    )
