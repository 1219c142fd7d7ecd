"""``EmulatorServer``: the LPU emulator served by waitress in a daemon thread.

>>> server = EmulatorServer.start(data="demo", port=0)       # doctest: +SKIP
>>> server.url, server.wsdl_url, server.guid                 # doctest: +SKIP
>>> server.faults.set("SetAppointment", "drop", times=1)     # doctest: +SKIP
>>> server.stop()                                            # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from waitress import wasyncore
from waitress.server import create_server

from workstation.services.database import Database
from workstation.services.emulator.data import (
    DEFAULT_BENCH,
    DEFAULT_REGION_PATIENTS,
    BenchShape,
    prepare_state,
)
from workstation.services.emulator.faults import Fault, FaultRegistry
from workstation.services.emulator.state import EmulatorState
from workstation.services.emulator.wsgi import MAX_REQUEST_BYTES, SERVICE_PATH, EmulatorApp

log = logging.getLogger(__name__)
# waitress reports every moment its request queue is not empty at WARNING («Task queue depth is
# 2»): normal for a sync that asks in parallel, and noise on the demo's terminal.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)

# A real guid: GetPatientsAreas types it as ser:guid, and a hub issues guids.
DEFAULT_GUID = "0b6f3c2a-7d41-4e8a-9c55-2f1e8d7a6b90"


class EmulatorServer:
    """A running emulator. Use :meth:`start`; stop with :meth:`stop` or a ``with`` block."""

    def __init__(
        self,
        app: EmulatorApp,
        server: Any,
        thread: threading.Thread,
        temp_dir: Path | None,
    ) -> None:
        self.app = app
        self._server = server
        self._thread = thread
        self._temp_dir = temp_dir
        self._stopped = False

    @classmethod
    def start(
        cls,
        data: str = "demo",
        host: str = "127.0.0.1",
        port: int = 0,
        state: str | Path | None = None,
        guid: str = DEFAULT_GUID,
        *,
        faults: Iterable[Fault] = (),
        today: dt.date | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        region_patients: int = DEFAULT_REGION_PATIENTS,
        bench: BenchShape = DEFAULT_BENCH,
        threads: int = 8,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ) -> EmulatorServer:
        """Prepare the state (``state`` file kept as is when it exists; a temp file otherwise)
        and serve on ``host:port`` (``port=0``: a free port) in a daemon thread."""
        temp_dir: Path | None = None
        if state is None:
            temp_dir = Path(tempfile.mkdtemp(prefix="workstation-emulator-"))
            state_path = temp_dir / "mis.sqlite3"
        else:
            state_path = Path(state)
        day = today or (clock() if clock else dt.datetime.now()).date()
        database = prepare_state(
            data, state_path, today=day, region_patients=region_patients, bench=bench
        )
        emulator_state = EmulatorState(database, guid=guid)
        if clock is not None:
            emulator_state.clock = clock
        registry = FaultRegistry()
        for fault in faults:
            registry.set(fault)
        app = EmulatorApp(emulator_state, registry, max_request_bytes=max_request_bytes)
        server = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="workstation-emulator",
            clear_untrusted_proxy_headers=True,
            channel_timeout=30,
        )
        thread = threading.Thread(target=server.run, name="workstation-emulator", daemon=True)
        thread.start()
        return cls(app, server, thread, temp_dir)

    # Properties ------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return str(self._server.effective_host)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The service endpoint, e.g. ``http://127.0.0.1:8700/HubService.svc``."""
        return f"{self.base_url}{SERVICE_PATH}"

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}?wsdl"

    @property
    def control_url(self) -> str:
        """The fault-injection endpoint (``POST``/``GET``/``DELETE`` JSON)."""
        return f"{self.base_url}/_emulator/faults"

    @property
    def guid(self) -> str:
        return self.app.state.guid

    @property
    def faults(self) -> FaultRegistry:
        return self.app.faults

    @property
    def state(self) -> EmulatorState:
        return self.app.state

    @property
    def database(self) -> Database:
        return self.app.state.database

    # Life cycle ------------------------------------------------------------------------------

    def serve_forever(self) -> None:
        """Block until the server stops (Ctrl+C in the CLI)."""
        while self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        # Close every socket from the server's own loop thread (closing them from here races
        # with the loop's select); the loop ends when its socket map is empty.
        server = self._server
        if self._thread.is_alive():
            try:
                server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            except OSError:  # the loop has already closed its trigger
                wasyncore.close_all(server._map)
        self._thread.join(5)
        server.task_dispatcher.shutdown()
        self.database.dispose()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
