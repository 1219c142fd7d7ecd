"""``HubClient``: the HubService operations of one endpoint, as plain Python calls.

Synchronous and blocking (run it off the GUI thread: see ``AsyncHub``). The zeep client is built
lazily on first use from the bundled WSDL, with no network fetch, and reused.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import requests
import zeep
from urllib3.exceptions import ConnectTimeoutError
from zeep.exceptions import Fault

from workstation.services.hub import fast_parse, mapping
from workstation.services.hub.endpoints import BINDING_QNAME, HubEndpoint, HubSettings
from workstation.services.hub.errors import HubUnavailable, business_error
from workstation.services.hub.journal_sink import (
    BOOKING_UNAVAILABLE,
    REFUSAL_UNAVAILABLE,
    HubJournal,
)
from workstation.services.hub.results import (
    Booking,
    Clinic,
    District,
    DoctorInfo,
    FreeSlot,
    HubPatient,
    LpuInfo,
    PatientArea,
    PatientHistory,
    SpecialistType,
    SpecialityInfo,
    WaitingListClaim,
    WorkingTime,
)
from workstation.services.hub.transport import HubTransport, ResponseTooLarge
from workstation.services.resources import resource_path

log = logging.getLogger(__name__)

T = TypeVar("T")

# Operations that change state in the MIS: never retried automatically, journaled on failure.
_NO_RETRY_JOURNAL = {
    "SetAppointment": BOOKING_UNAVAILABLE,
    "CreateClaimForRefusal": REFUSAL_UNAVAILABLE,
}


def _reached_server(exc: requests.RequestException) -> bool:
    """False when the connection itself failed: then no byte of the request was sent."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return not isinstance(reason, ConnectTimeoutError)  # NewConnectionError included
    return True


def zeep_settings() -> zeep.Settings:
    """Strict, safe XML handling: no DTD, no entities, no external references, no huge trees."""
    return zeep.Settings(
        strict=True,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
        xml_huge_tree=False,
    )


