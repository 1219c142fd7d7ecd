"""The journal's actions in the manual's words («Журнал событий»: дата, IP-адрес, действие)."""

from __future__ import annotations

from workstation.models import Appointment

SIGN_IN = "Вход в систему"
CONTACTS_CHANGED = "Изменение контактной информации"
PASSWORD_CHANGED = "Изменение пароля"


def held(appointment: Appointment) -> str:
    """The operator chose a time and it is held during the call (not in the manual: the portal
    has no holds)."""
    return f"Выбор времени приема Талон №{appointment.ticket_number}, {appointment.visit_label}"


def hold_released(appointment: Appointment) -> str:
    return (
        f"Отказ от выбранного времени Талон №{appointment.ticket_number}, "
        f"{appointment.visit_label}"
    )


def booked(appointment: Appointment) -> str:
    """«Запись на прием Талон №21752, 14.08.2015 10:30»."""
    return f"Запись на прием Талон №{appointment.ticket_number}, {appointment.visit_label}"


def awaiting_confirmation(appointment: Appointment) -> str:
    return (
        f"Бронь записи на прием Талон №{appointment.ticket_number}, {appointment.visit_label} "
        "(ожидает подтверждения кодом из СМС)"
    )


def confirmed(appointment: Appointment) -> str:
    return (
        f"Подтверждение записи на прием Талон №{appointment.ticket_number}, "
        f"{appointment.visit_label}"
    )


def wrong_code(appointment: Appointment) -> str:
    return f"Неверный код подтверждения Талон №{appointment.ticket_number}"


def cancelled(appointment: Appointment) -> str:
    """«Отмена посещения Талон №21737, 20.05.2015 09:00»."""
    return f"Отмена посещения Талон №{appointment.ticket_number}, {appointment.visit_label}"


def rescheduled(appointment: Appointment, previous: Appointment) -> str:
    """«Перенос записи Талон №100000005, 14.08.2015 10:30 (вместо Талон №100000004,
    13.08.2015 09:00)».

    The new ticket comes first: the journal's reprint takes the first number an action names, and
    the ticket to hand over after a reschedule is the new one.
    """
    return (
        f"Перенос записи Талон №{appointment.ticket_number}, {appointment.visit_label} "
        f"(вместо Талон №{previous.ticket_number}, {previous.visit_label})"
    )


def rescheduled_awaiting_confirmation(appointment: Appointment, previous: Appointment) -> str:
    return f"{rescheduled(appointment, previous)}, ожидает подтверждения кодом из СМС"


def cancelled_by_late_reschedule(previous: Appointment) -> str:
    """A reschedule the MIS committed after the workstation had given up on it cancelled the
    previous booking at the hub (the MIS does both in one step)."""
    return reconciled(previous, "запись отменена ЛПУ при позднем переносе на другое время")


def annulled(appointment: Appointment) -> str:
    return (
        f"Аннулирование записи Талон №{appointment.ticket_number}, {appointment.visit_label} "
        "(не подтверждена)"
    )


def visit_outcome(appointment: Appointment, visited: bool) -> str:
    what = "Посещение состоялось" if visited else "Неявка на прием"
    return f"{what} Талон №{appointment.ticket_number}, {appointment.visit_label}"


def refused(appointment: Appointment) -> str:
    return f"Отказ в записи Талон №{appointment.ticket_number}, {appointment.visit_label}"


def refused_no_connection(endpoint_url: str) -> str:
    """«Отказ в записи (нет связи) http://…/PortalServiceLpu»."""
    return f"Отказ в записи (нет связи) {endpoint_url}"


def cancel_refused_no_connection(endpoint_url: str) -> str:
    return f"Отказ в отмене записи (нет связи) {endpoint_url}"


def outcome_unknown(appointment: Appointment, endpoint_url: str) -> str:
    return (
        f"Результат записи неизвестен (нет связи) Талон №{appointment.ticket_number}, "
        f"{appointment.visit_label} {endpoint_url}"
    )


def reconciled(appointment: Appointment, outcome: str) -> str:
    return f"Сверка с ЛПУ Талон №{appointment.ticket_number}: {outcome}"
