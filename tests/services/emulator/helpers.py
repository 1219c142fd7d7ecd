"""Helpers shared by the emulator tests (and the emulator contract test)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import func, select

from workstation.models import Doctor, Institution, Patient
from workstation.services.emulator import EmulatorServer

LPU = 2001  # Сургутская ГП №1 in the shipped regional data
BINDING = "{http://tempuri.org/}BasicHttpBinding_IHubService"


@dataclass(frozen=True)
class Person:
    """A patient of the emulator's registry, as the request ``Patient`` needs it."""

    surname: str
    name: str
    second_name: str
    birthday: dt.datetime
    snils: str | None
    oms: str | None
    passport: str | None

    def pat(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "Surname": self.surname,
            "Name": self.name,
            "SecondName": self.second_name,
            "Birthday": self.birthday,
        }
        if self.snils:
            data["Snils"] = self.snils
        data.update(overrides)
        return data


def people(server: EmulatorServer, count: int = 2) -> list[Person]:
    """Registry patients with a unique name and birthday, an ЕНП and a СНИЛС."""
    with server.database.session() as session:
        unique = (
            select(Patient.last_name_norm, Patient.first_name_norm, Patient.birth_date)
            .group_by(Patient.last_name_norm, Patient.first_name_norm, Patient.birth_date)
            .having(func.count() == 1)
            .subquery()
        )
        rows = session.scalars(
            select(Patient)
            .join(
                unique,
                (unique.c.last_name_norm == Patient.last_name_norm)
                & (unique.c.first_name_norm == Patient.first_name_norm)
                & (unique.c.birth_date == Patient.birth_date),
            )
            .where(Patient.snils.is_not(None), func.length(Patient.oms_number) == 16)
            .order_by(Patient.id)
            .limit(count)
        ).all()
        return [
            Person(
                surname=p.last_name,
                name=p.first_name,
                second_name=p.patronymic,
                birthday=dt.datetime.combine(p.birth_date, dt.time()),
                snils=p.snils,
                oms=p.oms_number,
                passport=p.passport,
            )
            for p in rows
        ]


def id_pat(service: Any, guid: str, person: Person, lpu: int = LPU) -> str:
    result = service.CheckPatient(pat=person.pat(), idLpu=lpu, guid=guid)
    assert result.Success, result.ErrorList
    return str(result.IdPat)


def errors(result: Any) -> list[int]:
    """The IdError codes of a result (empty on success)."""
    if result.ErrorList is None:
        return []
    return [error.IdError for error in result.ErrorList.Error]


def tomorrow() -> dt.datetime:
    return dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time())


def doctor_with_free_slots(
    service: Any, guid: str, lpu: int = LPU, minimum: int = 3, specialty: str | None = None
) -> tuple[str, str, list[Any]]:
    """(IdSpesiality, IdDoc, free slots from tomorrow on) of a doctor with enough free slots."""
    specialties = service.GetSpesialityList(idLpu=lpu, guid=guid).ListSpesiality.Spesiality
    for spec in specialties:
        if specialty is not None and spec.IdSpesiality != specialty:
            continue
        docs = service.GetDoctorList(idSpesiality=spec.IdSpesiality, idLpu=lpu, guid=guid).Docs
        for doctor in docs.Doctor if docs is not None else []:
            slots = service.GetAvaibleAppointments(
                idDoc=doctor.IdDoc,
                idLpu=lpu,
                visitStart=tomorrow(),
                visitEnd=tomorrow() + dt.timedelta(days=20),
                guid=guid,
            ).ListAppointments
            found = list(slots.Appointment) if slots is not None else []
            if len(found) >= minimum:
                return spec.IdSpesiality, doctor.IdDoc, found
    raise AssertionError("no doctor with free slots")


def institution_with_areas(server: EmulatorServer, with_areas: bool) -> int:
    """An LPU whose doctors have (or have no) area numbers."""
    with server.database.session() as session:
        has_area = select(Doctor.institution_id).where(Doctor.area_number.is_not(None))
        condition = Institution.id.in_(has_area)
        hub_id = session.scalar(
            select(Institution.hub_id)
            .where(condition if with_areas else ~condition)
            .order_by(Institution.hub_id)
            .limit(1)
        )
    assert hub_id is not None
    return int(hub_id)


def soap_post(
    url: str, operation: str, inner: str = "", *, action: str | None = None, timeout: float = 10
) -> requests.Response:
    """A raw SOAP 1.1 request ``<operation>inner</operation>``."""
    body = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        f'<{operation} xmlns="http://tempuri.org/">{inner}</{operation}>'
        "</s:Body></s:Envelope>"
    )
    return requests.post(
        url,
        data=body.encode("utf-8"),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": action
            if action is not None
            else f'"http://tempuri.org/IHubService/{operation}"',
        },
        timeout=timeout,
    )
