"""«Список медицинских учреждений»: nearest to an address, filters, «Доступное время приема»."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.helpers.address_data import fill_address_data
from workstation.models import Doctor, Institution, Settlement, Slot, SlotState, Specialty
from workstation.models.base import utc_now
from workstation.models.text import normalise_name
from workstation.services.addresses import locate
from workstation.services.database import Database
from workstation.services.nearest import (
    available_time,
    distance_label,
    found_label,
    institution_types,
    institutions_filtered,
    nearest_institutions,
)
from workstation.services.regional_data import load_regional_data


def test_nearest_institutions_are_ordered_and_numbered(database: Database) -> None:
    ids = fill_address_data(database)
    with database.session() as session:
        point = locate(session, ids.khm, "Ленина", "1")
        assert point is not None
        rows = nearest_institutions(session, ids.khm, point.lat, point.lon)
        assert [(row.number, row.short_name) for row in rows] == [
            (1, "Поликлиника"),
            (2, "Больница"),
        ]
        assert rows[0].distance_m < rows[1].distance_m
        assert rows[0].address == "ул. Ленина, 1"
        # From the far end of the city the order turns round.
        rows = nearest_institutions(session, ids.khm, 61.03, 69.03)
        assert [row.short_name for row in rows] == ["Больница", "Поликлиника"]
        assert [row.number for row in rows] == [1, 2]
        assert len(nearest_institutions(session, ids.khm, 61.03, 69.03, limit=1)) == 1


def test_nearest_filters_and_skips_what_cannot_be_placed(database: Database) -> None:
    ids = fill_address_data(database)
    with database.session() as session:
        kept = nearest_institutions(session, ids.khm, 61.0, 69.0, kind="Больница")
        assert [(row.number, row.short_name) for row in kept] == [(1, "Больница")]
        specialty = session.scalar(select(Specialty.id))
        assert specialty is not None
        by_specialty = nearest_institutions(session, ids.khm, 61.0, 69.0, specialty_id=specialty)
        assert [row.short_name for row in by_specialty] == ["Поликлиника"]
        hospital = session.get(Institution, ids.hospital)
        assert hospital is not None
        hospital.lat = None
        session.flush()
        assert [row.short_name for row in nearest_institutions(session, ids.khm, 61.0, 69.0)] == [
            "Поликлиника"
        ]


def test_distance_labels() -> None:
    assert distance_label(0) == "0 м"
    assert distance_label(347) == "350 м"
    assert distance_label(1234) == "1,2 км"
    assert distance_label(15_400) == "15 км"
    assert found_label(6) == "Найдено учреждений: 6"


def test_types_and_filtered_lists_of_the_manuals_city(database: Database) -> None:
    load_regional_data(database)
    with database.session() as session:
        city = session.scalar(select(Settlement.id).where(Settlement.code == "khanty-mansiysk"))
        assert city is not None
        assert institution_types(session, city) == [
            "Больница",
            "Диспансер",
            "Поликлиника",
            "Стоматологическая поликлиника",
            "Центр",
        ]
        # «Найдено учреждений: 6», as the manual lists them (the поликлиника is nested).
        assert len(institutions_filtered(session, city)) == 6
        polyclinics = institutions_filtered(session, city, kind="Поликлиника")
        assert [(row.short_name, row.parent_short_name) for row in polyclinics] == [
            ("Ханты-Мансийская районная поликлиника", "Ханты-Мансийская районная больница")
        ]
        ophthalmologist = session.scalar(
            select(Specialty.id).where(Specialty.name == "Врач-офтальмолог").limit(1)
        )
        assert ophthalmologist is not None
        with_specialty = institutions_filtered(session, city, specialty_id=ophthalmologist)
        assert "ОКЛРЦ" in [row.short_name for row in with_specialty]
        # Nearest to the ОКЛРЦ's own house: the ОКЛРЦ, numbered 1.
        point = locate(session, city, "ул. Калинина", "3а")
        assert point is not None and point.exact
        nearest = nearest_institutions(session, city, point.lat, point.lon)
        assert (nearest[0].number, nearest[0].short_name) == (1, "ОКЛРЦ")
        assert len(nearest) == 7


def test_available_time_lists_days_with_free_tickets(database: Database) -> None:
    ids = fill_address_data(database)
    now = dt.datetime(2015, 8, 10, 12, 0)
    with database.session() as session:
        fetched = utc_now()
        specialty = session.scalars(select(Specialty)).one()
        other_specialty = Specialty(institution_id=ids.polyclinic, hub_id="15", name="Врач-хирург")
        session.add(other_specialty)
        session.flush()
        surgeon = Doctor(
            institution_id=ids.polyclinic,
            hub_id="2",
            full_name="Мусеев Фархат Фаритович",
            full_name_norm=normalise_name("Мусеев Фархат Фаритович"),
            specialty_id=other_specialty.id,
        )
        session.add(surgeon)
        session.flush()

        def slot(doctor_id: int, start: dt.datetime, state: SlotState = SlotState.FREE) -> Slot:
            return Slot(
                doctor_id=doctor_id,
                hub_id=f"{doctor_id}-{start:%m%d%H%M}",
                start=start,
                end=start + dt.timedelta(minutes=32),
                state=state,
                fetched_at=fetched,
            )

        session.add_all(
            [
                slot(ids.therapist, dt.datetime(2015, 8, 10, 11, 16)),  # before now
                slot(ids.therapist, dt.datetime(2015, 8, 10, 13, 56)),
                slot(ids.therapist, dt.datetime(2015, 8, 10, 13, 24)),
                slot(ids.therapist, dt.datetime(2015, 8, 10, 14, 28), SlotState.TAKEN),
                slot(ids.therapist, dt.datetime(2015, 8, 12, 11, 16)),
                slot(ids.therapist, dt.datetime(2015, 8, 30, 11, 16)),  # past 14 days
                slot(surgeon.id, dt.datetime(2015, 8, 12, 15, 0)),
            ]
        )
        session.flush()
        days = available_time(session, ids.polyclinic, now)
        assert [(d.date, d.free_count, d.times) for d in days] == [
            (dt.date(2015, 8, 10), 2, ("13:24", "13:56")),
            (dt.date(2015, 8, 12), 2, ("11:16", "15:00")),
        ]
        assert days[0].heading == "10 августа, понедельник"
        assert days[0].tickets_label == "талонов: 2"
        assert len(days[0].slot_ids) == 2
        only_therapist = available_time(session, ids.polyclinic, now, doctor_id=ids.therapist)
        assert [d.times for d in only_therapist] == [("13:24", "13:56"), ("11:16",)]
        surgery = available_time(session, ids.polyclinic, now, specialty_id=other_specialty.id)
        assert [(d.date, d.times) for d in surgery] == [(dt.date(2015, 8, 12), ("15:00",))]
        assert specialty.id != other_specialty.id
        assert len(available_time(session, ids.polyclinic, now, days=30)) == 3
        assert available_time(session, ids.hospital, now) == []
