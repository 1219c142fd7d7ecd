"""A small directory for UI and service tests: two settlements, institutions with a subdivision."""

from __future__ import annotations

from dataclasses import dataclass, field

from workstation.models import Department, Doctor, Institution, Settlement, Specialty
from workstation.models.text import normalise_name
from workstation.services.database import Database


@dataclass
class SampleIds:
    """Database ids of the sample rows, by a short key."""

    settlements: dict[str, int] = field(default_factory=dict)
    institutions: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    specialties: dict[str, int] = field(default_factory=dict)
    doctors: dict[str, int] = field(default_factory=dict)


def _settlement(code: str, name: str, district: str, lat: float, lon: float) -> Settlement:
    return Settlement(
        code=code,
        name=name,
        name_norm=normalise_name(name),
        kind="город" if code == "hm" else "пгт",
        municipal_district=district,
        lat=lat,
        lon=lon,
    )


def fill_sample_data(database: Database) -> SampleIds:
    """Insert the sample directory and return the ids of what was inserted.

    Ханты-Мансийск: «Окружная клиническая больница» (two departments, a doctor with no
    department) and its subdivision «Поликлиника № 2». Берёзово: «Березовская районная
    больница» and «ФАП д. Теги», a subdivision of the Ханты-Мансийск hospital.
    """
    ids = SampleIds()
    with database.session() as session:
        khm = _settlement("hm", "Ханты-Мансийск", "г. Ханты-Мансийск", 61.0, 69.0)
        berezovo = _settlement("bz", "Берёзово", "Березовский район", 63.9, 65.0)
        session.add_all([khm, berezovo])
        session.flush()
        ids.settlements.update(khm=khm.id, berezovo=berezovo.id)

        okb = Institution(
            hub_id=1001,
            settlement_id=khm.id,
            full_name="БУ ХМАО-Югры «Окружная клиническая больница»",
            short_name="Окружная клиническая больница",
            type="Больница",
            address="628012, г. Ханты-Мансийск, ул. Калинина, 40",
            registry_phones="+7 (3467) 39-01-01, +7 (3467) 39-01-02",
            working_hours="пн–пт 08:00–18:00",
        )
        session.add(okb)
        session.flush()
        polyclinic = Institution(
            hub_id=1002,
            settlement_id=khm.id,
            parent_id=okb.id,
            full_name="Поликлиника № 2 БУ «Окружная клиническая больница»",
            short_name="Поликлиника № 2",
            type="Поликлиника",
            address="г. Ханты-Мансийск, ул. Гагарина, 2",
            registry_phones="+7 (3467) 33-22-11",
            working_hours="пн–сб 08:00–20:00",
        )
        district_hospital = Institution(
            hub_id=2001,
            settlement_id=berezovo.id,
            full_name="БУ ХМАО-Югры «Березовская районная больница»",
            short_name="Березовская районная больница",
            type="Больница",
            address="пгт Берёзово, ул. Астраханцева, 39",
        )
        feldsher_post = Institution(
            hub_id=2002,
            settlement_id=berezovo.id,
            parent_id=okb.id,
            full_name="Фельдшерско-акушерский пункт д. Теги",
            short_name="ФАП д. Теги",
            type="ФАП",
        )
        session.add_all([polyclinic, district_hospital, feldsher_post])
        session.flush()
        ids.institutions.update(
            okb=okb.id, polyclinic=polyclinic.id, district=district_hospital.id,
            fap=feldsher_post.id,
        )

        def specialty(key: str, institution: Institution, code: str, name: str) -> Specialty:
            row = Specialty(institution_id=institution.id, hub_id=code, name=name)
            session.add(row)
            session.flush()
            ids.specialties[key] = row.id
            return row

        def department(key: str, institution: Institution, name: str) -> Department:
            row = Department(institution_id=institution.id, name=name, address="корпус 1")
            session.add(row)
            session.flush()
            ids.departments[key] = row.id
            return row

        therapist = specialty("okb_therapist", okb, "27", "Терапевт")
        cardiologist = specialty("okb_cardiologist", okb, "12", "Кардиолог")
        surgeon = specialty("okb_surgeon", okb, "30", "Хирург")
        oculist = specialty("okb_oculist", okb, "19", "Офтальмолог")
        pediatrician = specialty("pol_pediatrician", polyclinic, "22", "Педиатр")
        district_therapist = specialty("crb_therapist", district_hospital, "27", "Терапевт")

        therapy = department("okb_therapy", okb, "Терапевтическое отделение")
        surgery = department("okb_surgery", okb, "Хирургическое отделение")
        pediatrics = department("pol_pediatrics", polyclinic, "Педиатрическое отделение")
        outpatient = department("crb_outpatient", district_hospital, "Поликлиника")

        doctors = [
            ("ivanova", okb, therapy, therapist, "Иванова Анна Петровна", 5),
            ("elkin", okb, therapy, therapist, "Ёлкин Пётр Семёнович", 3),
            ("sidorov", okb, therapy, cardiologist, "Сидоров Игорь Олегович", None),
            ("petrov", okb, surgery, surgeon, "Петров Максим Андреевич", None),
            ("alekseev", okb, None, oculist, "Алексеев Олег Викторович", None),
            ("smirnova", polyclinic, pediatrics, pediatrician, "Смирнова Ольга Ивановна", 12),
            ("fedorov", district_hospital, outpatient, district_therapist,
             "Фёдоров Семён Ильич", 1),
        ]
        for number, (key, institution, dept, spec, name, area) in enumerate(doctors, 1):
            doctor = Doctor(
                institution_id=institution.id,
                hub_id=f"doc-{number}",
                full_name=name,
                full_name_norm=normalise_name(name),
                specialty_id=spec.id,
                department_id=dept.id if dept is not None else None,
                area_number=area,
            )
            session.add(doctor)
            session.flush()
            ids.doctors[key] = doctor.id
    return ids
