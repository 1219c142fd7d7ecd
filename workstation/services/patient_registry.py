"""The patient form of the booking screen: its five identification ways, checks and saving.

The manual («Порядок записи на прием», п. 3) lets a patient be identified in one of five ways,
each with its own required fields:

* без удостоверяющего документа — фамилия, имя, отчество, дата рождения;
* полис ОМС — номер документа и дата рождения;
* СНИЛС — номер документа;
* паспорт гражданина РФ — серия и номер паспорта;
* полис ДМС — номер документа и дата рождения;

and for every way the mobile phone, the e-mail for the satisfaction survey and the consent to
personal-data processing (without which there is no booking).

:func:`validate` checks a :class:`PatientForm` without the database and returns the Russian
message for each bad field. :func:`save_patient` finds the patient by the document (or by name
and birth date), or adds a new one to the registry, updates the contacts, records the consent
and writes the journal (masked values only). The local registry needs a name and a birth date
for every patient, so a document the registry does not know yet raises
:class:`PatientDataRequired` naming the fields to fill in.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, TypeAlias

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workstation.models import Patient
from workstation.models.base import utc_now
from workstation.models.identity import (
    DmsPolicy,
    Email,
    InvalidDocument,
    OmsPolicy,
    OmsPolicyKind,
    Passport,
    Phone,
    Snils,
)
from workstation.models.text import normalise_name
from workstation.services.booking.journal_text import CONTACTS_CHANGED
from workstation.services.journal import Actor, record

__all__ = [
    "CONSENT_GIVEN",
    "CONTACTS_CHANGED",
    "PATIENT_REGISTERED",
    "FormField",
    "IdentificationWay",
    "PatientDataRequired",
    "PatientForm",
    "PatientFormInvalid",
    "document_label",
    "has_consent",
    "load_form",
    "parse_birth_date",
    "required_fields",
    "save_patient",
    "shown_fields",
    "validate",
]

CONSENT_GIVEN: Final = "Согласие на обработку персональных данных"
"""Journal action: the patient gave the consent (its time is in ``Patient.consent_given_at``)."""
PATIENT_REGISTERED: Final = "Регистрация пациента"
"""Journal action: a patient the registry did not know was added to it."""

_NAME_MAX: Final = 100  # the length of the name columns
_NAME_PUNCT: Final = frozenset(" -'’")
_DATE_TEXT: Final = re.compile(r"([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]+)")
_DATE_COMPACT: Final = re.compile(r"[0-9]{8}")
_EARLIEST_BIRTH_YEAR: Final = 1880


class IdentificationWay(enum.Enum):
    """The manual's five ways to identify a patient, in the manual's order (а–д)."""

    NO_DOCUMENT = "no_document"
    OMS = "oms"
    SNILS = "snils"
    PASSPORT = "passport"
    DMS = "dms"

    @property
    def label(self) -> str:
        """The manual's name of the way («Полис ОМС», «Без удостоверяющего документа»…)."""
        return _WAY_LABELS[self]


_WAY_LABELS: Final = {
    IdentificationWay.NO_DOCUMENT: "Без удостоверяющего документа",
    IdentificationWay.OMS: "Полис ОМС",
    IdentificationWay.SNILS: "СНИЛС",
    IdentificationWay.PASSPORT: "Паспорт гражданина РФ",
    IdentificationWay.DMS: "Полис ДМС",
}


class FormField(enum.StrEnum):
    """The fields of the form; the keys of :func:`validate`'s result."""

    DOCUMENT = "document"
    DMS_INSURER = "dms_insurer"
    LAST_NAME = "last_name"
    FIRST_NAME = "first_name"
    PATRONYMIC = "patronymic"
    BIRTH_DATE = "birth_date"
    PHONE = "phone"
    EMAIL = "email"
    CONSENT = "consent"

    @property
    def label(self) -> str:
        """The field's name as the manual writes it (the document field: «Номер документа»)."""
        return _FIELD_LABELS[self]


