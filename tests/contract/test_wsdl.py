"""The workstation's own HubService WSDL/XSD (resources/wsdl/) against the published N3 contract.

The workstation describes the subset of the N3/Netrika HubService (Hub24) it uses in its own files;
these tests hold them wire-identical to the published service description:

* zeep loads our WSDL offline and sees exactly the 17 operations on the SOAP 1.1 binding;
* requests built by zeep and responses built from our schema validate against the published XSD
  set, and instances built from the published schema validate against ours (both ways, every
  field, with and without xsi:nil); hand-written WCF-style replies validate and parse;
* every type/element our files define has the published name, namespace and structure (child
  names, order, types, minOccurs, maxOccurs, nillable, enumeration members), and our files define
  exactly the published transitive closure of the 17 operations - nothing more, nothing less;
* messages, parts, portType and binding (soapAction, style, use) match the published WSDL.

Tests that need the published files skip when they are absent (see conftest.py).
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
import zeep
from lxml import etree
from zeep import xsd
from zeep.helpers import serialize_object
from zeep.wsdl.bindings.soap import Soap11Binding

TEMPURI = "http://tempuri.org/"
HS2 = "http://schemas.datacontract.org/2004/07/HubService2"
DTO = "http://schemas.datacontract.org/2004/07/HubService2.Dto"
ARR = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
SER = "http://schemas.microsoft.com/2003/10/Serialization/"
XS = "http://www.w3.org/2001/XMLSchema"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL_NS = {"wsdl": "http://schemas.xmlsoap.org/wsdl/", "soap": "http://schemas.xmlsoap.org/wsdl/soap/"}

BINDING = f"{{{TEMPURI}}}BasicHttpBinding_IHubService"
PLACEHOLDER_ADDRESS = "http://localhost:8700/HubService.svc"

OPERATIONS = (
    "GetDistrictList",
    "GetLPUList",
    "GetLPUInfo",
    "GetSpesialityList",
    "GetDoctorList",
    "GetWorkingTime",
    "GetAvailableDates",
    "GetAvaibleAppointments",
    "CheckPatient",
    "SearchTop10Patient",
    "AddNewPatient",
    "SetAppointment",
    "CreateClaimForRefusal",
    "GetPatientHistory",
    "GetPatientsAreas",
    "UpdatePhoneByIdPat",
    "SetWaitingList",
)
WRAPPERS = tuple(name for op in OPERATIONS for name in (op, f"{op}Response"))

# ---------------------------------------------------------------------------------------------
# Sample data
# ---------------------------------------------------------------------------------------------

GUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
LPU = 1001
START = datetime(2024, 5, 6, 8, 0)
END = datetime(2024, 5, 20, 20, 0)
BIRTHDAY = datetime(1980, 1, 2)

PATIENT = {
    "Surname": "Иванов",
    "Name": "Иван",
    "SecondName": "Иванович",
    "Birthday": BIRTHDAY,
    "Polis_S": None,
    "Polis_N": "8655000000000001",
    "Document_S": "6712",
    "Document_N": "123456",
    "Snils": "112-233-445 95",
    "CellPhone": "+79001234567",
    "HomePhone": "83467123456",
    "AriaNumber": "12",
}
CODING = {"Code": "1", "System": "1.2.643.5.1.13.13.11.1005", "Version": "2"}
ATTACHED_REFERRAL = {
    "IdMq": "MQ-77",
    "MqReferralStatus": CODING,
    "MqReferralStatusDate": START,
    "QLength": 3,
    "Referral": {
        "EventsInfo": {
            "Source": {"IsReferralReviewed": True, "PlannedDate": START},
            "Target": {"IsReferralReviwed": False, "RefferalCreatedDate": START},
        },
        "Patient": {
            "ContactDtos": {
                "ContactDto": [{"ContactType": CODING, "ContactValue": "+79001234567"}],
            },
            "Documents": {
                "DocumentDto": [{"DocN": "123456", "DocS": "6712", "DocumentType": CODING}],
            },
            "Person": {
                "BirthDate": BIRTHDAY,
                "HumanName": {
                    "FamilyName": "Иванов", "GivenName": "Иван", "MiddleName": "Иванович",
                },
                "IdPatientMis": "P-1",
                "Sex": CODING,
            },
        },
        "ReferralInfo": {"Date": START, "ProfileMedService": CODING, "Reason": "Консультация"},
        "ReferralSurvey": {
            "Additional": {
                "Height": "180",
                "ExtraData": {"KeyValueOfstringstring": [{"Key": "cito", "Value": "нет"}]},
            },
            "SurveyType": CODING,
        },
        "Source": {
            "Doctors": {"Doctor": [
                {"Person": {"HumanName": {"FamilyName": "Петров"}}, "Speciality": CODING},
            ]},
            "Lpu": CODING,
            "MainDiagnosis": {
                "MainDiagnosis": [
                    {
                        "ComplicationDiagnosis": {"DiagnosisInfo": [{"MkbCode": CODING}]},
                        "DiagnosisInfo": {"DiagnosedDate": START, "MkbCode": CODING},
                    }
                ]
            },
        },
        "Target": {"Lpu": CODING, "ReceptionAppointDate": START},
    },
}

SAMPLE_REQUESTS: dict[str, dict[str, Any]] = {
    "GetDistrictList": {"guid": GUID},
    "GetLPUList": {"idDistrict": 3, "guid": GUID, "idHistory": xsd.Nil},
    "GetLPUInfo": {"idLpu": LPU, "guid": GUID},
    "GetSpesialityList": {"idLpu": LPU, "idPat": "P-1", "guid": GUID, "idHistory": 77},
    "GetDoctorList": {"idSpesiality": "27", "idLpu": LPU, "idPat": "P-1", "guid": GUID},
    "GetWorkingTime": {
        "idDoc": "D-15", "idLpu": LPU, "visitStart": START, "visitEnd": END, "guid": GUID,
    },
    "GetAvailableDates": {
        "idDoc": "D-15", "idLpu": LPU, "idPat": "P-1", "visitStart": START, "visitEnd": END,
        "guid": GUID,
    },
    "GetAvaibleAppointments": {
        "idDoc": "D-15", "idLpu": LPU, "idPat": "P-1", "visitStart": START, "visitEnd": END,
        "guid": GUID,
    },
    "CheckPatient": {"pat": PATIENT, "idLpu": LPU, "guid": GUID},
    "SearchTop10Patient": {
        "pat": {"Surname": "Иванов", "Name": "Иван", "Birthday": BIRTHDAY}, "idLpu": LPU,
        "guid": GUID,
    },
    "AddNewPatient": {"patient": PATIENT, "idLpu": LPU, "approvedByTfoms": True, "guid": GUID},
    "SetAppointment": {
        "idAppointment": "A-100",
        "idLpu": LPU,
        "idPat": "P-1",
        "doctorsReferral": "R-2024-1",
        "attachedReferral": ATTACHED_REFERRAL,
        "idAppointmentPrev": "A-099",
        "guid": GUID,
        "idHistory": 77,
    },
    "CreateClaimForRefusal": {"idLpu": LPU, "idPat": "P-1", "idAppointment": "A-100", "guid": GUID},
    "GetPatientHistory": {"idLpu": LPU, "idPat": "P-1", "guid": GUID},
    "GetPatientsAreas": {"idLpu": str(LPU), "idPat": "P-1", "guid": GUID},
    "UpdatePhoneByIdPat": {
        "idLpu": LPU, "idPat": "P-1", "homePhone": "83467123456", "cellPhone": "+79001234567",
        "guid": GUID,
    },
    "SetWaitingList": {
        "idDoc": "D-15",
        "nameDoc": "Петров Пётр Петрович",
        "idSpesiality": "27",
        "nameSpesiality": "Терапия",
        "idLpu": LPU,
        "rule": {"Start": START, "End": END},
        "claim": "нет_удобного_времени",
        "idPat": "P-1",
        "namePat": "Иванов Иван Иванович",
        "birthday": BIRTHDAY,
        "phone": "+79001234567",
        "guid": GUID,
    },
}

OK = {"Success": True, "IdHistory": 77}
DOCTOR = {
    "IdDoc": "D-15", "Name": "Петров Пётр Петрович", "Snils": "112-233-445 95", "AriaNumber": "12",
    "CountFreeTicket": 5, "CountFreeParticipantIE": 4, "NearestDate": START, "LastDate": END,
    "Comment": "Приём по предварительной записи",
}
SPESIALITY = {
    "IdSpesiality": "27", "FerIdSpesiality": "109", "NameSpesiality": "Терапия",
    "CountFreeTicket": 12, "CountFreeParticipantIE": 10, "NearestDate": START, "LastDate": END,
}
VISIT = {
    "IdAppointment": "A-100",
    "VisitStart": START,
    "DateCreatedAppointment": datetime(2024, 5, 1, 10, 15),
    "DoctorRendingConsultation": {"IdDoc": "D-15", "Name": "Петров Пётр Петрович"},
    "SpecialityRendingConsultation": {"IdSpesiality": "27", "NameSpesiality": "Терапия"},
    "UserCreatedAppointment": {"UserName": "Оператор 1", "UserPosition": "Регистратор"},
}

SAMPLE_RESPONSES: dict[str, dict[str, Any]] = {
    "GetDistrictList": {"GetDistrictListResult": {**OK, "Districts": {"District": [
        {"IdDistrict": 1, "DistrictName": "Ханты-Мансийский район", "Okato": 71129000000.0},
        {"IdDistrict": 2, "DistrictName": "Сургут", "Okato": None},
    ]}}},
    "GetLPUList": {"GetLPUListResult": {**OK, "ListLPU": {"Clinic": [
        {"IdLPU": LPU, "LPUFullName": "БУ «Окружная клиническая больница»", "LPUShortName": "ОКБ",
         "LPUType": 1, "District": 1, "PartOf": None, "Oid": "1.2.643.5.1.13.13.12.2.86.8902",
         "IsActive": True, "Description": "Поликлиника"},
        {"IdLPU": LPU + 1, "LPUFullName": "Поликлиника № 2", "LPUShortName": "П2", "LPUType": 2,
         "District": 1, "PartOf": LPU, "IsActive": False},
    ]}}},
    "GetLPUInfo": {"GetLPUInfoResult": {**OK, "LpuCollection": {"LpuInfo": [
        {"Id": LPU, "FullName": "БУ «Окружная клиническая больница»", "ShortName": "ОКБ",
         "Type": "Поликлиника", "Address": "г. Ханты-Мансийск, ул. Калинина, 40",
         "Phone": "+73467390000", "Email": "okb@example.org", "WorkTime": "08:00-20:00",
         "DistrictId": 1, "DistrictName": "Ханты-Мансийский район", "DistrictOkato": 71129000000.0,
         "Oid": "1.2.643.5.1.13.13.12.2.86.8902", "PublicGuid": GUID, "Commentary": "—"},
    ]}}},
    "GetSpesialityList": {"GetSpesialityListResult": {
        **OK, "ListSpesiality": {"Spesiality": [SPESIALITY]}, "LpuChanges": None,
    }},
    "GetDoctorList": {"GetDoctorListResult": {**OK, "Docs": {"Doctor": [DOCTOR]}}},
    "GetWorkingTime": {"GetWorkingTimeResult": {**OK, "WorkingTimeList": {"WorkingTime": [
        {"VisitStart": START, "VisitEnd": datetime(2024, 5, 6, 14, 0), "RecordableDay": True},
        {"VisitStart": datetime(2024, 5, 7, 8, 0), "VisitEnd": datetime(2024, 5, 7, 14, 0),
         "RecordableDay": False, "DenyCause": "Отпуск"},
    ]}}},
    "GetAvailableDates": {"GetAvailableDatesResult": {
        **OK, "AvailableDateList": {"dateTime": [datetime(2024, 5, 6), datetime(2024, 5, 8)]},
    }},
    "GetAvaibleAppointments": {"GetAvaibleAppointmentsResult": {**OK, "ListAppointments": {
        "Appointment": [
            {"IdAppointment": "A-100", "VisitStart": datetime(2024, 5, 6, 9, 0),
             "VisitEnd": datetime(2024, 5, 6, 9, 15), "Room": "214",
             "Address": "г. Ханты-Мансийск, ул. Калинина, 40", "Num": 1},
        ],
    }}},
    "CheckPatient": {"CheckPatientResult": {**OK, "IdPat": "P-1"}},
    "SearchTop10Patient": {"SearchTop10PatientResult": {
        **OK,
        "ListPatient": {"Patient": [{**PATIENT, "IdPat": "P-1"}, {**PATIENT, "IdPat": "P-7"}]},
    }},
    "AddNewPatient": {"AddNewPatientResult": {**OK, "IdPat": "P-8"}},
    "SetAppointment": {"SetAppointmentResult": {**OK, "Type": "узкий"}},
    "CreateClaimForRefusal": {"CreateClaimForRefusalResult": {
        "Success": False,
        "ErrorList": {"Error": [
            {"IdError": 75, "ErrorDescription": "Запись не существует или уже отменена"},
        ]},
    }},
    "GetPatientHistory": {"GetPatientHistoryResult": {
        **OK,
        "ListHistoryRefusal": {"HistoryRefusal": [{**VISIT, "IdAppointment": "A-050"}]},
        "ListHistoryVisit": {"HistoryVisit": [
            {**VISIT, "DoctorBringReferal": {"IdDoc": "D-2"},
             "SpecialityBringReferal": {"IdSpesiality": "3"}},
        ]},
    }},
    "GetPatientsAreas": {"GetPatientsAreasResult": {**OK, "PatientsAreaList": {"PatientsArea": [
        {"Area": "12", "AreaType": "Терапевтический"},
        {"Area": "3", "AreaType": "Педиатрический"},
    ]}}},
    "UpdatePhoneByIdPat": {"UpdatePhoneByIdPatResult": OK},
    "SetWaitingList": {"SetWaitingListResult": {**OK, "GuidClaim": GUID}},
}

# Replies written the way a WCF service writes them (prefixes a:/b:, i:nil), to check the other
# direction with instances that did not come from our own files.
_WCF = f'xmlns:a="{HS2}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'
WCF_REPLIES: dict[str, tuple[str, dict[str, Any]]] = {
    "GetAvaibleAppointments": (
        f"""<GetAvaibleAppointmentsResponse xmlns="{TEMPURI}">
              <GetAvaibleAppointmentsResult {_WCF}>
                <a:ErrorList i:nil="true"/>
                <a:IdHistory>1234</a:IdHistory>
                <a:Success>true</a:Success>
                <a:ListAppointments>
                  <a:Appointment>
                    <a:Address>г. Ханты-Мансийск, ул. Калинина, 40</a:Address>
                    <a:IdAppointment>7c4b1e2a-0d55-4c1b-9f57-7a4d2a1b9e01</a:IdAppointment>
                    <a:Num i:nil="true"/>
                    <a:Room>214</a:Room>
                    <a:VisitEnd>2024-05-06T09:15:00</a:VisitEnd>
                    <a:VisitStart>2024-05-06T09:00:00</a:VisitStart>
                  </a:Appointment>
                  <a:Appointment i:nil="true"/>
                </a:ListAppointments>
              </GetAvaibleAppointmentsResult>
            </GetAvaibleAppointmentsResponse>""",
        {"Success": True, "IdHistory": 1234, "ListAppointments": {"Appointment": [
            {"IdAppointment": "7c4b1e2a-0d55-4c1b-9f57-7a4d2a1b9e01", "Room": "214",
             "VisitStart": datetime(2024, 5, 6, 9, 0), "Num": None},
            # zeep reads a nil array item as an object with every member None, not as None
            {"IdAppointment": None, "VisitStart": None},
        ]}},
    ),
    "GetAvailableDates": (
        f"""<GetAvailableDatesResponse xmlns="{TEMPURI}">
              <GetAvailableDatesResult {_WCF} xmlns:b="{ARR}">
                <a:ErrorList i:nil="true"/>
                <a:IdHistory i:nil="true"/>
                <a:Success>true</a:Success>
                <a:AvailableDateList>
                  <b:dateTime>2024-05-06T00:00:00</b:dateTime>
                  <b:dateTime>2024-05-08T00:00:00</b:dateTime>
                </a:AvailableDateList>
              </GetAvailableDatesResult>
            </GetAvailableDatesResponse>""",
        {"Success": True, "AvailableDateList": {
            "dateTime": [datetime(2024, 5, 6), datetime(2024, 5, 8)],
        }},
    ),
    "SetAppointment": (
        f"""<SetAppointmentResponse xmlns="{TEMPURI}">
              <SetAppointmentResult {_WCF}>
                <a:ErrorList>
                  <a:Error>
                    <a:ErrorDescription>Талон занят или заблокирован</a:ErrorDescription>
                    <a:IdError>39</a:IdError>
                  </a:Error>
                </a:ErrorList>
                <a:IdHistory>1235</a:IdHistory>
                <a:Success>false</a:Success>
                <a:Type>отсутстствует_неопределено</a:Type>
              </SetAppointmentResult>
            </SetAppointmentResponse>""",
        {"Success": False, "Type": "отсутстствует_неопределено",
         "ErrorList": {"Error": [{"IdError": 39}]}},
    ),
    "GetPatientHistory": (
        f"""<GetPatientHistoryResponse xmlns="{TEMPURI}">
              <GetPatientHistoryResult {_WCF}>
                <a:ErrorList i:nil="true"/>
                <a:IdHistory>1236</a:IdHistory>
                <a:Success>true</a:Success>
                <a:ListHistoryRefusal/>
                <a:ListHistoryVisit>
                  <a:HistoryVisit>
                    <a:DateCreatedAppointment>2024-05-01T10:15:00</a:DateCreatedAppointment>
                    <a:DoctorBringReferal i:nil="true"/>
                    <a:DoctorRendingConsultation>
                      <a:AriaNumber i:nil="true"/>
                      <a:Comment i:nil="true"/>
                      <a:CountFreeParticipantIE>0</a:CountFreeParticipantIE>
                      <a:CountFreeTicket>0</a:CountFreeTicket>
                      <a:IdDoc>D-15</a:IdDoc>
                      <a:LastDate i:nil="true"/>
                      <a:Name>Петров Пётр Петрович</a:Name>
                      <a:NearestDate i:nil="true"/>
                      <a:Snils i:nil="true"/>
                    </a:DoctorRendingConsultation>
                    <a:IdAppointment>A-100</a:IdAppointment>
                    <a:SpecialityBringReferal i:nil="true"/>
                    <a:SpecialityRendingConsultation>
                      <a:CountFreeParticipantIE>0</a:CountFreeParticipantIE>
                      <a:CountFreeTicket>0</a:CountFreeTicket>
                      <a:FerIdSpesiality>109</a:FerIdSpesiality>
                      <a:IdSpesiality>27</a:IdSpesiality>
                      <a:LastDate i:nil="true"/>
                      <a:NameSpesiality>Терапия</a:NameSpesiality>
                      <a:NearestDate i:nil="true"/>
                    </a:SpecialityRendingConsultation>
                    <a:UserCreatedAppointment>
                      <a:UserName>Оператор 1</a:UserName>
                      <a:UserPosition>Регистратор</a:UserPosition>
                    </a:UserCreatedAppointment>
                    <a:VisitStart>2024-05-06T09:00:00</a:VisitStart>
                  </a:HistoryVisit>
                </a:ListHistoryVisit>
              </GetPatientHistoryResult>
            </GetPatientHistoryResponse>""",
        {"Success": True, "ListHistoryVisit": {"HistoryVisit": [{
            "IdAppointment": "A-100",
            "DoctorRendingConsultation": {"IdDoc": "D-15"},
            "SpecialityRendingConsultation": {"NameSpesiality": "Терапия"},
            "UserCreatedAppointment": {"UserName": "Оператор 1"},
        }]}},
    ),
    "GetPatientsAreas": (
        f"""<GetPatientsAreasResponse xmlns="{TEMPURI}">
              <GetPatientsAreasResult {_WCF}>
                <a:ErrorList i:nil="true"/>
                <a:IdHistory>1237</a:IdHistory>
                <a:Success>true</a:Success>
                <a:PatientsAreaList>
                  <a:PatientsArea>
                    <a:Area>12</a:Area>
                    <a:AreaType>ВрачОбщейПрактики</a:AreaType>
                  </a:PatientsArea>
                  <a:PatientsArea>
                    <a:Area i:nil="true"/>
                    <a:AreaType>Фтизиатрический</a:AreaType>
                  </a:PatientsArea>
                </a:PatientsAreaList>
              </GetPatientsAreasResult>
            </GetPatientsAreasResponse>""",
        {"Success": True, "PatientsAreaList": {"PatientsArea": [
            {"Area": "12", "AreaType": "ВрачОбщейПрактики"},
            {"Area": None, "AreaType": "Фтизиатрический"},
        ]}},
    ),
    "SetWaitingList": (
        f"""<SetWaitingListResponse xmlns="{TEMPURI}">
              <SetWaitingListResult {_WCF}>
                <a:ErrorList i:nil="true"/>
                <a:IdHistory>1238</a:IdHistory>
                <a:Success>true</a:Success>
                <a:GuidClaim>{GUID}</a:GuidClaim>
              </SetWaitingListResult>
            </SetWaitingListResponse>""",
        {"Success": True, "GuidClaim": GUID},
    ),
}

# Instances both schemas must reject: each pins one wire detail that is easy to get wrong.
_HS = f'xmlns="{TEMPURI}" xmlns:a="{HS2}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'
INVALID_INSTANCES: dict[str, str] = {
    "Patient members out of DataContract order": (
        f"<CheckPatient {_HS}><pat><a:Name>Иван</a:Name><a:AriaNumber>12</a:AriaNumber></pat>"
        "<idLpu>1</idLpu></CheckPatient>"
    ),
    "parameters out of signature order": (
        f"<SetAppointment {_HS}><idAppointment>A</idAppointment><idLpu>1</idLpu>"
        "<idAppointmentPrev>B</idAppointmentPrev><doctorsReferral>R</doctorsReferral>"
        "</SetAppointment>"
    ),
    "idLpu is an xs:int": f"<CheckPatient {_HS}><idLpu>ОКБ</idLpu></CheckPatient>",
    "GetSpesialityList.idLpu is not nillable": (
        f'<GetSpesialityList {_HS}><idLpu i:nil="true"/></GetSpesialityList>'
    ),
    "GetPatientsAreas.guid is a ser:guid": (
        f"<GetPatientsAreas {_HS}><guid>not-a-guid</guid></GetPatientsAreas>"
    ),
    "AreaType outside the enumeration": (
        f"<GetPatientsAreasResponse {_HS}><GetPatientsAreasResult><a:PatientsAreaList>"
        "<a:PatientsArea><a:AreaType>Участковый</a:AreaType></a:PatientsArea>"
        "</a:PatientsAreaList></GetPatientsAreasResult></GetPatientsAreasResponse>"
    ),
    "SpecialistType keeps its misspelt member": (
        f"<SetAppointmentResponse {_HS}><SetAppointmentResult>"
        "<a:Type>отсутствует_неопределено</a:Type></SetAppointmentResult></SetAppointmentResponse>"
    ),
    "Spesiality is not Speciality": (
        f"<GetSpesialityListResponse {_HS}><GetSpesialityListResult><a:ListSpesiality>"
        "<a:Speciality/></a:ListSpesiality></GetSpesialityListResult></GetSpesialityListResponse>"
    ),
    "MethodResult members before the derived ones": (
        f"<CheckPatientResponse {_HS}><CheckPatientResult><a:IdPat>P</a:IdPat>"
        "<a:Success>true</a:Success></CheckPatientResult></CheckPatientResponse>"
    ),
    "data members are not in the tempuri namespace": (
        f"<CheckPatientResponse {_HS}><CheckPatientResult><Success>true</Success>"
        "</CheckPatientResult></CheckPatientResponse>"
    ),
    "dates of ArrayOfdateTime are in the Arrays namespace": (
        f"<GetAvailableDatesResponse {_HS}><GetAvailableDatesResult><a:AvailableDateList>"
        "<a:dateTime>2024-05-06T00:00:00</a:dateTime></a:AvailableDateList>"
        "</GetAvailableDatesResult></GetAvailableDatesResponse>"
    ),
}

# ---------------------------------------------------------------------------------------------
# Schema helpers: an index of global definitions, QName resolution, canonical form, closure
# ---------------------------------------------------------------------------------------------

Key = tuple[str, str, str]  # (target namespace, "element" | "complexType" | "simpleType", name)
KINDS = ("element", "complexType", "simpleType")
QNAME_ATTRIBUTES = ("type", "base", "ref", "itemType")
DEFAULT_VALUES = {"minOccurs": "1", "maxOccurs": "1", "nillable": "false", "mixed": "false"}
LABELS = {XS: "xs", TEMPURI: "tempuri", HS2: "hs2", DTO: "dto", ARR: "arr", SER: "ser"}


def xs(local: str) -> str:
    return f"{{{XS}}}{local}"


def index_schemas(paths: Iterable[Path]) -> dict[Key, etree._Element]:
    index: dict[Key, etree._Element] = {}
    for path in paths:
        root = etree.parse(str(path)).getroot()
        namespace = root.get("targetNamespace")
        for node in root:
            kind = etree.QName(node).localname if isinstance(node.tag, str) else None
            if kind in KINDS and node.tag == xs(kind) and node.get("name"):
                key = (namespace, kind, node.get("name"))
                assert key not in index, f"{key} defined twice"
                index[key] = node
    return index


def resolve(node: etree._Element, value: str) -> tuple[str, str]:
    prefix, _, local = value.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    assert namespace is not None, f"unbound prefix in {value!r}"
    return namespace, local


def label(qname: tuple[str, str]) -> str:
    namespace, local = qname
    return f"{LABELS.get(namespace, '{' + namespace + '}')}:{local}"


def schema_children(node: etree._Element) -> list[etree._Element]:
    """XSD children of a node, without comments and annotations (documentation, WCF appinfo)."""
    return [c for c in node if isinstance(c.tag, str) and c.tag != xs("annotation")]


def canonical(node: etree._Element) -> list[str]:
    """One line per XSD node: path with position (so order counts), then its attributes.

    QName values are resolved to namespaces, defaults are dropped (minOccurs="1" is the same as
    no minOccurs), annotations are ignored.
    """
    lines: list[str] = []

    def walk(el: etree._Element, path: str) -> None:
        attributes = []
        for key, value in sorted(el.attrib.items()):
            if key == "name" or DEFAULT_VALUES.get(key) == value:
                continue
            if key in QNAME_ATTRIBUTES:
                value = label(resolve(el, value))
            attributes.append(f"{key}={value}")
        lines.append(" ".join([path, *attributes]))
        for position, child in enumerate(schema_children(el), start=1):
            name = child.get("name")
            step = f"{etree.QName(child).localname}[{position}{' ' + name if name else ''}]"
            walk(child, f"{path}/{step}")

    walk(node, f"{etree.QName(node).localname} {node.get('name')}")
    return lines


def references(node: etree._Element, index: dict[Key, etree._Element]) -> set[Key]:
    found: set[Key] = set()
    for el in node.iter(f"{{{XS}}}*"):
        for attribute in QNAME_ATTRIBUTES:
            value = el.get(attribute)
            if value is None:
                continue
            namespace, local = resolve(el, value)
            if namespace == XS:
                continue
            if attribute == "ref":
                found.add((namespace, "element", local))
            elif (namespace, "complexType", local) in index:
                found.add((namespace, "complexType", local))
            else:
                found.add((namespace, "simpleType", local))
    return found


def closure(index: dict[Key, etree._Element], roots: Iterable[Key]) -> set[Key]:
    """Every definition reachable from the roots; fails on a reference to a missing definition."""
    seen: set[Key] = set()
    pending = list(roots)
    while pending:
        key = pending.pop()
        if key in seen:
            continue
        assert key in index, f"{label(key[::2])} ({key[1]}) is referenced but not defined"
        seen.add(key)
        pending.extend(references(index[key], index))
    return seen


def wrapper_keys() -> set[Key]:
    return {(TEMPURI, "element", name) for name in WRAPPERS}


class InstanceBuilder:
    """Builds an instance of a wrapper element with every member present, from a schema index.

    Variants: "filled" (no nil), "nil-leaves" (every nillable simple member xsi:nil, and the
    second item of every array), "nil-top" (the wrapper's nillable members xsi:nil).
    """

    SAMPLES: ClassVar[dict[str, str]] = {
        "string": "Проба",
        "int": "7",
        "boolean": "true",
        "dateTime": "2024-05-06T09:30:00",
        "double": "71129000000",
    }

    def __init__(self, index: dict[Key, etree._Element], variant: str) -> None:
        self.index = index
        self.variant = variant
        self.counter = 0

    def build(self, name: str) -> etree._Element:
        declaration = self.index[(TEMPURI, "element", name)]
        root = etree.Element(f"{{{TEMPURI}}}{name}")
        self._members(root, declaration.find(xs("complexType")), TEMPURI, depth=0)
        return root

    def _members(
        self, parent: etree._Element, type_node: etree._Element, ns: str, depth: int
    ) -> None:
        assert depth < 20, "unexpectedly deep (recursive?) type"
        content = type_node.find(xs("complexContent"))
        if content is not None:
            extension = content.find(xs("extension"))
            assert extension is not None, "only complexContent/extension is expected"
            base_ns, base = resolve(extension, extension.get("base"))
            self._members(parent, self.index[(base_ns, "complexType", base)], base_ns, depth)
            type_node = extension
        sequence = type_node.find(xs("sequence"))
        for declaration in schema_children(sequence) if sequence is not None else ():
            assert declaration.tag == xs("element"), f"unexpected particle {declaration.tag}"
            self._member(parent, declaration, ns, depth + 1)

    def _member(
        self, parent: etree._Element, declaration: etree._Element, ns: str, depth: int
    ) -> None:
        qname = resolve(declaration, declaration.get("type")) if declaration.get("type") else None
        if qname is None:
            complex_type, complex_ns = declaration.find(xs("complexType")), ns
        else:
            complex_type = self.index.get((qname[0], "complexType", qname[1]))
            complex_ns = qname[0]
        items = 2 if declaration.get("maxOccurs") == "unbounded" else 1
        nillable = declaration.get("nillable") == "true"
        for item in range(items):
            child = etree.SubElement(parent, f"{{{ns}}}{declaration.get('name')}")
            if nillable and self._nil(complex_type is not None, depth, item):
                child.set(XSI_NIL, "true")
            elif complex_type is not None:
                self._members(child, complex_type, complex_ns, depth)
            else:
                assert qname is not None
                child.text = self._value(qname)

    def _nil(self, is_complex: bool, depth: int, item: int) -> bool:
        if self.variant == "nil-top":
            return depth == 1
        if self.variant == "nil-leaves":
            return not is_complex or item == 1
        return False

    def _value(self, qname: tuple[str, str]) -> str:
        namespace, local = qname
        if namespace == XS:
            return self.SAMPLES[local]
        restriction = self.index[(namespace, "simpleType", local)].find(xs("restriction"))
        members = [e.get("value") for e in restriction.findall(xs("enumeration"))]
        if members:
            self.counter += 1
            return members[self.counter % len(members)]
        if restriction.find(xs("pattern")) is not None:
            assert qname == (SER, "guid"), f"no sample value for the pattern of {label(qname)}"
            return GUID
        return self._value(resolve(restriction, restriction.get("base")))


VARIANTS = ("filled", "nil-leaves", "nil-top")


def assert_valid(schema: etree.XMLSchema, node: etree._Element, what: str) -> None:
    instance = copy.deepcopy(node)
    if not schema.validate(instance):
        errors = "\n".join(f"  line {e.line}: {e.message}" for e in schema.error_log)
        text = etree.tostring(instance, pretty_print=True, encoding=str)
        pytest.fail(f"{what} is not valid:\n{errors}\n{text}")


def assert_subset(expected: Any, actual: Any, path: str = "result") -> None:
    """Every value given in ``expected`` is in ``actual`` (members left out are not compared)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected a structure, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_subset(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, not {len(expected)}"
        for number, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_subset(want, got, f"{path}[{number}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def payload(envelope: etree._Element) -> etree._Element:
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    assert body is not None
    (content,) = body
    return content


def request_envelope(client: zeep.Client, operation: str) -> etree._Element:
    """The SOAP envelope zeep would send for the operation with its sample arguments."""
    return client.create_message(client.service, operation, **SAMPLE_REQUESTS[operation])


def envelope_of(xml: str) -> etree._Element:
    return etree.fromstring(
        f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body>{xml}</s:Body></s:Envelope>'.encode()
    )


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def our_xsd_paths(hub_wsdl_path: Path) -> list[Path]:
    return sorted(hub_wsdl_path.parent.glob("*.xsd"))


@pytest.fixture(scope="module")
def our_schema(hub_wsdl_path: Path) -> etree.XMLSchema:
    """Our schemas in lxml: HubService.xsd imports the others by relative schemaLocation."""
    return etree.XMLSchema(etree.parse(str(hub_wsdl_path.parent / "HubService.xsd")))


@pytest.fixture(scope="module")
def our_index(our_xsd_paths: list[Path]) -> dict[Key, etree._Element]:
    return index_schemas(our_xsd_paths)


@pytest.fixture(scope="module")
def published_index(published_contract_dir: Path) -> dict[Key, etree._Element]:
    return index_schemas(sorted(published_contract_dir.glob("*.xsd")))


@pytest.fixture(scope="module")
def binding(hub_client: zeep.Client) -> Soap11Binding:
    return hub_client.wsdl.bindings[BINDING]


# ---------------------------------------------------------------------------------------------
# Our files alone
# ---------------------------------------------------------------------------------------------


def test_zeep_loads_our_wsdl_offline_with_exactly_the_operations(hub_client: zeep.Client) -> None:
    assert list(hub_client.wsdl.bindings) == [BINDING], "only the SOAP 1.1 binding is described"
    binding = hub_client.wsdl.bindings[BINDING]
    assert isinstance(binding, Soap11Binding)
    assert binding.port_type.name == f"{{{TEMPURI}}}IHubService"
    operations = binding.all()
    assert sorted(operations) == sorted(OPERATIONS)
    assert {name: op.soapaction for name, op in operations.items()} == {
        op: f"http://tempuri.org/IHubService/{op}" for op in OPERATIONS
    }
    assert {op.style for op in operations.values()} == {"document"}

    (port,) = hub_client.wsdl.services["HubService"].ports.values()
    assert port.name == "BasicHttpBinding_IHubService"
    assert port.binding_options["address"] == PLACEHOLDER_ADDRESS


def test_client_transport_refuses_the_network(hub_client: zeep.Client, tmp_path: Path) -> None:
    transport = hub_client.transport
    for url in ("http://r78-rc.zdrav.netrika.ru/Hub24/HubService.svc?wsdl", "https://x.invalid/"):
        with pytest.raises(RuntimeError, match="network access refused"):
            transport.load(url)
    local = tmp_path / "file.xml"
    local.write_bytes(b"<a/>")
    assert transport.load(str(local)) == b"<a/>"


def test_our_files_are_self_contained(hub_wsdl_path: Path, our_xsd_paths: list[Path]) -> None:
    """Imports are relative file names in the same directory; nothing points at a server."""
    assert {p.name for p in our_xsd_paths} >= {"HubService.xsd", "HubService2.xsd"}
    problems = []
    for path in [hub_wsdl_path, *our_xsd_paths]:
        text = path.read_text(encoding="utf-8")
        if "zdrav.netrika.ru" in text or "?xsd=" in text:
            problems.append(f"{path.name}: refers to the published server")
        root = etree.fromstring(text.encode("utf-8"))
        assert root.xpath("//wsp:* | //*[local-name()='UsingAddressing']", namespaces={
            "wsp": "http://schemas.xmlsoap.org/ws/2004/09/policy"
        }) == [], f"{path.name}: WS-Policy / WS-Addressing are not part of our description"
        for location in root.xpath("//@schemaLocation"):
            if "/" in location or ":" in location:
                problems.append(f"{path.name}: schemaLocation {location!r} is not a file name")
            elif not (path.parent / location).is_file():
                problems.append(f"{path.name}: schemaLocation {location!r} does not exist")
    assert not problems, "\n".join(problems)


def test_our_schemas_define_only_what_the_operations_need(
    our_index: dict[Key, etree._Element],
) -> None:
    wrappers = {key for key in our_index if key[0] == TEMPURI}
    assert wrappers == wrapper_keys(), "the tempuri schema declares exactly the 17 wrapper pairs"
    unused = set(our_index) - closure(our_index, wrapper_keys())
    assert not unused, f"defined but not used by the operations: {sorted(unused)}"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_request_from_zeep_is_valid_against_our_schema(
    operation: str, hub_client: zeep.Client, binding: Soap11Binding, our_schema: etree.XMLSchema
) -> None:
    envelope = request_envelope(hub_client, operation)
    assert envelope.find(f"{{{SOAP_ENV}}}Header") is None, "plain SOAP 1.1, no WS-Addressing"
    request = payload(envelope)
    assert request.tag == f"{{{TEMPURI}}}{operation}"
    assert_valid(our_schema, request, f"{operation} request")
    headers = binding.get(operation).input.serialize(**SAMPLE_REQUESTS[operation]).headers
    assert headers["SOAPAction"] == f'"http://tempuri.org/IHubService/{operation}"'


@pytest.mark.parametrize("operation", OPERATIONS)
def test_response_from_our_schema_is_valid_and_parses_back(
    operation: str, binding: Soap11Binding, our_schema: etree.XMLSchema
) -> None:
    message = binding.get(operation).output
    envelope = message.serialize(**SAMPLE_RESPONSES[operation]).content
    response = payload(envelope)
    assert response.tag == f"{{{TEMPURI}}}{operation}Response"
    assert_valid(our_schema, response, f"{operation} response")
    result = serialize_object(message.deserialize(envelope), dict)
    ((_, expected),) = SAMPLE_RESPONSES[operation].items()
    assert_subset(expected, result)


@pytest.mark.parametrize("operation", sorted(WCF_REPLIES))
def test_wcf_style_reply_is_valid_against_our_schema_and_parses(
    operation: str, binding: Soap11Binding, our_schema: etree.XMLSchema
) -> None:
    xml, expected = WCF_REPLIES[operation]
    envelope = envelope_of(xml)
    assert_valid(our_schema, payload(envelope), f"WCF-style {operation} reply")
    result = serialize_object(binding.get(operation).output.deserialize(envelope), dict)
    assert_subset(expected, result)


@pytest.mark.parametrize("case", sorted(INVALID_INSTANCES))
def test_invalid_instance_is_rejected_by_our_schema(case: str, our_schema: etree.XMLSchema) -> None:
    assert not our_schema.validate(etree.fromstring(INVALID_INSTANCES[case].encode()))


# ---------------------------------------------------------------------------------------------
# Against the published contract
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS)
def test_request_from_zeep_is_valid_against_published_schema(
    operation: str, hub_client: zeep.Client, published_schema: etree.XMLSchema
) -> None:
    envelope = request_envelope(hub_client, operation)
    assert_valid(published_schema, payload(envelope), f"{operation} request")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_response_from_our_schema_is_valid_against_published_schema(
    operation: str, binding: Soap11Binding, published_schema: etree.XMLSchema
) -> None:
    envelope = binding.get(operation).output.serialize(**SAMPLE_RESPONSES[operation]).content
    assert_valid(published_schema, payload(envelope), f"{operation} response")


@pytest.mark.parametrize("operation", sorted(WCF_REPLIES))
def test_wcf_style_reply_is_valid_against_published_schema(
    operation: str, published_schema: etree.XMLSchema
) -> None:
    xml, _ = WCF_REPLIES[operation]
    assert_valid(published_schema, payload(envelope_of(xml)), f"WCF-style {operation} reply")


@pytest.mark.parametrize("case", sorted(INVALID_INSTANCES))
def test_invalid_instance_is_rejected_by_published_schema(
    case: str, published_schema: etree.XMLSchema
) -> None:
    assert not published_schema.validate(etree.fromstring(INVALID_INSTANCES[case].encode()))


@pytest.mark.parametrize("element", WRAPPERS)
def test_every_member_built_from_our_schema_is_valid_against_published(
    element: str,
    our_index: dict[Key, etree._Element],
    our_schema: etree.XMLSchema,
    published_schema: etree.XMLSchema,
) -> None:
    for variant in VARIANTS:
        instance = InstanceBuilder(our_index, variant).build(element)
        assert_valid(our_schema, instance, f"{element} ({variant}, from ours) vs ours")
        assert_valid(published_schema, instance, f"{element} ({variant}, from ours) vs published")


@pytest.mark.parametrize("element", WRAPPERS)
def test_every_member_built_from_published_schema_is_valid_against_ours(
    element: str,
    published_index: dict[Key, etree._Element],
    our_schema: etree.XMLSchema,
    published_schema: etree.XMLSchema,
) -> None:
    for variant in VARIANTS:
        instance = InstanceBuilder(published_index, variant).build(element)
        what = f"{element} ({variant}, from published)"
        assert_valid(published_schema, instance, f"{what} vs published")
        assert_valid(our_schema, instance, f"{what} vs ours")


def test_definitions_match_published_structure(
    our_index: dict[Key, etree._Element], published_index: dict[Key, etree._Element]
) -> None:
    """Same name, namespace, member names, order, types, occurrences, nillable, enum members."""
    differences: list[str] = []
    for key in sorted(our_index):
        namespace, kind, name = key
        where = f"{kind} {label((namespace, name))}"
        if key not in published_index:
            differences.append(f"{where}: not defined in the published contract")
            continue
        ours, theirs = canonical(our_index[key]), canonical(published_index[key])
        if ours != theirs:
            diff = difflib.unified_diff(theirs, ours, "published", "ours", lineterm="", n=1)
            differences.append(f"{where}:\n    " + "\n    ".join(diff))
    assert not differences, f"{len(differences)} definition(s) differ:\n" + "\n".join(differences)


def test_our_schemas_define_the_whole_published_closure(
    our_index: dict[Key, etree._Element], published_index: dict[Key, etree._Element]
) -> None:
    needed = closure(published_index, wrapper_keys())
    missing = sorted(label((ns, name)) + f" ({kind})" for ns, kind, name in needed - set(our_index))
    extra = sorted(label((ns, name)) + f" ({kind})" for ns, kind, name in set(our_index) - needed)
    assert not missing and not extra, f"missing: {missing}\nnot needed: {extra}"


def test_schema_documents_use_the_published_form_defaults(
    our_xsd_paths: list[Path], published_contract_dir: Path
) -> None:
    def forms(paths: Iterable[Path]) -> dict[str, tuple[str | None, str | None]]:
        roots = [etree.parse(str(p)).getroot() for p in paths]
        return {
            r.get("targetNamespace"): (r.get("elementFormDefault"), r.get("attributeFormDefault"))
            for r in roots
        }

    ours = forms(our_xsd_paths)
    published = forms(sorted(published_contract_dir.glob("*.xsd")))
    assert {ns: published.get(ns) for ns in ours} == ours


def _wsdl_facts(path: Path) -> dict[str, Any]:
    """What the wire depends on in a WSDL, for our operations only."""
    root = etree.parse(str(path)).getroot()

    def find(xpath: str) -> etree._Element | None:
        found = root.xpath(xpath, namespaces=WSDL_NS)
        assert len(found) <= 1, f"{xpath}: {len(found)} matches"
        return found[0] if found else None

    def ref(node: etree._Element | None, attribute: str) -> str | None:
        return None if node is None else label(resolve(node, node.get(attribute)))

    facts: dict[str, Any] = {"targetNamespace": root.get("targetNamespace")}
    binding = find("wsdl:binding[@name='BasicHttpBinding_IHubService']")
    assert binding is not None
    facts["binding"] = (ref(binding, "type"), [
        (b.get("transport"), b.get("style")) for b in binding.findall("soap:binding", WSDL_NS)
    ])
    for op in OPERATIONS:
        for direction in ("Input", "Output"):
            message = find(f"wsdl:message[@name='IHubService_{op}_{direction}Message']")
            facts[f"message {op} {direction}"] = None if message is None else [
                (part.get("name"), ref(part, "element"), part.get("type"))
                for part in message.findall("wsdl:part", WSDL_NS)
            ]
        abstract = find(f"wsdl:portType[@name='IHubService']/wsdl:operation[@name='{op}']")
        facts[f"portType {op}"] = None if abstract is None else [
            (etree.QName(child).localname, child.get("name"), ref(child, "message"))
            for child in schema_children(abstract)
            if etree.QName(child).localname != "documentation"
        ]
        concrete = find(
            f"wsdl:binding[@name='BasicHttpBinding_IHubService']/wsdl:operation[@name='{op}']"
        )
        if concrete is None:
            facts[f"binding {op}"] = None
            continue
        soap_operation = concrete.find("soap:operation", WSDL_NS)
        facts[f"binding {op}"] = (
            soap_operation.get("soapAction"),
            soap_operation.get("style"),
            [(etree.QName(body.getparent()).localname, sorted(body.attrib.items()))
             for body in concrete.iterfind(".//soap:body", WSDL_NS)],
            [etree.QName(c).localname for c in concrete.iterfind(".//soap:header", WSDL_NS)],
        )
    return facts


def test_wsdl_matches_published_for_our_operations(
    hub_wsdl_path: Path, published_contract_dir: Path
) -> None:
    """Message and part names, portType IHubService, soapAction, style and use of each operation."""
    ours = _wsdl_facts(hub_wsdl_path)
    published = _wsdl_facts(published_contract_dir / "netrika-hubservice-hub24.wsdl")
    differences = [
        f"{key}:\n    published {published[key]!r}\n    ours      {ours[key]!r}"
        for key in ours
        if ours[key] != published[key]
    ]
    assert not differences, "\n".join(differences)

