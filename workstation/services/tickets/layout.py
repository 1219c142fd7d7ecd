"""How a ticket reads, top to bottom: where, when and to whom in large type; how to cancel in small.

The ticket number and the date and time are the biggest and boldest lines: they are what the
patient and the registry look for. The codes carry the ticket number for the desk's scanner.
"""

from __future__ import annotations

from reportlab.lib.units import mm

from workstation.services.tickets.content import TicketContent
from workstation.services.tickets.flow import NBSP, Block, Codes, Gap, Rule, Text
from workstation.services.tickets.qr import QrDrawer, draw_qr

DEFAULT_QR_SIZE = 22 * mm


def room_label(room: str) -> str:
    """«Кабинет 215», unless the hub already wrote «каб. 215»."""
    room = room.strip()
    return room if room.lower().startswith("каб") else f"Кабинет {room}"


def unbroken_phones(phones: str) -> str:
    """Phones joined by no-break spaces inside each number, so a line never splits one."""
    return ", ".join(phone.strip().replace(" ", NBSP) for phone in phones.split(","))


def ticket_blocks(
    content: TicketContent, *, qr_size: float = DEFAULT_QR_SIZE, qr: QrDrawer = draw_qr
) -> list[Block]:
    """The ticket as a flow of blocks."""
    blocks: list[Block] = [Text(content.institution, 9, bold=True)]
    if content.address:
        blocks.append(Text(content.address, 7.5, space_before=1))
    if content.registry_phone:
        blocks.append(Text(f"Регистратура: {unbroken_phones(content.registry_phone)}", 7.5))
    blocks += [Rule(), Text(content.title, 17, bold=True, centred=True)]
    if content.status:
        blocks.append(Text(content.status.upper(), 10, bold=True, centred=True, space_before=2))
    blocks += [
        Text(content.visit_date, 13, bold=True, centred=True, space_before=3),
        Text(content.visit_time, 26, bold=True, centred=True),
        Rule(),
        Text(content.specialty, 9),
        Text(content.doctor, 11.5, bold=True),
    ]
    if content.room:
        blocks.append(Text(room_label(content.room), 11.5, bold=True, space_before=1))
    blocks += [
        Text(f"Пациент: {content.patient}", 9.5, space_before=2),
        Gap(1 * mm),
        Codes(content.ticket_number, qr_size, qr=qr),
        Rule(),
        Text(content.cancel_hint, 7.5),
        Text(content.issued_label, 6.5, space_before=2),
    ]
    return blocks
