"""``workstation-emulator``: run the LPU emulator until Ctrl+C.

workstation-emulator --host 127.0.0.1 --port 8700 --data demo|region|bench
                     [--state FILE] [--guid G] [--fault OP=KIND[:ARG]]...
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from collections.abc import Sequence

from workstation.services.emulator.data import DATA_SETS, DEFAULT_REGION_PATIENTS, BenchShape
from workstation.services.emulator.faults import Fault, FaultKind
from workstation.services.emulator.server import DEFAULT_GUID, EmulatorServer


def _fault(text: str) -> Fault:
    try:
        return Fault.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _bench(text: str) -> BenchShape:
    try:
        doctors, days, slots = (int(part) for part in text.lower().split("x"))
        return BenchShape(doctors, days, slots)
    except ValueError as error:
        raise argparse.ArgumentTypeError("expected DOCTORSxDAYSxSLOTS, e.g. 200x14x24") from error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workstation-emulator",
        description="Эмулятор МИС ЛПУ: SOAP-сервис N3 HubService для демонстраций и тестов.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--data", choices=DATA_SETS, default="demo")
    parser.add_argument("--state", help="SQLite file of the MIS state (kept between runs)")
    parser.add_argument("--guid", default=DEFAULT_GUID, help="the guid clients must send")
    parser.add_argument(
        "--region-patients", type=int, default=DEFAULT_REGION_PATIENTS, help="for --data region"
    )
    parser.add_argument(
        "--bench", type=_bench, default=BenchShape(), help="for --data bench: 200x14x24"
    )
    parser.add_argument(
        "--first-day",
        type=dt.date.fromisoformat,
        help="first day of the generated schedules (YYYY-MM-DD; default today)",
    )
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="OP=KIND[:ARG]",
        help="inject a fault; KIND: "
        + ", ".join(k.value for k in FaultKind)
        + " (ARG: seconds for latency, number of calls otherwise; OP * = every operation)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    started = time.perf_counter()
    server = EmulatorServer.start(
        data=args.data,
        host=args.host,
        port=args.port,
        state=args.state,
        guid=args.guid,
        faults=args.fault,
        region_patients=args.region_patients,
        bench=args.bench,
        today=args.first_day,
    )
    print(f"Эмулятор МИС ЛПУ ({args.data}) готов за {time.perf_counter() - started:.1f} с")
    print(f"URL:  {server.url}")
    print(f"WSDL: {server.wsdl_url}")
    print(f"guid: {server.guid}")
    print(f"Сбои: POST/DELETE {server.control_url}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
