"""Errors of the hub connector: business refusals by ``IdError`` and one "no connection" error.

Every error carries ``message``: Russian text the operator can act on (what to do next), as the
regional registry's operator manual lists: another time, another doctor, other patient data, or
the МИАЦ technical support told the institution's name and the error text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

UNAVAILABLE_MESSAGE = (
    "Выбранное время недоступно для записи. К сожалению, временно нет связи с ЛПУ. "
    "Попробуйте обратиться позже."
)

_SUPPORT = (
    "Обратитесь в службу технической поддержки МИАЦ, сообщив наименование медицинской "
    "организации{institution} и текст ошибки{description}."
)


class HubError(Exception):
    """Base of every error the hub connector raises."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HubNotConfigured(HubError):
    """No endpoint is configured for the institution (and no regional hub either)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            "Для медицинской организации не настроено подключение к сервису записи "
            f"({what}). Обратитесь к администратору."
        )
        self.what = what


class HubUnavailable(HubError):
    """No usable answer from the endpoint: refused, timed out, HTTP error, bad XML, SOAP fault.

    ``message`` is always the manual's text; ``cause`` says what happened, for logs and support.
    """

    def __init__(self, endpoint_url: str, cause: str, *, sent: bool = True) -> None:
        super().__init__(UNAVAILABLE_MESSAGE)
        self.endpoint_url = endpoint_url
        self.cause = cause
        # False when no connection was made at all (refused, unreachable, connect timeout):
        # the request certainly did not reach the MIS, so nothing there needs checking.
        self.sent = sent

    def __repr__(self) -> str:
        return f"HubUnavailable(endpoint_url={self.endpoint_url!r}, cause={self.cause!r})"


class HubBusinessError(HubError):
    """``Success=false``: the institution's MIS refused the request with an ``IdError``."""

    code: int = 0
    template: ClassVar[str] = (
        "Медицинская организация отказала в выполнении запроса (код ошибки {code}). " + _SUPPORT
    )

    def __init__(
        self,
        hub_description: str = "",
        *,
        code: int | None = None,
        institution: str = "",
        errors: Sequence[tuple[int, str]] = (),
    ) -> None:
        if code is not None:
            self.code = code
        self.hub_description = hub_description
        self.institution = institution
        self.errors = tuple(errors) or ((self.code, hub_description),)
        super().__init__(
            self.template.format(
                code=self.code,
                institution=f" ({institution})" if institution else "",
                description=f": «{hub_description}»" if hub_description else "",
            )
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, hub_description={self.hub_description!r})"


class IncompleteData(HubBusinessError):
    code = 4
    template = (
        "Недостаточно данных для выполнения запроса. Дополните данные пациента "
        "(ФИО, дату рождения, полис ОМС) и повторите попытку."
    )


class PatientNotFound(HubBusinessError):
    code = 20
    template = (
        "Пациент не найден в медицинской организации. Проверьте ФИО, дату рождения и полис ОМС "
        "или введите иные данные пациента."
    )


class PatientNotUnique(HubBusinessError):
    code = 21
    template = (
        "Найдено несколько пациентов с такими данными. Уточните данные пациента: "
        "укажите полис ОМС, СНИЛС или документ, удостоверяющий личность."
    )


class CivilRegistryMismatch(HubBusinessError):
    code = 22
    template = (
        "Данные пациента не совпадают с регистром застрахованных. Проверьте ФИО, дату рождения "
        "и полис ОМС или введите иные данные пациента."
    )


class DoctorProfileMismatch(HubBusinessError):
    code = 33
    template = "Врач не ведёт приём пациентов этого профиля. Выберите другого врача."


class AgeRestriction(HubBusinessError):
    code = 34
    template = (
        "Запись к этому врачу невозможна по возрасту пациента. Выберите другого врача."
    )


class AlreadyBooked(HubBusinessError):
    code = 35
    template = (
        "Пациент уже записан к этому врачу (по этой специальности) на предстоящую дату. "
        "Выберите другого врача или отмените имеющуюся запись."
    )


class NotAttachedToArea(HubBusinessError):
    code = 36
    template = (
        "Пациент не прикреплён к участку этого врача. Выберите другого врача "
        "(врача своего участка)."
    )


class InvalidSlot(HubBusinessError):
    code = 38
    template = (
        "Выбранное время недоступно для записи. Обновите расписание и запишитесь на другое время."
    )


class SlotTaken(HubBusinessError):
    code = 39
    template = "Выбранное время уже занято. Запишитесь на другое время."


class NoAreaInformation(HubBusinessError):
    code = 41
    template = "Нет сведений об участке пациента. Выберите другого врача. " + _SUPPORT.replace(
        "Обратитесь", "Если это ошибка, обратитесь"
    )


class AppointmentNotFound(HubBusinessError):
    code = 75
    template = (
        "Запись на приём не найдена или уже отменена. Обновите список записей пациента."
    )


class HubTechnicalError(HubBusinessError):
    code = 99
    template = "Техническая ошибка в медицинской организации. " + _SUPPORT


class UnknownHubError(HubBusinessError):
    """A code outside the catalogue (``code`` is what the MIS sent; 0 when it sent none)."""


ERROR_CLASSES: dict[int, type[HubBusinessError]] = {
    cls.code: cls
    for cls in (
        IncompleteData,
        PatientNotFound,
        PatientNotUnique,
        CivilRegistryMismatch,
        DoctorProfileMismatch,
        AgeRestriction,
        AlreadyBooked,
        NotAttachedToArea,
        InvalidSlot,
        SlotTaken,
        NoAreaInformation,
        AppointmentNotFound,
        HubTechnicalError,
    )
}


def business_error(
    errors: Sequence[tuple[int, str]], *, institution: str = ""
) -> HubBusinessError:
    """The typed error for an ``ErrorList`` (by its first entry; all are kept in ``.errors``)."""
    if not errors:
        return UnknownHubError(
            "Success=false без списка ошибок", code=0, institution=institution
        )
    code, description = errors[0]
    cls = ERROR_CLASSES.get(code)
    if cls is None:
        return UnknownHubError(description, code=code, institution=institution, errors=errors)
    return cls(description, institution=institution, errors=errors)