_FIELD_LABELS: Final = {
    FormField.DOCUMENT: "Номер документа",
    FormField.DMS_INSURER: "Страховая компания",
    FormField.LAST_NAME: "Фамилия",
    FormField.FIRST_NAME: "Имя",
    FormField.PATRONYMIC: "Отчество",
    FormField.BIRTH_DATE: "Дата рождения",
    FormField.PHONE: "Номер мобильного телефона",
    FormField.EMAIL: "E-mail для направления анкеты",
    FormField.CONSENT: "Согласие на обработку персональных данных",
}

_NAME_FIELDS: Final = (FormField.LAST_NAME, FormField.FIRST_NAME, FormField.PATRONYMIC)
_CONTACT_FIELDS: Final = (FormField.PHONE, FormField.EMAIL, FormField.CONSENT)

_REQUIRED: Final[Mapping[IdentificationWay, tuple[FormField, ...]]] = {
    IdentificationWay.NO_DOCUMENT: (*_NAME_FIELDS, FormField.BIRTH_DATE, FormField.CONSENT),
    IdentificationWay.OMS: (FormField.DOCUMENT, FormField.BIRTH_DATE, FormField.CONSENT),
    IdentificationWay.SNILS: (FormField.DOCUMENT, FormField.CONSENT),
    IdentificationWay.PASSPORT: (FormField.DOCUMENT, FormField.CONSENT),
    IdentificationWay.DMS: (FormField.DOCUMENT, FormField.BIRTH_DATE, FormField.CONSENT),
}

_SHOWN: Final[Mapping[IdentificationWay, tuple[FormField, ...]]] = {
    IdentificationWay.NO_DOCUMENT: (*_NAME_FIELDS, FormField.BIRTH_DATE, *_CONTACT_FIELDS),
    IdentificationWay.OMS: (FormField.DOCUMENT, FormField.BIRTH_DATE, *_CONTACT_FIELDS),
    IdentificationWay.SNILS: (FormField.DOCUMENT, *_CONTACT_FIELDS),
    IdentificationWay.PASSPORT: (FormField.DOCUMENT, *_CONTACT_FIELDS),
    IdentificationWay.DMS: (
        FormField.DOCUMENT,
        FormField.DMS_INSURER,
        FormField.BIRTH_DATE,
        *_CONTACT_FIELDS,
    ),
}
_PERSON_FIELDS: Final = (*_NAME_FIELDS, FormField.BIRTH_DATE)


def required_fields(way: IdentificationWay) -> tuple[FormField, ...]:
    """The fields the manual requires for ``way`` (the consent always among them)."""
    return _REQUIRED[way]


def shown_fields(way: IdentificationWay, *, new_patient: bool = False) -> tuple[FormField, ...]:
    """The fields the manual's form shows for ``way``, in the form's order.

    ``new_patient``: the document is not in the registry yet, so the name and the birth date
    are shown too (see :class:`PatientDataRequired`).
    """
    shown = _SHOWN[way]
    if new_patient:
        shown = tuple(field for field in FormField if field in shown or field in _PERSON_FIELDS)
    return shown


def document_label(way: IdentificationWay) -> str:
    """What the document field of ``way`` is called («Серия и номер паспорта», as the manual)."""
    return _DOCUMENT_LABELS.get(way, FormField.DOCUMENT.label)


_DOCUMENT_LABELS: Final = {
    IdentificationWay.OMS: "Номер полиса ОМС",
    IdentificationWay.SNILS: "Номер СНИЛС",
    IdentificationWay.PASSPORT: "Серия и номер паспорта",
    IdentificationWay.DMS: "Номер полиса ДМС",
}


