"""Patient operations: identify, search, register, phones, attached areas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import Doctor, Institution, Patient, Specialty
from workstation.models.identity import InvalidDocument, OmsPolicy, Phone, only_digits
from workstation.models.text import normalise_name
from workstation.services.emulator.soap import Params, add, add_list, container, member
from workstation.services.emulator.state import (
    DOCUMENT_MISMATCH,
    INCOMPLETE_DATA,
    NO_AREA,
    PATIENT_NOT_FOUND,
    PATIENT_NOT_UNIQUE,
    BusinessError,
    EmulatorState,
)

Members = list[etree._Element]


@dataclass(frozen=True)
class Criteria:
    """What a request's ``Patient`` says, normalised like the stored columns."""

    surname: str | None
    name: str | None
    second_name: str | None
    birthday: dt.date | None
    oms: str | None
    snils: str | None
    passport: str | None

    @classmethod
    def of(cls, pat: Params) -> Criteria:
        def norm(field: str) -> str | None:
            value = pat.text(field)
            return normalise_name(value) if value else None

        birthday = pat.datetime("Birthday")
        polis_n = pat.text("Polis_N")
        oms: str | None = None
        if polis_n:
            try:
                oms = OmsPolicy.from_parts(pat.text("Polis_S"), polis_n).canonical
            except InvalidDocument:
                oms = polis_n.replace(" ", "").upper()
        snils = only_digits(pat.text("Snils") or "") or None
        passport = only_digits((pat.text("Document_S") or "") + (pat.text("Document_N") or ""))
        return cls(
            surname=norm("Surname"),
            name=norm("Name"),
            second_name=norm("SecondName"),
            birthday=birthday.date() if birthday else None,
            oms=oms,
            snils=snils,
            passport=passport or None,
        )

    def require_identity(self) -> None:
        missing = [
            label
            for label, value in (
                ("фамилия", self.surname),
                ("имя", self.name),
                ("дата рождения", self.birthday),
            )
            if value is None
        ]
        if missing:
            raise BusinessError(
                INCOMPLETE_DATA,
                "Недостаточно данных для поиска пациента: не указаны " + ", ".join(missing) + ".",
            )

    def matches(self, patient: Patient) -> bool:
        checks = (
            (self.second_name, normalise_name(patient.patronymic) if patient.patronymic else None),
            (self.oms, patient.oms_number),
            (self.snils, patient.snils),
            (self.passport, patient.passport),
        )
        return all(given is None or given == stored for given, stored in checks)


def _candidates(session: Session, criteria: Criteria, limit: int | None = None) -> list[Patient]:
    statement = select(Patient)
    if criteria.surname is not None:
        statement = statement.where(Patient.last_name_norm == criteria.surname)
    if criteria.name is not None:
        statement = statement.where(Patient.first_name_norm == criteria.name)
    if criteria.birthday is not None:
        statement = statement.where(Patient.birth_date == criteria.birthday)
    found = [p for p in session.scalars(statement.order_by(Patient.id)) if criteria.matches(p)]
    return found if limit is None else found[:limit]


def _the_one(candidates: list[Patient]) -> Patient:
    if not candidates:
        raise BusinessError(PATIENT_NOT_FOUND, "Пациент не найден")
    if len(candidates) > 1:
        raise BusinessError(
            PATIENT_NOT_UNIQUE,
            f"Пациент не уникален: найдено {len(candidates)} пациентов, уточните документы.",
        )
    return candidates[0]


def check_patient(state: EmulatorState, params: Params) -> Members:
    criteria = Criteria.of(params.nested("pat"))
    criteria.require_identity()
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
        patient = _the_one(_candidates(session, criteria))
        id_pat = state.id_pat(session, institution, patient)
    return [member("IdPat", id_pat)]


def _patient_element(
    parent: etree._Element, patient: Patient, id_pat: str, area: str | None
) -> None:
    item = add_list(parent, "Patient")
    add(item, "AriaNumber", area)
    add(item, "Birthday", patient.birth_date)
    add(item, "CellPhone", patient.phone)
    passport = patient.passport
    add(item, "Document_N", passport[4:] if passport else None)
    add(item, "Document_S", passport[:4] if passport else None)
    add(item, "HomePhone", None)
    add(item, "IdPat", id_pat)
    add(item, "Name", patient.first_name)
    old_style = patient.oms_number is not None and " " in patient.oms_number
    series, _, number = (patient.oms_number or "").rpartition(" ")
    add(item, "Polis_N", (number if old_style else patient.oms_number) or None)
    add(item, "Polis_S", series if old_style else None)
    add(item, "SecondName", patient.patronymic or None)
    add(item, "Snils", patient.snils)
    add(item, "Surname", patient.last_name)


