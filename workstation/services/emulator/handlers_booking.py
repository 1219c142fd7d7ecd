"""Booking operations: book (and reschedule), cancel, history, waiting list."""

from __future__ import annotations

import datetime as dt
import uuid

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import (
    Appointment,
    AppointmentSource,
    AppointmentState,
    Doctor,
    Institution,
    Patient,
    Slot,
    SlotState,
    Specialty,
)
from workstation.services.emulator.handlers_directory import doctor_element
from workstation.services.emulator.soap import Params, add, add_list, container, member
from workstation.services.emulator.state import (
    ALREADY_BOOKED,
    INCOMPLETE_DATA,
    INVALID_SLOT,
    NO_APPOINTMENT,
    SLOT_TAKEN,
    BusinessError,
    EmulatorState,
)

Members = list[etree._Element]

_BROAD_PROFILE = ("участков", "общей практики", "педиатр", "фельдшер")


def find_slot(
    session: Session, institution: Institution, id_appointment: str | None
) -> Slot | None:
    """The slot ``IdAppointment`` of this institution (``<IdDoc>-<yyyymmddHHMM>``)."""
    if not id_appointment:
        return None
    doctor_hub_id, sep, _stamp = id_appointment.rpartition("-")
    statement = (
        select(Slot)
        .join(Doctor, Doctor.id == Slot.doctor_id)
        .where(Doctor.institution_id == institution.id, Slot.hub_id == id_appointment)
    )
    if sep:
        statement = statement.where(Doctor.hub_id == doctor_hub_id)
    return session.scalar(statement)


def _active_booking(
    session: Session, institution: Institution, patient: Patient, id_appointment: str
) -> Appointment | None:
    return session.scalar(
        select(Appointment).where(
            Appointment.institution_id == institution.id,
            Appointment.patient_id == patient.id,
            Appointment.hub_appointment_id == id_appointment,
            Appointment.state == AppointmentState.BOOKED,
        )
    )


def _cancel(appointment: Appointment) -> None:
    appointment.state = AppointmentState.CANCELLED
    if appointment.slot is not None:
        appointment.slot.state = SlotState.FREE


def set_appointment(state: EmulatorState, params: Params) -> Members:
    id_appointment = params.text("idAppointment")
    id_previous = params.text("idAppointmentPrev")
    now = state.now()
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
        patient = state.patient_by_id_pat(session, institution, params.text("idPat"))
        slot = find_slot(session, institution, id_appointment)
        if slot is None:
            raise BusinessError(
                INVALID_SLOT, f"Неверный идентификатор талона «{id_appointment or ''}»."
            )
        if slot.state != SlotState.FREE:
            raise BusinessError(
                SLOT_TAKEN, "Талон уже занят или заблокирован другим пользователем."
            )
        if slot.start < now:
            raise BusinessError(SLOT_TAKEN, "Время приёма по этому талону уже прошло.")
        previous: Appointment | None = None
        if id_previous:
            previous = _active_booking(session, institution, patient, id_previous)
            if previous is None:
                raise BusinessError(
                    NO_APPOINTMENT,
                    f"Переносимая запись «{id_previous}» не существует или уже отменена.",
                )
        specialty = slot.doctor.specialty
        upcoming = session.scalar(
            select(Appointment.hub_appointment_id)
            .join(Doctor, Doctor.id == Appointment.doctor_id)
            .where(
                Appointment.institution_id == institution.id,
                Appointment.patient_id == patient.id,
                Appointment.state == AppointmentState.BOOKED,
                Appointment.visit_start >= now,
                Doctor.specialty_id == specialty.id,
                Appointment.id != (previous.id if previous is not None else -1),
            )
            .limit(1)
        )
        if upcoming is not None:
            raise BusinessError(
                ALREADY_BOOKED,
                f"Пациент уже записан к специалисту «{specialty.name}» (талон {upcoming}).",
            )
        if previous is not None:
            _cancel(previous)
        slot.state = SlotState.BOOKED
        session.add(
            Appointment(
                ticket_number=f"E{institution.hub_id}-{uuid.uuid4().hex[:12].upper()}",
                slot_id=slot.id,
                patient_id=patient.id,
                institution_id=institution.id,
                doctor_id=slot.doctor_id,
                hub_appointment_id=slot.hub_id,
                visit_start=slot.start,
                visit_end=slot.end,
                room=slot.room,
                state=AppointmentState.BOOKED,
                source=AppointmentSource.CONTACT_CENTER,
                # The booking client system as a name: the guid is a credential, never echoed.
                operator="Контакт-центр (HubService)",
                workstation="emulator",
            )
        )
        broad = any(word in specialty.name.lower() for word in _BROAD_PROFILE)
    return [member("Type", "широкого_профиля" if broad else "узкий")]


