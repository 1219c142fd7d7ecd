"""The shipped regional data loads on both engines and carries the manual's facts."""

from __future__ import annotations

from sqlalchemy import func, select

from workstation.models import Department, Doctor, Institution, Settlement
from workstation.services.database import Database
from workstation.services.regional_data import (
    load_regional_data,
    read_institutions,
    read_settlements,
)

# The settlement dialog of the manual («Выберите ваш населенный пункт»), in its spelling.
PORTAL_SELECTOR = {
    "Ханты-Мансийск", "Алябьевский", "Белоярский", "Белый Яр", "Березово", "Высокий", "Игрим",
    "Излучинск", "Когалым", "Коммунистический", "Кышик", "Лангепас", "Лянтор", "Мегион",
    "Междуреченский", "Мулымья", "Нефтеюганск", "Нижневартовск", "Нижнесортымский", "Новоаганск",
    "Нягань", "Октябрьское", "Пионерский", "Пойковский", "Покачи", "Пыть-Ях", "Радужный",
    "Советский", "Сургут", "Урай", "Федоровский", "Югорск",
}

# «Список медицинских учреждений» of Ханты-Мансийск as the manual prints it.
KHANTY_MANSIYSK_INSTITUTIONS = {
    'АУ ХМАО-Югры "Центр профессиональной патологии"': "ул. Рознина, 73",
    'БУ ХМАО-Югры "Окружная клиническая больница"': "ул. Калинина, 40,г",
    'БУ ХМАО-Югры "Окружной клинический лечебно-реабилитационный центр"': "ул. Калинина, дом 3а",
    'БУ ХМАО-Югры "Ханты-Мансийская клиническая стоматологическая поликлиника"': "ул. Рознина, 75",
    'БУ ХМАО-Югры "Ханты-Мансийская районная больница"': "ул. Барабинская 12",
    'БУ ХМАО-Югры "Ханты-Мансийский клинический кожно-венерологический диспансер"': (
        "ул. Гагарина,72"
    ),
}


def test_every_settlement_of_the_manuals_selector_is_shipped_with_coordinates() -> None:
    rows = read_settlements()
    portal = {row["name"] for row in rows if row["in_portal_selector"] == "1"}
    assert portal == PORTAL_SELECTOR
    for row in rows:
        # ХМАО-Югра lies within these bounds; a swapped or mistyped coordinate falls outside.
        assert 58.0 < float(row["lat"]) < 66.0, row
        assert 59.0 < float(row["lon"]) < 86.0, row


def test_every_settlement_has_an_institution_behind_it() -> None:
    codes = {row["code"] for row in read_settlements()}
    served = {record["settlement"] for record in read_institutions()}
    assert codes == served


def test_loading_is_complete_and_idempotent(database: Database) -> None:
    first = load_regional_data(database)
    second = load_regional_data(database)
    assert first == second
    with database.session() as session:
        assert session.scalar(select(func.count(Settlement.id))) == first.settlements
        assert session.scalar(select(func.count(Institution.id))) == first.institutions
        assert session.scalar(select(func.count(Department.id))) == first.departments
        assert session.scalar(select(func.count(Doctor.id))) == first.doctors
    assert first.settlements >= len(PORTAL_SELECTOR)
    assert first.doctors > first.institutions


def test_khanty_mansiysk_institutions_are_the_manuals(database: Database) -> None:
    load_regional_data(database)
    with database.session() as session:
        city = session.scalars(select(Settlement).where(Settlement.name == "Ханты-Мансийск")).one()
        top_level = session.scalars(
            select(Institution).where(
                Institution.settlement_id == city.id, Institution.parent_id.is_(None)
            )
        ).all()
        by_name = {institution.full_name: institution for institution in top_level}
        assert set(by_name) == set(KHANTY_MANSIYSK_INSTITUTIONS)
        for name, street in KHANTY_MANSIYSK_INSTITUTIONS.items():
            assert street in by_name[name].address
        rehabilitation = by_name[
            'БУ ХМАО-Югры "Окружной клинический лечебно-реабилитационный центр"'
        ]
        assert rehabilitation.registry_phones == "8-346-733-05-76, 8-346-733-01-48"
        assert rehabilitation.working_hours == "Пн. - Пт. с 08:00 до 17:00"
        doctors = set(
            session.scalars(
                select(Doctor.full_name).where(Doctor.institution_id == rehabilitation.id)
            )
        )
        assert {"Владимирова Анна Алексеевна", "Скрябина Мария Ильинична"} <= doctors
        district_hospital = by_name['БУ ХМАО-Югры "Ханты-Мансийская районная больница"']
        children = session.scalars(
            select(Institution.short_name).where(Institution.parent_id == district_hospital.id)
        ).all()
        assert "Ханты-Мансийская районная поликлиника" in children