@dataclass
class PatientForm:
    """What the patient form holds, as typed (the service parses and checks it).

    ``birth_date`` is a date or the text «ДД.ММ.ГГГГ» (also ``ДДММГГГГ``); ``document`` is the
    number of the document of ``way`` (empty for «без документа»); the names are used by every
    way, and a document way needs them only for a patient the registry does not know yet.
    """

    way: IdentificationWay = IdentificationWay.OMS
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""
    birth_date: dt.date | str | None = None
    document: str = ""
    dms_insurer: str = ""
    phone: str = ""
    email: str = ""
    consent: bool = False

    def __repr__(self) -> str:
        # Personal data stays out of logs and tracebacks.
        return f"PatientForm({self.way.name}, consent={self.consent})"


class PatientFormInvalid(ValueError):
    """The form cannot be saved; ``errors`` maps each bad field to its Russian message."""

    def __init__(self, errors: Mapping[FormField, str]) -> None:
        self.errors: dict[FormField, str] = dict(errors)
        super().__init__(" ".join(self.errors.values()))

    @property
    def message(self) -> str:
        """All the messages, one sentence after another."""
        return str(self)


class PatientDataRequired(PatientFormInvalid):
    """The document is not in the registry: a new patient needs a name and a birth date."""


# --------------------------------------------------------------------------------------------
# Checks


def _required_message(field: FormField, way: IdentificationWay) -> str:
    if field is FormField.CONSENT:
        return (
            "Без согласия на обработку персональных данных запись на прием невозможна: "
            "отметьте согласие пациента."
        )
    label = document_label(way) if field is FormField.DOCUMENT else field.label
    return f"Поле «{label}» обязательно для заполнения."


def parse_birth_date(text: str, *, today: dt.date | None = None) -> dt.date:
    """The birth date typed as ``ДД.ММ.ГГГГ`` (or ``ДДММГГГГ``); :class:`InvalidDocument` if not."""
    stripped = text.strip()
    if not stripped:
        raise InvalidDocument(_required_message(FormField.BIRTH_DATE, IdentificationWay.OMS))
    match = _DATE_TEXT.fullmatch(stripped)
    if match is not None:
        day, month, year = match.groups()
    elif _DATE_COMPACT.fullmatch(stripped):
        day, month, year = stripped[:2], stripped[2:4], stripped[4:]
    else:
        raise InvalidDocument("Введите дату рождения как ДД.ММ.ГГГГ, например 12.05.1980.")
    if len(year) != 4:
        raise InvalidDocument(
            "Год рождения укажите полностью, четырьмя цифрами: например 12.05.1980."
        )
    try:
        value = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidDocument(
            f"Даты «{stripped}» не существует: проверьте день и месяц (ДД.ММ.ГГГГ)."
        ) from None
    return _check_birth_date(value, today)


def _check_birth_date(value: dt.date, today: dt.date | None) -> dt.date:
    if value > (today or dt.date.today()):
        raise InvalidDocument("Дата рождения еще не наступила: проверьте год.")
    if value.year < _EARLIEST_BIRTH_YEAR:
        raise InvalidDocument("Дата рождения слишком ранняя: проверьте год.")
    return value


def _check_name(field: FormField, text: str) -> None:
    name = " ".join(text.split())
    bad = next((ch for ch in name if not (ch.isalpha() or ch in _NAME_PUNCT)), None)
    if bad is not None:
        raise InvalidDocument(
            f"Поле «{field.label}» может содержать только буквы, пробел, дефис и апостроф, "
            f"а введен символ «{bad}»."
        )
    if not any(ch.isalpha() for ch in name):
        raise InvalidDocument(f"В поле «{field.label}» должна быть хотя бы одна буква.")
    if len(name) > _NAME_MAX:
        raise InvalidDocument(
            f"Поле «{field.label}» не может быть длиннее {_NAME_MAX} знаков, введено {len(name)}."
        )


Document: TypeAlias = OmsPolicy | Snils | Passport | DmsPolicy


