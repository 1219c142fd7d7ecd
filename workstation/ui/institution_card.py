"""The card of a medical institution, as the manual's «Подробнее» form shows it.

Full and short name, «Адрес», «Регистратура», «Режим работы», the site, the departments, the way
to the schedule («Поиск расписания») and «Доступное время приема»: the days of the next two
weeks with the number of free tickets and their times, for the whole institution or for a chosen
specialty or doctor, with «Перейти к форме записи». Everything is read through the database
worker; a result that arrives after the operator opened another institution is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models import Institution
from workstation.services import directory
from workstation.services.directory import DepartmentRow, DoctorRow, name_sort_key
from workstation.services.nearest import DayAvailability, available_time
from workstation.services.schedule import specialty_choices
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.map_view import UrlOpener, osm_url
from workstation.ui.rows_table_model import RowsTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()
Clock = Callable[[], dt.datetime]

DAYS_SHOWN = 14

VALUE_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""The value a row stands for (an id, or a dataclass)."""


@dataclass(frozen=True, slots=True)
class SpecialtyOption:
    """A specialty of the institution as the card offers it."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CardDetails:
    """What the card shows about an institution (read on the worker thread)."""

    id: int
    full_name: str
    short_name: str
    address: str
    registry_phones: str
    working_hours: str
    site: str
    lat: float | None
    lon: float | None
    departments: tuple[DepartmentRow, ...]
    specialties: tuple[SpecialtyOption, ...]


def load_card(session: Session, institution_id: int) -> CardDetails | None:
    """The card's details of an institution, or None if it is not in the directory."""
    institution = session.get(Institution, institution_id)
    if institution is None:
        return None
    specialties = [
        SpecialtyOption(choice.specialty_ids[0], choice.name)
        for choice in specialty_choices(session, institution_id=institution_id)
        if choice.specialty_ids
    ]
    return CardDetails(
        id=institution.id,
        full_name=institution.full_name,
        short_name=institution.short_name,
        address=institution.address,
        registry_phones=institution.registry_phones,
        working_hours=institution.working_hours,
        site=institution.site,
        lat=institution.lat,
        lon=institution.lon,
        departments=tuple(directory.list_departments(session, institution_id)),
        specialties=tuple(specialties),
    )


def doctors_of_specialty(
    session: Session, institution_id: int, specialty_id: int
) -> list[DoctorRow]:
    """The institution's doctors of a specialty, in all its departments, by name."""
    rows: list[DoctorRow] = []
    for department in directory.list_departments(session, institution_id):
        rows.extend(directory.list_doctors(session, department.id, specialty_id))
    rows = [row for row in rows if row.institution_id == institution_id]
    rows.sort(key=lambda row: name_sort_key(row.full_name))
    return rows


def link_html(site: str) -> str:
    """The site as a link (``http://`` added when the address has no scheme)."""
    if not site:
        return ""
    url = site if "://" in site else f"http://{site}"
    return f'<a href="{_escape(url)}">{_escape(site)}</a>'


