"""Data sets, the benchmark institution, the state file and the command line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from workstation.models import Doctor, Institution, Slot, SlotState
from workstation.services.database import Database
from workstation.services.emulator import BenchShape, EmulatorServer, add_bench_institution, cli
from workstation.services.emulator.data import add_demo_schedule, prepare_state
from workstation.services.regional_data import load_regional_data


def test_bench_shape_of_the_ingest_benchmark() -> None:
    assert BenchShape().slots == 200 * 14 * 24 == 67_200


def test_bench_institution(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    database.upgrade()
    hub_id = add_bench_institution(database, BenchShape(10, 3, 24), today=dt.date(2026, 12, 7))
    with database.session() as session:
        institution_id = session.scalar(select(Institution.id).where(Institution.hub_id == hub_id))
        doctors = session.scalar(
            select(func.count(Doctor.id)).where(Doctor.institution_id == institution_id)
        )
        slots = session.scalar(select(func.count(Slot.id)))
    assert (doctors, slots) == (10, 10 * 3 * 24)
    database.dispose()


def test_bench_data_set_served(local_client: Any) -> None:
    with EmulatorServer.start(data="bench", bench=BenchShape(8, 2, 4)) as server:
        service = local_client.create_service(
            "{http://tempuri.org/}BasicHttpBinding_IHubService", server.url
        )
        docs = service.GetDoctorList(idSpesiality=None, idLpu=9001, guid=server.guid).Docs.Doctor
        assert len(docs) == 8


def test_demo_schedule_is_deterministic_and_realistic(tmp_path: Path) -> None:
    day = dt.date(2026, 12, 7)
    first = tmp_path / "a.sqlite3"
    database = Database(f"sqlite:///{first}")
    database.upgrade()
    load_regional_data(database)
    with database.session() as session:  # a few doctors are enough
        keep = select(Doctor.id).order_by(Doctor.id).limit(40).scalar_subquery()
        session.execute(delete(Doctor).where(Doctor.id.not_in(keep)))
    database.dispose()
    shutil.copyfile(first, tmp_path / "b.sqlite3")
    runs = []
    for name in ("a", "b"):
        database = Database(f"sqlite:///{tmp_path / name}.sqlite3")
        add_demo_schedule(database, day)
        with database.session() as session:
            runs.append(
                session.execute(select(Slot.hub_id, Slot.start, Slot.state).order_by(Slot.id)).all()
            )
        database.dispose()
    assert runs[0] == runs[1] and runs[0]
    starts = [start for _id, start, _state in runs[0]]
    assert {s.hour for s in starts} <= {8, 9, 10, 11, 14, 15, 16, 17}
    assert all(s.weekday() < 5 for s in starts)
    assert min(starts).date() == day and max(starts).date() < day + dt.timedelta(days=14)
    taken = sum(1 for _id, _start, state in runs[0] if state == SlotState.TAKEN)
    assert 0.1 < taken / len(runs[0]) < 0.4


def test_state_file_is_kept_between_runs(tmp_path: Path, local_client: Any) -> None:
    state = tmp_path / "mis.sqlite3"
    today = dt.date.today()
    database = prepare_state("demo", state, today=today)
    with database.session() as session:
        slot = session.scalars(select(Slot).where(Slot.state == SlotState.FREE).limit(1)).one()
        slot.state = SlotState.TAKEN
        slot_id = slot.id
    database.dispose()
    with (
        EmulatorServer.start(data="demo", state=state) as server,
        server.database.session() as session,
    ):
        assert session.get(Slot, slot_id).state == SlotState.TAKEN  # type: ignore[union-attr]
    assert state.exists()


def test_cli_parses_and_serves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = cli.build_parser().parse_args(
        [
            "--data",
            "bench",
            "--bench",
            "4x1x2",
            "--fault",
            "SetAppointment=drop",
            "--fault",
            "GetDoctorList=latency:2.0",
            "--port",
            "0",
            "--guid",
            "g",
        ]
    )
    assert args.bench == BenchShape(4, 1, 2) and len(args.fault) == 2
    started: list[EmulatorServer] = []

    def serve(self: EmulatorServer) -> None:
        started.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(EmulatorServer, "serve_forever", serve)
    assert (
        cli.main(
            [
                "--data",
                "bench",
                "--bench",
                "4x1x2",
                "--port",
                "0",
                "--guid",
                "g",
                "--fault",
                "SetAppointment=drop",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert started and started[0].url in out and "guid: g" in out
    assert [f.operation for f in started[0].faults.list()] == ["SetAppointment"]
    with pytest.raises(SystemExit):
        cli.main(["--fault", "nonsense"])
