"""``Success=false`` to typed errors: the mapping table, and the codes the emulator produces."""

from __future__ import annotations

import datetime as dt

import pytest

from workstation.services.hub import errors
from workstation.services.hub.client import HubClient
from workstation.services.hub.errors import (
    ERROR_CLASSES,
    UNAVAILABLE_MESSAGE,
    HubBusinessError,
    HubError,
    HubUnavailable,
    business_error,
)
from workstation.services.hub.results import HubPatient

from .conftest import Demo, valid_snils

CATALOGUE = {
    4: errors.IncompleteData,
    20: errors.PatientNotFound,
    21: errors.PatientNotUnique,
    22: errors.CivilRegistryMismatch,
    33: errors.DoctorProfileMismatch,
    34: errors.AgeRestriction,
    35: errors.AlreadyBooked,
    36: errors.NotAttachedToArea,
    38: errors.InvalidSlot,
    39: errors.SlotTaken,
    41: errors.NoAreaInformation,
    75: errors.AppointmentNotFound,
    99: errors.HubTechnicalError,
}

# What the operator is told to do next, per code (the manual's list of remedies).
REMEDY = {
    4: "Дополните данные пациента",
    20: "введите иные данные пациента",
    21: "Уточните данные пациента",
    22: "введите иные данные пациента",
    33: "Выберите другого врача",
    34: "Выберите другого врача",
    35: "Выберите другого врача",
    36: "Выберите другого врача",
    38: "запишитесь на другое время",
    39: "Запишитесь на другое время",
    41: "службу технической поддержки МИАЦ",
    75: "Обновите список записей",
    99: "службу технической поддержки МИАЦ",
}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_catalogued_code_has_its_class(code: int) -> None:
    error = business_error([(code, "описание МИС")], institution="БУ «Сургутская ОКБ»")
    assert type(error) is CATALOGUE[code]
    assert isinstance(error, HubBusinessError) and isinstance(error, HubError)
    assert error.code == code
    assert error.hub_description == "описание МИС"
    assert REMEDY[code] in error.message
    assert str(error) == error.message
    assert error.errors == ((code, "описание МИС"),)


def test_table_is_the_catalogue() -> None:
    assert ERROR_CLASSES == CATALOGUE


@pytest.mark.parametrize("code", [99, 41])
def test_support_messages_name_the_institution_and_the_error(code: int) -> None:
    error = business_error([(code, "Ошибка БД")], institution="БУ «Сургутская ОКБ»")
    assert "БУ «Сургутская ОКБ»" in error.message
    assert "Ошибка БД" in error.message


def test_unknown_code() -> None:
    error = business_error([(1234, "Что-то новое"), (20, "второе")], institution="ЛПУ № 7")
    assert type(error) is errors.UnknownHubError
    assert error.code == 1234
    assert error.hub_description == "Что-то новое"
    assert "1234" in error.message and "ЛПУ № 7" in error.message
    assert "технической поддержки" in error.message
    assert error.errors == ((1234, "Что-то новое"), (20, "второе"))


def test_first_error_decides_and_all_are_kept() -> None:
    error = business_error([(39, "занят"), (99, "и ещё")])
    assert isinstance(error, errors.SlotTaken)
    assert error.errors == ((39, "занят"), (99, "и ещё"))


def test_no_error_list() -> None:
    error = business_error([])
    assert type(error) is errors.UnknownHubError
    assert error.code == 0


def test_unavailable_message_is_the_manuals() -> None:
    error = HubUnavailable("http://lpu/HubService.svc", "timeout")
    assert error.message == (
        "Выбранное время недоступно для записи. К сожалению, временно нет связи с ЛПУ. "
        "Попробуйте обратиться позже."
    )
    assert UNAVAILABLE_MESSAGE == error.message == str(error)
    assert not isinstance(error, HubBusinessError)


# ---- codes produced by the emulator ------------------------------------------------------------


def test_4_incomplete_data(client: HubClient, demo: Demo) -> None:
    with pytest.raises(errors.IncompleteData) as caught:
        client.check_patient(demo.id_lpu, HubPatient(surname="Иванов"))
    assert caught.value.code == 4 and caught.value.hub_description


def test_20_patient_not_found(client: HubClient, demo: Demo) -> None:
    nobody = HubPatient(surname="Несуществующий", name="Никто", birthday=dt.date(1901, 1, 1))
    with pytest.raises(errors.PatientNotFound) as caught:
        client.check_patient(demo.id_lpu, nobody)
    assert caught.value.code == 20
    assert "Пациент не найден" in caught.value.hub_description
    assert "ЛПУ № " not in caught.value.message  # plain remedy, no support call


def test_21_patient_not_unique(client: HubClient, demo: Demo) -> None:
    twin = HubPatient(surname="Двойников", name="Близнец", birthday=dt.date(1985, 2, 3))
    for n in (1, 2):
        client.add_new_patient(
            demo.id_lpu, HubPatient(**{**twin.__dict__, "snils": valid_snils(234_567_800 + n)})
        )
    with pytest.raises(errors.PatientNotUnique) as caught:
        client.check_patient(demo.id_lpu, twin)
    assert caught.value.code == 21


def test_22_civil_registry_mismatch(client: HubClient, demo: Demo) -> None:
    stranger = HubPatient(
        surname="Чужой", name="Снилс", birthday=dt.date(1970, 7, 7), snils=demo.patient.snils
    )
    with pytest.raises(errors.CivilRegistryMismatch) as caught:
        client.add_new_patient(demo.id_lpu, stranger)
    assert caught.value.code == 22


def test_35_38_39_75_booking_refusals(client: HubClient, demo: Demo) -> None:
    id_pat = client.check_patient(demo.id_lpu, demo.patient)
    slots = client.get_available_appointments(demo.id_lpu, demo.id_doc, demo.start, demo.end)
    client.set_appointment(demo.id_lpu, id_pat, slots[0].id_appointment)

    with pytest.raises(errors.SlotTaken) as taken:
        client.set_appointment(demo.id_lpu, id_pat, slots[0].id_appointment)
    assert taken.value.code == 39

    with pytest.raises(errors.AlreadyBooked) as already:
        client.set_appointment(demo.id_lpu, id_pat, slots[1].id_appointment)
    assert already.value.code == 35

    with pytest.raises(errors.InvalidSlot) as invalid:
        client.set_appointment(demo.id_lpu, id_pat, "no-such-slot")
    assert invalid.value.code == 38

    with pytest.raises(errors.AppointmentNotFound) as missing:
        client.create_claim_for_refusal(demo.id_lpu, id_pat, slots[1].id_appointment)
    assert missing.value.code == 75

    client.create_claim_for_refusal(demo.id_lpu, id_pat, slots[0].id_appointment)
    with pytest.raises(errors.AppointmentNotFound):
        client.create_claim_for_refusal(demo.id_lpu, id_pat, slots[0].id_appointment)


def test_business_errors_on_the_fast_path(client: HubClient) -> None:
    with pytest.raises(errors.IncompleteData) as caught:
        client.get_doctor_list(999_999, "1")
    assert "ЛПУ № 999999" in caught.value.institution


def test_wrong_guid(client: HubClient, demo: Demo) -> None:
    from workstation.services.hub import HubEndpoint
    from workstation.services.hub.client import HubClient as Client

    intruder = Client(HubEndpoint(client.endpoint.url, "00000000-0000-0000-0000-000000000000"))
    try:
        with pytest.raises(HubBusinessError) as caught:
            intruder.get_district_list()
    finally:
        intruder.close()
    assert caught.value.code == 99