def _parse_document(way: IdentificationWay, form: PatientForm, *, insurer: bool = True) -> Document:
    if way is IdentificationWay.OMS:
        return OmsPolicy.parse(form.document)
    if way is IdentificationWay.SNILS:
        return Snils.parse(form.document)
    if way is IdentificationWay.PASSPORT:
        return Passport.parse(form.document)
    if way is IdentificationWay.DMS:
        return DmsPolicy.parse(form.document, form.dms_insurer if insurer else "")
    raise ValueError(f"{way} has no document")


def _birth_date(form: PatientForm, today: dt.date | None) -> dt.date | None:
    """The form's birth date, ``None`` when empty; raises InvalidDocument when wrong."""
    value = form.birth_date
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.date):
        return _check_birth_date(value, today)
    return parse_birth_date(value, today=today)


def _is_empty(form: PatientForm, field: FormField) -> bool:
    if field is FormField.CONSENT:
        return not form.consent
    if field is FormField.BIRTH_DATE:
        value = form.birth_date
        return value is None or (isinstance(value, str) and not value.strip())
    text = getattr(form, field.value)
    return not (isinstance(text, str) and text.strip())


def validate(form: PatientForm, *, today: dt.date | None = None) -> dict[FormField, str]:
    """The Russian message for each bad field of ``form`` (empty when it can be saved).

    Required fields follow the manual for the form's way; fields a way does not require are
    checked only when filled in. The phone, if given, must be a mobile one (the confirmation
    code comes by SMS); the consent is always required.
    """
    errors: dict[FormField, str] = {}
    way = form.way
    required = required_fields(way)
    for field in required:
        # An empty document gets its type's own message («Введите СНИЛС: 11 цифр, например…»).
        if field is not FormField.DOCUMENT and _is_empty(form, field):
            errors[field] = _required_message(field, way)

    for field in _NAME_FIELDS:
        if field not in errors and not _is_empty(form, field):
            try:
                _check_name(field, getattr(form, field.value))
            except InvalidDocument as error:
                errors[field] = error.message

    if FormField.BIRTH_DATE not in errors:
        try:
            _birth_date(form, today)
        except InvalidDocument as error:
            errors[FormField.BIRTH_DATE] = error.message

    if way is IdentificationWay.DMS and form.dms_insurer.strip():
        try:
            DmsPolicy.create(form.dms_insurer, "000")  # the insurer alone, with a valid number
        except InvalidDocument as error:
            errors[FormField.DMS_INSURER] = error.message

    if way is not IdentificationWay.NO_DOCUMENT and FormField.DOCUMENT not in errors:
        try:
            _parse_document(way, form, insurer=FormField.DMS_INSURER not in errors)
        except InvalidDocument as error:
            errors[FormField.DOCUMENT] = error.message

    if form.phone.strip():
        try:
            phone = Phone.parse(form.phone)
        except InvalidDocument as error:
            errors[FormField.PHONE] = error.message
        else:
            if not phone.is_mobile:
                errors[FormField.PHONE] = (
                    "Это городской номер, а нужен номер мобильного телефона (+7 9XX …): "
                    "на него придет СМС с кодом подтверждения записи."
                )

    if form.email.strip():
        try:
            Email.parse(form.email)
        except InvalidDocument as error:
            errors[FormField.EMAIL] = error.message

    # In the form's order, so that the first message is the first bad field on the screen.
    order = {field: position for position, field in enumerate(FormField)}
    return dict(sorted(errors.items(), key=lambda item: order[item[0]]))


# --------------------------------------------------------------------------------------------
# Saving


def _document_condition(
    document: Document,
) -> ColumnElement[bool]:
    if isinstance(document, Snils):
        return Patient.snils == document.canonical
    if isinstance(document, OmsPolicy):
        return Patient.oms_number == document.canonical
    if isinstance(document, Passport):
        return Patient.passport == document.canonical
    return Patient.dms_number == document.canonical


