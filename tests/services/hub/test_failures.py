"""Transport failures become one ``HubUnavailable`` with the manual's message; reads are retried,
bookings never; failed bookings and cancellations are journaled."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
import requests
from sqlalchemy import select

from workstation.models import JournalEvent
from workstation.services.database import Database
from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub import HubConnector, HubEndpoint, HubJournal, fast_parse
from workstation.services.hub.client import HubClient
from workstation.services.hub.errors import UNAVAILABLE_MESSAGE, HubUnavailable, PatientNotFound
from workstation.services.journal import Actor

from .conftest import FAST, Demo, Sent

ONCE = replace(FAST, read_attempts=1)
KINDS = ["drop", "http500", "malformed", "soap_fault"]


def call(client: HubClient, demo: Demo, operation: str) -> object:
    if operation == "GetDistrictList":  # the zeep path
        return client.get_district_list()
    if operation == "GetDoctorList":  # the lxml fast path
        return client.get_doctor_list(demo.id_lpu, demo.id_speciality)
    if operation == "SetAppointment":
        return client.set_appointment(demo.id_lpu, "1", "slot")
    raise AssertionError(operation)


def assert_unavailable(error: HubUnavailable, url: str) -> None:
    assert error.message == UNAVAILABLE_MESSAGE
    assert str(error) == UNAVAILABLE_MESSAGE
    assert error.endpoint_url == url
    assert error.cause


@pytest.mark.parametrize("operation", ["GetDistrictList", "GetDoctorList", "SetAppointment"])
@pytest.mark.parametrize("kind", KINDS)
def test_fault_kinds(
    emulator: EmulatorServer, client: HubClient, demo: Demo, kind: str, operation: str
) -> None:
    client.settings = ONCE
    emulator.faults.set(operation, kind)
    with pytest.raises(HubUnavailable) as caught:
        call(client, demo, operation)
    assert_unavailable(caught.value, emulator.url)


def test_soap_fault_cause_says_so(emulator: EmulatorServer, client: HubClient) -> None:
    emulator.faults.set("GetDistrictList", "soap_fault")
    with pytest.raises(HubUnavailable) as caught:
        client.get_district_list()
    assert "SOAP Fault" in caught.value.cause
    assert "внедрённый сбой" in caught.value.cause


def test_refused_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/HubService.svc"
    client = HubClient(HubEndpoint(url, "g"), FAST)
    try:
        with pytest.raises(HubUnavailable) as caught:
            client.get_district_list()
    finally:
        client.close()
    assert_unavailable(caught.value, url)
    assert isinstance(caught.value.__cause__, requests.ConnectionError)


@pytest.mark.parametrize("operation", ["GetDistrictList", "GetDoctorList"])
def test_read_timeout(
    emulator: EmulatorServer, endpoint: HubEndpoint, demo: Demo, operation: str
) -> None:
    emulator.faults.set(operation, "latency", latency=1.0)
    client = HubClient(endpoint, replace(ONCE, read_timeout=0.2))
    try:
        with pytest.raises(HubUnavailable) as caught:
            call(client, demo, operation)
    finally:
        client.close()
    assert_unavailable(caught.value, emulator.url)
    assert isinstance(caught.value.__cause__, requests.Timeout)


@pytest.mark.parametrize("operation", ["GetLPUList", "GetSpesialityList"])
def test_response_over_the_size_limit(
    emulator: EmulatorServer, endpoint: HubEndpoint, demo: Demo, operation: str
) -> None:
    client = HubClient(endpoint, replace(ONCE, max_response_bytes=1500))
    try:
        with pytest.raises(HubUnavailable) as caught:
            if operation == "GetLPUList":
                client.get_lpu_list()
            else:
                client.get_speciality_list(demo.id_lpu)
    finally:
        client.close()
    assert_unavailable(caught.value, emulator.url)
    assert "размера" in caught.value.cause


def test_small_responses_pass_the_size_limit(endpoint: HubEndpoint) -> None:
    client = HubClient(endpoint, replace(ONCE, max_response_bytes=1_000_000))
    try:
        assert client.get_lpu_list()
    finally:
        client.close()


# ---- XML safety of the fast path -----------------------------------------------------------

DTD_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&lol2;</s:Body>
</s:Envelope>"""


def test_fast_path_refuses_dtd_and_garbage() -> None:
    with pytest.raises(fast_parse.MalformedResponse, match="DOCTYPE"):
        fast_parse.parse_doctors(DTD_BOMB)
    with pytest.raises(fast_parse.MalformedResponse):
        fast_parse.parse_doctors(b"<s:Envelope")
    with pytest.raises(fast_parse.MalformedResponse):
        fast_parse.parse_doctors(b"<html/>")


def test_zeep_path_refuses_dtd(client: HubClient) -> None:
    client.warm_up()
    response = requests.Response()
    response.status_code = 200
    response._content = DTD_BOMB
    with pytest.raises(HubUnavailable):
        client._parse_zeep("GetDistrictList", response)


def test_wsdl_is_never_fetched_over_the_network(client: HubClient) -> None:
    from workstation.services.hub.transport import NetworkLoadRefused

    with pytest.raises(NetworkLoadRefused):
        client.transport.load("http://example.invalid/HubService.svc?wsdl")


