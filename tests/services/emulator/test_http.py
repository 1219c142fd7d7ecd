"""The HTTP side: WSDL/XSD served for zeep, SOAPAction dispatch, size limit, hardened parsing."""

from __future__ import annotations

import requests
import zeep
from lxml import etree

from tests.services.emulator.helpers import soap_post
from workstation.services.emulator import EmulatorServer

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def test_zeep_loads_the_wsdl_from_the_server(server: EmulatorServer) -> None:
    client = zeep.Client(server.wsdl_url)
    port = client.wsdl.services["HubService"].ports["BasicHttpBinding_IHubService"]
    assert port.binding_options["address"] == server.url
    assert len(port.binding._operations) == 17
    result = client.service.GetDistrictList(guid=server.guid)
    assert result.Success and result.Districts.District


def test_schemas_are_served_with_imports_pointing_back(server: EmulatorServer) -> None:
    wsdl = requests.get(server.wsdl_url, timeout=5).text
    assert f'location="{server.url}"' in wsdl
    assert f'schemaLocation="{server.url}?xsd=HubService"' in wsdl
    xsd = requests.get(f"{server.url}?xsd=HubService2", timeout=5)
    assert xsd.status_code == 200 and f"{server.url}?xsd=HubService2.Dto" in xsd.text
    assert requests.get(f"{server.base_url}/SerializationArrays.xsd", timeout=5).status_code == 200
    assert requests.get(f"{server.url}?xsd=../../etc/passwd", timeout=5).status_code == 404


def _fault_string(response: requests.Response) -> str:
    root = etree.fromstring(response.content)
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None
    return str(fault.findtext("faultstring"))


def test_unknown_soap_action_is_a_fault_with_500(server: EmulatorServer) -> None:
    response = soap_post(server.url, "Explode", action="http://tempuri.org/IHubService/Explode")
    assert response.status_code == 500
    assert "Explode" in _fault_string(response)
    missing = soap_post(server.url, "GetDistrictList", action="")
    assert missing.status_code == 500


def test_soap_action_without_quotes_and_body_mismatch(server: EmulatorServer) -> None:
    ok = soap_post(
        server.url,
        "GetDistrictList",
        "<guid>0b6f3c2a-7d41-4e8a-9c55-2f1e8d7a6b90</guid>",
        action="http://tempuri.org/IHubService/GetDistrictList",
    )
    assert ok.status_code == 200 and b"<a:Success>true</a:Success>" in ok.content
    mismatch = soap_post(
        server.url, "GetLPUList", action='"http://tempuri.org/IHubService/GetDistrictList"'
    )
    assert mismatch.status_code == 400 and "SOAPAction" in _fault_string(mismatch)


def test_request_size_limit_413(server: EmulatorServer) -> None:
    padding = "x" * (1024 * 1024 + 1)
    response = soap_post(server.url, "GetDistrictList", f"<guid>{padding}</guid>")
    assert response.status_code == 413


def test_dtd_and_entities_are_rejected(server: EmulatorServer) -> None:
    body = (
        '<?xml version="1.0"?>'
        '<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        '<!ENTITY lol "lollollollollollollollol">]>'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        '<GetDistrictList xmlns="http://tempuri.org/"><guid>&xxe;&lol;</guid></GetDistrictList>'
        "</s:Body></s:Envelope>"
    )
    response = requests.post(
        server.url,
        data=body.encode(),
        headers={"SOAPAction": '"http://tempuri.org/IHubService/GetDistrictList"'},
        timeout=5,
    )
    assert response.status_code == 400
    assert "DTD" in _fault_string(response)
    assert b"root:" not in response.content


def test_not_xml_is_a_client_fault(server: EmulatorServer) -> None:
    response = requests.post(
        server.url,
        data=b"hello",
        headers={"SOAPAction": '"http://tempuri.org/IHubService/GetDistrictList"'},
        timeout=5,
    )
    assert response.status_code == 400 and _fault_string(response)


def test_health_and_service_page(server: EmulatorServer) -> None:
    assert requests.get(f"{server.base_url}/_emulator/health", timeout=5).json() == {"status": "ok"}
    assert "WSDL" in requests.get(server.url, timeout=5).text