class DepartmentListModel(RowsTableModel[DepartmentRow]):
    """The departments of the card: name, with the address as the tooltip."""

    HEADERS = ("Отделение",)

    def cell(self, row: DepartmentRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [row.address] if row.address else []
            parts.append(f"врачей: {row.doctor_count}")
            return ", ".join(parts)
        if role == VALUE_ROLE:
            return row
        return None


class AvailableTimeModel(RowsTableModel[DayAvailability]):
    """«Доступное время приема»: day, «талонов: N», the times of the free tickets."""

    HEADERS = ("Дата", "Талонов", "Время приема")

    def cell(self, row: DayAvailability, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.heading
            if column == 1:
                return row.tickets_label
            return "  ".join(row.times)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return ", ".join(row.times)
        if role == VALUE_ROLE:
            return row
        return None


class InstitutionCard(QDialog):
    """The institution's card (a dialog opened with ``open()``; Esc closes it)."""

    scheduleRequested = Signal(int)
    """«Поиск расписания»: show the institution's schedule (its id)."""

    bookRequested = Signal(int, int)
    """«Перейти к форме записи»: the institution's id and the chosen doctor's id (0: none)."""

    loaded = Signal()
    """The details of the requested institution are shown (or the failure is)."""

    timesLoaded = Signal()
    """«Доступное время приема» is shown for the current choice (or its failure is)."""

    def __init__(
        self,
        worker: DatabaseWorker,
        now: Clock,
        parent: QWidget | None = None,
        *,
        open_url: UrlOpener = QDesktopServices.openUrl,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("institutionCard")
        self.setWindowTitle(self.tr("Медицинское учреждение"))
        self._worker = worker
        self._now = now
        self._open_url = open_url
        self._institution_id: int | None = None
        self._details: CardDetails | None = None
        self._generation = 0
        self._times_generation = 0
        self._doctors_generation = 0

        self.title = QLabel(self)
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.short_name = QLabel(self)
        self.short_name.setWordWrap(True)
        self.address = self._value_label("cardAddress")
        self.phones = self._value_label("cardPhones")
        self.hours = self._value_label("cardHours")
        self.site = QLabel(self)
        self.site.setObjectName("cardSite")
        self.site.setTextFormat(Qt.TextFormat.RichText)
        self.site.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.site.setOpenExternalLinks(False)
        self.site.linkActivated.connect(lambda link: self._open_url(QUrl(link)))
        self.status = QLabel(self)
        self.status.setObjectName("cardStatus")
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("Адрес"), self.address)
        form.addRow(self.tr("Регистратура"), self.phones)
        form.addRow(self.tr("Режим работы"), self.hours)
        form.addRow(self.tr("Сайт"), self.site)

        self.map_button = QPushButton(self.tr("Показать на карте"), self)
        self.map_button.setObjectName("cardShowOnMap")
        self.map_button.clicked.connect(self.show_on_map)
        self.schedule_button = QPushButton(self.tr("Поиск расписания"), self)
        self.schedule_button.setObjectName("cardSchedule")
        self.schedule_button.setToolTip(self.tr("Отделения, специальности и график приема"))
        self.schedule_button.clicked.connect(self._request_schedule)
        actions = QHBoxLayout()
        actions.addWidget(self.map_button)
        actions.addWidget(self.schedule_button)
        actions.addStretch(1)

        self.department_model = DepartmentListModel(self)
        self.departments = QListView(self)
        self.departments.setObjectName("cardDepartments")
        self.departments.setModel(self.department_model)
        self.departments.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.departments.setMaximumHeight(110)
        self.departments.doubleClicked.connect(lambda _index: self._request_schedule())

        self.specialty_combo = QComboBox(self)
        self.specialty_combo.setObjectName("cardSpecialty")
        self.specialty_combo.setMinimumContentsLength(24)
        self.specialty_combo.currentIndexChanged.connect(self._on_specialty_changed)
        self.doctor_combo = QComboBox(self)
        self.doctor_combo.setObjectName("cardDoctor")
        self.doctor_combo.setMinimumContentsLength(24)
        self.doctor_combo.currentIndexChanged.connect(self._on_doctor_changed)
        choice = QHBoxLayout()
        specialty_label = QLabel(self.tr("&Специальность:"), self)
        specialty_label.setBuddy(self.specialty_combo)
        doctor_label = QLabel(self.tr("&Врач:"), self)
        doctor_label.setBuddy(self.doctor_combo)
        choice.addWidget(specialty_label)
        choice.addWidget(self.specialty_combo, 1)
        choice.addWidget(doctor_label)
        choice.addWidget(self.doctor_combo, 1)

        self.time_model = AvailableTimeModel(self)
        self.times = QTableView(self)
        self.times.setObjectName("cardAvailableTime")
        self.times.setModel(self.time_model)
        self.times.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.times.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.times.setWordWrap(True)
        self.times.verticalHeader().hide()
        header = self.times.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.times.doubleClicked.connect(lambda _index: self.request_booking())
        self.times_status = QLabel(self)
        self.times_status.setObjectName("cardTimesStatus")
        self.times_status.setWordWrap(True)
        note = QLabel(
            self.tr(
                "Через Электронную регистратуру вы можете записаться в любое учреждение. "
                "Подробное расписание можно увидеть после ввода данных на форме записи."
            ),
            self,
        )
        note.setWordWrap(True)
        self.book_button = QPushButton(self.tr("Перейти к форме записи"), self)
        self.book_button.setObjectName("cardBook")
        self.book_button.setDefault(True)
        self.book_button.clicked.connect(self.request_booking)
        close_button = QPushButton(self.tr("Закрыть"), self)
        close_button.setAutoDefault(False)
        close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.book_button)
        bottom.addStretch(1)
        bottom.addWidget(close_button)

        times_title = QLabel(f"<b>{self.tr('Доступное время приема')}</b>", self)
        departments_title = QLabel(f"<b>{self.tr('Отделения')}</b>", self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.short_name)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(departments_title)
        layout.addWidget(self.departments)
        layout.addWidget(times_title)
        layout.addLayout(choice)
        layout.addWidget(self.times, 1)
        layout.addWidget(self.times_status)
        layout.addWidget(note)
        layout.addLayout(bottom)
        self.resize(720, 640)
        self._set_enabled(False)

    # --- public API ---------------------------------------------------------------------------

    @property
    def institution_id(self) -> int | None:
        """The institution shown (or being loaded)."""
        return self._institution_id

    @property
    def details(self) -> CardDetails | None:
        """The details shown."""
        return self._details

    @property
    def specialty_id(self) -> int | None:
        """The specialty chosen for «Доступное время приема» (None: all)."""
        value = self.specialty_combo.currentData()
        return int(value) if isinstance(value, int) else None

    @property
    def doctor_id(self) -> int | None:
        """The doctor chosen (None: all doctors)."""
        value = self.doctor_combo.currentData()
        return int(value) if isinstance(value, int) else None

    def show_institution(self, institution_id: int) -> None:
        """Load and show an institution (the dialog is opened by the caller with ``open()``)."""
        self._institution_id = institution_id
        self._details = None
        self._generation += 1
        generation = self._generation
        self._set_status(self.tr("Загрузка…"))
        self._set_enabled(False)
        self._worker.submit(
            lambda session: load_card(session, institution_id),
            lambda details: self._on_details(generation, details),
            lambda error: self._on_details_failed(generation, error),
            owner=self,
        )

    def choose_specialty(self, specialty_id: int | None) -> bool:
        """Choose a specialty for the available times (None: all); False if not offered."""
        index = 0 if specialty_id is None else self.specialty_combo.findData(specialty_id)
        if index < 0:
            return False
        self.specialty_combo.setCurrentIndex(index)
        return True

    def choose_doctor(self, doctor_id: int | None) -> bool:
        """Choose a doctor of the chosen specialty (None: all); False if not listed."""
        index = 0 if doctor_id is None else self.doctor_combo.findData(doctor_id)
        if index < 0:
            return False
        self.doctor_combo.setCurrentIndex(index)
        return True

    def request_booking(self) -> None:
        """«Перейти к форме записи»: emit ``bookRequested`` and close the card."""
        if self._institution_id is None or self._details is None:
            return
        self.bookRequested.emit(self._institution_id, self.doctor_id or 0)
        self.accept()

    def show_on_map(self) -> None:
        """Open the institution on openstreetmap.org."""
        details = self._details
        if details is not None and details.lat is not None and details.lon is not None:
            self._open_url(osm_url(details.lat, details.lon))

    def reload_times(self) -> None:
        """Read «Доступное время приема» again for the current choice."""
        institution_id = self._institution_id
        if institution_id is None:
            return
        self._times_generation += 1
        generation = self._times_generation
        doctor_id = self.doctor_id
        specialty_id = None if doctor_id is not None else self.specialty_id
        now = self._now()
        self.times_status.setText(self.tr("Загрузка…"))

        def job(session: Session) -> list[DayAvailability]:
            return available_time(
                session,
                institution_id,
                now,
                days=DAYS_SHOWN,
                doctor_id=doctor_id,
                specialty_id=specialty_id,
            )

        self._worker.submit(
            job,
            lambda rows: self._on_times(generation, rows),
            lambda error: self._on_times_failed(generation, error),
            owner=self,
        )

    # --- internals ----------------------------------------------------------------------------

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _value_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.map_button,
            self.schedule_button,
            self.book_button,
            self.specialty_combo,
            self.doctor_combo,
        ):
            widget.setEnabled(enabled)
        if enabled and self._details is not None:
            self.map_button.setEnabled(self._details.lat is not None)

    def _request_schedule(self) -> None:
        if self._institution_id is not None:
            self.scheduleRequested.emit(self._institution_id)

    def _on_details(self, generation: int, details: CardDetails | None) -> None:
        if generation != self._generation:
            return
        if details is None:
            self._details = None
            self.title.setText("")
            self._set_status(
                self.tr("Учреждение не найдено в справочнике. Обновите список учреждений.")
            )
            self.loaded.emit()
            return
        self._details = details
        self.setWindowTitle(details.short_name)
        self.title.setText(details.full_name)
        same = details.short_name == details.full_name
        self.short_name.setText("" if same else details.short_name)
        self.address.setText(details.address or self.tr("не указан"))
        self.phones.setText(details.registry_phones or self.tr("не указаны"))
        self.hours.setText(details.working_hours or self.tr("не указан"))
        self.site.setText(link_html(details.site) or self.tr("не указан"))
        self._set_status("")
        self.department_model.set_rows(details.departments)
        self.specialty_combo.blockSignals(True)
        self.specialty_combo.clear()
        self.specialty_combo.addItem(self.tr("Все специальности"), None)
        for option in details.specialties:
            self.specialty_combo.addItem(option.name, option.id)
        self.specialty_combo.setCurrentIndex(0)
        self.specialty_combo.blockSignals(False)
        self._fill_doctors([])
        self._set_enabled(True)
        self.loaded.emit()
        self.reload_times()

    def _on_details_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._set_status(
            self.tr("Не удалось загрузить сведения об учреждении: {0}").format(
                describe_error(error)
            )
        )
        self.loaded.emit()

    def _fill_doctors(self, doctors: Sequence[DoctorRow]) -> None:
        self.doctor_combo.blockSignals(True)
        self.doctor_combo.clear()
        self.doctor_combo.addItem(self.tr("Все врачи"), None)
        for doctor in doctors:
            self.doctor_combo.addItem(doctor.full_name, doctor.id)
        self.doctor_combo.setCurrentIndex(0)
        self.doctor_combo.blockSignals(False)
        self.doctor_combo.setEnabled(bool(doctors))

    def _on_specialty_changed(self, _index: int) -> None:
        institution_id = self._institution_id
        specialty_id = self.specialty_id
        self._doctors_generation += 1
        generation = self._doctors_generation
        self._fill_doctors([])
        self.reload_times()
        if institution_id is None or specialty_id is None:
            return
        self._worker.submit(
            lambda session: doctors_of_specialty(session, institution_id, specialty_id),
            lambda rows: self._on_doctors(generation, rows),
            lambda _error: None,  # the combo stays «Все врачи»; the times still load
            owner=self,
        )

    def _on_doctors(self, generation: int, rows: list[DoctorRow]) -> None:
        if generation != self._doctors_generation:
            return
        self._fill_doctors(rows)

    def _on_doctor_changed(self, _index: int) -> None:
        self.reload_times()

    def _on_times(self, generation: int, rows: list[DayAvailability]) -> None:
        if generation != self._times_generation:
            return
        self.time_model.set_rows(rows)
        self.times.resizeRowsToContents()
        empty = self.tr("Нет свободных талонов на ближайшие две недели")
        self.times_status.setText("" if rows else empty)
        self.timesLoaded.emit()

    def _on_times_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._times_generation:
            return
        self.time_model.set_rows([])
        self.times_status.setText(
            self.tr("Не удалось получить доступное время: {0}").format(describe_error(error))
        )
        self.timesLoaded.emit()


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