def create_claim_for_refusal(state: EmulatorState, params: Params) -> Members:
    id_appointment = params.text("idAppointment") or ""
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
        patient = state.patient_by_id_pat(session, institution, params.text("idPat"))
        appointment = _active_booking(session, institution, patient, id_appointment)
        if appointment is None:
            raise BusinessError(
                NO_APPOINTMENT, f"Запись «{id_appointment}» не существует или уже отменена."
            )
        _cancel(appointment)
    return []


def _spesiality_element(parent: etree._Element, name: str, specialty: Specialty) -> None:
    item = add_list(parent, name)
    add(item, "CountFreeParticipantIE", 0)
    add(item, "CountFreeTicket", 0)
    add(item, "FerIdSpesiality", specialty.federal_code)
    add(item, "IdSpesiality", specialty.hub_id)
    add(item, "LastDate", None)
    add(item, "NameSpesiality", specialty.name)
    add(item, "NearestDate", None)


def _history_item(parent: etree._Element, name: str, appointment: Appointment) -> None:
    item = add_list(parent, name)
    created = appointment.created_at.astimezone().replace(tzinfo=None)
    add(item, "DateCreatedAppointment", created)
    add(item, "DoctorBringReferal", None)
    doctor_element(item, "DoctorRendingConsultation", appointment.doctor)
    add(item, "IdAppointment", appointment.hub_appointment_id)
    add(item, "SpecialityBringReferal", None)
    _spesiality_element(item, "SpecialityRendingConsultation", appointment.doctor.specialty)
    user = add_list(item, "UserCreatedAppointment")
    add(user, "UserName", appointment.operator or None)
    add(user, "UserPosition", "Оператор контакт-центра")
    add(item, "VisitStart", appointment.visit_start)


def get_patient_history(state: EmulatorState, params: Params) -> Members:
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
        patient = state.patient_by_id_pat(session, institution, params.text("idPat"))
        appointments = session.scalars(
            select(Appointment)
            .where(
                Appointment.institution_id == institution.id,
                Appointment.patient_id == patient.id,
            )
            .order_by(Appointment.visit_start, Appointment.id)
        ).all()
        refusals = container("ListHistoryRefusal")
        visits = container("ListHistoryVisit")
        for appointment in appointments:
            if appointment.state in (AppointmentState.CANCELLED, AppointmentState.ANNULLED):
                _history_item(refusals, "HistoryRefusal", appointment)
            else:
                _history_item(visits, "HistoryVisit", appointment)
    return [refusals, visits]


def set_waiting_list(state: EmulatorState, params: Params) -> Members:
    with state.database.session() as session:
        institution = state.institution(session, params.int("idLpu"))
    if not (params.text("idSpesiality") or params.text("idDoc")):
        raise BusinessError(INCOMPLETE_DATA, "Укажите специальность или врача для листа ожидания.")
    if not (params.text("idPat") or params.text("namePat")):
        raise BusinessError(INCOMPLETE_DATA, "Укажите пациента для листа ожидания.")
    rule = params.nested("rule")
    claim_id = str(uuid.uuid4())
    birthday = params.datetime("birthday")
    state.waiting_list[claim_id] = {
        "idLpu": institution.hub_id,
        "idDoc": params.text("idDoc"),
        "nameDoc": params.text("nameDoc"),
        "idSpesiality": params.text("idSpesiality"),
        "nameSpesiality": params.text("nameSpesiality"),
        "start": rule.datetime("Start"),
        "end": rule.datetime("End"),
        "claim": params.text("claim"),
        "idPat": params.text("idPat"),
        "namePat": params.text("namePat"),
        "birthday": birthday.date() if isinstance(birthday, dt.datetime) else None,
        "phone": params.text("phone"),
        "created": state.now(),
    }
    return [member("GuidClaim", claim_id)]