class HubClient:
    """The operations of one HubService endpoint (a regional hub or one institution's MIS)."""

    def __init__(
        self,
        endpoint: HubEndpoint,
        settings: HubSettings | None = None,
        *,
        journal: Callable[[], HubJournal | None] | None = None,
        institution_names: dict[int, str] | None = None,
        fast_bulk: bool = True,
    ) -> None:
        self.endpoint = endpoint
        self.settings = settings or HubSettings()
        self.transport = HubTransport(self.settings)
        self.fast_bulk = fast_bulk
        self.institution_names = institution_names if institution_names is not None else {}
        self._journal = journal
        self._lock = threading.Lock()
        self._zeep: Any = None
        self._service: Any = None

    # -- construction -------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Build the zeep client now (slow: about a second); otherwise the first call does."""
        self._ensure()

    def _ensure(self) -> Any:
        with self._lock:
            if self._service is None:
                started = time.perf_counter()
                client = zeep.Client(  # type: ignore[no-untyped-call]
                    str(resource_path("wsdl", "HubService.wsdl")),
                    transport=self.transport,
                    settings=zeep_settings(),
                )
                self._service = client.create_service(  # type: ignore[no-untyped-call]
                    BINDING_QNAME, self.endpoint.url
                )
                self._zeep = client
                log.debug(
                    "hub client for %s built in %.0f ms",
                    self.endpoint.url,
                    (time.perf_counter() - started) * 1000,
                )
            return self._service

    def close(self) -> None:
        """Close the pooled connections."""
        self.transport.close()

    # -- calling ------------------------------------------------------------------------------

    def institution(self, id_lpu: int | None) -> str:
        """The institution's name for error messages."""
        if id_lpu is None:
            return self.endpoint.name
        name = self.institution_names.get(id_lpu)
        if name:
            return name
        return f"ЛПУ № {id_lpu}" + (f", {self.endpoint.name}" if self.endpoint.name else "")

    def _send(self, operation: str, params: dict[str, Any]) -> requests.Response:
        service = self._ensure()
        try:
            with self._zeep.settings(raw_response=True):
                response: requests.Response = getattr(service, operation)(**params)
        except requests.RequestException as exc:
            raise HubUnavailable(
                self.endpoint.url, f"{type(exc).__name__}: {exc}", sent=_reached_server(exc)
            ) from exc
        except ResponseTooLarge as exc:
            raise HubUnavailable(self.endpoint.url, str(exc)) from exc
        return response

    def _parse_zeep(self, operation: str, response: requests.Response) -> Any:
        binding = self._service._binding
        try:
            return binding.process_reply(self._zeep, binding.get(operation), response)
        except Fault as exc:
            cause = f"HTTP {response.status_code}, SOAP Fault: {exc.message}"
            raise HubUnavailable(self.endpoint.url, cause) from exc
        except Exception as exc:  # anything wrong in the peer's bytes is a malformed answer
            cause = f"HTTP {response.status_code}, некорректный ответ: {exc}"
            raise HubUnavailable(self.endpoint.url, cause) from exc

    def _attempts(self, operation: str, once: Callable[[], T]) -> T:
        retry = operation not in _NO_RETRY_JOURNAL
        attempts = max(1, self.settings.read_attempts) if retry else 1
        for attempt in range(attempts):
            started = time.perf_counter()
            try:
                value = once()
            except HubUnavailable as exc:
                log.warning(
                    "hub %s at %s failed (attempt %d of %d): %s",
                    operation, self.endpoint.url, attempt + 1, attempts, exc.cause,
                )
                if attempt + 1 >= attempts:
                    raise
                time.sleep(self.settings.retry_delay(attempt))
            else:
                log.debug(
                    "hub %s at %s: %.0f ms",
                    operation, self.endpoint.url, (time.perf_counter() - started) * 1000,
                )
                return value
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(self, operation: str, id_lpu: int | None, params: dict[str, Any]) -> Any:
        """Send with zeep, check ``Success``; returns the zeep ``...Result`` object."""
        params = {**params, "guid": self.endpoint.guid}

        def once() -> Any:
            result = self._parse_zeep(operation, self._send(operation, params))
            if result is None:
                raise HubUnavailable(self.endpoint.url, f"пустой ответ на {operation}")
            return result

        try:
            result = self._attempts(operation, once)
        except HubUnavailable as exc:
            self._journal_failure(operation, id_lpu, params, exc)
            raise
        if not result.Success:
            errors = [
                (int(e.IdError or 0), e.ErrorDescription or "")
                for e in mapping.items(result.ErrorList, "Error")
            ]
            raise business_error(errors, institution=self.institution(id_lpu))
        return result

    def _call_fast(
        self,
        operation: str,
        id_lpu: int,
        params: dict[str, Any],
        parse: Callable[[bytes], fast_parse.Parsed[T]],
    ) -> tuple[T, ...]:
        """Send with zeep, parse the response with lxml directly."""
        params = {**params, "guid": self.endpoint.guid}

        def once() -> fast_parse.Parsed[T]:
            response = self._send(operation, params)
            try:
                if response.status_code != 200:
                    fast_parse.parse_envelope(response.content)  # a Fault says more
                    raise fast_parse.MalformedResponse("ответ не SOAP Fault")
                return parse(response.content)
            except (fast_parse.MalformedResponse, fast_parse.SoapFault) as exc:
                cause = f"HTTP {response.status_code}, {exc}"
                raise HubUnavailable(self.endpoint.url, cause) from exc

        parsed = self._attempts(operation, once)
        if not parsed.success:
            raise business_error(parsed.errors, institution=self.institution(id_lpu))
        return parsed.items

    def _journal_failure(
        self, operation: str, id_lpu: int | None, params: dict[str, Any], exc: HubUnavailable
    ) -> None:
        action = _NO_RETRY_JOURNAL.get(operation)
        journal = self._journal() if self._journal is not None else None
        if action is None or journal is None:
            return
        details = (
            f"{self.institution(id_lpu)}; талон {params.get('idAppointment', '')}; "
            f"адрес сервиса {self.endpoint.url}; причина: {exc.cause}"
        )
        journal.record(action, details)

    # -- directory ----------------------------------------------------------------------------

    def get_district_list(self) -> tuple[District, ...]:
        result = self._call("GetDistrictList", None, {})
        return tuple(mapping.district(d) for d in mapping.items(result.Districts, "District"))

    def get_lpu_list(self, id_district: int | None = None) -> tuple[Clinic, ...]:
        params = {"idDistrict": id_district} if id_district is not None else {}
        result = self._call("GetLPUList", None, params)
        return tuple(mapping.clinic(c) for c in mapping.items(result.ListLPU, "Clinic"))

    def get_lpu_info(self, id_lpu: int) -> LpuInfo | None:
        result = self._call("GetLPUInfo", id_lpu, {"idLpu": id_lpu})
        infos = mapping.items(result.LpuCollection, "LpuInfo")
        return mapping.lpu_info(infos[0]) if infos else None

    def get_speciality_list(
        self, id_lpu: int, id_pat: str | None = None
    ) -> tuple[SpecialityInfo, ...]:
        params = {"idLpu": id_lpu, "idPat": id_pat}
        if self.fast_bulk:
            return self._call_fast(
                "GetSpesialityList", id_lpu, params, fast_parse.parse_specialities
            )
        result = self._call("GetSpesialityList", id_lpu, params)
        return tuple(
            mapping.speciality(s) for s in mapping.items(result.ListSpesiality, "Spesiality")
        )

    def get_doctor_list(
        self, id_lpu: int, id_speciality: str, id_pat: str | None = None
    ) -> tuple[DoctorInfo, ...]:
        params = {"idSpesiality": id_speciality, "idLpu": id_lpu, "idPat": id_pat}
        if self.fast_bulk:
            return self._call_fast("GetDoctorList", id_lpu, params, fast_parse.parse_doctors)
        result = self._call("GetDoctorList", id_lpu, params)
        return tuple(mapping.doctor(d) for d in mapping.items(result.Docs, "Doctor"))

    # -- schedule -----------------------------------------------------------------------------

    def get_working_time(
        self, id_lpu: int, id_doc: str, start: datetime, end: datetime
    ) -> tuple[WorkingTime, ...]:
        params = {"idDoc": id_doc, "idLpu": id_lpu, "visitStart": start, "visitEnd": end}
        result = self._call("GetWorkingTime", id_lpu, params)
        return tuple(
            mapping.working_time(w) for w in mapping.items(result.WorkingTimeList, "WorkingTime")
        )

    def get_available_dates(
        self,
        id_lpu: int,
        id_doc: str,
        start: datetime,
        end: datetime,
        id_pat: str | None = None,
    ) -> tuple[datetime, ...]:
        params = {
            "idDoc": id_doc, "idLpu": id_lpu, "idPat": id_pat, "visitStart": start, "visitEnd": end
        }
        result = self._call("GetAvailableDates", id_lpu, params)
        return tuple(mapping.items(result.AvailableDateList, "dateTime"))

    def get_available_appointments(
        self,
        id_lpu: int,
        id_doc: str,
        start: datetime,
        end: datetime,
        id_pat: str | None = None,
    ) -> tuple[FreeSlot, ...]:
        params = {
            "idDoc": id_doc, "idLpu": id_lpu, "idPat": id_pat, "visitStart": start, "visitEnd": end
        }
        if self.fast_bulk:
            return self._call_fast(
                "GetAvaibleAppointments", id_lpu, params, fast_parse.parse_appointments
            )
        result = self._call("GetAvaibleAppointments", id_lpu, params)
        return tuple(
            mapping.slot(a) for a in mapping.items(result.ListAppointments, "Appointment")
        )

    # -- patients -----------------------------------------------------------------------------

    def check_patient(self, id_lpu: int, patient: HubPatient) -> str:
        """The patient's ``IdPat`` in that institution's MIS."""
        params = {"pat": mapping.patient_request(patient), "idLpu": id_lpu}
        result = self._call("CheckPatient", id_lpu, params)
        return str(result.IdPat or "")

    def search_top10_patient(self, id_lpu: int, patient: HubPatient) -> tuple[HubPatient, ...]:
        params = {"pat": mapping.patient_request(patient), "idLpu": id_lpu}
        result = self._call("SearchTop10Patient", id_lpu, params)
        return tuple(mapping.patient(p) for p in mapping.items(result.ListPatient, "Patient"))

    def add_new_patient(
        self, id_lpu: int, patient: HubPatient, approved_by_tfoms: bool | None = None
    ) -> str:
        """Register the patient in the institution's MIS; returns the new ``IdPat``."""
        params: dict[str, Any] = {"patient": mapping.patient_request(patient), "idLpu": id_lpu}
        if approved_by_tfoms is not None:
            params["approvedByTfoms"] = approved_by_tfoms
        result = self._call("AddNewPatient", id_lpu, params)
        return str(result.IdPat or "")

    def get_patient_history(self, id_lpu: int, id_pat: str) -> PatientHistory:
        result = self._call("GetPatientHistory", id_lpu, {"idLpu": id_lpu, "idPat": id_pat})
        return PatientHistory(
            visits=tuple(
                mapping.history_visit(v)
                for v in mapping.items(result.ListHistoryVisit, "HistoryVisit")
            ),
            refusals=tuple(
                mapping.history_visit(v)
                for v in mapping.items(result.ListHistoryRefusal, "HistoryRefusal")
            ),
        )

    def get_patients_areas(self, id_lpu: int, id_pat: str) -> tuple[PatientArea, ...]:
        # The odd one of the contract: idLpu travels as a string here.
        params = {"idLpu": str(id_lpu), "idPat": id_pat}
        result = self._call("GetPatientsAreas", id_lpu, params)
        return tuple(
            mapping.patient_area(a) for a in mapping.items(result.PatientsAreaList, "PatientsArea")
        )

    def update_phone(
        self, id_lpu: int, id_pat: str, home: str | None = None, cell: str | None = None
    ) -> None:
        params = {"idLpu": id_lpu, "idPat": id_pat, "homePhone": home, "cellPhone": cell}
        self._call("UpdatePhoneByIdPat", id_lpu, params)

    # -- booking (never retried automatically) ------------------------------------------------

    def set_appointment(
        self,
        id_lpu: int,
        id_pat: str,
        id_appointment: str,
        id_appointment_prev: str | None = None,
        doctors_referral: str | None = None,
    ) -> Booking:
        """Book the slot (or move the booking of ``id_appointment_prev`` to it)."""
        params: dict[str, Any] = {
            "idAppointment": id_appointment,
            "idLpu": id_lpu,
            "idPat": id_pat,
            "doctorsReferral": doctors_referral,
            "idAppointmentPrev": id_appointment_prev,
        }
        result = self._call("SetAppointment", id_lpu, params)
        kind = mapping._value(result.Type)
        try:
            specialist = SpecialistType(kind) if kind else None
        except ValueError:
            specialist = None
        return Booking(id_appointment=id_appointment, specialist_type=specialist)

    def create_claim_for_refusal(self, id_lpu: int, id_pat: str, id_appointment: str) -> None:
        """Cancel the appointment."""
        params = {"idLpu": id_lpu, "idPat": id_pat, "idAppointment": id_appointment}
        self._call("CreateClaimForRefusal", id_lpu, params)

    def set_waiting_list(
        self,
        id_lpu: int,
        id_pat: str,
        *,
        claim: WaitingListClaim,
        start: datetime,
        end: datetime,
        id_doc: str | None = None,
        name_doc: str | None = None,
        id_speciality: str | None = None,
        name_speciality: str | None = None,
        name_pat: str | None = None,
        birthday: date | None = None,
        phone: str | None = None,
    ) -> str:
        """Put the patient on the waiting list; returns the claim's guid."""
        params: dict[str, Any] = {
            "idDoc": id_doc,
            "nameDoc": name_doc,
            "idSpesiality": id_speciality,
            "nameSpesiality": name_speciality,
            "idLpu": id_lpu,
            "rule": {"Start": start, "End": end},
            "claim": claim.value,
            "idPat": id_pat,
            "namePat": name_pat,
            "phone": phone,
        }
        if birthday is not None:
            params["birthday"] = mapping.as_datetime(birthday)
        result = self._call("SetWaitingList", id_lpu, params)
        return str(result.GuidClaim or "")
