"""The directory's map, drawn by the workstation itself (no tiles, no network).

Institutions are numbered pins (the numbers of the list beside the map), the address the operator
entered is a red mark. The projection is equirectangular around the middle latitude, fitted to the
pins with margins; a scale bar and the settlement's name are drawn on a light background. A click
on a pin (or Tab / arrows to it) shows a short card over the map; Enter or a double click asks for
the full card. «Показать на карте» opens the chosen place on openstreetmap.org in the browser
(through an injectable opener, so tests never start one).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from workstation.services.nearest import distance_label

UrlOpener = Callable[[QUrl], object]

EARTH_RADIUS_M = 6_371_000.0
MARGIN_PX = 36
PIN_RADIUS_PX = 11
# A lone pin (or pins on one spot) still gets a sensible frame: about a kilometre across.
MIN_SPAN_DEGREES = 0.01
_NICE_STEPS = (1, 2, 5)

BACKGROUND = QColor("#f3f1ea")
GRID = QColor("#e3dfd3")
PIN_FILL = QColor("#1f5fa8")
PIN_CURRENT = QColor("#e08a00")
ADDRESS_MARK = QColor("#d42020")
TEXT = QColor("#333333")


@dataclass(frozen=True, slots=True)
class MapPin:
    """An institution on the map: its list number, id, name and coordinates."""

    number: int
    institution_id: int
    name: str
    lat: float
    lon: float
    address: str = ""


@dataclass(frozen=True, slots=True)
class AddressMark:
    """The address the operator entered (the manual's red mark)."""

    lat: float
    lon: float
    label: str


def osm_url(lat: float, lon: float, zoom: int = 17) -> QUrl:
    """The openstreetmap.org page centred on a marker at (lat, lon)."""
    return QUrl(
        f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}"
        f"#map={zoom}/{lat:.5f}/{lon:.5f}"
    )


def scale_label(metres: float) -> str:
    """The scale bar's caption: «500 м», «2 км»."""
    if metres >= 1000 and metres % 1000 == 0:
        return f"{int(metres // 1000)} км"
    return distance_label(metres)


def nice_length(max_metres: float) -> float:
    """The longest 1·2·5×10ⁿ metres not over ``max_metres`` (the scale bar's length)."""
    if max_metres <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(max_metres))
    best = float(power)
    for step in _NICE_STEPS:
        if step * power <= max_metres:
            best = float(step * power)
    return best


class Projection:
    """Equirectangular: x ∝ lon·cos(φ₀), y ∝ −lat; fitted into a rectangle keeping the aspect."""

    def __init__(self, points: Sequence[tuple[float, float]], size: QSize, margin: int) -> None:
        lats = [lat for lat, _lon in points] or [0.0]
        lons = [lon for _lat, lon in points] or [0.0]
        self.lat0 = (min(lats) + max(lats)) / 2
        self.lon0 = (min(lons) + max(lons)) / 2
        self.kx = math.cos(math.radians(self.lat0))
        span_x = max((max(lons) - min(lons)) * self.kx, MIN_SPAN_DEGREES * self.kx)
        span_y = max(max(lats) - min(lats), MIN_SPAN_DEGREES / 2)
        width = max(1, size.width() - 2 * margin)
        height = max(1, size.height() - 2 * margin)
        self.scale = min(width / span_x, height / span_y)  # pixels per degree of latitude
        self.cx = size.width() / 2
        self.cy = size.height() / 2

    def to_screen(self, lat: float, lon: float) -> QPointF:
        """Widget coordinates of a point."""
        return QPointF(
            self.cx + (lon - self.lon0) * self.kx * self.scale,
            self.cy - (lat - self.lat0) * self.scale,
        )

    def metres_per_pixel(self) -> float:
        """Ground distance of one pixel."""
        return math.radians(1.0) * EARTH_RADIUS_M / self.scale


