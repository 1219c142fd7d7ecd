"""``AsyncHub`` under plain asyncio, and ``HubConnector`` routing and client caching."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from workstation.services.emulator.server import EmulatorServer
from workstation.services.hub import (
    AsyncHub,
    HubConnector,
    HubEndpoint,
    HubNotConfigured,
    HubUnavailable,
)
from workstation.services.hub.errors import SlotTaken

from .conftest import FAST, Demo


def test_concurrent_calls(connector: HubConnector, demo: Demo) -> None:
    hub = AsyncHub(connector, max_workers=8)

    async def main() -> None:
        await hub.warm_up(demo.id_lpu)
        districts, clinics, doctors, slots = await asyncio.gather(
            hub.get_district_list(),
            hub.get_lpu_list(),
            hub.get_doctor_list(demo.id_lpu, demo.id_speciality),
            hub.get_available_appointments(demo.id_lpu, demo.id_doc, demo.start, demo.end),
        )
        infos = await asyncio.gather(*(hub.get_lpu_info(demo.id_lpu) for _ in range(10)))
        assert districts and clinics and doctors and slots
        assert all(info is not None and info.id_lpu == demo.id_lpu for info in infos)

        id_pat = await hub.check_patient(demo.id_lpu, demo.patient)
        # Two operators race for the same slot: exactly one wins, the other gets 39.
        outcomes = await asyncio.gather(
            hub.set_appointment(demo.id_lpu, id_pat, slots[0].id_appointment),
            hub.set_appointment(demo.id_lpu, id_pat, slots[0].id_appointment),
            return_exceptions=True,
        )
        assert sorted(type(o).__name__ for o in outcomes) == ["Booking", "SlotTaken"]
        assert any(isinstance(o, SlotTaken) for o in outcomes)
        history = await hub.get_patient_history(demo.id_lpu, id_pat)
        assert slots[0].id_appointment in {v.id_appointment for v in history.visits}
        await hub.create_claim_for_refusal(demo.id_lpu, id_pat, slots[0].id_appointment)

    try:
        asyncio.run(main())
    finally:
        hub.close()


def test_awaiting_does_not_block_the_loop(
    emulator: EmulatorServer, connector: HubConnector
) -> None:
    emulator.faults.set("GetDistrictList", "latency", latency=0.5)
    hub = AsyncHub(connector)
    ticks: list[float] = []

    async def ticker(stop: asyncio.Event) -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.02)

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(ticker(stop))
        loop_thread = threading.get_ident()
        districts = await hub.get_district_list()
        stop.set()
        await task
        assert districts
        assert threading.get_ident() == loop_thread

    try:
        asyncio.run(main())
    finally:
        hub.close()
    assert len(ticks) >= 10  # the loop kept running while the call waited 0.5 s


def test_async_errors_propagate(emulator: EmulatorServer, connector: HubConnector) -> None:
    emulator.faults.set("GetDistrictList", "http500")
    hub = AsyncHub(connector)
    try:
        with pytest.raises(HubUnavailable):
            asyncio.run(hub.get_district_list())
    finally:
        hub.close()


def test_routing_and_client_cache(emulator: EmulatorServer) -> None:
    regional = HubEndpoint(emulator.url, emulator.guid, "Региональный узел")
    own = HubEndpoint("http://127.0.0.1:9/HubService.svc", emulator.guid, "МИС ОКБ")
    hubs = HubConnector(FAST)
    with pytest.raises(HubNotConfigured):
        hubs.for_lpu(1001)
    hubs.add(regional, regional=True)
    hubs.add(own, lpus=[1002])
    try:
        assert hubs.endpoint_for(1001) == regional
        assert hubs.endpoint_for(None) == regional
        assert hubs.endpoint_for(1002) == own
        assert hubs.endpoint_named("МИС ОКБ") == own
        assert hubs.for_lpu(1001) is hubs.for_lpu(1003) is hubs.for_lpu(None)
        assert hubs.for_lpu(1002) is not hubs.for_lpu(1001)
        same = HubEndpoint(emulator.url, emulator.guid, "другое имя")
        assert hubs.client(same) is hubs.for_lpu(1001)  # cached per (url, guid)
        assert hubs.client(HubEndpoint(emulator.url, "other")) is not hubs.for_lpu(1001)
        assert hubs.for_lpu(1001).get_lpu_info(1001) is not None
        with pytest.raises(HubUnavailable) as caught:  # port 9 (discard) is closed
            hubs.for_lpu(1002).get_lpu_info(1002)
        assert caught.value.endpoint_url == own.url
        hubs.name_institution(1002, "БУ «Окружная клиническая больница»")
        assert hubs.for_lpu(1002).institution(1002) == "БУ «Окружная клиническая больница»"
    finally:
        hubs.close()


def test_endpoint_repr_hides_the_guid() -> None:
    endpoint = HubEndpoint("http://lpu/HubService.svc", "secret-guid", "ЛПУ")
    assert "secret-guid" not in repr(endpoint)
