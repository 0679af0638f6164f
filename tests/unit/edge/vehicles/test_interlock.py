"""The weighing interlock (``[lane] interlock = true``): a weight is attached only once the vehicle's
radiation scan has ended clear or been adjudicated, and the scale shows a load — on a real scale
simulator over a pty."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from edge.vehicles.interlock import interlock
from tests.support.technician_bench import Bench, close_bench, make_bench
from tests.support.waiting import wait_for
from tests.unit.edge.vehicles.sightings import Sightings


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    bench = make_bench(tmp_path)
    bench.config_devices = ("scale-1",)
    plain = bench.config
    bench.config = lambda: {**plain(), "lane": {"id": "TECH-1", "interlock": True}}  # type: ignore[method-assign]
    try:
        bench.start()
        bench.connected("scale-1")
        yield bench
    finally:
        close_bench(bench)


def new_id() -> str:
    return str(uuid.uuid4())


def weigh(bench: Bench, inspection_id: str, kg: float, **extra: Any) -> Any:
    bench.sims["scale-1"].set_load(kg, settle=True)
    state = bench.server.devices.get("scale-1")
    wait_for(lambda: state.latest is not None and state.latest["data"]["stable"]
             and state.latest["data"]["weight"] == kg, message=f"{kg} kg shown")
    return bench.call("POST", "/attachments", user="olga", json={
        "id": new_id(), "device_id": "scale-1", "record_type": "inspection", "record_id": inspection_id,
        "reading_seq": state.latest["seq"], **extra})


def attached(bench: Bench) -> int:
    return bench.server.store.query("SELECT COUNT(*) AS n FROM events WHERE type = 'reading.attached'")[0]["n"]


def refused_for(bench: Bench, response: Any, before: int) -> str:
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "interlock"
    assert attached(bench) == before
    return response.get_json()["error"]["message"]


def test_the_weight_waits_for_the_scan_its_adjudication_and_a_load(bench: Bench) -> None:
    rpm = Sightings(bench.server)
    rpm.occupied()
    vehicle = wait_for(lambda: bench.ok("GET", "/vehicles", user="olga")["vehicles"], message="a vehicle")[0]
    started = bench.ok("POST", "/inspections", {"id": new_id(), "plate": "KHN 512", "containers": [],
                                                "inspection_type": "standard", "vehicle_id": vehicle["id"]},
                       status=201, user="olga")["inspection"]
    path = f"/inspections/{started['id']}"
    assert started["interlock"]["ready"] is False
    before = attached(bench)
    assert "still running" in refused_for(bench, weigh(bench, started["id"], 12000.0), before)

    rpm.left(gamma_alarm=True)
    view = wait_for(lambda: (v := bench.ok("GET", path, user="olga"))["radiation"]["occupancies"] and v)
    assert "adjudication" in view["interlock"]["why"]
    message = refused_for(bench, weigh(bench, started["id"], 12000.0, reason="it is this lorry's"), before)
    assert "adjudication" in message

    bench.ok("POST", f"{path}/radiation", {"id": new_id(), "code": "innocent_norm",
                                           "occupancy_event": view["radiation"]["occupancies"][0]["event_id"],
                                           "secondary": {"performed": True, "result": "no_source_found"}},
             status=201, user="olga")
    assert "Nothing is on the scale" in refused_for(bench, weigh(bench, started["id"], 0.0), before)
    assert weigh(bench, started["id"], 12020.0).status_code == 201
    assert bench.ok("GET", path, user="olga")["interlock"] == {"ready": True, "why": interlock(
        {"occupancies": [{}], "state": "adjudicated", "needs_adjudication": False}, True)["why"]}


def test_an_inspection_started_by_hand_on_an_interlocked_lane_waits_for_a_scan(bench: Bench) -> None:
    inspection_id = bench.inspection()
    assert "radiation portal" in refused_for(bench, weigh(bench, inspection_id, 12000.0), attached(bench))
