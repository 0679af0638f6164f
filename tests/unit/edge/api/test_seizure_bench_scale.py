"""Seized goods are weighed on the lane's bench scale, never on the weighbridge:
an item taken from the bench scale carries that very reading and the scale's
calibration standing, and the weighbridge cannot weigh an item (nor the bench
scale a vehicle)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from edge.config import ConfigError, parse_config
from tests.support.pdf_text import pdf_text
from tests.support.technician_bench import Bench, running_bench
from tests.support.waiting import wait_for


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    with running_bench(tmp_path_factory.mktemp("bench-scale"), ("scale-1", "bench-1")) as bench:
        yield bench


def stable_seq(bench: Bench, device_id: str, kg: float) -> int:
    """The seq of the stable reading showing ``kg`` that the officer sees."""
    state = bench.server.devices.get(device_id)
    wait_for(lambda: state.latest is not None and state.latest["data"].get("stable")
             and state.latest["data"]["weight"] == kg, message=f"{kg} kg stable on {device_id}")
    return state.latest["seq"]


def item(**extra: Any) -> dict[str, Any]:
    return {"description": "Cigarettes, 20 cartons", "hs_code": "240220", "quantity": 20, "unit": "cartons",
            "value": 1250, "currency": "EUR", **extra}


def seize(bench: Bench, inspection_id: str, items: list[dict[str, Any]], status: int = 201) -> Any:
    seizure_id = str(uuid.uuid4())
    response = bench.call("POST", "/seizures", user="olga", json={
        "id": seizure_id, "inspection_id": inspection_id, "legal_basis": "CEMA 1979 s.139", "items": items})
    assert response.status_code == status, response.get_json()
    return seizure_id, response.get_json()


def test_an_item_weighed_on_the_bench_scale_keeps_that_reading(bench: Bench) -> None:
    bench.sims["bench-1"].set_load(12.46, settle=True)
    seq = stable_seq(bench, "bench-1", 12.46)
    inspection_id = bench.inspection()
    seizure_id, answer = seize(bench, inspection_id, [item(weighed_on={"device_id": "bench-1", "reading_seq": seq}),
                                                      item(weight_kg=3.5)])
    weighed, typed = answer["seizure"]["items"]
    assert weighed["weight_kg"] == 12.46 and weighed["weighed"]["reading"]["seq"] == seq
    assert weighed["weighed"]["device"]["id"] == "bench-1" and weighed["weighed"]["raw"]["text"]
    assert weighed["weighed"]["calibration_due"] is True  # never calibrated on the bench: due, and said so
    assert "weighed" not in typed and typed["weight_kg"] == 3.5
    text = pdf_text(bench.call("GET", f"/seizures/{seizure_id}/report.pdf", user="olga").data)
    assert "12.46 on bench-1 (CALIBRATION DUE when read)" in " ".join(text.split()) and "3.5 (typed)" in text


def test_the_weighbridge_cannot_weigh_seized_goods(bench: Bench) -> None:
    bench.sims["scale-1"].set_load(18220, settle=True)
    seq = stable_seq(bench, "scale-1", 18220)
    inspection_id = bench.inspection()
    seizure_id, answer = seize(bench, inspection_id, [item(weighed_on={"device_id": "scale-1", "reading_seq": seq})],
                               status=409)
    assert answer["error"]["code"] == "not_a_bench_scale"
    assert bench.call("GET", f"/seizures/{seizure_id}", user="olga").status_code == 404


def test_a_typed_weight_that_is_not_the_scales_is_refused(bench: Bench) -> None:
    bench.sims["bench-1"].set_load(7.2, settle=True)
    seq = stable_seq(bench, "bench-1", 7.2)
    seizure_id, answer = seize(bench, bench.inspection(),
                               [item(weight_kg=7.0, weighed_on={"device_id": "bench-1", "reading_seq": seq})],
                               status=409)
    assert answer["error"]["code"] == "weight_differs"
    assert bench.call("GET", f"/seizures/{seizure_id}", user="olga").status_code == 404


def test_the_bench_scale_never_weighs_a_vehicle(bench: Bench) -> None:
    bench.sims["bench-1"].set_load(25.0, settle=True)
    stable_seq(bench, "bench-1", 25.0)
    inspection_id = bench.inspection()
    answer = bench.call("POST", "/attachments", user="olga", json={
        "id": str(uuid.uuid4()), "device_id": "bench-1", "record_type": "inspection", "record_id": inspection_id})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "bench_scale"
    assert bench.ok("GET", f"/inspections/{inspection_id}", user="olga")["weights"] == []


def test_the_api_and_the_live_status_say_which_scale_is_which(bench: Bench) -> None:
    devices = {d["id"]: d for d in bench.ok("GET", "/devices")["devices"]}
    assert (devices["scale-1"]["use"], devices["bench-1"]["use"]) == ("weighbridge", "bench")
    assert bench.server.devices.get("bench-1").status_message()["use"] == "bench"


@pytest.mark.parametrize("device, problem", [
    ({"kind": "trace", "driver": "etd-ascii", "use": "bench"}, "only a scale has a use"),
    ({"kind": "scale", "driver": "mt-sics", "use": "kitchen"}, "'kitchen' is not one of weighbridge, bench"),
])
def test_a_use_only_scales_have(tmp_path, device: dict[str, Any], problem: str) -> None:
    raw = {"lane": {"id": "L1"}, "server": {"data_dir": str(tmp_path)},
           "devices": [{"id": "d1", "port": "/dev/ttyUSB0", **device}]}
    with pytest.raises(ConfigError) as refused:
        parse_config(raw)
    assert "devices[0].use" in str(refused.value) and problem in str(refused.value)
