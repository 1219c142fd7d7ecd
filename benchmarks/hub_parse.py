"""Measure zeep's object mapping against the lxml fast path on one big slot list (no test).

Run: ``.venv/bin/python -m benchmarks.hub_parse [N]`` (default 10,000 slots). Uses a
response built here, so it needs no server.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from typing import Any

import requests

from workstation.services.hub import fast_parse, mapping
from workstation.services.hub.client import HubClient
from workstation.services.hub.endpoints import HubEndpoint

ENVELOPE = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    '<{op}Response xmlns="http://tempuri.org/">'
    '<{op}Result xmlns:a="http://schemas.datacontract.org/2004/07/HubService2" '
    'xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
    "<a:ErrorList i:nil=\"true\"/><a:IdHistory>1</a:IdHistory><a:Success>true</a:Success>"
    "{payload}</{op}Result></{op}Response></s:Body></s:Envelope>"
)


def slots_response(count: int) -> bytes:
    start = datetime(2026, 3, 2, 8, 0)
    parts = ["<a:ListAppointments>"]
    for n in range(count):
        begin = start + timedelta(minutes=15 * n)
        end = begin + timedelta(minutes=15)
        parts.append(
            "<a:Appointment><a:Address>г. Сургут, ул. Ленина, 1</a:Address>"
            f"<a:IdAppointment>A-{n}</a:IdAppointment><a:Num>{n % 40 + 1}</a:Num>"
            f"<a:Room>{100 + n % 30}</a:Room><a:VisitEnd>{end.isoformat()}</a:VisitEnd>"
            f"<a:VisitStart>{begin.isoformat()}</a:VisitStart></a:Appointment>"
        )
    parts.append("</a:ListAppointments>")
    payload = "".join(parts)
    return ENVELOPE.format(op="GetAvaibleAppointments", payload=payload).encode("utf-8")


def fake_response(content: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response._content = content
    response.headers["Content-Type"] = "text/xml; charset=utf-8"
    return response


def best_of(runs: int, fn: Any) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    content = slots_response(count)
    client = HubClient(HubEndpoint("http://127.0.0.1:9/HubService.svc", "bench"))
    started = time.perf_counter()
    client.warm_up()
    build = time.perf_counter() - started
    op = "GetAvaibleAppointments"

    def with_zeep() -> Any:
        return client._parse_zeep(op, fake_response(content))

    def zeep_to_dataclasses() -> Any:
        result = client._parse_zeep(op, fake_response(content))
        return [mapping.slot(a) for a in mapping.items(result.ListAppointments, "Appointment")]

    def lxml_tree_only() -> Any:
        return fast_parse.result_element(content, op)

    def with_lxml() -> Any:
        return fast_parse.parse_appointments(content)

    zeep_result = with_zeep()
    fast = with_lxml()
    assert len(zeep_result.ListAppointments.Appointment) == len(fast.items) == count
    zeep_s = best_of(3, with_zeep)
    zeep_full_s = best_of(3, zeep_to_dataclasses)
    tree_s = best_of(5, lxml_tree_only)
    lxml_s = best_of(5, with_lxml)
    print(f"zeep client build (bundled WSDL): {build * 1000:.0f} ms")
    print(f"{count} slots, {len(content) / 1e6:.2f} MB")
    print(f"zeep process_reply: {zeep_s * 1000:.0f} ms")
    print(f"zeep + dataclasses: {zeep_full_s * 1000:.0f} ms")
    print(f"lxml tree only:     {tree_s * 1000:.0f} ms")
    print(f"lxml fast path (to dataclasses): {lxml_s * 1000:.0f} ms"
          f"  (x{zeep_full_s / lxml_s:.1f} faster end to end)")
    client.close()


if __name__ == "__main__":
    main()
