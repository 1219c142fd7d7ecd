"""What the dispatcher needs from an SMS gateway, and the default one: the outbox table itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from workstation.models import SmsStatus


class SmsGatewayError(Exception):
    """The gateway did not take the message; ``message`` is a Russian sentence for the operator.

    The message never contains the SMS text or credentials: it is stored in
    ``sms_message.last_error`` and logged.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SmsTemporaryError(SmsGatewayError):
    """Not sent now, may work later (no connection, timeout, operator overloaded): retry."""


class SmsPermanentError(SmsGatewayError):
    """Rejected for good (bad number, bad credentials, bad request): retrying will not help."""


@dataclass(frozen=True)
class SendResult:
    """What the gateway answered to an accepted message."""

    provider_message_id: str | None
    """The operator's id of the message (for delivery reports); ``None`` when it gave none."""
    status: SmsStatus
    """``SENT`` (accepted, delivery not known yet) or ``DELIVERED``."""


class SmsGateway(Protocol):
    """A way to deliver SMS. Implementations must be safe to use from one thread at a time."""

    name: str
    """Stored in ``sms_message.gateway``; delivery reports are asked of the gateway of that name."""

    external: bool
    """True when the message leaves the workstation (an SMS operator). The dispatcher then hides
    confirmation codes in the stored text: the patient's copy is the one that matters."""

    def send(self, message_id: int, phone: str, text: str) -> SendResult:
        """Send ``text`` to ``phone`` (E.164); raise ``SmsTemporaryError`` or
        ``SmsPermanentError`` when it was not accepted."""
        ...

    def delivery_status(self, provider_message_id: str) -> SmsStatus | None:
        """``DELIVERED`` or ``FAILED`` once the operator knows; ``None`` while it does not (or
        cannot tell at all). Raises ``SmsTemporaryError`` when the operator cannot be asked now."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class OutboxGateway:
    """The demo and test gateway: the ``sms_message`` table is the delivery (the GUI and
    ``workstation sms outbox`` show it), so every message is delivered at once, without network.
    """

    name = "outbox"
    external = False

    def send(self, message_id: int, phone: str, text: str) -> SendResult:
        return SendResult(provider_message_id=None, status=SmsStatus.DELIVERED)

    def delivery_status(self, provider_message_id: str) -> SmsStatus | None:
        return None

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return "OutboxGateway()"
