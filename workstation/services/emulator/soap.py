"""SOAP 1.1 envelopes for the emulator: hardened request parsing, WCF-shaped replies, faults.

Replies follow what a WCF ``BasicHttpBinding`` service writes: the operation wrapper and its
``...Result`` element in ``http://tempuri.org/``, the result members in the HubService2 data
contract namespace, ``i:nil="true"`` for null members, ``MethodResult`` members first
(``ErrorList``, ``IdHistory``, ``Success``) and then the result's own members in schema order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
HS = "http://schemas.datacontract.org/2004/07/HubService2"
ARR = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_NIL = f"{{{XSI}}}nil"
SOAP_ACTION_PREFIX = "http://tempuri.org/IHubService/"

Value = str | int | float | bool | dt.datetime | dt.date | None


class RequestError(Exception):
    """A request that cannot be processed (not XML, DTD, wrong operation); becomes a fault."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def parse_envelope(body: bytes) -> etree._Element:
    """The SOAP Body's first child; DTDs, entities and anything not a SOAP 1.1 envelope refused."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise RequestError("Запрос отклонён: DTD и объявления сущностей не допускаются.")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as error:
        raise RequestError(f"Запрос не является корректным XML: {error}") from error
    if root.getroottree().docinfo.doctype:
        raise RequestError("Запрос отклонён: DTD и объявления сущностей не допускаются.")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise RequestError("Ожидался конверт SOAP 1.1 (soap:Envelope).")
    soap_body = root.find(f"{{{SOAP_ENV}}}Body")
    if soap_body is None or len(soap_body) == 0:
        raise RequestError("В конверте SOAP нет тела запроса.")
    return soap_body[0]


def operation_of(soap_action: str) -> str:
    """``"http://tempuri.org/IHubService/GetLPUList"`` (quotes optional) → ``GetLPUList``."""
    action = soap_action.strip().strip('"').strip()
    if action.startswith(SOAP_ACTION_PREFIX):
        return action[len(SOAP_ACTION_PREFIX) :]
    return ""


# --------------------------------------------------------------------------------------------
# Reading requests


def _is_nil(element: etree._Element) -> bool:
    return element.get(XSI_NIL) in ("true", "1")


@dataclass(frozen=True)
class Params:
    """Children of a request wrapper (or of a nested data contract), by local name."""

    element: etree._Element | None

    def child(self, name: str) -> etree._Element | None:
        if self.element is None:
            return None
        for child in self.element:
            if isinstance(child.tag, str) and etree.QName(child).localname == name:
                return None if _is_nil(child) else child
        return None

    def text(self, name: str) -> str | None:
        child = self.child(name)
        if child is None:
            return None
        value = (child.text or "").strip()
        return value or None

    def int(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError as error:
            raise RequestError(
                f"Параметр {name}: ожидалось целое число, получено «{value}»."
            ) from error

    def datetime(self, name: str) -> dt.datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise RequestError(
                f"Параметр {name}: ожидались дата и время, получено «{value}»."
            ) from error
        # Wall-clock time of the institution: the offset, if any, is dropped.
        return parsed.replace(tzinfo=None)

    def nested(self, name: str) -> Params:
        return Params(self.child(name))


# --------------------------------------------------------------------------------------------
# Writing replies


def format_value(value: Value) -> str:
    """xsd lexical form: booleans lower-case, dateTime without offset (WCF "unspecified")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time()).isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def add(parent: etree._Element, name: str, value: Value, *, ns: str = HS) -> etree._Element:
    """Append ``<ns:name>value</ns:name>``, or ``i:nil="true"`` when ``value`` is None."""
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if value is None:
        element.set(XSI_NIL, "true")
    else:
        element.text = format_value(value)
    return element


def add_nil(parent: etree._Element, name: str, *, ns: str = HS) -> etree._Element:
    return add(parent, name, None, ns=ns)


def add_list(parent: etree._Element, name: str, *, ns: str = HS) -> etree._Element:
    """Append an empty container element (an ``ArrayOf...``) to fill with items."""
    return etree.SubElement(parent, f"{{{ns}}}{name}")


@dataclass(frozen=True)
class Failure:
    """One ``Error`` of a ``MethodResult.ErrorList``."""

    code: int
    description: str


def result_envelope(
    operation: str,
    *,
    id_history: int | None,
    members: Iterable[etree._Element] = (),
    errors: Iterable[Failure] = (),
) -> etree._Element:
    """``<OpResponse><OpResult>`` with the MethodResult members, then ``members`` in order."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"s": SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    response = etree.SubElement(body, f"{{{TEMPURI}}}{operation}Response", nsmap={None: TEMPURI})
    result = etree.SubElement(
        response, f"{{{TEMPURI}}}{operation}Result", nsmap={"a": HS, "i": XSI}
    )
    error_list = list(errors)
    if error_list:
        container = add_list(result, "ErrorList")
        for failure in error_list:
            error = add_list(container, "Error")
            add(error, "ErrorDescription", failure.description)
            add(error, "IdError", failure.code)
    else:
        add_nil(result, "ErrorList")
    add(result, "IdHistory", id_history)
    add(result, "Success", not error_list)
    if not error_list:
        for member in members:
            result.append(member)
    return envelope


def member(name: str, value: Value = None, *, ns: str = HS) -> etree._Element:
    """A detached ``<ns:name>`` element (nil when ``value`` is None) for ``result_envelope``."""
    element = etree.Element(f"{{{ns}}}{name}")
    if value is None:
        element.set(XSI_NIL, "true")
    else:
        element.text = format_value(value)
    return element


def container(name: str, *, ns: str = HS) -> etree._Element:
    """A detached, empty (not nil) ``ArrayOf...`` element for ``result_envelope``."""
    return etree.Element(f"{{{ns}}}{name}")


def fault_envelope(message: str, *, code: str = "s:Client") -> etree._Element:
    """A SOAP 1.1 Fault as WCF writes it."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"s": SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = code
    faultstring = etree.SubElement(fault, "faultstring")
    faultstring.set("{http://www.w3.org/XML/1998/namespace}lang", "ru-RU")
    faultstring.text = message
    return envelope


def serialise(envelope: etree._Element) -> bytes:
    return bytes(etree.tostring(envelope, xml_declaration=False, encoding="utf-8"))