# ---- retries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_reads_are_retried(
    emulator: EmulatorServer, client: HubClient, demo: Demo, sent: Sent, kind: str
) -> None:
    emulator.faults.set("GetDistrictList", kind, times=1)
    emulator.faults.set("GetDoctorList", kind, times=2)
    assert client.get_district_list()
    assert client.get_doctor_list(demo.id_lpu, demo.id_speciality)
    assert sent.count("GetDistrictList") == 2
    assert sent.count("GetDoctorList") == 3


def test_reads_give_up_after_the_attempts(
    emulator: EmulatorServer, client: HubClient, sent: Sent
) -> None:
    emulator.faults.set("GetDistrictList", "http500")
    with pytest.raises(HubUnavailable):
        client.get_district_list()
    assert sent.count("GetDistrictList") == FAST.read_attempts == 3


def test_business_errors_are_not_retried(client: HubClient, demo: Demo, sent: Sent) -> None:
    with pytest.raises(PatientNotFound):
        client.get_patient_history(demo.id_lpu, "no-such-patient")
    assert sent.count("GetPatientHistory") == 1


@pytest.mark.parametrize("kind", ["drop", "commit_then_drop", "http500"])
def test_booking_is_never_retried(
    emulator: EmulatorServer, client: HubClient, demo: Demo, sent: Sent, kind: str
) -> None:
    id_pat = client.check_patient(demo.id_lpu, demo.patient)
    slot = client.get_available_appointments(demo.id_lpu, demo.id_doc, demo.start, demo.end)[0]
    emulator.faults.set("SetAppointment", kind)
    with pytest.raises(HubUnavailable):
        client.set_appointment(demo.id_lpu, id_pat, slot.id_appointment)
    assert sent.count("SetAppointment") == 1
    emulator.faults.clear()
    free = client.get_available_appointments(demo.id_lpu, demo.id_doc, demo.start, demo.end)
    booked = slot.id_appointment not in {s.id_appointment for s in free}
    assert booked is (kind == "commit_then_drop")  # the answer was lost, not the booking


def test_cancellation_is_never_retried(
    emulator: EmulatorServer, client: HubClient, demo: Demo, sent: Sent
) -> None:
    emulator.faults.set("CreateClaimForRefusal", "drop")
    with pytest.raises(HubUnavailable):
        client.create_claim_for_refusal(demo.id_lpu, "1", "slot")
    assert sent.count("CreateClaimForRefusal") == 1


# ---- journal -------------------------------------------------------------------------------


def journal(database: Database) -> list[JournalEvent]:
    with database.session() as session:
        return list(session.scalars(select(JournalEvent).order_by(JournalEvent.id)))


def test_failed_booking_and_cancellation_are_journaled(
    database: Database, emulator: EmulatorServer, connector: HubConnector, demo: Demo
) -> None:
    connector.journal = HubJournal(database, Actor("Иванова", "ws-7 (10.0.0.7)"))
    client = connector.for_lpu(demo.id_lpu)
    id_pat = client.check_patient(demo.id_lpu, demo.patient)
    emulator.faults.set("SetAppointment", "drop")
    emulator.faults.set("CreateClaimForRefusal", "http500")
    emulator.faults.set("GetDistrictList", "http500")

    with pytest.raises(HubUnavailable):
        client.set_appointment(demo.id_lpu, id_pat, "1001011-202601010800")
    with pytest.raises(HubUnavailable):
        client.create_claim_for_refusal(demo.id_lpu, id_pat, "1001011-202601010800")
    with pytest.raises(HubUnavailable):  # reads are logged, not journaled
        client.get_district_list()

    events = journal(database)
    assert [e.action for e in events] == [
        "Нет ответа ЛПУ на запрос записи (нет связи)",
        "Нет ответа ЛПУ на запрос отмены записи (нет связи)",
    ]
    for event in events:
        assert emulator.url in event.details
        assert "1001011-202601010800" in event.details
        assert event.operator == "Иванова" and event.workstation_address == "ws-7 (10.0.0.7)"
        assert id_pat not in event.details.replace("1001011-202601010800", "")
        assert str(demo.patient.surname) not in event.details


def test_business_refusals_are_not_journaled_here(
    database: Database, connector: HubConnector, demo: Demo
) -> None:
    connector.journal = HubJournal(database, Actor.system())
    client = connector.for_lpu(demo.id_lpu)
    with pytest.raises(PatientNotFound):
        client.set_appointment(demo.id_lpu, "no-such-patient", "no-such-slot")
    assert journal(database) == []


def test_size_limit_stops_reading_a_stream_without_length() -> None:
    """A body with no Content-Length (HTTP/1.0, until close) is cut off at the limit."""
    import http.server
    import threading

    class Endless(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"<a>" + b"x" * 4096 + b"</a>")
            except OSError:
                pass  # the client stopped reading

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/HubService.svc"
    client = HubClient(HubEndpoint(url, "g"), replace(ONCE, max_response_bytes=20_000))
    try:
        with pytest.raises(HubUnavailable) as caught:
            client.get_doctor_list(1, "1")
    finally:
        client.close()
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert_unavailable(caught.value, url)
    assert "20000" in caught.value.cause
