"""Writing the event journal: every state-changing action goes through ``record``."""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from workstation.models import JournalEvent


@cache
def workstation_address() -> str:
    """This machine as the journal names it: host name and its address when it resolves."""
    host = socket.gethostname()
    try:
        address = socket.gethostbyname(host)
    except OSError:
        return host
    return f"{host} ({address})"


@dataclass(frozen=True)
class Actor:
    """Who acts: the signed-in operator and the workstation they sit at."""

    operator: str
    workstation: str

    @classmethod
    def system(cls) -> Actor:
        """The workstation itself (background jobs, sync), under the OS user it runs as."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry, e.g. in a container
            user = "system"
        return cls(operator=f"система ({user})", workstation=workstation_address())


def record(
    session: Session,
    actor: Actor,
    action: str,
    details: str = "",
    *,
    patient_id: int | None = None,
) -> JournalEvent:
    """Add a journal line to ``session`` (committed with the change it describes).

    ``details`` must not hold passwords or full document numbers: pass masked values.
    """
    event = JournalEvent(
        operator=actor.operator,
        workstation_address=actor.workstation,
        action=action,
        details=details,
        patient_id=patient_id,
    )
    session.add(event)
    return event
