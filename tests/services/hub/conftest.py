"""Fixtures of the hub connector tests: the real LPU emulator on loopback, and clients of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from workstation.models import Patient
from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub import HubConnector, HubEndpoint, HubSettings
from workstation.services.hub.client import HubClient
from workstation.services.hub.results import HubPatient

GUID = "5f0b8a4e-3c1d-4e2f-9a6b-7c8d9e0f1a2b"
FAST = HubSettings(connect_timeout=2.0, read_timeout=5.0, retry_delays=(0.01, 0.02))


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A fresh emulator with the demo data (its own MIS state per test)."""
    server = EmulatorServer.start(data="demo", port=0, guid=GUID)
    try:
        yield server
    finally:
        server.faults.clear()
        server.stop()


@pytest.fixture
def endpoint(emulator: EmulatorServer) -> HubEndpoint:
    return HubEndpoint(emulator.url, emulator.guid, "Эмулятор МИС")


@pytest.fixture
def connector(endpoint: HubEndpoint) -> Iterator[HubConnector]:
    hubs = HubConnector(FAST, regional=endpoint)
    yield hubs
    hubs.close()


@pytest.fixture
def client(connector: HubConnector) -> HubClient:
    return connector.for_lpu(None)


class Sent:
    """Envelopes the client POSTed, by operation (from the SOAPAction header)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes]] = []

    def __call__(self, address: str, body: bytes, headers: Mapping[str, str]) -> None:
        action = headers.get("SOAPAction", "").strip('"').rsplit("/", 1)[-1]
        self.calls.append((action, body))

    def count(self, operation: str) -> int:
        return sum(1 for action, _ in self.calls if action == operation)


@pytest.fixture
def sent(client: HubClient) -> Sent:
    recorder = Sent()
    client.transport.observers.append(recorder)
    return recorder


@dataclass(frozen=True)
class Demo:
    """What the demo data offers a booking test: an institution, a doctor with free slots and a
    known patient."""

    id_lpu: int
    id_speciality: str
    id_doc: str
    start: dt.datetime
    end: dt.datetime
    patient: HubPatient


def hub_patient(patient: Patient) -> HubPatient:
    return HubPatient(
        surname=patient.last_name,
        name=patient.first_name,
        second_name=patient.patronymic,
        birthday=patient.birth_date,
        polis_n=patient.oms_number,
        snils=patient.snils,
    )


@pytest.fixture
def demo(client: HubClient, emulator: EmulatorServer) -> Demo:
    id_lpu = client.get_lpu_list()[0].id_lpu
    speciality = next(s for s in client.get_speciality_list(id_lpu) if s.count_free_ticket)
    doctor = next(
        d for d in client.get_doctor_list(id_lpu, speciality.id_speciality) if d.count_free_ticket
    )
    with emulator.database.session() as session:
        patient = session.scalars(select(Patient).order_by(Patient.id).limit(1)).one()
        hub = hub_patient(patient)
    start = dt.datetime.now().replace(microsecond=0)
    return Demo(
        id_lpu, speciality.id_speciality, doctor.id_doc, start, start + dt.timedelta(days=15), hub
    )


def valid_snils(base: int) -> str:
    """An 11-digit SNILS with a correct check number."""
    digits = f"{base:09d}"
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits))
    check = total % 101
    if check == 100:
        check = 0
    return f"{digits}{check:02d}"
