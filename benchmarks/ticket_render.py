"""Benchmark of ticket rendering to PDF in memory, against reportlab's own QR widget.

    python -m benchmarks.ticket_render [--renders N] [--batch N]

For each way of drawing the QR code — segno's matrix as one path with the fixed data mask (what
the workstation uses), the same with the mask chosen by the standard's penalty score, and
reportlab's ``QrCodeWidget`` (the baseline) — in the same run:

* N single A6 tickets, each rendered on its own (different numbers and patients), after a
  warm-up: median and p99 wall time per ticket, the median CPU time of the rendering thread
  (steadier on a busy machine) and the size of one PDF;
* one A4 batch of N tickets (four per sheet): total time, size and pages.

Target: one A6 ticket ≤ 10 ms (median). The exit code is 0 even when it is missed: a report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import reportlab
import segno
from reportlab.lib import rl_accel

from workstation.services.tickets import TicketContent, TicketFormat, render_tickets
from workstation.services.tickets.qr import QrDrawer, draw_qr, draw_qr_widget

TARGET_MS = 10.0
WARM_UP = 50
PAGE_OBJECT = re.compile(rb"/Type /Page\b(?!s)")
SURNAMES = ("Ёлкин", "Щукина", "Абдуллаев", "Юсупова", "Цой", "Эргашев", "Фёдорова", "Жуков")
DOCTORS = ("Иванова Анна Петровна", "Сидоров Игорь Олегович", "Хабибуллина Гульнара Ришатовна")


def sample_tickets(count: int) -> list[TicketContent]:
    """``count`` different tickets, as a day of one polyclinic's registry prints them."""
    issued = dt.datetime(2015, 8, 10, 4, 12, tzinfo=dt.UTC)
    first_visit = dt.datetime(2015, 8, 14, 8, 0)
    return [
        TicketContent(
            ticket_number=str(100_001 + index),
            institution="БУ ХМАО-Югры «Окружная клиническая больница»",
            address="628012, г. Ханты-Мансийск, ул. Калинина, 40",
            registry_phone="+7 (3467) 39-01-01, +7 (3467) 39-01-02",
            specialty=("Терапевт", "Кардиолог", "Офтальмолог")[index % 3],
            doctor=DOCTORS[index % len(DOCTORS)],
            room=str(101 + index % 40),
            visit_start=first_visit + dt.timedelta(minutes=15 * (index % 40)),
            patient=f"{SURNAMES[index % len(SURNAMES)]} {'АБВГДЕЖЗИКЛМН'[index % 13]}. С.",
            issued_at=issued,
            issued_by="Петрова А. А.",
        )
        for index in range(count)
    ]


@dataclass(frozen=True)
class Result:
    """One QR drawer's figures."""

    name: str
    wall_ms: list[float]
    cpu_ms: list[float]
    single_bytes: int
    batch_seconds: float
    batch_bytes: int
    batch_pages: int

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.wall_ms)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(
    name: str, qr: QrDrawer, singles: Sequence[TicketContent], batch: Sequence[TicketContent]
) -> Result:
    """Time single A6 renders of every ticket of ``singles``, then ``batch`` as one A4 batch."""
    for content in singles[:WARM_UP]:
        render_tickets([content], TicketFormat.A6, qr=qr)
    wall: list[float] = []
    cpu: list[float] = []
    gc.collect()
    for content in singles:
        started, started_cpu = time.perf_counter(), time.thread_time()
        data = render_tickets([content], TicketFormat.A6, qr=qr)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    gc.collect()
    started = time.perf_counter()
    pdf = render_tickets(batch, TicketFormat.A4, qr=qr)
    batch_seconds = time.perf_counter() - started
    pages = len(PAGE_OBJECT.findall(pdf))
    return Result(name, wall, cpu, len(data), batch_seconds, len(pdf), pages)


def report(results: Sequence[Result], renders: int) -> None:
    """Print the table and the verdict."""
    header = (
        f"{'QR drawn by':<26} {'A6 median':>10} {'A6 p99':>9} {'CPU median':>11} {'one PDF':>9}"
        f" {'A4 batch':>10} {'batch size':>11} {'pages':>6}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        print(
            f"{result.name:<26} {statistics.median(result.wall_ms):7.2f} ms"
            f" {result.percentile(0.99):6.2f} ms {statistics.median(result.cpu_ms):8.2f} ms"
            f" {result.single_bytes / 1024:6.1f} KB {result.batch_seconds:8.2f} s"
            f" {result.batch_bytes / 2**20:7.2f} MiB {result.batch_pages:6d}"
        )
    ours, baseline = results[0], results[-1]
    median = statistics.median(ours.wall_ms)
    verdict = "OK" if median <= TARGET_MS else "MISSED"
    print(
        f"\nTarget: one A6 ticket ≤ {TARGET_MS:.0f} ms (median of {renders:,}): "
        f"{median:.2f} ms — {verdict}"
    )
    print(
        f"reportlab's QrCodeWidget is {statistics.median(baseline.wall_ms) / median:.1f}× slower"
        f" per ticket and {baseline.batch_seconds / ours.batch_seconds:.1f}× slower per batch."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ticket_render")
    parser.add_argument("--renders", type=int, default=1_000, help="single A6 renders timed")
    parser.add_argument("--batch", type=int, default=1_000, help="tickets in the A4 batch")
    args = parser.parse_args(argv)
    accelerated = not rl_accel.fp_str.__name__.startswith("_py_")
    print(
        f"Python {platform.python_version()}, reportlab {reportlab.Version}"
        f" ({'with' if accelerated else 'without'} rl_accel), segno {segno.__version__}\n"
    )
    singles = sample_tickets(max(args.renders, WARM_UP))
    batch = sample_tickets(args.batch)
    drawers: list[tuple[str, QrDrawer]] = [
        ("segno path (mask 6)", draw_qr),
        ("segno path (penalty mask)", partial(draw_qr, mask=None)),
        ("reportlab QrCodeWidget", draw_qr_widget),
    ]
    results = [measure(name, qr, singles, batch) for name, qr in drawers]
    report(results, args.renders)
    return 0


if __name__ == "__main__":
    sys.exit(main())
