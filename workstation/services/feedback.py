"""The «Обратная связь» form and the operators' work on what patients send through it.

The manual's form («Обратная связь», раздел «Обратная связь») has the fields «Ваша фамилия»,
«Ваше имя», «Ваше отчество», «Телефон», «Адрес электронной почты» and «Ваш вопрос»; the
surname, the name and the question are required, and so is a way to answer: a phone or an
e-mail (at least one of them). :func:`validate_feedback` returns a Russian message per bad
field; :func:`submit_feedback` stores the request and writes the journal.

An operator then works through the queue: :func:`take_in_work` (новое → в работе),
:func:`answer` (→ ответ дан) and :func:`close` (→ закрыто). A request's status only moves
forward; a step that would move it back or repeat it raises :class:`FeedbackStatusError`
with a message saying why. Every step is journalled; lists and journal lines show the phone
and the e-mail masked.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import FeedbackRequest, FeedbackStatus
from workstation.models.base import utc_now
from workstation.models.identity import Email, InvalidDocument, Phone
from workstation.services.journal import Actor, record

__all__ = [
    "FEEDBACK_ANSWERED",
    "FEEDBACK_CLOSED",
    "FEEDBACK_SUBMITTED",
    "FEEDBACK_TAKEN",
    "QUESTION_MAX",
    "STATUS_LABELS",
    "FeedbackField",
    "FeedbackForm",
    "FeedbackInvalid",
    "FeedbackNotFound",
    "FeedbackRow",
    "FeedbackStatusError",
    "answer",
    "close",
    "feedback_list",
    "submit_feedback",
    "take_in_work",
    "validate_feedback",
]

FEEDBACK_SUBMITTED: Final = "Обращение в обратную связь"
"""Journal action: a request came through the «Обратная связь» form."""
FEEDBACK_TAKEN: Final = "Обращение взято в работу"
FEEDBACK_ANSWERED: Final = "Ответ на обращение"
FEEDBACK_CLOSED: Final = "Обращение закрыто"

QUESTION_MAX: Final = 2000
"""The longest question the form accepts, in characters."""
ANSWER_MAX: Final = 4000
"""The longest answer an operator may write, in characters."""

_NAME_MAX: Final = 100  # the length of the name columns
_NAME_PUNCT: Final = frozenset(" -'’")

STATUS_LABELS: Final[Mapping[FeedbackStatus, str]] = {
    FeedbackStatus.NEW: "Новое",
    FeedbackStatus.IN_PROGRESS: "В работе",
    FeedbackStatus.ANSWERED: "Ответ дан",
    FeedbackStatus.CLOSED: "Закрыто",
}
"""Russian names of the statuses, for lists and messages."""

_ORDER: Final = {
    FeedbackStatus.NEW: 0,
    FeedbackStatus.IN_PROGRESS: 1,
    FeedbackStatus.ANSWERED: 2,
    FeedbackStatus.CLOSED: 3,
}


class FeedbackField(enum.StrEnum):
    """The fields of the form, in the form's order; the keys of :class:`FeedbackInvalid`."""

    LAST_NAME = "last_name"
    FIRST_NAME = "first_name"
    PATRONYMIC = "patronymic"
    PHONE = "phone"
    EMAIL = "email"
    QUESTION = "question"

    @property
    def label(self) -> str:
        """The field's name as the manual's form writes it («Ваша фамилия»…)."""
        return _FIELD_LABELS[self]


_FIELD_LABELS: Final = {
    FeedbackField.LAST_NAME: "Ваша фамилия",
    FeedbackField.FIRST_NAME: "Ваше имя",
    FeedbackField.PATRONYMIC: "Ваше отчество",
    FeedbackField.PHONE: "Телефон",
    FeedbackField.EMAIL: "Адрес электронной почты",
    FeedbackField.QUESTION: "Ваш вопрос",
}

REQUIRED_FIELDS: Final = (FeedbackField.LAST_NAME, FeedbackField.FIRST_NAME, FeedbackField.QUESTION)
"""Always required; of the phone and the e-mail at least one is required."""


@dataclass(frozen=True)
class FeedbackForm:
    """What the form holds, as typed (the service checks and normalises it)."""

    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""
    phone: str = ""
    email: str = ""
    question: str = ""

    def __repr__(self) -> str:
        # Personal data stays out of logs and tracebacks.
        return f"FeedbackForm(question={len(self.question)} знаков)"


