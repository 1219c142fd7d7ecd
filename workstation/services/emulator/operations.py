"""The operation table: SOAP operation name → handler, and whether it writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from workstation.services.emulator import handlers_booking as booking
from workstation.services.emulator import handlers_directory as directory
from workstation.services.emulator import handlers_patients as patients
from workstation.services.emulator.soap import Params
from workstation.services.emulator.state import EmulatorState

Handler = Callable[[EmulatorState, Params], list[etree._Element]]


@dataclass(frozen=True)
class Operation:
    handler: Handler
    writes: bool = False
    """Writes run one at a time under the state's write lock (a booking race has one winner)."""


OPERATIONS: dict[str, Operation] = {
    "GetDistrictList": Operation(directory.get_district_list),
    "GetLPUList": Operation(directory.get_lpu_list),
    "GetLPUInfo": Operation(directory.get_lpu_info),
    "GetSpesialityList": Operation(directory.get_spesiality_list),
    "GetDoctorList": Operation(directory.get_doctor_list),
    "GetWorkingTime": Operation(directory.get_working_time),
    "GetAvailableDates": Operation(directory.get_available_dates),
    "GetAvaibleAppointments": Operation(directory.get_avaible_appointments),
    "CheckPatient": Operation(patients.check_patient, writes=True),
    "SearchTop10Patient": Operation(patients.search_top10_patient, writes=True),
    "AddNewPatient": Operation(patients.add_new_patient, writes=True),
    "UpdatePhoneByIdPat": Operation(patients.update_phone_by_id_pat, writes=True),
    "GetPatientsAreas": Operation(patients.get_patients_areas),
    "SetAppointment": Operation(booking.set_appointment, writes=True),
    "CreateClaimForRefusal": Operation(booking.create_claim_for_refusal, writes=True),
    "GetPatientHistory": Operation(booking.get_patient_history),
    "SetWaitingList": Operation(booking.set_waiting_list, writes=True),
}