def _find(
    session: Session,
    way: IdentificationWay,
    document: Document | None,
    form: PatientForm,
    birth_date: dt.date | None,
) -> Patient | None:
    if document is None:
        full = normalise_name(f"{form.last_name} {form.first_name} {form.patronymic}")
        return session.scalars(
            select(Patient)
            .where(Patient.birth_date == birth_date, Patient.search_name == full)
            .order_by(Patient.id)
            .limit(1)
        ).first()
    statement = select(Patient).where(_document_condition(document)).order_by(Patient.id)
    if way is IdentificationWay.DMS and birth_date is not None:
        # A ДМС number is unique only within its insurer: the birth date tells the holders apart.
        statement = statement.where(Patient.birth_date == birth_date)
    return session.scalars(statement.limit(1)).first()


def _new_patient_errors(form: PatientForm, birth_date: dt.date | None) -> dict[FormField, str]:
    errors: dict[FormField, str] = {}
    missing = "Пациента с этим документом нет в регистре: для нового пациента заполните поле «{0}»."
    if not form.last_name.strip():
        errors[FormField.LAST_NAME] = missing.format(FormField.LAST_NAME.label)
    if not form.first_name.strip():
        errors[FormField.FIRST_NAME] = missing.format(FormField.FIRST_NAME.label)
    if birth_date is None:
        errors[FormField.BIRTH_DATE] = missing.format(FormField.BIRTH_DATE.label)
    return errors


def _set_document(patient: Patient, document: Document) -> None:
    if isinstance(document, Snils):
        patient.snils = document.canonical
    elif isinstance(document, OmsPolicy):
        patient.oms_number = document.canonical
        patient.oms_kind = document.kind.value
    elif isinstance(document, Passport):
        patient.passport = document.canonical
    else:
        patient.dms_number = document.canonical
        patient.dms_insurer = document.insurer or None


def _masked_document(document: Document | None) -> str:
    if document is None:
        return "без документа"
    if isinstance(document, Snils):
        return f"СНИЛС {document.masked}"
    if isinstance(document, OmsPolicy):
        return f"полис ОМС {document.masked}"
    if isinstance(document, Passport):
        return f"паспорт {document.masked}"
    return f"полис ДМС {document.masked}"


def _create(
    session: Session,
    form: PatientForm,
    document: Document | None,
    birth_date: dt.date,
) -> Patient | None:
    """Add the patient; ``None`` when another workstation added the same document first."""
    patient = Patient(birth_date=birth_date)
    patient.set_name(
        " ".join(form.last_name.split()),
        " ".join(form.first_name.split()),
        " ".join(form.patronymic.split()),
    )
    if document is not None:
        _set_document(patient, document)
    try:
        with session.begin_nested():
            session.add(patient)
            session.flush()
    except IntegrityError:
        return None
    return patient


