"""«Поиск участка»: which участок of an institution serves the patient's address.

The manual's form: «Медицинское учреждение», «Улица» (with suggestions), «Номер дома», «Найти»;
the result «Ваш участок: Участок №91, Терапевтический», «Ваш врач: …» and the address, or «Нет
совпадений. Уточните параметры поиска или свяжитесь с ЛПУ». A house number that cannot be read
is explained next to the field. When an identified patient has an IdPat at the institution, the
institution's MIS is asked too (GetPatientsAreas) on the hub's worker thread, never on the GUI
thread or the database worker; its answer, or why there is none, is a note under the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape, unescape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import Institution, Settlement
from workstation.services import addresses, directory
from workstation.services.addresses import InvalidHouse
from workstation.services.booking.identification import known_id_pat
from workstation.services.districts import DistrictSearchResult, district_search
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.errors import HubError
from workstation.services.hub.results import PatientArea
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.directory_panel import StreetField

ConnectorFactory = Callable[[], HubConnector]

MIS_PREFIX = "По данным МИС ЛПУ:"


def institution_choices(
    session: Session, settlement_id: int
) -> tuple[str, list[tuple[int, str]]]:
    """The settlement's name and its institutions (subdivisions after their parents)."""
    settlement = session.get(Settlement, settlement_id)
    rows = [
        (row.id, row.short_name)
        for top in directory.list_institutions(session, settlement_id)
        for row in top.walk()
    ]
    return (settlement.name if settlement is not None else ""), rows


def hub_patient(session: Session, patient_id: int, institution_id: int) -> tuple[int, str] | None:
    """The institution's IdLPU and the patient's IdPat there, if the patient has one."""
    id_pat = known_id_pat(session, patient_id, institution_id)
    if not id_pat:
        return None
    hub_id = session.scalar(select(Institution.hub_id).where(Institution.id == institution_id))
    return None if hub_id is None else (int(hub_id), id_pat)


def describe_areas(areas: Sequence[PatientArea]) -> str:
    """«участок 91 (Терапевтический); участок 7 (Педиатрический)»."""
    parts = []
    for area in areas:
        if not area.area:
            continue
        text = f"участок {area.area}"
        if area.area_type:
            text += f" ({area.area_type})"
        parts.append(text)
    return "; ".join(parts) if parts else "пациент не прикреплен к участку"


