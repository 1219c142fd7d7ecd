"""The manual's schedule filters: what they emit, «Очистить», and a reversed interval."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot

from workstation.services.schedule import ScheduleFilter
from workstation.ui.schedule_filter_bar import ScheduleFilterBar


def test_typing_emits_the_whole_filter_once_after_the_pause(qtbot: QtBot) -> None:
    bar = ScheduleFilterBar()
    qtbot.addWidget(bar)
    emitted: list[ScheduleFilter] = []
    bar.filterChanged.connect(emitted.append)
    with qtbot.waitSignal(bar.filterChanged, timeout=2_000):
        bar.doctor_field.setText("Ива")
        bar.specialty_field.setText("невро")
    assert emitted == [ScheduleFilter(doctor="Ива", specialty="невро")]
    with qtbot.waitSignal(bar.filterChanged, timeout=2_000):
        bar.only_free.setChecked(True)
    assert emitted[-1].only_free


def test_clear_resets_every_filter(qtbot: QtBot) -> None:
    bar = ScheduleFilterBar()
    qtbot.addWidget(bar)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    bar.set_filter(ScheduleFilter(department="тер", date_from=tomorrow, only_free=True))
    assert bar.current().date_from == tomorrow
    with qtbot.waitSignal(bar.filterChanged, timeout=2_000) as cleared:
        bar.clear_button.click()
    assert cleared.args == [ScheduleFilter()]
    assert bar.current().is_clear


def test_an_interval_ending_before_it_starts_is_explained_and_not_applied(qtbot: QtBot) -> None:
    bar = ScheduleFilterBar()
    qtbot.addWidget(bar)
    today = dt.date.today()
    good = ScheduleFilter(date_from=today + dt.timedelta(days=3))
    bar.set_filter(good)
    emitted: list[ScheduleFilter] = []
    bar.filterChanged.connect(emitted.append)
    bar.date_to.set_value(today + dt.timedelta(days=1))
    bar.apply_now()
    assert emitted == []
    assert not bar.error_label.isHidden()
    assert "раньше его начала" in bar.error_label.text()
    bar.date_to.set_value(today + dt.timedelta(days=5))
    bar.apply_now()
    assert bar.error_label.isHidden()
    assert emitted[-1].date_to == today + dt.timedelta(days=5)
