"""The LPU emulator against the PUBLISHED N3 HubService contract.

A zeep client built from the published WSDL (loaded offline, its ``?xsd=xsdN`` imports mapped to
the local files) calls every operation the emulator implements over real HTTP and parses every
reply; every reply body the emulator sends validates against the published XSD set. Skipped with
the reason when the published contract is absent (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import zeep
from lxml import etree
from zeep.plugins import Plugin
from zeep.transports import Transport

from tests.contract.conftest import PUBLISHED_WSDL
from tests.services.emulator.helpers import (
    LPU,
    doctor_with_free_slots,
    institution_with_areas,
    people,
    tomorrow,
)
from workstation.services.emulator import EmulatorServer
from workstation.services.emulator.operations import OPERATIONS

BINDING = "{http://tempuri.org/}BasicHttpBinding_IHubService"
SOAP_BODY = "{http://schemas.xmlsoap.org/soap/envelope/}Body"
_XSD_QUERY = re.compile(r"\?xsd=(xsd\d+)$")


class PublishedTransport(Transport):
    """Loads the published files locally (``...?xsd=xsdN`` → the local ``xsdN`` file); refuses
    any other remote document. SOAP calls (``post``) go to the emulator as usual."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def load(self, url: str) -> bytes:
        match = _XSD_QUERY.search(url)
        if match:
            return (self.directory / f"netrika-hubservice-hub24.{match.group(1)}.xsd").read_bytes()
        if urlparse(url).scheme in ("http", "https"):
            raise RuntimeError(f"network access refused in contract tests: {url}")
        return bytes(super().load(url))


class Recorder(Plugin):
    """Keeps every reply envelope zeep receives."""

    def __init__(self) -> None:
        self.replies: list[tuple[str, etree._Element]] = []

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> Any:
        self.replies.append((operation.name, envelope))
        return envelope, http_headers


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer.start(data="demo") as server:
        yield server


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def published_service(
    published_contract_dir: Path, emulator: EmulatorServer, recorder: Recorder
) -> Any:
    client = zeep.Client(
        str(published_contract_dir / PUBLISHED_WSDL),
        transport=PublishedTransport(published_contract_dir),
        settings=zeep.Settings(strict=False),
        plugins=[recorder],
    )
    return client.create_service(BINDING, emulator.url)


def _ok(result: Any) -> Any:
    assert result.Success, result.ErrorList
    return result


def test_every_operation_through_the_published_wsdl(
    published_service: Any,
    emulator: EmulatorServer,
    recorder: Recorder,
    published_schema: etree.XMLSchema,
) -> None:
    service, guid = published_service, emulator.guid
    window = {"visitStart": tomorrow(), "visitEnd": tomorrow() + dt.timedelta(days=20)}
    districts = _ok(service.GetDistrictList(guid=guid)).Districts.District
    _ok(service.GetLPUList(idDistrict=districts[0].IdDistrict, guid=guid))
    _ok(service.GetLPUInfo(idLpu=LPU, guid=guid))
    _ok(service.GetSpesialityList(idLpu=LPU, guid=guid))
    spec, doc, slots = doctor_with_free_slots(service, guid)
    _ok(service.GetDoctorList(idSpesiality=spec, idLpu=LPU, guid=guid))
    _ok(service.GetWorkingTime(idDoc=doc, idLpu=LPU, guid=guid, **window))
    _ok(service.GetAvailableDates(idDoc=doc, idLpu=LPU, guid=guid, **window))
    _ok(service.GetAvaibleAppointments(idDoc=doc, idLpu=LPU, guid=guid, **window))

    person = people(emulator, 1)[0]
    id_pat = _ok(service.CheckPatient(pat=person.pat(), idLpu=LPU, guid=guid)).IdPat
    _ok(service.SearchTop10Patient(pat={"Surname": person.surname}, idLpu=LPU, guid=guid))
    new = {"Surname": "Контрактов", "Name": "Тест", "Birthday": dt.datetime(1975, 3, 4)}
    _ok(service.AddNewPatient(patient=new, idLpu=LPU, approvedByTfoms=False, guid=guid))
    _ok(
        service.SetAppointment(
            idAppointment=slots[0].IdAppointment, idLpu=LPU, idPat=id_pat, guid=guid
        )
    )
    _ok(
        service.SetAppointment(
            idAppointment=slots[1].IdAppointment,
            idLpu=LPU,
            idPat=id_pat,
            idAppointmentPrev=slots[0].IdAppointment,
            guid=guid,
        )
    )
    _ok(
        service.CreateClaimForRefusal(
            idLpu=LPU, idPat=id_pat, idAppointment=slots[1].IdAppointment, guid=guid
        )
    )
    history = _ok(service.GetPatientHistory(idLpu=LPU, idPat=id_pat, guid=guid))
    assert len(history.ListHistoryRefusal.HistoryRefusal) == 2
    area_lpu = institution_with_areas(emulator, True)
    area_pat = _ok(service.CheckPatient(pat=person.pat(), idLpu=area_lpu, guid=guid)).IdPat
    areas = _ok(service.GetPatientsAreas(idLpu=str(area_lpu), idPat=area_pat, guid=guid))
    assert areas.PatientsAreaList.PatientsArea
    _ok(service.UpdatePhoneByIdPat(idLpu=LPU, idPat=id_pat, cellPhone="+79123456789", guid=guid))
    _ok(
        service.SetWaitingList(
            idSpesiality=spec,
            idLpu=LPU,
            rule={"Start": tomorrow(), "End": tomorrow() + dt.timedelta(days=30)},
            claim="отсутствуют_свободные_талоны",
            idPat=id_pat,
            birthday=person.birthday,
            guid=guid,
        )
    )
    # Business errors and a wrong guid: Success=false replies must be valid too.
    assert not service.SetAppointment(
        idAppointment="x-1", idLpu=LPU, idPat=id_pat, guid=guid
    ).Success
    assert not service.GetDistrictList(guid="not-the-guid").Success

    called = {name for name, _reply in recorder.replies}
    assert called == set(OPERATIONS)
    for name, envelope in recorder.replies:
        body = envelope.find(SOAP_BODY)
        assert body is not None and len(body) == 1
        assert published_schema.validate(body[0]), (name, published_schema.error_log)
