"""Seized goods are weighed on the lane's bench scale, never on the weighbridge:
"From scale" records the reading shown as a bench weighing (an event of its
own, so a seizure recorded minutes later, or replayed from the tablet's outbox,
still cites it), an item citing it carries its weight and the scale's
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


def weigh(bench: Bench, device_id: str, kg: float, status: int = 201) -> Any:
    """The officer taps "From scale" with ``kg`` shown on ``device_id``."""
    seq = stable_seq(bench, device_id, kg)
    weighing_id = str(uuid.uuid4())
    response = bench.call("POST", "/bench-weighings", user="olga",
                          json={"id": weighing_id, "device_id": device_id, "reading_seq": seq})
    assert response.status_code == status, response.get_json()
    return weighing_id, response.get_json()


def item(**extra: Any) -> dict[str, Any]:
    return {"description": "Cigarettes, 20 cartons", "hs_code": "240220", "quantity": 20, "unit": "cartons",
            "value": 1250, "currency": "EUR", **extra}


def seize(bench: Bench, inspection_id: str, items: list[dict[str, Any]], status: int = 201) -> Any:
    seizure_id = str(uuid.uuid4())
    response = bench.call("POST", "/seizures", user="olga", json={
        "id": seizure_id, "inspection_id": inspection_id, "legal_basis": "CEMA 1979 s.139", "items": items})
    assert response.status_code == status, response.get_json()
    return seizure_id, response.get_json()


def test_an_item_weighed_on_the_bench_scale_keeps_that_weighing(bench: Bench) -> None:
    bench.sims["bench-1"].set_load(12.46, settle=True)
    weighing_id, answer = weigh(bench, "bench-1", 12.46)
    weighing = answer["event"]
    assert weighing["payload"]["weight_kg"] == 12.46 and weighing["payload"]["raw"]["text"]
    seizure_id, answer = seize(bench, bench.inspection(), [item(weighing_id=weighing_id), item(weight_kg=3.5)])
    weighed, typed = answer["seizure"]["items"]
    assert weighed["weight_kg"] == 12.46 and weighed["weighed"]["event_id"] == weighing_id
    assert weighed["weighed"]["hash"] == weighing["hash"] and weighed["weighed"]["device_id"] == "bench-1"
    assert weighed["weighed"]["calibration_due"] is True  # never calibrated on the bench: due, and said so
    assert "weighed" not in typed and typed["weight_kg"] == 3.5
    text = pdf_text(bench.call("GET", f"/seizures/{seizure_id}/report.pdf", user="olga",
                               headers={"X-Justification": "audit"}).data)
    assert "12.46 on bench-1 (CALIBRATION DUE when read)" in " ".join(text.split()) and "3.5 (typed)" in text


def test_the_weighbridge_cannot_weigh_seized_goods(bench: Bench) -> None:
    bench.sims["scale-1"].set_load(18220, settle=True)
    weighing_id, answer = weigh(bench, "scale-1", 18220, status=409)
    assert answer["error"]["code"] == "not_a_bench_scale" and bench.server.store.get(weighing_id) is None


def test_a_weighing_cited_wrongly_is_refused_and_nothing_stored(bench: Bench) -> None:
    bench.sims["bench-1"].set_load(7.2, settle=True)
    weighing_id, _ = weigh(bench, "bench-1", 7.2)
    inspection_id = bench.inspection()
    cases = [([item(weight_kg=7.0, weighing_id=weighing_id)], 409, "weight_differs"),
             ([item(weighing_id=weighing_id), item(weighing_id=weighing_id)], 409, "weighing_reused"),
             ([item(weighing_id=inspection_id)], 404, "not_found"),  # an event, but not a weighing
             ([item(weighing_id=str(uuid.uuid4()))], 404, "not_found")]
    for items, status, code in cases:
        seizure_id, answer = seize(bench, inspection_id, items, status=status)
        assert answer["error"]["code"] == code
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
