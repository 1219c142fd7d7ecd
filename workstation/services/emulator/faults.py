"""Fault injection: per operation, set at run time (Python, HTTP control endpoint, CLI).

Kinds:

* ``latency`` - answer normally after ``latency`` extra seconds;
* ``drop`` - close the connection without any answer (the operation is not performed);
* ``http500`` - HTTP 500 with a plain-text body, as a broken IIS/proxy would answer;
* ``malformed`` - HTTP 200 with a body that is not XML;
* ``soap_fault`` - a SOAP 1.1 Fault (HTTP 500);
* ``commit_then_drop`` - perform the operation and commit, then close the connection: the
  booking exists but the answer never arrives;
* ``refuse`` - answer ``Success=false`` with the business error ``code`` (any ``IdError``)
  without performing the operation, as an MIS refusing for its own reasons would.

``latency`` (seconds) may accompany any kind. ``times`` limits a fault to the next N calls of the
operation (``None``: until cleared). The operation ``*`` matches every operation.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import asdict, dataclass, replace
from typing import Any

ANY_OPERATION = "*"


class FaultKind(enum.StrEnum):
    LATENCY = "latency"
    DROP = "drop"
    HTTP500 = "http500"
    MALFORMED = "malformed"
    SOAP_FAULT = "soap_fault"
    COMMIT_THEN_DROP = "commit_then_drop"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Fault:
    """One injected fault of one operation."""

    operation: str
    kind: FaultKind
    latency: float = 0.0
    times: int | None = None
    code: int = 99
    """The ``IdError`` of a ``refuse`` fault."""

    def __post_init__(self) -> None:
        if not self.operation:
            raise ValueError("fault: operation is empty")
        if self.latency < 0:
            raise ValueError("fault: latency must not be negative")
        if self.times is not None and self.times <= 0:
            raise ValueError("fault: times must be positive (or null for unlimited)")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        if self.kind is not FaultKind.REFUSE:
            del data["code"]  # only a refusal carries an IdError
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        """``{"operation": "SetAppointment", "kind": "drop", "latency": 0.5, "times": 1}``."""
        if not isinstance(data, dict):
            raise ValueError("fault: a JSON object expected")
        operation = data.get("operation")
        if not isinstance(operation, str):
            raise ValueError("fault: 'operation' (string) is required")
        latency = data.get("latency") or 0.0
        kind_text = data.get("kind") or ("latency" if latency else None)
        if kind_text is None:
            raise ValueError("fault: 'kind' is required")
        try:
            kind = FaultKind(str(kind_text))
        except ValueError as error:
            known = ", ".join(k.value for k in FaultKind)
            raise ValueError(f"fault: unknown kind {kind_text!r} (known: {known})") from error
        times = data.get("times")
        if times is not None and not isinstance(times, int):
            raise ValueError("fault: 'times' must be an integer or null")
        if not isinstance(latency, int | float):
            raise ValueError("fault: 'latency' must be a number")
        code = data.get("code", 99)
        if not isinstance(code, int):
            raise ValueError("fault: 'code' must be an integer")
        return cls(operation=operation, kind=kind, latency=float(latency), times=times, code=code)

    @classmethod
    def parse(cls, text: str) -> Fault:
        """The command-line form ``OP=KIND[:ARG]``.

        ARG is the seconds for ``latency``, the ``IdError`` for ``refuse`` and the number of
        calls (``times``) for the others: ``GetDoctorList=latency:2.0``,
        ``SetAppointment=drop``, ``SetAppointment=http500:1``, ``SetAppointment=refuse:36``.
        """
        operation, sep, spec = text.partition("=")
        if not sep or not operation.strip() or not spec.strip():
            raise ValueError(f"fault {text!r}: expected OP=KIND[:ARG]")
        kind_text, _, arg = spec.strip().partition(":")
        try:
            kind = FaultKind(kind_text)
        except ValueError as error:
            known = ", ".join(k.value for k in FaultKind)
            raise ValueError(f"fault {text!r}: unknown kind (known: {known})") from error
        if kind is FaultKind.LATENCY:
            try:
                seconds = float(arg) if arg else 1.0
            except ValueError as error:
                raise ValueError(f"fault {text!r}: latency needs seconds") from error
            return cls(operation.strip(), kind, latency=seconds)
        if kind is FaultKind.REFUSE:
            if arg and not arg.isdigit():
                raise ValueError(f"fault {text!r}: refuse needs the error code")
            return cls(operation.strip(), kind, code=int(arg) if arg else 99)
        try:
            times = int(arg) if arg else None
        except ValueError as error:
            raise ValueError(f"fault {text!r}: ARG must be the number of calls") from error
        return cls(operation.strip(), kind, times=times)


class FaultRegistry:
    """The faults in force; thread-safe. ``take(op)`` consumes one use of the matching fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}

    def set(
        self,
        operation: str | Fault,
        kind: FaultKind | str | None = None,
        *,
        latency: float = 0.0,
        times: int | None = None,
        code: int = 99,
    ) -> Fault:
        """Set (replace) the fault of an operation: ``set("SetAppointment", "drop", times=1)``."""
        if isinstance(operation, Fault):
            fault = operation
        else:
            if kind is None:
                kind = FaultKind.LATENCY
            fault = Fault(operation, FaultKind(kind), latency=latency, times=times, code=code)
        with self._lock:
            self._faults[fault.operation] = fault
        return fault

    def clear(self, operation: str | None = None) -> None:
        """Clear one operation's fault, or all of them."""
        with self._lock:
            if operation is None:
                self._faults.clear()
            else:
                self._faults.pop(operation, None)

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults.values())

    def take(self, operation: str) -> Fault | None:
        """The fault to apply to this call of ``operation`` (its use counted), or None."""
        with self._lock:
            key = operation if operation in self._faults else ANY_OPERATION
            fault = self._faults.get(key)
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 1:
                    del self._faults[key]
                else:
                    self._faults[key] = replace(fault, times=fault.times - 1)
            return fault
