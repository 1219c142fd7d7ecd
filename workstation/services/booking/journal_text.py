"""The journal's actions in the manual's words («Журнал событий»: дата, IP-адрес, действие)."""

from __future__ import annotations

from workstation.models import Appointment

SIGN_IN = "Вход в систему"
CONTACTS_CHANGED = "Изменение контактной информации"
PASSWORD_CHANGED = "Изменение пароля"


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
