"""A workstation desk for booking tests: a synced cache, patients known to the emulator's MIS,
an injectable clock, and a look at what the MIS itself holds."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from dataclasses import dataclass

from sqlalchemy import select

from workstation.models import (
    Appointment,
    AppointmentState,
    Institution,
    Patient,
    PatientLpuLink,
    Slot,
    SlotState,
)
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub.client import HubClient
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.endpoints import HubEndpoint, HubSettings
from workstation.services.hub.results import HubPatient
from workstation.services.sync import sync_hub

# The manual's rehabilitation centre in Khanty-Mansiysk: ~1,000 slots a week, a quick sync.
LPU = 1003

_names = itertools.count(1)
_names_lock = threading.Lock()


class FakeClock:
    """A UTC clock the test moves by hand."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


def fast_settings(read_timeout: float = 2.0) -> HubSettings:
    return HubSettings(connect_timeout=1.0, read_timeout=read_timeout, retry_delays=(0.05,))


def connector_for_url(
    url: str, guid: str, settings: HubSettings | None = None
) -> HubConnector:
    connector = HubConnector(settings or fast_settings())
    connector.add(HubEndpoint(url, guid, "эмулятор ЛПУ"), regional=True)
    return connector


def connector_for(emulator: EmulatorServer, settings: HubSettings | None = None) -> HubConnector:
    return connector_for_url(emulator.url, emulator.guid, settings)


def sync_cache(database: Database, connector: HubConnector, days: int = 3) -> None:
    summary = sync_hub(database, connector.for_lpu(LPU), connector.for_lpu(LPU).endpoint.url,
                       days=days, lpu_ids=[LPU])
    assert summary.failures == {}


# When the test patients gave their consent to personal-data processing (booking needs it).
CONSENT_GIVEN_AT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def register_patient(
    database: Database,
    client: HubClient,
    *,
    phone: str | None = None,
    tag: str = "",
    consent: bool = True,
) -> int:
    """A new patient in the MIS (AddNewPatient) and in the local registry, linked by IdPat;
    with the consent to personal-data processing unless ``consent`` is False."""
    with _names_lock:
        n = next(_names)
    surname = f"Проверкина{tag}{n}"
    birthday = dt.date(1950, 1, 1) + dt.timedelta(days=n * 37 % 20000)
    id_pat = client.add_new_patient(
        LPU, HubPatient(surname=surname, name="Анна", second_name="Петровна",
                        birthday=birthday, cell_phone=phone)
    )
    with database.session() as session:
        patient = Patient(
            birth_date=birthday, phone=phone, consent_given_at=CONSENT_GIVEN_AT if consent else None
        )
        patient.set_name(surname, "Анна", "Петровна")
        session.add(patient)
        session.flush()
        institution_id = session.scalar(select(Institution.id).where(Institution.hub_id == LPU))
        assert institution_id is not None
        session.add(PatientLpuLink(patient_id=patient.id, institution_id=institution_id,
                                   hub_patient_id=id_pat))
        return patient.id


def seed_patients(
    database: Database, emulator: EmulatorServer, count: int, *, tag: str = ""
) -> list[int]:
    """``count`` patients known to the MIS and to the local registry (with the consent), written
    straight into both databases (quick set-up for the load tests; ``register_patient`` goes over
    HTTP)."""
    with _names_lock:
        first = next(_names)
        for _ in range(count - 1):
            next(_names)
    people = [(f"Сеянова{tag}{first + i}", dt.date(1940, 1, 1) + dt.timedelta(days=i * 13))
              for i in range(count)]
    id_pats = []
    with emulator.database.session() as session:
        institution_id = session.scalar(select(Institution.id).where(Institution.hub_id == LPU))
        assert institution_id is not None
        for surname, birthday in people:
            patient = Patient(birth_date=birthday)
            patient.set_name(surname, "Вера", "Ивановна")
            session.add(patient)
        session.flush()
        for patient in session.scalars(select(Patient).where(
                Patient.last_name.in_([p[0] for p in people])).order_by(Patient.id)):
            id_pat = f"S{tag}{patient.id:08d}"
            session.add(PatientLpuLink(patient_id=patient.id, institution_id=institution_id,
                                       hub_patient_id=id_pat))
            id_pats.append(id_pat)
    with database.session() as session:
        institution_id = session.scalar(select(Institution.id).where(Institution.hub_id == LPU))
        assert institution_id is not None
        locals_ = []
        for surname, birthday in people:
            patient = Patient(birth_date=birthday, consent_given_at=CONSENT_GIVEN_AT)
            patient.set_name(surname, "Вера", "Ивановна")
            session.add(patient)
            locals_.append(patient)
        session.flush()
        for patient, id_pat in zip(locals_, id_pats, strict=True):
            session.add(PatientLpuLink(patient_id=patient.id, institution_id=institution_id,
                                       hub_patient_id=id_pat))
        return [patient.id for patient in locals_]


def free_slots(database: Database, count: int, *, after_hours: float = 2.0) -> list[int]:
    """Ids of cached free slots at least ``after_hours`` from now, earliest first."""
    earliest = dt.datetime.now() + dt.timedelta(hours=after_hours)
    with database.session() as session:
        return list(session.scalars(
            select(Slot.id).where(Slot.state == SlotState.FREE, Slot.start >= earliest)
            .order_by(Slot.start, Slot.id).limit(count)
        ))


@dataclass(frozen=True)
class HubBooking:
    hub_slot: str
    state: AppointmentState
    id_pat: str


def hub_bookings(
    emulator: EmulatorServer, hub_slot: str | None = None, id_pat: str | None = None
) -> list[HubBooking]:
    """What the emulator's MIS holds (its own database), optionally for one slot / patient."""
    with emulator.database.session() as session:
        statement = (
            select(Appointment.hub_appointment_id, Appointment.state,
                   PatientLpuLink.hub_patient_id)
            .join(PatientLpuLink, (PatientLpuLink.patient_id == Appointment.patient_id)
                  & (PatientLpuLink.institution_id == Appointment.institution_id))
            .order_by(Appointment.id)
        )
        if hub_slot is not None:
            statement = statement.where(Appointment.hub_appointment_id == hub_slot)
        if id_pat is not None:
            statement = statement.where(PatientLpuLink.hub_patient_id == id_pat)
        return [HubBooking(*row) for row in session.execute(statement)]
