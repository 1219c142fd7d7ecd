"""Table of tickets for the «Талоны» dock (rows merged in place: ``KeyedRowsModel``)."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from workstation.models import AppointmentState
from workstation.services.tickets.listing import TicketRow
from workstation.ui.keyed_rows_model import (
    ROW_DATA_ROLE,
    ROW_ID_ROLE,
    TICKET_NUMBER_ROLE,
    KeyedRowsModel,
)

__all__ = [
    "INACTIVE_COLOR",
    "ROW_DATA_ROLE",
    "ROW_ID_ROLE",
    "TICKET_NUMBER_ROLE",
    "Column",
    "KeyedRowsModel",
    "TicketsModel",
]

INACTIVE_COLOR = QColor(0x75, 0x75, 0x75)
"""Tickets that are no longer a booking (cancelled, annulled, …)."""

_INACTIVE_STATES = frozenset(
    {
        AppointmentState.CANCELLED,
        AppointmentState.ANNULLED,
        AppointmentState.RELEASED,
        AppointmentState.NO_SHOW,
    }
)


class Column(enum.IntEnum):
    """Columns of the tickets table."""

    NUMBER = 0
    STATE = 1
    VISIT = 2
    PATIENT = 3
    SPECIALTY = 4
    DOCTOR = 5
    INSTITUTION = 6


class TicketsModel(KeyedRowsModel[TicketRow]):
    """Tickets newest first: number, state, visit, patient (initials), specialty, doctor,
    institution."""

    column_count = len(Column)

    def display(self, row: TicketRow, column: int) -> str:
        if column == Column.NUMBER:
            return row.ticket_number
        if column == Column.STATE:
            return row.state_label
        if column == Column.VISIT:
            return row.visit_label
        if column == Column.PATIENT:
            return row.patient
        if column == Column.SPECIALTY:
            return row.specialty
        if column == Column.DOCTOR:
            return row.doctor
        return row.institution

    def tooltip(self, row: TicketRow, column: int) -> str | None:
        if column == Column.VISIT:
            return row.visit_long_label
        if column in (Column.DOCTOR, Column.INSTITUTION, Column.SPECIALTY):
            return self.display(row, column)
        return None

    def foreground(self, row: TicketRow, column: int) -> QColor | None:
        return INACTIVE_COLOR if row.state in _INACTIVE_STATES else None

    def ticket_number(self, row: TicketRow) -> str | None:
        return row.ticket_number

    def header(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            titles = {
                Column.NUMBER: self.tr("Талон №"),
                Column.STATE: self.tr("Состояние"),
                Column.VISIT: self.tr("Приём"),
                Column.PATIENT: self.tr("Пациент"),
                Column.SPECIALTY: self.tr("Специальность"),
                Column.DOCTOR: self.tr("Врач"),
                Column.INSTITUTION: self.tr("Учреждение"),
            }
            return titles[Column(column)]
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.VISIT:
            return self.tr("Дата и время приёма (местное время учреждения)")
        return None
