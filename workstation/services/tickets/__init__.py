"""Printed documents: appointment tickets, cabinet-credentials slips and consent forms as PDF."""

from workstation.services.tickets.content import (
    TicketContent,
    load_ticket_content,
    ticket_content,
)
from workstation.services.tickets.pdf import TicketFormat, render_tickets
from workstation.services.tickets.slips import (
    ConsentForm,
    CredentialsSlip,
    credentials_slip,
    render_consent_form,
    render_credentials_slip,
)

__all__ = [
    "ConsentForm",
    "CredentialsSlip",
    "TicketContent",
    "TicketFormat",
    "credentials_slip",
    "load_ticket_content",
    "render_consent_form",
    "render_credentials_slip",
    "render_tickets",
    "ticket_content",
]
