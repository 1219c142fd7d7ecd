"""«Список медицинских учреждений» of the chosen settlement, with the manual's filters and a map.

«Тип учреждения», «Специальность врача» (type to filter) and «Ближайшие к адресу» (a street with
suggestions as the operator types, and a house): with an address the institutions are ordered by
distance from it, numbered, and the address is the red mark on the map. The list and the map
share the numbers; Enter or a double click (on a row or a pin) opens the institution's card,
whose «Перейти к форме записи» is passed on as ``bookRequested``. Every query runs on the
database worker; results of a superseded query are dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import Institution, Settlement
from workstation.models.base import utc_now
from workstation.models.text import normalise_name
from workstation.services import addresses, nearest
from workstation.services.addresses import InvalidHouse, StreetRow
from workstation.services.booking.holds import local_now
from workstation.services.directory import InstitutionRow
from workstation.services.schedule import SpecialtyChoice, specialty_choices
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.institution_card import InstitutionCard
from workstation.ui.map_view import MapPin, MapView, UrlOpener
from workstation.ui.rows_table_model import RowsTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()
Clock = Callable[[], dt.datetime]

ROW_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""The institution's (or street's) database id."""
ROW_DATA_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""The row's dataclass."""

SUGGEST_DELAY_MS = 150
SUGGEST_LIMIT = 10


def _wall_clock() -> dt.datetime:
    return local_now(utc_now())


# --- streets ------------------------------------------------------------------------------------


class StreetSuggestionModel(RowsTableModel[StreetRow]):
    """Streets suggested for the typed text (``street_suggestions``), best first."""

    HEADERS = ("Улица",)

    def cell(self, row: StreetRow, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row.label
        if role == ROW_ID_ROLE:
            return row.id
        if role == ROW_DATA_ROLE:
            return row
        return None


class StreetField(QLineEdit):
    """A street of the settlement: suggestions from the directory appear as the operator types.

    ``street`` is the id of a chosen suggestion, or the typed text when none was chosen (the
    address services accept both).
    """

    suggestionsLoaded = Signal()
    """The suggestions for the current text are in the model."""

    streetChosen = Signal(int)
    """A suggestion was chosen (the street's id)."""

    def __init__(self, worker: DatabaseWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._settlement_id: int | None = None
        self._chosen: StreetRow | None = None
        self._generation = 0
        self.setPlaceholderText(self.tr("начните вводить улицу"))
        self.setClearButtonEnabled(True)
        self.model = StreetSuggestionModel(self)
        self._completer = QCompleter(self.model, self)
        # The directory has already filtered (and ranked) the streets: show them as they are.
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setMaxVisibleItems(SUGGEST_LIMIT)
        self.setCompleter(self._completer)
        self._completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._on_activated
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SUGGEST_DELAY_MS)
        self._timer.timeout.connect(self.request_suggestions)
        self.textEdited.connect(self._on_edited)

    @property
    def street_id(self) -> int | None:
        """The chosen suggestion's id, if the text is still that suggestion."""
        if self._chosen is not None and self.text() == self._chosen.label:
            return self._chosen.id
        return None

    @property
    def street(self) -> str | int:
        """What the address services are given: the chosen street's id, else the text."""
        street_id = self.street_id
        return street_id if street_id is not None else self.text().strip()

    def set_settlement(self, settlement_id: int | None) -> None:
        """Suggest the streets of another settlement (the field is cleared)."""
        if settlement_id == self._settlement_id:
            return
        self._settlement_id = settlement_id
        self._generation += 1
        self._chosen = None
        self.clear()
        self.model.set_rows([])

    def choose(self, row: StreetRow) -> None:
        """Put a street in the field as if the operator chose its suggestion."""
        self._chosen = row
        self.setText(row.label)
        self.streetChosen.emit(row.id)

    def request_suggestions(self) -> None:
        """Ask the directory for streets matching the text now (what typing does, delayed)."""
        self._timer.stop()
        settlement_id = self._settlement_id
        typed = self.text().strip()
        self._generation += 1
        generation = self._generation
        if settlement_id is None or not typed:
            self.model.set_rows([])
            self.suggestionsLoaded.emit()
            return
        self._worker.submit(
            lambda session: addresses.street_suggestions(
                session, settlement_id, typed, limit=SUGGEST_LIMIT
            ),
            lambda rows: self._on_suggestions(generation, typed, rows),
            lambda _error: self._on_suggestions(generation, typed, []),
            owner=self,
        )

    def _on_edited(self, _text: str) -> None:
        self._timer.start()

    def _on_suggestions(self, generation: int, typed: str, rows: list[StreetRow]) -> None:
        if generation != self._generation:
            return
        self.model.set_rows(rows)
        if rows and self.hasFocus() and self.text().strip() == typed:
            exact = [row for row in rows if row.label == self.text()]
            if not exact:
                self._completer.complete()
        self.suggestionsLoaded.emit()

    def _on_activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_DATA_ROLE)
        if isinstance(row, StreetRow):
            self._chosen = row
            # The completer has put the label in the field; a new query would only repeat it.
            self._timer.stop()
            self.streetChosen.emit(row.id)