class MapView(QWidget):
    """Numbered institution pins and the entered address, drawn on a plain background."""

    pinClicked = Signal(int)
    """A pin was clicked (or reached with the keyboard): the institution's id."""

    pinActivated = Signal(int)
    """Enter or a double click on a pin: open the institution's card."""

    def __init__(
        self, parent: QWidget | None = None, *, open_url: UrlOpener = QDesktopServices.openUrl
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mapView")
        self._open_url = open_url
        self._pins: list[MapPin] = []
        self._mark: AddressMark | None = None
        self._settlement_name = ""
        self._current: int | None = None  # index into _pins
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(260, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Карта учреждений"))

        self.osm_button = QPushButton(self.tr("Показать на карте"), self)
        self.osm_button.setObjectName("showOnOsm")
        self.osm_button.setToolTip(self.tr("Открыть место на openstreetmap.org в браузере"))
        self.osm_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.osm_button.clicked.connect(self.open_in_browser)
        self.osm_button.setEnabled(False)

        # The short card: a child frame over the map, not a top-level tooltip window.
        self.popup = QFrame(self)
        self.popup.setObjectName("mapPopup")
        self.popup.setFrameShape(QFrame.Shape.StyledPanel)
        self.popup.setAutoFillBackground(True)
        self.popup_label = QLabel(self.popup)
        self.popup_label.setWordWrap(True)
        self.popup_label.setTextFormat(Qt.TextFormat.RichText)
        popup_layout = QVBoxLayout(self.popup)
        popup_layout.setContentsMargins(8, 6, 8, 6)
        popup_layout.addWidget(self.popup_label)
        self.popup.hide()

    # --- public API ---------------------------------------------------------------------------

    @property
    def pins(self) -> tuple[MapPin, ...]:
        """The pins shown, in list order."""
        return tuple(self._pins)

    @property
    def address_mark(self) -> AddressMark | None:
        """The red mark, if an address is entered."""
        return self._mark

    @property
    def current_institution_id(self) -> int | None:
        """The institution of the highlighted pin."""
        return None if self._current is None else self._pins[self._current].institution_id

    def set_settlement_name(self, name: str) -> None:
        """The name drawn in the corner."""
        self._settlement_name = name
        self.update()

    def set_pins(
        self, pins: Sequence[MapPin | tuple[int, int, str, float, float]]
    ) -> None:
        """Show these pins (``(number, institution_id, name, lat, lon)`` or ``MapPin``)."""
        kept = self.current_institution_id
        self._pins = [pin if isinstance(pin, MapPin) else MapPin(*pin) for pin in pins]
        self._current = None
        if kept is not None:
            self._current = self._index_of(kept)
        if self._current is None:
            self.popup.hide()
        self._update_button()
        self.update()

    def set_address_mark(self, lat: float, lon: float, label: str) -> None:
        """Show the entered address as a red mark."""
        self._mark = AddressMark(lat, lon, label)
        self._update_button()
        self.update()

    def clear_address_mark(self) -> None:
        """Remove the red mark."""
        self._mark = None
        self._update_button()
        self.update()

    def set_current_institution(self, institution_id: int | None, *, card: bool = False) -> None:
        """Highlight the pin of an institution (e.g. the row chosen in the list)."""
        self._current = None if institution_id is None else self._index_of(institution_id)
        if card and self._current is not None:
            self._show_popup()
        else:
            self.popup.hide()
        self._update_button()
        self.update()

    def pin_position(self, institution_id: int) -> QPointF | None:
        """Where a pin is drawn (for tests and for placing the card)."""
        index = self._index_of(institution_id)
        if index is None:
            return None
        pin = self._pins[index]
        return self._projection().to_screen(pin.lat, pin.lon)

    def mark_position(self) -> QPointF | None:
        """Where the red mark is drawn."""
        if self._mark is None:
            return None
        return self._projection().to_screen(self._mark.lat, self._mark.lon)

    def pin_at(self, point: QPointF) -> int | None:
        """The institution whose pin is under ``point`` (the topmost, i.e. the lowest number)."""
        projection = self._projection()
        best: tuple[float, int] | None = None
        for pin in self._pins:
            centre = projection.to_screen(pin.lat, pin.lon)
            distance = math.hypot(centre.x() - point.x(), centre.y() - point.y())
            if distance <= PIN_RADIUS_PX + 2 and (best is None or distance < best[0]):
                best = (distance, pin.institution_id)
        return None if best is None else best[1]

    def scale_bar(self) -> tuple[float, float]:
        """The scale bar: (metres, pixels)."""
        per_pixel = self._projection().metres_per_pixel()
        metres = nice_length(per_pixel * max(40, self.width() // 4))
        return metres, metres / per_pixel if per_pixel else 0.0

    def open_in_browser(self) -> None:
        """Open the highlighted pin (else the red mark) on openstreetmap.org."""
        place = self._place()
        if place is not None:
            self._open_url(osm_url(*place))

    # --- Qt events ----------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(420, 360)

    def resizeEvent(self, event: QResizeEvent) -> None:
        hint = self.osm_button.sizeHint()
        self.osm_button.setGeometry(
            self.width() - hint.width() - 8, 8, hint.width(), hint.height()
        )
        if self.popup.isVisible():
            self._place_popup()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), BACKGROUND)
        self._paint_grid(painter)
        projection = self._projection()
        if self._mark is not None:
            self._paint_mark(painter, projection.to_screen(self._mark.lat, self._mark.lon))
        # Drawn from the last to the first, so that pin 1 is on top where pins overlap.
        for index in reversed(range(len(self._pins))):
            pin = self._pins[index]
            centre = projection.to_screen(pin.lat, pin.lon)
            self._paint_pin(painter, centre, pin.number, index == self._current)
        self._paint_captions(painter)
        if not self._pins and self._mark is None:
            painter.setPen(TEXT)
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Нет учреждений с координатами")
            )
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            found = self.pin_at(event.position())
            if found is not None:
                self.setFocus(Qt.FocusReason.MouseFocusReason)
                self._choose(found)
                event.accept()
                return
            self.popup.hide()
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        found = self.pin_at(event.position())
        if found is not None and event.button() == Qt.MouseButton.LeftButton:
            self.pinActivated.emit(found)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down) and self._pins:
            self._step(1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up) and self._pins:
            self._step(-1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._current is not None:
            self.pinActivated.emit(self._pins[self._current].institution_id)
        elif key == Qt.Key.Key_Escape and self.popup.isVisible():
            self.popup.hide()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab walks through the pins first, then leaves the map as usual.
        if self.hasFocus() and self._pins:
            target = (
                (0 if self._current is None else self._current + 1)
                if next
                else (len(self._pins) - 1 if self._current is None else self._current - 1)
            )
            if 0 <= target < len(self._pins):
                self._choose(self._pins[target].institution_id)
                return True
        return super().focusNextPrevChild(next)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    # --- internals ----------------------------------------------------------------------------

    def _index_of(self, institution_id: int) -> int | None:
        for index, pin in enumerate(self._pins):
            if pin.institution_id == institution_id:
                return index
        return None

    def _points(self) -> list[tuple[float, float]]:
        points = [(pin.lat, pin.lon) for pin in self._pins]
        if self._mark is not None:
            points.append((self._mark.lat, self._mark.lon))
        return points

    def _projection(self) -> Projection:
        return Projection(self._points(), self.size(), MARGIN_PX)

    def _place(self) -> tuple[float, float] | None:
        if self._current is not None:
            pin = self._pins[self._current]
            return pin.lat, pin.lon
        if self._mark is not None:
            return self._mark.lat, self._mark.lon
        return None

    def _update_button(self) -> None:
        self.osm_button.setEnabled(self._place() is not None)

    def _step(self, delta: int) -> None:
        if self._current is None:
            target = 0 if delta > 0 else len(self._pins) - 1
        else:
            target = (self._current + delta) % len(self._pins)
        self._choose(self._pins[target].institution_id)

    def _choose(self, institution_id: int) -> None:
        self._current = self._index_of(institution_id)
        self._show_popup()
        self._update_button()
        self.update()
        self.pinClicked.emit(institution_id)

    def _show_popup(self) -> None:
        if self._current is None:
            return
        pin = self._pins[self._current]
        address = f"<br>{_escape(pin.address)}" if pin.address else ""
        self.popup_label.setText(
            f"<b>{pin.number}. {_escape(pin.name)}</b>{address}"
            f"<br><i>{self.tr('Enter — подробнее')}</i>"
        )
        self._place_popup()
        self.popup.show()
        self.popup.raise_()

    def _place_popup(self) -> None:
        if self._current is None:
            return
        pin = self._pins[self._current]
        centre = self._projection().to_screen(pin.lat, pin.lon)
        width = min(280, max(160, self.width() - 16))
        self.popup.setFixedWidth(width)
        self.popup.adjustSize()
        height = self.popup.height()
        x = min(max(8.0, centre.x() - width / 2), max(8.0, self.width() - width - 8.0))
        y = centre.y() - PIN_RADIUS_PX - 6 - height
        if y < 8:
            y = centre.y() + PIN_RADIUS_PX + 6
        self.popup.move(int(x), int(y))

    def _paint_grid(self, painter: QPainter) -> None:
        painter.setPen(QPen(GRID, 1))
        step = 60
        for x in range(0, self.width(), step):
            painter.drawLine(x, 0, x, self.height())
        for y in range(0, self.height(), step):
            painter.drawLine(0, y, self.width(), y)

    def _paint_pin(self, painter: QPainter, centre: QPointF, number: int, current: bool) -> None:
        radius = PIN_RADIUS_PX + (2 if current else 0)
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(PIN_CURRENT if current else PIN_FILL)
        painter.drawEllipse(centre, radius, radius)
        if current and self.hasFocus():
            painter.setPen(QPen(TEXT, 1, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, radius + 4, radius + 4)
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(11 if number < 100 else 9)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(number))

    def _paint_mark(self, painter: QPainter, centre: QPointF) -> None:
        painter.setPen(QPen(ADDRESS_MARK, 3))
        painter.setBrush(QColor(212, 32, 32, 60))
        painter.drawEllipse(centre, 9, 9)
        painter.drawLine(centre + QPointF(-5, -5), centre + QPointF(5, 5))
        painter.drawLine(centre + QPointF(-5, 5), centre + QPointF(5, -5))
        if self._mark is not None and self._mark.label:
            painter.setPen(ADDRESS_MARK)
            painter.setFont(self.font())
            width = painter.fontMetrics().horizontalAdvance(self._mark.label)
            # Beside the mark, on whichever side has room for the whole label.
            right = centre.x() + 12 + width <= self.width() - 4
            x = centre.x() + 12 if right else max(4.0, centre.x() - 12 - width)
            painter.drawText(QPointF(x, centre.y() + 4), self._mark.label)

    def _paint_captions(self, painter: QPainter) -> None:
        painter.setPen(TEXT)
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        if self._settlement_name:
            painter.drawText(QPointF(10, 20), self._settlement_name)
        if not self._pins and self._mark is None:
            return
        metres, pixels = self.scale_bar()
        if pixels <= 0:
            return
        left = 12.0
        base = self.height() - 14.0
        painter.setPen(QPen(TEXT, 2))
        painter.drawLine(QPointF(left, base), QPointF(left + pixels, base))
        painter.drawLine(QPointF(left, base - 4), QPointF(left, base + 1))
        painter.drawLine(QPointF(left + pixels, base - 4), QPointF(left + pixels, base + 1))
        painter.setFont(self.font())
        painter.drawText(QPointF(left, base - 6), scale_label(metres))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
