"""The patient's ``IdPat`` in an institution's MIS: remembered, or asked for with CheckPatient."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import Institution, Patient, PatientLpuLink
from workstation.models.base import utc_now
from workstation.services.booking.errors import PatientNotIdentified
from workstation.services.database import Database
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.errors import HubBusinessError, HubUnavailable
from workstation.services.hub.results import HubPatient


def known_id_pat(session: Session, patient_id: int, institution_id: int) -> str | None:
    return session.scalar(
        select(PatientLpuLink.hub_patient_id).where(
            PatientLpuLink.patient_id == patient_id,
            PatientLpuLink.institution_id == institution_id,
        )
    )


def as_hub_patient(patient: Patient) -> HubPatient:
    """What CheckPatient is given: the name, birth date and every document the registry has."""
    passport = patient.passport or ""
    return HubPatient(
        surname=patient.last_name,
        name=patient.first_name,
        second_name=patient.patronymic or None,
        birthday=patient.birth_date,
        polis_n=patient.oms_number,
        document_s=passport[:4] or None,
        document_n=passport[4:] or None,
        snils=patient.snils,
        cell_phone=patient.phone,
    )


def identify_patient(
    database: Database, connector: HubConnector, patient_id: int, institution_id: int
) -> str:
    """The patient's ``IdPat`` in the institution, asking its MIS (and remembering) if unknown.

    Raises ``PatientNotIdentified`` with the hub's explanation (errors 20/21/22) or the
    "no connection" message.
    """
    with database.session() as session:
        id_pat = known_id_pat(session, patient_id, institution_id)
        if id_pat:
            return id_pat
        patient = session.get_one(Patient, patient_id)
        institution = session.get_one(Institution, institution_id)
        hub_patient = as_hub_patient(patient)
        hub_lpu = institution.hub_id
    try:
        id_pat = connector.for_lpu(hub_lpu).check_patient(hub_lpu, hub_patient)
    except (HubBusinessError, HubUnavailable) as error:
        raise PatientNotIdentified(error.message) from error
    if not id_pat:
        raise PatientNotIdentified(
            "Медицинская организация не вернула идентификатор пациента. Проверьте данные "
            "пациента или обратитесь в службу технической поддержки МИАЦ."
        )
    with database.session() as session:
        link = session.scalar(
            select(PatientLpuLink).where(
                PatientLpuLink.patient_id == patient_id,
                PatientLpuLink.institution_id == institution_id,
            )
        )
        if link is None:
            session.add(
                PatientLpuLink(
                    patient_id=patient_id, institution_id=institution_id, hub_patient_id=id_pat
                )
            )
        else:
            link.hub_patient_id = id_pat
            link.checked_at = utc_now()
    return id_pat