class FeedbackInvalid(ValueError):
    """The form cannot be sent; ``errors`` maps each bad field to its Russian message."""

    def __init__(self, errors: Mapping[FeedbackField, str]) -> None:
        self.errors: dict[FeedbackField, str] = dict(errors)
        super().__init__(" ".join(self.errors.values()))

    @property
    def message(self) -> str:
        """All the messages, one sentence after another."""
        return str(self)


class FeedbackNotFound(LookupError):
    """No request with that number; ``str()`` is the message for the operator."""

    def __init__(self, request_id: int) -> None:
        super().__init__(f"Обращение №{request_id} не найдено: обновите список.")
        self.request_id = request_id


class FeedbackStatusError(ValueError):
    """The step is not allowed in the request's status; ``str()`` says why, in Russian."""

    def __init__(self, message: str, status: FeedbackStatus) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class FeedbackRow:
    """One request as the operators' queue shows it (the phone and the e-mail masked)."""

    id: int
    created_at: dt.datetime
    full_name: str
    masked_phone: str
    masked_email: str
    question: str
    status: FeedbackStatus
    answer: str
    handled_by: str
    updated_at: dt.datetime | None

    @property
    def status_label(self) -> str:
        """The status in Russian («Новое», «В работе»…)."""
        return STATUS_LABELS[self.status]


# --------------------------------------------------------------------------------------------
# Checks


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _name_error(field: FeedbackField, text: str) -> str | None:
    name = _collapse(text)
    bad = next((ch for ch in name if not (ch.isalpha() or ch in _NAME_PUNCT)), None)
    if bad is not None:
        return (
            f"Поле «{field.label}» может содержать только буквы, пробел, дефис и апостроф, "
            f"а введен символ «{bad}»."
        )
    if not any(ch.isalpha() for ch in name):
        return f"В поле «{field.label}» должна быть хотя бы одна буква."
    if len(name) > _NAME_MAX:
        return (
            f"Поле «{field.label}» не может быть длиннее {_NAME_MAX} знаков, "
            f"введено {len(name)}."
        )
    return None


def _required_message(field: FeedbackField) -> str:
    return f"Поле «{field.label}» обязательно для заполнения."


def validate_feedback(form: FeedbackForm) -> dict[FeedbackField, str]:
    """The Russian message for each bad field of ``form`` (empty when it can be sent)."""
    errors: dict[FeedbackField, str] = {}
    for field in REQUIRED_FIELDS:
        if not getattr(form, field.value).strip():
            errors[field] = _required_message(field)

    for field in (FeedbackField.LAST_NAME, FeedbackField.FIRST_NAME, FeedbackField.PATRONYMIC):
        text = getattr(form, field.value)
        if field not in errors and text.strip():
            message = _name_error(field, text)
            if message is not None:
                errors[field] = message

    if not form.phone.strip() and not form.email.strip():
        contact = (
            "Укажите телефон или адрес электронной почты: по ним с вами свяжутся, "
            "чтобы ответить на вопрос."
        )
        errors[FeedbackField.PHONE] = contact
        errors[FeedbackField.EMAIL] = contact
    if form.phone.strip():
        try:
            Phone.parse(form.phone)
        except InvalidDocument as error:
            errors[FeedbackField.PHONE] = error.message
    if form.email.strip():
        try:
            Email.parse(form.email)
        except InvalidDocument as error:
            errors[FeedbackField.EMAIL] = error.message

    question = form.question.strip()
    if len(question) > QUESTION_MAX:
        errors[FeedbackField.QUESTION] = (
            f"Вопрос не может быть длиннее {QUESTION_MAX} знаков, введено {len(question)}: "
            "сократите текст."
        )

    order = {field: position for position, field in enumerate(FeedbackField)}
    return dict(sorted(errors.items(), key=lambda item: order[item[0]]))


# --------------------------------------------------------------------------------------------
# Submitting and listing


def _masked_contacts(request: FeedbackRequest) -> tuple[str, str]:
    phone = Phone(request.phone).masked if request.phone else ""
    email = Email.parse(request.email).masked if request.email else ""
    return phone, email


def _contacts_detail(request: FeedbackRequest) -> str:
    phone, email = _masked_contacts(request)
    parts = [f"Обращение №{request.id}"]
    if phone:
        parts.append(f"телефон {phone}")
    if email:
        parts.append(f"e-mail {email}")
    return ", ".join(parts)