class DistrictSearchPanel(QWidget):
    """«Поиск участка» in the institutions of the chosen settlement."""

    searched = Signal()
    """A search ended: the result, the no-match message or an input error is shown."""

    misAreasShown = Signal()
    """The MIS's answer (or why there is none) is shown."""

    institutionsLoaded = Signal()
    """The institutions of a new settlement are listed."""

    def __init__(
        self,
        worker: DatabaseWorker,
        *,
        hub_worker: DatabaseWorker | None = None,
        connector_factory: ConnectorFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("districtSearchPanel")
        self._worker = worker
        self._hub_worker = hub_worker
        self._connector_factory = connector_factory
        self._connector: HubConnector | None = None  # built and used on the hub thread only
        self._settlement_id: int | None = None
        self._patient_id: int | None = None
        self._result: DistrictSearchResult | None = None
        self._generation = 0
        self._search_generation = 0
        self._mis_generation = 0

        self.heading = QLabel(self.tr("Поиск участка"), self)
        self.heading.setObjectName("districtHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)

        self.institution_combo = QComboBox(self)
        self.institution_combo.setObjectName("districtInstitution")
        self.institution_combo.setMinimumContentsLength(30)
        self.institution_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.institution_combo.currentIndexChanged.connect(self._on_institution_changed)
        self.street_field = StreetField(worker, self)
        self.street_field.setObjectName("districtStreet")
        self.street_field.returnPressed.connect(self._street_enter)
        self.house_field = QLineEdit(self)
        self.house_field.setObjectName("districtHouse")
        self.house_field.setMaximumWidth(120)
        self.house_field.returnPressed.connect(self.search)
        self.house_field.textEdited.connect(lambda _text: self._show_input_error(""))
        self.find_button = QPushButton(self.tr("Найти"), self)
        self.find_button.setObjectName("districtFind")
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(self.search)
        self.input_error = QLabel(self)
        self.input_error.setObjectName("districtInputError")
        self.input_error.setWordWrap(True)
        self.input_error.setStyleSheet("color: #b00020;")
        self.input_error.hide()

        self.result_title = QLabel(f"<b>{self.tr('Результаты поиска')}</b>", self)
        self.result_title.hide()
        self.result_label = QLabel(self)
        self.result_label.setObjectName("districtResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.mis_label = QLabel(self)
        self.mis_label.setObjectName("districtMis")
        self.mis_label.setWordWrap(True)
        self.mis_label.hide()

        form = QFormLayout()
        institution_label = QLabel(self.tr("&Медицинское учреждение: *"), self)
        institution_label.setBuddy(self.institution_combo)
        form.addRow(institution_label, self.institution_combo)
        address = QHBoxLayout()
        street_label = QLabel(self.tr("&Улица: *"), self)
        street_label.setBuddy(self.street_field)
        house_label = QLabel(self.tr("Номер &дома: *"), self)
        house_label.setBuddy(self.house_field)
        address.addWidget(street_label)
        address.addWidget(self.street_field, 1)
        address.addWidget(house_label)
        address.addWidget(self.house_field)
        address.addWidget(self.find_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addLayout(address)
        layout.addWidget(self.input_error)
        layout.addWidget(self.result_title)
        layout.addWidget(self.result_label)
        layout.addWidget(self.mis_label)
        layout.addStretch(1)

    # --- public API ---------------------------------------------------------------------------

    @property
    def settlement_id(self) -> int | None:
        """The settlement whose institutions are offered."""
        return self._settlement_id

    @property
    def institution_id(self) -> int | None:
        """The chosen institution."""
        value = self.institution_combo.currentData()
        return int(value) if isinstance(value, int) else None

    @property
    def patient_id(self) -> int | None:
        """The identified patient, if any."""
        return self._patient_id

    @property
    def result(self) -> DistrictSearchResult | None:
        """The last search's result."""
        return self._result

    def result_text(self) -> str:
        """The result as plain text (for tests and for copying)."""
        return _plain(self.result_label.text())

    def set_settlement(self, settlement_id: int) -> None:
        """Offer the institutions of a settlement (the address and result are cleared)."""
        self._settlement_id = settlement_id
        self._generation += 1
        generation = self._generation
        self.street_field.set_settlement(settlement_id)
        self.house_field.clear()
        self._clear_result()
        self._worker.submit(
            lambda session: institution_choices(session, settlement_id),
            lambda found: self._on_institutions(generation, *found),
            lambda error: self._on_institutions_failed(generation, error),
            owner=self,
        )

    def choose_institution(self, institution_id: int) -> bool:
        """Choose an institution of the list."""
        index = self.institution_combo.findData(institution_id)
        if index < 0:
            return False
        self.institution_combo.setCurrentIndex(index)
        return True

    def set_patient(self, patient_id: int | None) -> None:
        """The identified patient (None: none); their MIS area is asked for when possible."""
        if patient_id == self._patient_id:
            return
        self._patient_id = patient_id
        self.refresh_mis_areas()

    def search(self) -> None:
        """«Найти»: check the input, then look the участок up."""
        institution_id = self.institution_id
        street = self.street_field.street
        house = self.house_field.text().strip()
        if institution_id is None:
            self._input_failed(self.tr("Выберите медицинское учреждение."), self.institution_combo)
            return
        if street == "":
            self._input_failed(self.tr("Укажите улицу."), self.street_field)
            return
        try:
            addresses.parse_house(house)
        except InvalidHouse as error:
            self._input_failed(str(error), self.house_field)
            self.house_field.selectAll()
            return
        self._show_input_error("")
        self._search_generation += 1
        generation = self._search_generation
        self.find_button.setEnabled(False)
        self._worker.submit(
            lambda session: district_search(session, institution_id, street, house),
            lambda result: self._on_result(generation, result),
            lambda error: self._on_search_failed(generation, error),
            owner=self,
        )
        self.refresh_mis_areas()

    def refresh_mis_areas(self) -> None:
        """Ask the institution's MIS for the patient's участок (when a patient has an IdPat)."""
        self._mis_generation += 1
        generation = self._mis_generation
        patient_id = self._patient_id
        institution_id = self.institution_id
        if (
            patient_id is None
            or institution_id is None
            or self._hub_worker is None
            or self._connector_factory is None
        ):
            self.mis_label.hide()
            return
        self._worker.submit(
            lambda session: hub_patient(session, patient_id, institution_id),
            lambda found: self._on_hub_patient(generation, found),
            lambda _error: self._on_hub_patient(generation, None),
            owner=self,
        )

    # --- internals ----------------------------------------------------------------------------

    def _clear_result(self) -> None:
        self._result = None
        self._search_generation += 1
        self.find_button.setEnabled(True)
        self.result_title.hide()
        self.result_label.clear()
        self._show_input_error("")

    def _show_input_error(self, text: str) -> None:
        self.input_error.setText(text)
        self.input_error.setVisible(bool(text))

    def _input_failed(self, text: str, field: QWidget) -> None:
        self._show_input_error(text)
        field.setFocus()
        self.searched.emit()

    def _street_enter(self) -> None:
        if self.house_field.text().strip():
            self.search()
        else:
            self.house_field.setFocus()

    def _on_institutions(
        self, generation: int, name: str, rows: list[tuple[int, str]]
    ) -> None:
        if generation != self._generation:
            return
        self.heading.setText(
            self.tr("Поиск участка в населенном пункте {0} в медицинской организации").format(name)
        )
        kept = self.institution_id
        self.institution_combo.blockSignals(True)
        self.institution_combo.clear()
        for institution_id, short_name in rows:
            self.institution_combo.addItem(short_name, institution_id)
        index = self.institution_combo.findData(kept) if kept is not None else -1
        self.institution_combo.setCurrentIndex(index if index >= 0 else (0 if rows else -1))
        self.institution_combo.blockSignals(False)
        self._on_institution_changed(self.institution_combo.currentIndex())
        self.institutionsLoaded.emit()

    def _on_institutions_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._show_input_error(
            self.tr("Не удалось загрузить список учреждений: {0}").format(describe_error(error))
        )
        self.institutionsLoaded.emit()

    def _on_institution_changed(self, _index: int) -> None:
        self._clear_result()
        self.refresh_mis_areas()

    def _on_result(self, generation: int, result: DistrictSearchResult) -> None:
        if generation != self._search_generation:
            return
        self.find_button.setEnabled(True)
        self._result = result
        self.result_title.show()
        if not result.matches:
            self.result_label.setText(escape(result.message))
            self.searched.emit()
            return
        blocks = []
        for match in result.matches:
            lines = [f"{escape(self.tr('Ваш участок:'))} <b>{escape(match.title)}</b>"]
            if match.doctor:
                lines.append(f"{escape(self.tr('Ваш врач:'))} {escape(match.doctor)}")
            if match.address_label:
                lines.append(f"{escape(self.tr('Адрес:'))} {escape(match.address_label)}")
            blocks.append("<br>".join(lines))
        if result.message:
            blocks.append(f"<i>{escape(result.message)}</i>")
        self.result_label.setText("<br><br>".join(blocks))
        self.searched.emit()

    def _on_search_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._search_generation:
            return
        self.find_button.setEnabled(True)
        if isinstance(error, InvalidHouse):
            self._input_failed(str(error), self.house_field)
            return
        self.result_title.show()
        self.result_label.setText(
            escape(self.tr("Не удалось выполнить поиск участка: {0}").format(describe_error(error)))
        )
        self.searched.emit()

    def _on_hub_patient(self, generation: int, found: tuple[int, str] | None) -> None:
        if generation != self._mis_generation:
            return
        hub_worker = self._hub_worker
        if found is None or hub_worker is None or not hub_worker.is_running:
            self.mis_label.hide()
            self.misAreasShown.emit()
            return
        id_lpu, id_pat = found
        self.mis_label.setText(f"{MIS_PREFIX} {self.tr('запрос…')}")
        self.mis_label.show()
        hub_worker.submit(
            lambda _session: self._ask_mis(id_lpu, id_pat),
            lambda areas: self._on_mis_areas(generation, areas),
            lambda error: self._on_mis_failed(generation, error),
            owner=self,
        )

    def _ask_mis(self, id_lpu: int, id_pat: str) -> tuple[PatientArea, ...]:
        # Runs on the hub worker's thread: the connector is built and used only there.
        if self._connector is None:
            assert self._connector_factory is not None
            self._connector = self._connector_factory()
        return self._connector.for_lpu(id_lpu).get_patients_areas(id_lpu, id_pat)

    def _on_mis_areas(self, generation: int, areas: tuple[PatientArea, ...]) -> None:
        if generation != self._mis_generation:
            return
        self.mis_label.setStyleSheet("")
        self.mis_label.setText(f"{MIS_PREFIX} {describe_areas(areas)}")
        self.mis_label.show()
        self.misAreasShown.emit()

    def _on_mis_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._mis_generation:
            return
        reason = error.message if isinstance(error, HubError) else describe_error(error)
        self.mis_label.setStyleSheet("color: #7a5b00;")
        self.mis_label.setText(
            self.tr("{0} сведения не получены ({1}). Результат поиска выше — по справочнику.")
            .format(MIS_PREFIX, reason)
        )
        self.mis_label.show()
        self.misAreasShown.emit()


def _plain(html_text: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", html_text)
    return unescape(re.sub(r"<[^>]+>", "", text))