def search_top10_patient(state: EmulatorState, params: Params) -> Members:
    criteria = Criteria.of(params.nested("pat"))
    if criteria.surname is None:
        raise BusinessError(INCOMPLETE_DATA, "Для поиска пациента укажите хотя бы фамилию.")
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
        found = _candidates(session, criteria, limit=10)
        if not found:
            raise BusinessError(PATIENT_NOT_FOUND, "Пациент не найден")
        items = container("ListPatient")
        for patient in found:
            id_pat = state.id_pat(session, institution, patient)
            areas = _areas(session, institution, patient)
            _patient_element(items, patient, id_pat, areas[0][0] if areas else None)
    return [items]


def _phone(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return Phone.parse(text).canonical
    except InvalidDocument as error:
        raise BusinessError(INCOMPLETE_DATA, f"Неверный номер телефона: {error.message}") from error


def add_new_patient(state: EmulatorState, params: Params) -> Members:
    pat = params.nested("patient")
    criteria = Criteria.of(pat)
    criteria.require_identity()
    assert criteria.surname and criteria.name and criteria.birthday
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
        existing = _candidates(session, criteria)
        if existing:
            raise BusinessError(
                PATIENT_NOT_UNIQUE,
                "Пациент уже зарегистрирован в МИС ЛПУ; найдите его через CheckPatient "
                f"(IdPat {state.id_pat(session, institution, existing[0])}).",
            )
        for column, value, label in (
            (Patient.snils, criteria.snils, "СНИЛС"),
            (Patient.oms_number, criteria.oms, "Полис ОМС"),
        ):
            if value is not None and session.scalar(select(Patient.id).where(column == value)):
                raise BusinessError(
                    DOCUMENT_MISMATCH, f"{label} принадлежит другому пациенту: проверьте данные."
                )
        patient = Patient(
            birth_date=criteria.birthday,
            snils=criteria.snils,
            oms_number=criteria.oms,
            passport=criteria.passport,
            phone=_phone(pat.text("CellPhone")) or _phone(pat.text("HomePhone")),
        )
        patient.set_name(
            pat.text("Surname") or "", pat.text("Name") or "", pat.text("SecondName") or ""
        )
        session.add(patient)
        session.flush()
        id_pat = state.id_pat(session, institution, patient)
    return [member("IdPat", id_pat)]


def update_phone_by_id_pat(state: EmulatorState, params: Params) -> Members:
    cell = _phone(params.text("cellPhone"))
    home = _phone(params.text("homePhone"))
    if cell is None and home is None:
        raise BusinessError(INCOMPLETE_DATA, "Не указан ни один номер телефона.")
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
        patient = state.patient_by_id_pat(session, institution, params.text("idPat"))
        patient.phone = cell or home
    return []


def _area_type(specialty_name: str) -> str | None:
    name = specialty_name.lower()
    if "общей практики" in name:
        return "ВрачОбщейПрактики"
    if "педиатр" in name:
        return "Педиатрический"
    if "терапевт" in name:
        return "Терапевтический"
    if "акушер" in name:
        return "Акушерский"
    if "фельдшер" in name:
        return "Фельдшерский"
    if "фтизиатр" in name:
        return "Фтизиатрический"
    return None


def _areas(session: Session, institution: Institution, patient: Patient) -> list[tuple[str, str]]:
    """(area number, AreaType) the patient is attached to: per area type, the LPU's areas
    sorted, the one at ``patient.id mod count`` (a deterministic rule)."""
    rows = session.execute(
        select(Doctor.area_number, Specialty.name)
        .join(Specialty, Specialty.id == Doctor.specialty_id)
        .where(Doctor.institution_id == institution.id, Doctor.area_number.is_not(None))
    ).all()
    by_type: dict[str, set[int]] = {}
    for area, specialty_name in rows:
        area_type = _area_type(specialty_name)
        if area_type is not None and area is not None:
            by_type.setdefault(area_type, set()).add(area)
    return [
        (str(sorted(areas)[patient.id % len(areas)]), area_type)
        for area_type, areas in sorted(by_type.items())
    ]


def get_patients_areas(state: EmulatorState, params: Params) -> Members:
    with state.database.session() as session:
        institution = state.institution(session, params.text("idLpu"))
        patient = state.patient_by_id_pat(session, institution, params.text("idPat"))
        areas = _areas(session, institution, patient)
    if not areas:
        raise BusinessError(NO_AREA, "Нет информации об участках прикрепления пациента в этом ЛПУ.")
    items = container("PatientsAreaList")
    for area, area_type in areas:
        item = add_list(items, "PatientsArea")
        add(item, "Area", area)
        add(item, "AreaType", area_type)
    return [items]
