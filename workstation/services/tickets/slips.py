"""The personal-cabinet credentials slip and the consent form to personal-data processing.

The slip carries the one-time password, so it exists only as the printed page: the password is
kept out of ``repr`` (and so out of logs and tracebacks), and nothing here logs. The consent
form is a separate document, as 152-ФЗ requires since 1 September 2025 (156-ФЗ): it must not be
merged into the slip or any other paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reportlab.lib.units import mm

from workstation.models.identity import Snils
from workstation.services.tickets.contacts import (
    CONTACT_CENTER_PHONE,
    PORTAL_ADDRESS,
    REGISTRY_TITLE,
)
from workstation.services.tickets.content import issued_line
from workstation.services.tickets.dates import hours_phrase, local_moment
from workstation.services.tickets.flow import NBSP, Block, Gap, Rule, Signature, Text
from workstation.services.tickets.pdf import TicketFormat, render_a4_page, render_flows

SLIP_TITLE = "Доступ в личный кабинет пациента"
CONSENT_TITLE = "Согласие на обработку персональных данных"

DEFAULT_DATA_OPERATOR = "БУ ХМАО – Югры «Медицинский информационно-аналитический центр»"
"""Who runs the portal and its cabinets and so processes the data [U: confirm the exact name]."""


@dataclass(frozen=True)
class CredentialsSlip:
    """What the credentials slip shows."""

    login: str
    """The СНИЛС as «XXX-XXX-XXX YY»."""
    password: str = field(repr=False)
    patient: str
    """«Фамилия И. О.»."""
    valid_until: dt.datetime
    issued_at: dt.datetime
    issued_by: str
    portal: str = PORTAL_ADDRESS

    @property
    def validity_label(self) -> str:
        """«Пароль действует до 17.08.2015 09:12 (72 часа).»."""
        period = hours_phrase(self.valid_until - self.issued_at)
        until = local_moment(self.valid_until).replace(" ", NBSP)
        return f"Одноразовый пароль действует до {until} ({period})."


def credentials_slip(
    snils: Snils | str,
    password: str,
    *,
    patient: str,
    valid_until: dt.datetime,
    issued_at: dt.datetime,
    issued_by: str,
) -> CredentialsSlip:
    """The slip for the account whose login is ``snils``; raises ``InvalidDocument`` if invalid."""
    login = snils if isinstance(snils, Snils) else Snils.parse(snils)
    return CredentialsSlip(
        login=login.display,
        password=password,
        patient=patient,
        valid_until=valid_until,
        issued_at=issued_at,
        issued_by=issued_by,
    )


def slip_blocks(slip: CredentialsSlip) -> list[Block]:
    """The slip as a flow of blocks."""
    return [
        Text(REGISTRY_TITLE, 8.5, bold=True),
        Text(SLIP_TITLE, 13, bold=True, space_before=2),
        Text(f"Пациент: {slip.patient}", 9.5, space_before=2),
        Rule(),
        Text("Логин (СНИЛС):", 8.5),
        Text(slip.login, 16, bold=True),
        Text("Одноразовый пароль:", 8.5, space_before=4),
        Text(slip.password, 18, bold=True, char_space=1.5),
        Text("Вводите пароль точно как напечатано: большие и малые буквы различаются.", 7.5),
        Rule(),
        Text(
            f"Где войти: портал «Электронная регистратура» {slip.portal}, "
            "ссылка «Вход в личный кабинет».",
            9,
        ),
        Text(
            "При первом входе система попросит сменить пароль: придумайте свой "
            "и никому его не сообщайте.",
            9,
            space_before=3,
        ),
        Text(slip.validity_label, 9, bold=True, space_before=3),
        Text("Если срок истёк, позвоните в контакт-центр — вам выдадут новый пароль.", 9),
        Text(
            f"Контакт-центр: {CONTACT_CENTER_PHONE} (звонок бесплатный)",
            10,
            bold=True,
            space_before=3,
        ),
        Rule(),
        Text("Не передавайте этот листок другим людям.", 7.5),
        Text(issued_line(slip.issued_at, slip.issued_by), 6.5, space_before=2),
    ]


def render_credentials_slip(slip: CredentialsSlip, fmt: TicketFormat | str = "a6") -> bytes:
    """The slip as a PDF, on A6, on the receipt roll or as an A4 quarter."""
    return render_flows([slip_blocks(slip)], fmt, title=SLIP_TITLE)


@dataclass(frozen=True)
class ConsentForm:
    """What the consent form is filled with in print; the rest the patient writes by hand."""

    patient_full_name: str
    date: dt.date
    operator: str = DEFAULT_DATA_OPERATOR
    accepted_by: str = ""
    portal: str = PORTAL_ADDRESS


BLANK = "_" * 62


def consent_text(form: ConsentForm) -> list[str]:
    """The paragraphs of the consent, in plain Russian."""
    return [
        "Я даю согласие на обработку моих персональных данных оператору: "
        f"{form.operator} — в соответствии со статьями 9 и 10 Федерального закона "
        f"от 27.07.2006 №{NBSP}152-ФЗ «О{NBSP}персональных данных».",
        "Цель: открыть мне личный кабинет пациента на портале «Электронная регистратура» "
        f"Ханты-Мансийского автономного округа{NBSP}–{NBSP}Югры ({form.portal}) и обслуживать его: "
        "запись на приём к врачу, просмотр и отмена талонов, СМС-сообщения о записи.",
        "Какие данные: фамилия, имя, отчество; дата рождения; СНИЛС; номер полиса ОМС; "
        "номер мобильного телефона; адрес электронной почты; сведения о моих записях на приём "
        "(медицинская организация, врач, дата и время). Сведения о записи к врачу относятся "
        "к сведениям о здоровье, поэтому на них нужно моё письменное согласие.",
        "Что с ними можно делать: собирать, записывать, систематизировать, накапливать, "
        "хранить, уточнять (обновлять, изменять), извлекать, использовать, передавать "
        "медицинским организациям, к которым я записываюсь, обезличивать, блокировать, "
        "удалять и уничтожать — с использованием средств автоматизации и без них.",
        "Согласие действует со дня подписания до дня, когда я его отзову. Отозвать согласие "
        f"я могу письменным заявлением оператору (часть 2 статьи 9 Закона №{NBSP}152-ФЗ); после "
        "этого личный кабинет будет закрыт, а записаться к врачу можно будет, как и прежде, "
        f"через регистратуру или контакт-центр {CONTACT_CENTER_PHONE}.",
        "Согласие оформлено отдельным документом и дано мной свободно, своей волей "
        "и в своём интересе.",
    ]


def consent_blocks(form: ConsentForm) -> list[Block]:
    """The consent form as a flow of blocks for one A4 page."""
    blocks: list[Block] = [
        Text(CONSENT_TITLE.upper(), 13, bold=True, centred=True),
        Text("для личного кабинета пациента", 10, centred=True, space_before=2),
        Gap(6 * mm),
        Text("Я,", 10.5),
        Text(form.patient_full_name, 12, bold=True, space_before=1),
        Text("(фамилия, имя, отчество)", 7.5),
        Text(f"Адрес: {BLANK}", 10.5, space_before=5),
        Text(f"Документ, удостоверяющий личность: {BLANK[:40]}", 10.5, space_before=5),
        Text(f"серия ______ номер __________, выдан {BLANK[:35]}", 10.5, space_before=5),
        Text(f"{BLANK} дата выдачи ___________", 10.5, space_before=5),
        Gap(4 * mm),
    ]
    blocks += [Text(paragraph, 10.5, space_before=5) for paragraph in consent_text(form)]
    blocks += [
        Gap(12 * mm),
        Text(f"Дата: {form.date.strftime('%d.%m.%Y')}", 10.5),
        Text("Подпись пациента:", 10.5, space_before=6),
        Signature(),
        Gap(8 * mm),
        Text("Согласие принял(а):", 10.5),
        Signature(form.accepted_by),
    ]
    return blocks


def render_consent_form(form: ConsentForm) -> bytes:
    """The consent form as a one-page A4 PDF."""
    return render_a4_page(consent_blocks(form), title=CONSENT_TITLE)
