"""What the booking lifecycle tells the operator when it cannot do what was asked.

Every error carries ``message``: Russian text that says what to do next (the manual's list:
another time, another doctor, other patient data, the correct code, or technical support).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workstation.services.hub.errors import UNAVAILABLE_MESSAGE, HubBusinessError


@dataclass(frozen=True)
class SlotOffer:
    """A free slot offered instead of one that is taken."""

    slot_id: int
    doctor: str
    specialty: str
    start_label: str  # «05.08.2015 09:00»
    room: str


class BookingError(Exception):
    """Base of the booking lifecycle's errors."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TicketNotFound(BookingError):
    def __init__(self, ticket_number: str) -> None:
        super().__init__(f"Талон №{ticket_number} не найден. Проверьте номер талона.")
        self.ticket_number = ticket_number


class InvalidTransition(BookingError):
    """The ticket is not in a state that allows the action (already cancelled, …)."""


class BookingInProgress(BookingError):
    def __init__(self) -> None:
        super().__init__(
            "По этому талону уже выполняется запрос к ЛПУ. Дождитесь результата "
            "или выполните сверку с ЛПУ."
        )


class SlotUnavailable(BookingError):
    """The slot cannot be held or booked; ``alternatives`` are the nearest free ones."""

    def __init__(self, message: str, alternatives: Sequence[SlotOffer] = ()) -> None:
        super().__init__(message)
        self.alternatives = tuple(alternatives)


class ConsentMissing(BookingError):
    """The patient has not given the consent to personal-data processing: no booking without it
    (the registry records the consent in the patient's card)."""

    def __init__(self) -> None:
        super().__init__(
            "Нет согласия пациента на обработку персональных данных: отметьте согласие в "
            "карточке пациента, затем выберите время."
        )


class HoldExpired(BookingError):
    def __init__(self) -> None:
        super().__init__(
            "Время удержания талона истекло, и он освобождён. Выберите время приёма заново."
        )


class PatientNotIdentified(BookingError):
    """The patient has no ``IdPat`` in the institution and could not be identified there."""


class BookingRefused(BookingError):
    """The institution refused (``Success=false``); nothing was booked on either side."""

    def __init__(self, error: HubBusinessError, alternatives: Sequence[SlotOffer] = ()) -> None:
        super().__init__(error.message)
        self.hub_error = error
        self.alternatives = tuple(alternatives)


class BookingUnavailable(BookingError):
    """No connection; the hub was asked afterwards and has no such booking: nothing booked."""

    def __init__(self, endpoint_url: str) -> None:
        super().__init__(UNAVAILABLE_MESSAGE)
        self.endpoint_url = endpoint_url


class OutcomeUnknown(BookingError):
    """The request may or may not have been done and the hub could not be asked: the intent
    stays open and the reconciler finishes it as soon as the institution answers."""


class CancelRefused(BookingError):
    """The institution refused to cancel; the ticket stays active on both sides."""


class ConfirmationError(BookingError):
    """The SMS code was not accepted."""


class WrongCode(ConfirmationError):
    def __init__(self, attempts_left: int) -> None:
        if attempts_left > 0:
            text = (
                "Неверный код подтверждения. Введите корректный код подтверждения записи на "
                f"прием из СМС (осталось попыток: {attempts_left})."
            )
        else:
            text = (
                "Неверный код подтверждения введён слишком много раз. Запись на прием "
                "аннулирована; запишитесь заново."
            )
        super().__init__(text)
        self.attempts_left = attempts_left


class ConfirmationExpired(ConfirmationError):
    def __init__(self) -> None:
        super().__init__(
            "Подтверждение талона возможно в течение 1 часа; это время истекло, и запись на "
            "прием аннулирована. Запишитесь заново."
        )