# --- institutions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DirectoryRow:
    """An institution of the list: its number (also on the map) and, near an address, distance.

    ``parent_short_name`` is set on a subdivision (listed right after its parent, or alone when
    a filter left the parent out).
    """

    id: int
    number: int
    short_name: str
    full_name: str
    address: str
    type: str
    lat: float | None
    lon: float | None
    distance_m: float | None = None
    parent_short_name: str | None = None
    depth: int = 0


@dataclass(frozen=True, slots=True)
class DirectoryPage:
    """The rows of a query and the count the manual shows («Найдено учреждений: N»)."""

    rows: tuple[DirectoryRow, ...]
    found: int


@dataclass(frozen=True, slots=True)
class DirectoryQuery:
    """What the list shows: the settlement, the filters and the address point, if any."""

    settlement_id: int
    kind: str | None = None
    specialty_id: int | None = None
    point: addresses.AddressPoint | None = None


def coordinates(session: Session, settlement_id: int) -> dict[int, tuple[float, float]]:
    """Where the settlement's institutions are (those with coordinates)."""
    return {
        row_id: (lat, lon)
        for row_id, lat, lon in session.execute(
            select(Institution.id, Institution.lat, Institution.lon).where(
                Institution.settlement_id == settlement_id
            )
        )
        if lat is not None and lon is not None
    }


def directory_rows(session: Session, query: DirectoryQuery) -> DirectoryPage:
    """The institutions of the query, numbered: by distance from the point, else by name."""
    found = nearest.institutions_filtered(
        session, query.settlement_id, kind=query.kind, specialty_id=query.specialty_id
    )
    places = coordinates(session, query.settlement_id)
    flat: list[tuple[InstitutionRow, int]] = []

    def walk(row: InstitutionRow, depth: int) -> None:
        flat.append((row, depth))
        for child in row.subdivisions:
            walk(child, depth + 1)

    for top in found:
        walk(top, 0)

    def make(row: InstitutionRow, number: int, depth: int, metres: float | None) -> DirectoryRow:
        lat, lon = places.get(row.id, (None, None))
        return DirectoryRow(
            id=row.id,
            number=number,
            short_name=row.short_name,
            full_name=row.full_name,
            address=row.address,
            type=row.type,
            lat=lat,
            lon=lon,
            distance_m=metres,
            parent_short_name=row.parent_short_name if depth == 0 else None,
            depth=depth,
        )

    if query.point is None:
        rows = [make(row, number, depth, None) for number, (row, depth) in enumerate(flat, 1)]
        return DirectoryPage(tuple(rows), len(found))
    by_id = {row.id: row for row, _depth in flat}
    near = nearest.nearest_institutions(
        session,
        query.settlement_id,
        query.point.lat,
        query.point.lon,
        kind=query.kind,
        specialty_id=query.specialty_id,
    )
    rows = [
        make(by_id[row.institution_id], row.number, 0, row.distance_m)
        for row in near
        if row.institution_id in by_id
    ]
    # Institutions without coordinates cannot be ordered: listed last, so none is lost.
    placed = {row.id for row in rows}
    for row, _depth in flat:
        if row.id not in placed:
            rows.append(make(row, len(rows) + 1, 0, None))
    return DirectoryPage(tuple(rows), len(rows))