def submit_feedback(session: Session, form: FeedbackForm, *, actor: Actor) -> int:
    """Store a checked form as a new request and journal it; the request's number.

    Raises :class:`FeedbackInvalid` (nothing stored) when a field is wrong.
    """
    errors = validate_feedback(form)
    if errors:
        raise FeedbackInvalid(errors)
    request = FeedbackRequest(
        last_name=_collapse(form.last_name),
        first_name=_collapse(form.first_name),
        patronymic=_collapse(form.patronymic),
        phone=Phone.parse(form.phone).canonical if form.phone.strip() else "",
        email=Email.parse(form.email).canonical if form.email.strip() else "",
        question=form.question.strip(),
        status=FeedbackStatus.NEW,
        created_at=utc_now(),
    )
    session.add(request)
    session.flush()
    record(session, actor, FEEDBACK_SUBMITTED, _contacts_detail(request))
    return request.id


def _row(request: FeedbackRequest) -> FeedbackRow:
    phone, email = _masked_contacts(request)
    name = " ".join(
        part for part in (request.last_name, request.first_name, request.patronymic) if part
    )
    return FeedbackRow(
        id=request.id,
        created_at=request.created_at,
        full_name=name,
        masked_phone=phone,
        masked_email=email,
        question=request.question,
        status=request.status,
        answer=request.answer,
        handled_by=request.handled_by,
        updated_at=request.updated_at,
    )


def feedback_list(
    session: Session, status: FeedbackStatus | None = None, limit: int = 200
) -> list[FeedbackRow]:
    """The newest ``limit`` requests (only those in ``status`` when given), newest first."""
    query = select(FeedbackRequest)
    if status is not None:
        query = query.where(FeedbackRequest.status == status)
    query = query.order_by(FeedbackRequest.created_at.desc(), FeedbackRequest.id.desc())
    return [_row(request) for request in session.scalars(query.limit(limit))]


# --------------------------------------------------------------------------------------------
# The operators' steps


def _load(session: Session, request_id: int) -> FeedbackRequest:
    request = session.get(FeedbackRequest, request_id, with_for_update=True)
    if request is None:
        raise FeedbackNotFound(request_id)
    return request


def _refuse(request: FeedbackRequest, step: str) -> FeedbackStatusError:
    status = request.status
    if status is FeedbackStatus.CLOSED:
        reason = "оно уже закрыто"
    elif status is FeedbackStatus.ANSWERED:
        reason = "ответ на него уже дан"
    elif status is FeedbackStatus.IN_PROGRESS:
        who = f" ({request.handled_by})" if request.handled_by else ""
        reason = f"оно уже в работе{who}"
    else:
        reason = "оно еще не взято в работу"
    return FeedbackStatusError(
        f"Обращение №{request.id} нельзя {step}: {reason}. Обновите список.", status
    )


def _move(
    session: Session,
    request: FeedbackRequest,
    status: FeedbackStatus,
    actor: Actor,
    action: str,
) -> None:
    request.status = status
    request.handled_by = actor.operator[:64]
    request.updated_at = utc_now()
    record(session, actor, action, _contacts_detail(request))


def take_in_work(session: Session, request_id: int, *, actor: Actor) -> None:
    """Новое → в работе: the operator takes the request."""
    request = _load(session, request_id)
    if request.status is not FeedbackStatus.NEW:
        raise _refuse(request, "взять в работу")
    _move(session, request, FeedbackStatus.IN_PROGRESS, actor, FEEDBACK_TAKEN)


def answer(session: Session, request_id: int, text: str, *, actor: Actor) -> None:
    """Новое или в работе → ответ дан, with the answer's text (required, at most 4000 chars)."""
    body = text.strip()
    if not body:
        raise ValueError("Введите текст ответа.")
    if len(body) > ANSWER_MAX:
        raise ValueError(
            f"Ответ не может быть длиннее {ANSWER_MAX} знаков, введено {len(body)}."
        )
    request = _load(session, request_id)
    if _ORDER[request.status] >= _ORDER[FeedbackStatus.ANSWERED]:
        raise _refuse(request, "ответить")
    request.answer = body
    _move(session, request, FeedbackStatus.ANSWERED, actor, FEEDBACK_ANSWERED)


def close(session: Session, request_id: int, *, actor: Actor) -> None:
    """Any open status → закрыто (the request leaves the work queue)."""
    request = _load(session, request_id)
    if request.status is FeedbackStatus.CLOSED:
        raise _refuse(request, "закрыть")
    _move(session, request, FeedbackStatus.CLOSED, actor, FEEDBACK_CLOSED)
