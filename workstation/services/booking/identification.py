"""The patient's ``IdPat`` in an institution's MIS: remembered, asked for with CheckPatient, or
(where the workstation may) registered there with AddNewPatient when the MIS does not know them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.models import Institution, Patient, PatientLpuLink
from workstation.models.base import utc_now
from workstation.services.booking.errors import PatientNotIdentified
from workstation.services.database import Database
from workstation.services.hub.connector import HubConnector
from workstation.services.hub.errors import HubBusinessError, HubUnavailable, PatientNotFound
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
    database: Database,
    connector: HubConnector,
    patient_id: int,
    institution_id: int,
    *,
    register_unknown: bool = True,
) -> str:
    """The patient's ``IdPat`` in the institution, asking its MIS (and remembering) if unknown.

    When the MIS answers «пациент не найден» (20) and ``register_unknown`` allows it, the patient
    is registered there with AddNewPatient (the MIS may refuse: then its reason is given).
    Raises ``PatientNotIdentified`` with the hub's explanation (errors 20/21/22) or the
    "no connection" message (the ``HubUnavailable`` as its cause).
    """
    with database.session() as session:
        id_pat = known_id_pat(session, patient_id, institution_id)
        if id_pat:
            return id_pat
        patient = session.get_one(Patient, patient_id)
        institution = session.get_one(Institution, institution_id)
        hub_patient = as_hub_patient(patient)
        hub_lpu = institution.hub_id
    client = connector.for_lpu(hub_lpu)
    try:
        id_pat = client.check_patient(hub_lpu, hub_patient)
    except PatientNotFound as not_found:
        if not register_unknown:
            raise PatientNotIdentified(not_found.message) from not_found
        try:
            id_pat = client.add_new_patient(hub_lpu, hub_patient)
        except HubUnavailable as error:
            raise PatientNotIdentified(error.message) from error
        except HubBusinessError as error:
            raise PatientNotIdentified(
                f"{not_found.message} Зарегистрировать пациента в медицинской организации не "
                f"удалось: {error.message}"
            ) from error
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
