"""A small address registry and участки for the address, district and nearest tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from workstation.models import Doctor, Institution, Settlement, Specialty
from workstation.models.text import normalise_name
from workstation.services.address_import import import_addresses_csv, import_districts_csv
from workstation.services.database import Database

# Houses along ул. Ленина: odd numbers on one side (lon 69.000), even on the other (69.001),
# one every 0.0002° of latitude; 12А and 14 к1 next to their base numbers.
ADDRESSES_CSV = (
    "\n".join(
        [
            "settlement,street,house,lat,lon",
            *(
                f"hm,ул. Ленина,{n},{61.0 + n * 0.0001:.4f},{69.000 if n % 2 else 69.001}"
                for n in range(1, 41)
            ),
            "hm,ул. Ленина,12А,61.0013,69.0012",
            "hm,ул. Ленина,14 к1,61.0015,69.0012",
            "hm,пр-т Мира,1,61.0100,69.0100",
            "hm,пр-т Мира,2,61.0101,69.0101",
            "hm,ул. Мира,1,61.0200,69.0200",
            "hm,ул. Карла Маркса,1,61.0300,69.0300",
            "hm,ул. Мелик-Карамова,5,61.0400,69.0400",
            "hm,ул. Ёлочная,,61.0500,69.0500",
            "hm,мкр. Западный,3,61.0600,69.0600",
            "hm,Гагарина,7,61.0700,69.0700",
            "sg,ул. Ленина,1,61.2500,73.4000",
        ]
    )
    + "\n"
)

DISTRICTS_CSV = """institution,district,kind,doctor,post,street,houses
5001,91,терапевтический,Григорьева Татьяна Дмитриевна,врач-терапевт участковый,\
ул. Ленина,нечетные 1-21
5001,91,терапевтический,,,ул. Ленина,четные 2-20
5001,92,терапевтический,Фомин Дмитрий Евгеньевич,,ул. Ленина,нечетные с 23
5001,92,терапевтический,,,ул. Ленина,четные с 22
5001,92,терапевтический,,,ул. Ленина,12А
5001,93,терапевтический,Орлова Диана Владимировна,,ул. Ленина,14 к1
5001,93,терапевтический,,,пр-т Мира,все
5001,93,терапевтический,,,Гагарина,все
5001,94,терапевтический,,,Гагарина,5-9
5001,95,терапевтический,,,Гагарина,7
5001,6,педиатрический,Ковальчук Лариса Ивановна,,ул. Ленина,все
5001,3,врача общей практики,Румянцев Ярослав Евгеньевич,,ул. Ленина,1-10
"""


@dataclass(frozen=True)
class AddressIds:
    khm: int
    surgut: int
    polyclinic: int
    hospital: int
    therapist: int


def _settlement(code: str, name: str, lat: float, lon: float) -> Settlement:
    return Settlement(code=code, name=name, name_norm=normalise_name(name), lat=lat, lon=lon)


def add_directory(session: Session) -> AddressIds:
    """Two settlements, two institutions of Ханты-Мансийск (one with a therapist) and one of
    Сургут."""
    khm = _settlement("hm", "Ханты-Мансийск", 61.0, 69.0)
    surgut = _settlement("sg", "Сургут", 61.25, 73.4)
    session.add_all([khm, surgut])
    session.flush()
    polyclinic = Institution(
        hub_id=5001,
        settlement_id=khm.id,
        full_name="Поликлиника",
        short_name="Поликлиника",
        type="Поликлиника",
        address="ул. Ленина, 1",
        lat=61.0001,
        lon=69.0,
    )
    hospital = Institution(
        hub_id=5002,
        settlement_id=khm.id,
        full_name="Больница",
        short_name="Больница",
        type="Больница",
        address="ул. Мира, 1",
        lat=61.02,
        lon=69.02,
    )
    far = Institution(
        hub_id=5003,
        settlement_id=surgut.id,
        full_name="Сургутская поликлиника",
        short_name="Сургутская поликлиника",
        type="Поликлиника",
        lat=61.25,
        lon=73.4,
    )
    session.add_all([polyclinic, hospital, far])
    session.flush()
    specialty = Specialty(
        institution_id=polyclinic.id, hub_id="13", name="Врач-терапевт участковый"
    )
    session.add(specialty)
    session.flush()
    therapist = Doctor(
        institution_id=polyclinic.id,
        hub_id="1",
        full_name="Фомин Дмитрий Евгеньевич",
        full_name_norm=normalise_name("Фомин Дмитрий Евгеньевич"),
        specialty_id=specialty.id,
    )
    session.add(therapist)
    session.flush()
    return AddressIds(khm.id, surgut.id, polyclinic.id, hospital.id, therapist.id)


def fill_address_data(database: Database, *, districts: bool = True) -> AddressIds:
    """The directory, the address registry and (unless told not to) the участки."""
    with database.session() as session:
        ids = add_directory(session)
        report = import_addresses_csv(session, ADDRESSES_CSV)
        assert report.ok, report.lines()
        if districts:
            report = import_districts_csv(session, DISTRICTS_CSV)
            assert report.ok, report.lines()
    return ids
