"""Fast response parsing for the bulk reads (slots, doctors, specialties) with lxml directly.

zeep's object mapping costs about a millisecond per hundred objects; these functions read the
same SOAP 1.1 responses with lxml (safe parser: no DTD, no entities, no network, no huge trees)
straight into the result dataclasses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from lxml import etree

from workstation.services.hub.results import DoctorInfo, FreeSlot, SpecialityInfo

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
HS2 = "http://schemas.datacontract.org/2004/07/HubService2"

_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_BODY = f"{{{SOAP_ENV}}}Body"
_FAULT = f"{{{SOAP_ENV}}}Fault"
_HS = f"{{{HS2}}}"
_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

T = TypeVar("T")


class MalformedResponse(Exception):
    """The response is not a well-formed, safe SOAP envelope of the expected operation."""


class SoapFault(Exception):
    """The response is a SOAP Fault."""


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """``MethodResult`` fields plus the mapped list."""

    success: bool
    errors: tuple[tuple[int, str], ...]
    items: tuple[T, ...]


_local = threading.local()


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:  # lxml parsers must not be shared between threads
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def parse_envelope(content: bytes) -> etree._Element:
    """The ``soap:Body`` of a safe, well-formed envelope; a Fault raises ``SoapFault``."""
    try:
        root = etree.fromstring(content, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise MalformedResponse(f"некорректный XML в ответе: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise MalformedResponse("ответ содержит DOCTYPE (запрещено)")
    if root.tag != _ENVELOPE:
        raise MalformedResponse(f"корневой элемент ответа не soap:Envelope: {root.tag}")
    body = root.find(_BODY)
    if body is None:
        raise MalformedResponse("в ответе нет soap:Body")
    fault = body.find(_FAULT)
    if fault is not None:
        raise SoapFault(f"SOAP Fault: {fault.findtext('faultstring') or ''}".strip())
    return body


def result_element(content: bytes, operation: str) -> etree._Element:
    """``<{operation}Result>`` inside ``<{operation}Response>`` of the envelope."""
    body = parse_envelope(content)
    response = body.find(f"{{{TEMPURI}}}{operation}Response")
    if response is None:
        raise MalformedResponse(f"в ответе нет {operation}Response")
    result = response.find(f"{{{TEMPURI}}}{operation}Result")
    if result is None:
        raise MalformedResponse(f"в ответе нет {operation}Result")
    return result


def method_result(result: etree._Element) -> tuple[bool, tuple[tuple[int, str], ...]]:
    """``Success`` and the ``ErrorList`` as (IdError, ErrorDescription) pairs."""
    success = _bool(result.findtext(f"{_HS}Success"))
    errors: list[tuple[int, str]] = []
    for error in result.iterfind(f"{_HS}ErrorList/{_HS}Error"):
        code = _int(error.findtext(f"{_HS}IdError"))
        errors.append((code or 0, error.findtext(f"{_HS}ErrorDescription") or ""))
    return success, tuple(errors)


def _bool(text: str | None) -> bool:
    return text is not None and text.strip() in ("true", "1")


def _int(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise MalformedResponse(f"не целое число: {text!r}") from exc


def _dt(text: str | None) -> datetime | None:
    if text is None or not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise MalformedResponse(f"некорректная дата: {text!r}") from exc


class _Layout:
    """The members of one item type, in the (alphabetical, WCF DataContract) schema order.

    A WCF server emits every member, nil or not, so an item usually has exactly these children
    in this order: then they are read by position (two tag checks instead of one per field).
    Otherwise (members left out) by tag.
    """

    def __init__(self, *names: str) -> None:
        self.names = names
        self.tags = tuple(_HS + name for name in names)
        self.first = self.tags[0]
        self.last = self.tags[-1]
        self.count = len(names)

    def values(self, item: etree._Element) -> list[str | None]:
        if len(item) == self.count and item[0].tag == self.first and item[-1].tag == self.last:
            return [child.text for child in item]
        by_tag = {child.tag: child.text for child in item}
        return [by_tag.get(tag) for tag in self.tags]


def _parse_list(
    content: bytes,
    operation: str,
    path: str,
    layout: _Layout,
    build: Callable[[list[str | None]], T],
) -> Parsed[T]:
    result = result_element(content, operation)
    success, errors = method_result(result)
    items = tuple(
        build(layout.values(item))
        for item in result.iterfind(path)
        if item.get(_NIL) != "true"
    )
    return Parsed(success, errors, items)


_SLOT = _Layout("Address", "IdAppointment", "Num", "Room", "VisitEnd", "VisitStart")


def _slot(v: list[str | None]) -> FreeSlot:
    address, id_appointment, num, room, visit_end, visit_start = v
    start = _dt(visit_start)
    end = _dt(visit_end)
    if start is None or end is None:
        raise MalformedResponse("у талона нет времени начала или окончания")
    return FreeSlot(
        id_appointment=id_appointment or "",
        visit_start=start,
        visit_end=end,
        room=room or None,
        address=address or None,
        num=_int(num),
    )


_DOCTOR = _Layout(
    "AriaNumber",
    "Comment",
    "CountFreeParticipantIE",
    "CountFreeTicket",
    "IdDoc",
    "LastDate",
    "Name",
    "NearestDate",
    "Snils",
)


def _doctor(v: list[str | None]) -> DoctorInfo:
    aria, comment, count_ie, count, id_doc, last, name, nearest, snils = v
    return DoctorInfo(
        id_doc=id_doc or "",
        name=name or "",
        snils=snils or None,
        aria_number=aria or None,
        count_free_ticket=_int(count) or 0,
        count_free_participant_ie=_int(count_ie) or 0,
        nearest_date=_dt(nearest),
        last_date=_dt(last),
        comment=comment or None,
    )


_SPECIALITY = _Layout(
    "CountFreeParticipantIE",
    "CountFreeTicket",
    "FerIdSpesiality",
    "IdSpesiality",
    "LastDate",
    "NameSpesiality",
    "NearestDate",
)


def _speciality(v: list[str | None]) -> SpecialityInfo:
    count_ie, count, fer_id, id_spec, last, name, nearest = v
    return SpecialityInfo(
        id_speciality=id_spec or "",
        name=name or "",
        fer_id_speciality=fer_id or None,
        count_free_ticket=_int(count) or 0,
        count_free_participant_ie=_int(count_ie) or 0,
        nearest_date=_dt(nearest),
        last_date=_dt(last),
    )


def parse_appointments(content: bytes) -> Parsed[FreeSlot]:
    """A ``GetAvaibleAppointments`` response."""
    return _parse_list(
        content,
        "GetAvaibleAppointments",
        f"{_HS}ListAppointments/{_HS}Appointment",
        _SLOT,
        _slot,
    )


def parse_doctors(content: bytes) -> Parsed[DoctorInfo]:
    """A ``GetDoctorList`` response."""
    return _parse_list(content, "GetDoctorList", f"{_HS}Docs/{_HS}Doctor", _DOCTOR, _doctor)


def parse_specialities(content: bytes) -> Parsed[SpecialityInfo]:
    """A ``GetSpesialityList`` response."""
    return _parse_list(
        content,
        "GetSpesialityList",
        f"{_HS}ListSpesiality/{_HS}Spesiality",
        _SPECIALITY,
        _speciality,
    )