@dataclass(frozen=True, slots=True)
class SettlementFilters:
    """The settlement's name and what its filters offer."""

    name: str
    types: tuple[str, ...]
    specialties: tuple[SpecialtyChoice, ...]


def settlement_filters(session: Session, settlement_id: int) -> SettlementFilters:
    """The name, the institution types and the doctors' specialties of a settlement."""
    settlement = session.get(Settlement, settlement_id)
    return SettlementFilters(
        name=settlement.name if settlement is not None else "",
        types=tuple(nearest.institution_types(session, settlement_id)),
        specialties=tuple(specialty_choices(session, settlement_id=settlement_id)),
    )


@dataclass(frozen=True, slots=True)
class AddressLookup:
    """The outcome of «Найти» near an address: the point, or why there is none."""

    point: addresses.AddressPoint | None
    message: str


def lookup_address(
    session: Session, settlement_id: int, street: str | int, house: str
) -> AddressLookup:
    """Locate the address; without a point, say whether the street is unknown or unmapped."""
    point = addresses.locate(session, settlement_id, street, house)
    if point is not None:
        note = "" if point.exact else f"Адрес показан приблизительно: {point.label}."
        return AddressLookup(point, note)
    if not addresses.find_streets(session, settlement_id, street):
        return AddressLookup(
            None,
            f"Улица «{street}» не найдена в населенном пункте. "
            "Выберите улицу из подсказок или уточните название.",
        )
    return AddressLookup(
        None,
        "Для этой улицы в справочнике адресов нет координат: "
        "расстояние до учреждений не вычислить.",
    )


