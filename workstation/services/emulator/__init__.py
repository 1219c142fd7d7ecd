"""The LPU emulator: a real SOAP 1.1 server speaking the project's HubService WSDL.

It keeps an MIS state in its own SQLite file (the project's schema), serves the WSDL and XSD,
answers the 17 operations the workstation uses with WCF-shaped replies, and injects faults on
demand. Start it in-process with :class:`EmulatorServer` or from the command line with
``workstation-emulator`` (:mod:`workstation.services.emulator.cli`).
"""

from workstation.services.emulator.data import BenchShape, add_bench_institution, prepare_state
from workstation.services.emulator.faults import Fault, FaultKind, FaultRegistry
from workstation.services.emulator.server import DEFAULT_GUID, EmulatorServer

__all__ = [
    "DEFAULT_GUID",
    "BenchShape",
    "EmulatorServer",
    "Fault",
    "FaultKind",
    "FaultRegistry",
    "add_bench_institution",
    "prepare_state",
]
