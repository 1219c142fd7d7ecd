"""Fault injection seen by real clients (requests and zeep), set in-process and over HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
import zeep.exceptions
from lxml import etree
from sqlalchemy import select

from tests.services.emulator.helpers import LPU, doctor_with_free_slots, id_pat, people, soap_post
from workstation.models import Appointment, AppointmentState
from workstation.services.emulator import EmulatorServer, Fault, FaultKind, FaultRegistry

DISTRICTS = "<guid>0b6f3c2a-7d41-4e8a-9c55-2f1e8d7a6b90</guid>"
BROKEN = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


def test_drop_closes_the_connection_without_an_answer(server: EmulatorServer) -> None:
    server.faults.set("GetDistrictList", FaultKind.DROP, times=1)
    with pytest.raises(BROKEN):
        soap_post(server.url, "GetDistrictList", DISTRICTS)
    # times=1: the next call is answered.
    assert soap_post(server.url, "GetDistrictList", DISTRICTS).status_code == 200


def test_drop_seen_by_zeep(server: EmulatorServer, service: Any) -> None:
    server.faults.set("GetLPUList", "drop")
    with pytest.raises(BROKEN):
        service.GetLPUList(idDistrict=None, guid=server.guid)
    server.faults.clear("GetLPUList")
    assert service.GetLPUList(idDistrict=None, guid=server.guid).Success


def test_http500(server: EmulatorServer, service: Any) -> None:
    server.faults.set("GetDistrictList", "http500", times=2)
    response = soap_post(server.url, "GetDistrictList", DISTRICTS)
    assert response.status_code == 500 and b"Envelope" not in response.content
    # zeep reports the HTML error page as an unknown fault (or a transport error).
    with pytest.raises((zeep.exceptions.TransportError, zeep.exceptions.Fault)):
        service.GetDistrictList(guid=server.guid)


def test_malformed(server: EmulatorServer, service: Any) -> None:
    server.faults.set("GetDistrictList", "malformed", times=2)
    response = soap_post(server.url, "GetDistrictList", DISTRICTS)
    assert response.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content)
    with pytest.raises((zeep.exceptions.Error, etree.XMLSyntaxError)):
        service.GetDistrictList(guid=server.guid)


def test_soap_fault(server: EmulatorServer, service: Any) -> None:
    server.faults.set("GetDistrictList", "soap_fault", times=2)
    response = soap_post(server.url, "GetDistrictList", DISTRICTS)
    assert response.status_code == 500 and b"Fault" in response.content
    with pytest.raises(zeep.exceptions.Fault):
        service.GetDistrictList(guid=server.guid)


def test_latency(server: EmulatorServer, service: Any) -> None:
    server.faults.set("GetDistrictList", "latency", latency=0.4, times=1)
    started = time.perf_counter()
    assert service.GetDistrictList(guid=server.guid).Success
    assert time.perf_counter() - started >= 0.4
    started = time.perf_counter()
    assert service.GetDistrictList(guid=server.guid).Success
    assert time.perf_counter() - started < 0.4


def test_latency_with_a_client_timeout(server: EmulatorServer) -> None:
    server.faults.set("*", "latency", latency=1.0, times=1)
    with pytest.raises(requests.Timeout):
        soap_post(server.url, "GetDistrictList", DISTRICTS, timeout=0.2)


def test_commit_then_drop_leaves_the_booking(server: EmulatorServer, service: Any) -> None:
    guid = server.guid
    alice, bob = people(server, 2)
    alice_id, bob_id = id_pat(service, guid, alice), id_pat(service, guid, bob)
    _spec, _doc, slots = doctor_with_free_slots(service, guid)
    slot = slots[0].IdAppointment
    server.faults.set("SetAppointment", "commit_then_drop", times=1)
    with pytest.raises(BROKEN):
        service.SetAppointment(idAppointment=slot, idLpu=LPU, idPat=alice_id, guid=guid)
    with server.database.session() as session:
        states = session.scalars(
            select(Appointment.state).where(Appointment.hub_appointment_id == slot)
        ).all()
    assert states == [AppointmentState.BOOKED]
    retry = service.SetAppointment(idAppointment=slot, idLpu=LPU, idPat=bob_id, guid=guid)
    assert [e.IdError for e in retry.ErrorList.Error] == [39]


def test_control_endpoint(server: EmulatorServer) -> None:
    control = server.control_url
    response = requests.post(
        control, json={"operation": "GetDistrictList", "kind": "drop", "times": 1}, timeout=5
    )
    assert response.status_code == 200
    assert response.json() == [
        {"operation": "GetDistrictList", "kind": "drop", "latency": 0.0, "times": 1}
    ]
    with pytest.raises(BROKEN):
        soap_post(server.url, "GetDistrictList", DISTRICTS)
    assert requests.get(control, timeout=5).json() == []  # used up

    requests.post(
        control,
        json=[
            {"operation": "GetDistrictList", "kind": "soap_fault", "times": None},
            {"operation": "GetLPUList", "latency": 0.1},
        ],
        timeout=5,
    )
    assert {f["operation"] for f in requests.get(control, timeout=5).json()} == {
        "GetDistrictList",
        "GetLPUList",
    }
    assert soap_post(server.url, "GetDistrictList", DISTRICTS).status_code == 500
    assert (
        requests.delete(f"{control}?operation=GetLPUList", timeout=5).json()[0]["kind"]
        == "soap_fault"
    )
    assert requests.delete(control, timeout=5).json() == []
    assert soap_post(server.url, "GetDistrictList", DISTRICTS).status_code == 200

    bad = requests.post(control, json={"operation": "X", "kind": "explode"}, timeout=5)
    assert bad.status_code == 400 and "explode" in bad.json()["error"]
    assert requests.post(control, data=b"{not json", timeout=5).status_code == 400


def test_fault_parse_command_line_forms() -> None:
    assert Fault.parse("SetAppointment=drop") == Fault("SetAppointment", FaultKind.DROP)
    assert Fault.parse("GetDoctorList=latency:2.0") == Fault(
        "GetDoctorList", FaultKind.LATENCY, latency=2.0
    )
    assert Fault.parse("SetAppointment=http500:3").times == 3
    for bad in ("SetAppointment", "X=explode", "X=latency:soon", "X=drop:0"):
        with pytest.raises(ValueError):
            Fault.parse(bad)


def test_registry_counts_uses_and_matches_any_operation() -> None:
    registry = FaultRegistry()
    registry.set("*", "http500", times=2)
    registry.set("SetAppointment", "drop")
    assert registry.take("SetAppointment") == Fault("SetAppointment", FaultKind.DROP)
    assert registry.take("GetLPUList") is not None
    assert registry.take("GetLPUList") is not None
    assert registry.take("GetLPUList") is None
    assert registry.take("SetAppointment") is not None  # unlimited


def test_a_refuse_fault_answers_the_business_error_it_names() -> None:
    fault = Fault.parse("SetAppointment=refuse:36")
    assert (fault.kind, fault.code) == (FaultKind.REFUSE, 36)
    assert Fault.from_json(fault.as_json()) == fault
    assert "code" not in Fault.parse("SetAppointment=drop").as_json()
    with pytest.raises(ValueError, match="error code"):
        Fault.parse("SetAppointment=refuse:x")