class InstitutionListModel(RowsTableModel[DirectoryRow]):
    """The institutions of the list: №, name, address and, near an address, the distance."""

    HEADERS = ("№", "Учреждение", "Адрес", "Расстояние")
    NUMBER, NAME, ADDRESS, DISTANCE = range(4)

    def row_of(self, institution_id: int) -> int | None:
        """The position of an institution in the list."""
        for position, row in enumerate(self._rows):
            if row.id == institution_id:
                return position
        return None

    def cell(self, row: DirectoryRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NUMBER:
                return str(row.number)
            if column == self.NAME:
                return ("    " * row.depth + "↳ " if row.depth else "") + row.full_name
            if column == self.ADDRESS:
                return row.address
            return "" if row.distance_m is None else nearest.distance_label(row.distance_m)
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [row.full_name]
            if row.parent_short_name:
                parts.append(f"подразделение: {row.parent_short_name}")
            if row.type:
                parts.append(row.type)
            if row.lat is None or row.lon is None:
                parts.append("нет координат: на карте не показано")
            return "\n".join(parts)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.NUMBER, self.DISTANCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ID_ROLE:
            return row.id
        if role == ROW_DATA_ROLE:
            return row
        return None


class _ContainsFilter(QSortFilterProxyModel):
    """Keeps the rows whose text contains the typed text (case and ё ignored)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""

    def set_needle(self, text: str) -> None:
        """Filter by ``text``."""
        needle = normalise_name(text)
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._needle:
            return True
        source = self.sourceModel()
        text = source.data(source.index(source_row, 0, source_parent))
        return isinstance(text, str) and self._needle in normalise_name(text)


class _ListView(QTableView):
    """The institution list; Enter opens the card of the current row."""

    entered = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.entered.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class DirectoryPanel(QWidget):
    """«Список медицинских учреждений» of a settlement: filters, the numbered list, the map."""

    institutionChosen = Signal(int)
    """The operator chose an institution (a click on its row or pin, or Enter): its id."""

    bookRequested = Signal(int, int)
    """«Перейти к форме записи» in the card: the institution's id and the doctor's id (0: any)."""

    scheduleRequested = Signal(int)
    """«Поиск расписания» in the card: the institution's id."""

    listLoaded = Signal()
    """The list (and the map) show the current query, or its failure is shown."""

    filtersLoaded = Signal()
    """The filters of a new settlement are filled."""

    def __init__(
        self,
        worker: DatabaseWorker,
        parent: QWidget | None = None,
        *,
        now: Clock = _wall_clock,
        open_url: UrlOpener = QDesktopServices.openUrl,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("directoryPanel")
        self._worker = worker
        self._now = now
        self._open_url = open_url
        self._settlement_id: int | None = None
        self._settlement_name = ""
        self._specialties: list[SpecialtyChoice] = []
        self._point: addresses.AddressPoint | None = None
        self._generation = 0
        self._list_generation = 0
        self._address_generation = 0
        self._card: InstitutionCard | None = None

        self.heading = QLabel(self)
        self.heading.setObjectName("directoryHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)

        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("institutionTypeCombo")
        self.type_combo.currentIndexChanged.connect(lambda _index: self.reload())

        self.specialty_combo = QComboBox(self)
        self.specialty_combo.setObjectName("directorySpecialtyCombo")
        self.specialty_combo.setEditable(True)
        self.specialty_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.specialty_combo.setMinimumContentsLength(22)
        self.specialty_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        specialty_edit = self.specialty_combo.lineEdit()
        assert specialty_edit is not None
        self.specialty_edit: QLineEdit = specialty_edit
        self.specialty_edit.setPlaceholderText(self.tr("все специальности"))
        self._specialty_filter = _ContainsFilter(self)
        self._specialty_filter.setSourceModel(self.specialty_combo.model())
        self._specialty_completer = QCompleter(self)
        self._specialty_completer.setModel(self._specialty_filter)
        self._specialty_completer.setCompletionMode(
            QCompleter.CompletionMode.UnfilteredPopupCompletion
        )
        self.specialty_combo.setCompleter(self._specialty_completer)
        self.specialty_edit.textEdited.connect(self._on_specialty_typed)
        self.specialty_edit.returnPressed.connect(self.choose_typed_specialty)
        self.specialty_combo.activated.connect(self._on_specialty_activated)
        self._specialty_completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._on_specialty_completed
        )
        self._specialty_index = 0  # the specialty in effect (0: all)

        self.street_field = StreetField(worker, self)
        self.street_field.setObjectName("directoryStreet")
        self.house_field = QLineEdit(self)
        self.house_field.setObjectName("directoryHouse")
        self.house_field.setPlaceholderText(self.tr("дом"))
        self.house_field.setMaximumWidth(110)
        self.house_field.returnPressed.connect(self.find_nearest)
        self.street_field.returnPressed.connect(self._street_enter)
        self.find_button = QPushButton(self.tr("Найти"), self)
        self.find_button.setObjectName("directoryFindNearest")
        self.find_button.clicked.connect(self.find_nearest)
        self.clear_address_button = QPushButton(self.tr("Сбросить адрес"), self)
        self.clear_address_button.setObjectName("directoryClearAddress")
        self.clear_address_button.clicked.connect(self.clear_address)
        self.clear_address_button.setEnabled(False)
        self.address_message = QLabel(self)
        self.address_message.setObjectName("directoryAddressMessage")
        self.address_message.setWordWrap(True)
        self.address_message.hide()

        self.count_label = QLabel(self)
        self.count_label.setObjectName("institutionCount")
        self.model = InstitutionListModel(self)
        self.table = _ListView(self)
        self.table.setObjectName("institutionList")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(
            InstitutionListModel.NUMBER, QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(InstitutionListModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(InstitutionListModel.ADDRESS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(
            InstitutionListModel.DISTANCE, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.clicked.connect(self._on_row_clicked)
        self.table.doubleClicked.connect(self._on_row_entered)
        self.table.entered.connect(self._on_row_entered)

        self.map = MapView(self, open_url=open_url)
        self.map.pinClicked.connect(self._on_pin_clicked)
        self.map.pinActivated.connect(self.open_card)

        filters = QHBoxLayout()
        type_label = QLabel(self.tr("&Тип учреждения:"), self)
        type_label.setBuddy(self.type_combo)
        specialty_label = QLabel(self.tr("&Специальность врача:"), self)
        specialty_label.setBuddy(self.specialty_combo)
        filters.addWidget(type_label)
        filters.addWidget(self.type_combo, 1)
        filters.addWidget(specialty_label)
        filters.addWidget(self.specialty_combo, 2)

        near = QHBoxLayout()
        near_title = QLabel(f"<b>{self.tr('Ближайшие к адресу')}</b>", self)
        street_label = QLabel(self.tr("&Улица:"), self)
        street_label.setBuddy(self.street_field)
        house_label = QLabel(self.tr("&Дом:"), self)
        house_label.setBuddy(self.house_field)
        near.addWidget(near_title)
        near.addWidget(street_label)
        near.addWidget(self.street_field, 2)
        near.addWidget(house_label)
        near.addWidget(self.house_field)
        near.addWidget(self.find_button)
        near.addWidget(self.clear_address_button)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.count_label)
        left_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("directorySplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.map)
        splitter.setSizes([560, 420])

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(filters)
        layout.addLayout(near)
        layout.addWidget(self.address_message)
        layout.addWidget(splitter, 1)
        self._fill_types(())
        self._fill_specialties(())
        self.count_label.setText(nearest.found_label(0))

    # --- public API ---------------------------------------------------------------------------

    @property
    def settlement_id(self) -> int | None:
        """The settlement listed."""
        return self._settlement_id

    @property
    def address_point(self) -> addresses.AddressPoint | None:
        """The located address the list is ordered from, if any."""
        return self._point

    @property
    def kind(self) -> str | None:
        """The institution type chosen (None: all)."""
        value = self.type_combo.currentData()
        return value if isinstance(value, str) else None

    @property
    def specialty(self) -> SpecialtyChoice | None:
        """The doctor's specialty chosen (None: all)."""
        if 1 <= self._specialty_index <= len(self._specialties):
            return self._specialties[self._specialty_index - 1]
        return None

    @property
    def card(self) -> InstitutionCard | None:
        """The card dialog, once it was opened."""
        return self._card

    def count_text(self) -> str:
        """«Найдено учреждений: N»."""
        return self.count_label.text()

    def set_settlement(self, settlement_id: int) -> None:
        """List the institutions of a settlement (filters and address are reset)."""
        self._settlement_id = settlement_id
        self._generation += 1
        generation = self._generation
        self._point = None
        self.map.clear_address_mark()
        self.clear_address_button.setEnabled(False)
        self._show_address_message("")
        self.street_field.set_settlement(settlement_id)
        self.house_field.clear()
        self._fill_types(())
        self._fill_specialties(())
        self._worker.submit(
            lambda session: settlement_filters(session, settlement_id),
            lambda filters: self._on_filters(generation, filters),
            lambda error: self._on_filters_failed(generation, error),
            owner=self,
        )
        self.reload()

    def choose_type(self, kind: str | None) -> bool:
        """Choose an institution type (None: all types)."""
        index = 0 if kind is None else self.type_combo.findData(kind)
        if index < 0:
            return False
        self.type_combo.setCurrentIndex(index)
        return True

    def choose_specialty(self, name: str | None) -> bool:
        """Choose a doctor's specialty by its name (None: all); False if not offered."""
        if name is None:
            self._apply_specialty(0)
            return True
        key = normalise_name(name)
        for position, choice in enumerate(self._specialties, 1):
            if normalise_name(choice.name) == key:
                self._apply_specialty(position)
                return True
        return False

    def choose_typed_specialty(self) -> bool:
        """Enter in the specialty field: the exact name, else the first containing the text."""
        text = self.specialty_edit.text().strip()
        if not text:
            self._apply_specialty(0)
            return True
        key = normalise_name(text)
        exact = [i for i, c in enumerate(self._specialties, 1) if normalise_name(c.name) == key]
        prefix = [
            i for i, c in enumerate(self._specialties, 1) if normalise_name(c.name).startswith(key)
        ]
        contains = [i for i, c in enumerate(self._specialties, 1) if key in normalise_name(c.name)]
        for found in (exact, prefix, contains):
            if found:
                self._apply_specialty(found[0])
                return True
        self._show_current_specialty()
        return False

    def set_specialty_filter_text(self, text: str) -> None:
        """Type ``text`` in the specialty field (filters its list as typing does)."""
        self.specialty_edit.setText(text)
        self._on_specialty_typed(text)

    def matching_specialties(self) -> list[str]:
        """The specialty names the typed text leaves in the list."""
        names = []
        for row in range(self._specialty_filter.rowCount()):
            value = self._specialty_filter.index(row, 0).data()
            if isinstance(value, str):
                names.append(value)
        return names

    def find_nearest(self) -> None:
        """«Найти» for «Ближайшие к адресу»: check the house, locate the address, reorder."""
        settlement_id = self._settlement_id
        if settlement_id is None:
            return
        street = self.street_field.street
        house = self.house_field.text().strip()
        if street == "":
            self._show_address_message(self.tr("Укажите улицу."))
            self.street_field.setFocus()
            return
        if not house:
            self._show_address_message(self.tr("Укажите номер дома."))
            self.house_field.setFocus()
            return
        try:
            addresses.parse_house(house)
        except InvalidHouse as error:
            self._show_address_message(str(error))
            self.house_field.setFocus()
            self.house_field.selectAll()
            return
        self._show_address_message("")
        self._address_generation += 1
        generation = self._address_generation
        self.find_button.setEnabled(False)
        self._worker.submit(
            lambda session: lookup_address(session, settlement_id, street, house),
            lambda found: self._on_address(generation, found),
            lambda error: self._on_address_failed(generation, error),
            owner=self,
        )

    def clear_address(self) -> None:
        """Forget the address: the list goes back to the alphabetical order."""
        self._point = None
        self._address_generation += 1
        self.map.clear_address_mark()
        self.clear_address_button.setEnabled(False)
        self._show_address_message("")
        self.reload()

    def reload(self) -> None:
        """Read the list again for the settlement, the filters and the address."""
        settlement_id = self._settlement_id
        if settlement_id is None:
            return
        choice = self.specialty
        query = DirectoryQuery(
            settlement_id=settlement_id,
            kind=self.kind,
            # The service filters by the specialty's name: any id of the choice will do.
            specialty_id=choice.specialty_ids[0] if choice and choice.specialty_ids else None,
            point=self._point,
        )
        self._list_generation += 1
        generation = self._list_generation
        self._worker.submit(
            lambda session: directory_rows(session, query),
            lambda rows: self._on_rows(generation, rows),
            lambda error: self._on_rows_failed(generation, error),
            owner=self,
        )

    def select_institution(self, institution_id: int) -> bool:
        """Make an institution the current row (and pin)."""
        position = self.model.row_of(institution_id)
        if position is None:
            return False
        self.table.setCurrentIndex(self.model.index(position, InstitutionListModel.NAME))
        return True

    def open_card(self, institution_id: int) -> InstitutionCard:
        """Open the institution's card (one dialog, reused)."""
        if self._card is None:
            self._card = InstitutionCard(self._worker, self._now, self, open_url=self._open_url)
            self._card.bookRequested.connect(self.bookRequested.emit)
            self._card.scheduleRequested.connect(self.scheduleRequested.emit)
        self._card.show_institution(institution_id)
        self._card.open()
        return self._card

    # --- internals ----------------------------------------------------------------------------

    def _fill_types(self, types: Sequence[str]) -> None:
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        self.type_combo.addItem(self.tr("Все типы учреждений"), None)
        for kind in types:
            self.type_combo.addItem(kind, kind)
        self.type_combo.setCurrentIndex(0)
        self.type_combo.blockSignals(False)

    def _fill_specialties(self, choices: Sequence[SpecialtyChoice]) -> None:
        self._specialties = list(choices)
        self.specialty_combo.blockSignals(True)
        self.specialty_combo.clear()
        self.specialty_combo.addItem(self.tr("Все специальности"), None)
        for choice in choices:
            self.specialty_combo.addItem(choice.name, choice.name)
        self._specialty_index = 0
        self.specialty_combo.setCurrentIndex(0)
        self.specialty_combo.blockSignals(False)
        self._specialty_filter.set_needle("")

    def _apply_specialty(self, position: int) -> None:
        changed = position != self._specialty_index
        self._specialty_index = position
        self._show_current_specialty()
        popup = self._specialty_completer.popup()
        if popup is not None:
            popup.hide()
        if changed:
            self.reload()

    def _show_current_specialty(self) -> None:
        self.specialty_combo.blockSignals(True)
        self.specialty_combo.setCurrentIndex(self._specialty_index)
        self.specialty_combo.blockSignals(False)
        self.specialty_edit.setText(self.specialty_combo.itemText(self._specialty_index))
        self._specialty_filter.set_needle("")

    def _on_specialty_typed(self, text: str) -> None:
        self._specialty_filter.set_needle(text)
        if (
            text.strip()
            and self._specialty_filter.rowCount() > 0
            and self.specialty_edit.hasFocus()
        ):
            self._specialty_completer.complete()

    def _on_specialty_activated(self, index: int) -> None:
        if 0 <= index <= len(self._specialties):
            self._apply_specialty(index)

    def _on_specialty_completed(self, index: QModelIndex) -> None:
        name = index.data()
        if isinstance(name, str):
            found = self.specialty_combo.findText(name, Qt.MatchFlag.MatchExactly)
            if found >= 0:
                self._apply_specialty(found)

    def _street_enter(self) -> None:
        if self.house_field.text().strip():
            self.find_nearest()
        else:
            self.house_field.setFocus()

    def _show_address_message(self, text: str, *, error: bool = True) -> None:
        self.address_message.setStyleSheet("color: #b00020;" if error else "")
        self.address_message.setText(text)
        self.address_message.setVisible(bool(text))

    def _on_filters(self, generation: int, filters: SettlementFilters) -> None:
        if generation != self._generation:
            return
        self._settlement_name = filters.name
        self.heading.setText(
            self.tr("Поиск учреждений в населенном пункте {0}").format(filters.name)
        )
        self.map.set_settlement_name(filters.name)
        self._fill_types(filters.types)
        self._fill_specialties(filters.specialties)
        self.filtersLoaded.emit()

    def _on_filters_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._show_address_message(
            self.tr("Не удалось загрузить фильтры: {0}").format(describe_error(error))
        )
        self.filtersLoaded.emit()

    def _on_rows(self, generation: int, page: DirectoryPage) -> None:
        if generation != self._list_generation:
            return
        kept = self._current_id()
        rows = page.rows
        self.model.set_rows(rows)
        self.table.resizeRowsToContents()
        self.count_label.setText(nearest.found_label(page.found))
        self.map.set_pins(
            [
                MapPin(row.number, row.id, row.short_name, row.lat, row.lon, row.address)
                for row in rows
                if row.lat is not None and row.lon is not None
            ]
        )
        if kept is not None:
            self.select_institution(kept)
        self.listLoaded.emit()

    def _on_rows_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._list_generation:
            return
        self.model.set_rows([])
        self.map.set_pins([])
        self.count_label.setText(
            self.tr("Не удалось загрузить список учреждений: {0}").format(describe_error(error))
        )
        self.listLoaded.emit()

    def _on_address(self, generation: int, found: AddressLookup) -> None:
        if generation != self._address_generation:
            return
        self.find_button.setEnabled(True)
        if found.point is None:
            self._show_address_message(found.message)
            return
        self._show_address_message(found.message, error=False)
        self._point = found.point
        self.map.set_address_mark(found.point.lat, found.point.lon, found.point.label)
        self.clear_address_button.setEnabled(True)
        self.reload()

    def _on_address_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._address_generation:
            return
        self.find_button.setEnabled(True)
        self._show_address_message(
            self.tr("Не удалось найти адрес: {0}").format(describe_error(error))
        )

    def _current_id(self) -> int | None:
        value = self.table.currentIndex().data(ROW_ID_ROLE)
        return value if isinstance(value, int) else None

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        value = current.data(ROW_ID_ROLE)
        self.map.set_current_institution(value if isinstance(value, int) else None)

    def _on_row_clicked(self, index: QModelIndex) -> None:
        value = index.data(ROW_ID_ROLE)
        if isinstance(value, int):
            self.institutionChosen.emit(value)

    def _on_row_entered(self, index: QModelIndex) -> None:
        value = index.data(ROW_ID_ROLE)
        if isinstance(value, int):
            self.institutionChosen.emit(value)
            self.open_card(value)

    def _on_pin_clicked(self, institution_id: int) -> None:
        position = self.model.row_of(institution_id)
        if position is not None:
            self.table.setCurrentIndex(self.model.index(position, InstitutionListModel.NAME))
            self.table.scrollTo(self.model.index(position, InstitutionListModel.NAME))
            self.map.set_current_institution(institution_id, card=True)
        self.institutionChosen.emit(institution_id)