def save_patient(
    session: Session, form: PatientForm, actor: Actor, *, today: dt.date | None = None
) -> int:
    """Find or add the patient of ``form``, update the contacts and the consent; the patient's id.

    Raises :class:`PatientFormInvalid` (the messages of :func:`validate`, or a birth date that
    differs from the one registered for the document) and :class:`PatientDataRequired` when the
    document is new to the registry and the name or the birth date is missing. The journal gets
    «Регистрация пациента» for a new patient, «Изменение контактной информации» when the phone
    or the e-mail of a known patient changes, and «Согласие на обработку персональных данных»
    when the consent is recorded; the details hold masked values only. An empty phone or e-mail
    leaves the registered one as it is.
    """
    errors = validate(form, today=today)
    if errors:
        raise PatientFormInvalid(errors)
    way = form.way
    document = None if way is IdentificationWay.NO_DOCUMENT else _parse_document(way, form)
    birth_date = _birth_date(form, today)
    phone = Phone.parse(form.phone) if form.phone.strip() else None
    email = Email.parse(form.email) if form.email.strip() else None

    patient = _find(session, way, document, form, birth_date)
    created = False
    if patient is None:
        missing = _new_patient_errors(form, birth_date)
        if missing:
            raise PatientDataRequired(missing)
        assert birth_date is not None
        patient = _create(session, form, document, birth_date)
        if patient is None:  # added meanwhile by another workstation: use that one
            patient = _find(session, way, document, form, birth_date)
            if patient is None:
                raise PatientFormInvalid(
                    {FormField.DOCUMENT: "Этот документ уже записан у другого пациента."}
                )
        else:
            created = True
    elif birth_date is not None and patient.birth_date != birth_date:
        raise PatientFormInvalid(
            {
                FormField.BIRTH_DATE: (
                    "Дата рождения не совпадает с датой рождения пациента с этим документом: "
                    "проверьте дату рождения и номер документа."
                )
            }
        )

    changes: list[str] = []
    if phone is not None and patient.phone != phone.canonical:
        patient.phone = phone.canonical
        changes.append(f"телефон {phone.masked}")
    if email is not None and patient.email != email.canonical:
        patient.email = email.canonical
        changes.append(f"e-mail {email.masked}")
    session.flush()

    if created:
        details = [_masked_document(document), *changes]
        record(session, actor, PATIENT_REGISTERED, ", ".join(details), patient_id=patient.id)
    elif changes:
        record(session, actor, CONTACTS_CHANGED, ", ".join(changes), patient_id=patient.id)
    if form.consent and patient.consent_given_at is None:
        patient.consent_given_at = utc_now()
        record(session, actor, CONSENT_GIVEN, "дано", patient_id=patient.id)
    session.flush()
    return patient.id


# --------------------------------------------------------------------------------------------
# Reading


def has_consent(session: Session, patient_id: int) -> bool:
    """True when the patient's consent to personal-data processing is recorded."""
    given = session.scalar(select(Patient.consent_given_at).where(Patient.id == patient_id))
    return given is not None


def _strongest_way(patient: Patient) -> IdentificationWay:
    if patient.snils:
        return IdentificationWay.SNILS
    if patient.oms_number:
        return IdentificationWay.OMS
    if patient.passport:
        return IdentificationWay.PASSPORT
    if patient.dms_number:
        return IdentificationWay.DMS
    return IdentificationWay.NO_DOCUMENT


def _document_text(patient: Patient, way: IdentificationWay) -> str:
    """The registered document of ``way`` as the operator reads it (stored values are valid)."""
    try:
        if way is IdentificationWay.SNILS and patient.snils:
            return Snils(patient.snils).display
        if way is IdentificationWay.OMS and patient.oms_number:
            if patient.oms_kind == OmsPolicyKind.OLD_STYLE.value:
                series, _, number = patient.oms_number.partition(" ")
                return OmsPolicy.from_parts(series, number).display
            return OmsPolicy.parse(patient.oms_number).display
        if way is IdentificationWay.PASSPORT and patient.passport:
            return Passport(patient.passport).display
    except InvalidDocument:
        pass  # a value stored before the checks: show it as it is
    if way is IdentificationWay.DMS:
        return patient.dms_number or ""
    return {
        IdentificationWay.SNILS: patient.snils,
        IdentificationWay.OMS: patient.oms_number,
        IdentificationWay.PASSPORT: patient.passport,
    }.get(way) or ""


def load_form(session: Session, patient_id: int) -> PatientForm:
    """The form filled with a registered patient (the way of the strongest document they have)."""
    patient = session.get_one(Patient, patient_id)
    way = _strongest_way(patient)
    phone = ""
    if patient.phone:
        try:
            phone = Phone(patient.phone).display
        except InvalidDocument:
            phone = patient.phone
    return PatientForm(
        way=way,
        last_name=patient.last_name,
        first_name=patient.first_name,
        patronymic=patient.patronymic,
        birth_date=patient.birth_date.strftime("%d.%m.%Y"),
        document=_document_text(patient, way),
        dms_insurer=patient.dms_insurer or "",
        phone=phone,
        email=patient.email or "",
        consent=patient.consent_given_at is not None,
    )
