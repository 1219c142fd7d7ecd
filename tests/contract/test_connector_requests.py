"""Every request the hub connector sends validates against the PUBLISHED HubService XSD.

The connector's transport hook captures each envelope as it goes on the wire; the body's first
child (the operation wrapper) is validated with the published schema set. The endpoint is a
closed local port: the requests are captured before the send fails.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace

import pytest
from lxml import etree

from workstation.services.hub import HubEndpoint, HubSettings, HubUnavailable
from workstation.services.hub.client import HubClient
from workstation.services.hub.results import HubPatient, WaitingListClaim

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
GUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
START = dt.datetime(2026, 3, 2, 8, 0)
END = dt.datetime(2026, 3, 16, 20, 0)
FULL_PATIENT = HubPatient(
    surname="Иванов",
    name="Иван",
    second_name="Иванович",
    birthday=dt.date(1980, 1, 2),
    polis_s=None,
    polis_n="8655000000000001",
    document_s="6712",
    document_n="123456",
    snils="112-233-445 95",
    cell_phone="+79001234567",
    home_phone="83467123456",
    aria_number="12",
)

CALLS: dict[str, Callable[[HubClient], object]] = {
    "GetDistrictList": lambda c: c.get_district_list(),
    "GetLPUList": lambda c: c.get_lpu_list(3),
    "GetLPUInfo": lambda c: c.get_lpu_info(1001),
    "GetSpesialityList": lambda c: c.get_speciality_list(1001, "P-1"),
    "GetDoctorList": lambda c: c.get_doctor_list(1001, "27", "P-1"),
    "GetWorkingTime": lambda c: c.get_working_time(1001, "D-15", START, END),
    "GetAvailableDates": lambda c: c.get_available_dates(1001, "D-15", START, END, "P-1"),
    "GetAvaibleAppointments": lambda c: c.get_available_appointments(
        1001, "D-15", START, END, "P-1"
    ),
    "CheckPatient": lambda c: c.check_patient(1001, FULL_PATIENT),
    "SearchTop10Patient": lambda c: c.search_top10_patient(
        1001, HubPatient(surname="Иванов", name="Иван", birthday=dt.date(1980, 1, 2))
    ),
    "AddNewPatient": lambda c: c.add_new_patient(1001, FULL_PATIENT, approved_by_tfoms=True),
    "SetAppointment": lambda c: c.set_appointment(
        1001, "P-1", "A-100", id_appointment_prev="A-099", doctors_referral="R-1"
    ),
    "CreateClaimForRefusal": lambda c: c.create_claim_for_refusal(1001, "P-1", "A-100"),
    "GetPatientHistory": lambda c: c.get_patient_history(1001, "P-1"),
    "GetPatientsAreas": lambda c: c.get_patients_areas(1001, "P-1"),
    "UpdatePhoneByIdPat": lambda c: c.update_phone(1001, "P-1", "83467123456", "+79001234567"),
    "SetWaitingList": lambda c: c.set_waiting_list(
        1001,
        "P-1",
        claim=WaitingListClaim.NO_FREE_TICKETS,
        start=START,
        end=END,
        id_doc="D-15",
        name_doc="Петров Пётр Петрович",
        id_speciality="27",
        name_speciality="Терапия",
        name_pat="Иванов Иван Иванович",
        birthday=dt.date(1980, 1, 2),
        phone="+79001234567",
    ),
}

MINIMAL: dict[str, Callable[[HubClient], object]] = {
    "GetLPUList": lambda c: c.get_lpu_list(),
    "GetSpesialityList": lambda c: c.get_speciality_list(1001),
    "GetDoctorList": lambda c: c.get_doctor_list(1001, "27"),
    "CheckPatient": lambda c: c.check_patient(1001, HubPatient(surname="Иванов")),
    "AddNewPatient": lambda c: c.add_new_patient(1001, HubPatient()),
    "SetAppointment": lambda c: c.set_appointment(1001, "P-1", "A-100"),
    "UpdatePhoneByIdPat": lambda c: c.update_phone(1001, "P-1", cell="+79001234567"),
    "SetWaitingList": lambda c: c.set_waiting_list(
        1001, "P-1", claim=WaitingListClaim.NO_SPECIALIST, start=START, end=END
    ),
}


class Captured:
    def __init__(self) -> None:
        self.requests: list[tuple[str, bytes]] = []

    def __call__(self, address: str, body: bytes, headers: Mapping[str, str]) -> None:
        self.requests.append((headers["SOAPAction"], body))


@pytest.fixture
def closed_client() -> Iterator[tuple[HubClient, Captured]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = HubEndpoint(f"http://127.0.0.1:{port}/HubService.svc", GUID, "тест")
    client = HubClient(endpoint, replace(HubSettings(), read_attempts=1, connect_timeout=1.0))
    captured = Captured()
    client.transport.observers.append(captured)
    yield client, captured
    client.close()


def payload(body: bytes) -> etree._Element:
    envelope = etree.fromstring(body)
    assert envelope.tag == f"{{{SOAP_ENV}}}Envelope"
    assert envelope.find(f"{{{SOAP_ENV}}}Header") is None or not len(
        envelope.find(f"{{{SOAP_ENV}}}Header")
    )  # no WS-Addressing (or any) headers
    children = list(envelope.find(f"{{{SOAP_ENV}}}Body"))
    assert len(children) == 1
    return children[0]


def check(
    schema: etree.XMLSchema,
    closed: tuple[HubClient, Captured],
    operation: str,
    send: Callable[[HubClient], object],
) -> etree._Element:
    client, captured = closed
    with pytest.raises(HubUnavailable):
        send(client)
    (action, body), = captured.requests
    assert action.strip('"') == f"http://tempuri.org/IHubService/{operation}"
    wrapper = payload(body)
    assert wrapper.tag == f"{{{TEMPURI}}}{operation}"
    if not schema.validate(wrapper):
        pytest.fail(f"{operation}: {schema.error_log}\n{etree.tostring(wrapper).decode()}")
    return wrapper


def test_every_operation_is_covered() -> None:
    assert len(CALLS) == 17


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_request_validates_against_published_schema(
    published_schema: etree.XMLSchema,
    closed_client: tuple[HubClient, Captured],
    operation: str,
) -> None:
    wrapper = check(published_schema, closed_client, operation, CALLS[operation])
    guid = wrapper.find(f"{{{TEMPURI}}}guid")
    assert guid is not None and guid.text == GUID


@pytest.mark.parametrize("operation", sorted(MINIMAL))
def test_minimal_request_validates_against_published_schema(
    published_schema: etree.XMLSchema,
    closed_client: tuple[HubClient, Captured],
    operation: str,
) -> None:
    check(published_schema, closed_client, operation, MINIMAL[operation])
