"""The record is this vehicle's by default (issue #13): a reading read before the
inspection started, a weight unchanged since then and an empty platform are refused
(409, nothing stored) unless the officer gives a reason, which the event keeps;
releasing despite any open flag — a reading from an unverified device included —
needs a reason for it, kept in the closing event."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest

from tests.support.technician_bench import Bench, running_bench
from tests.support.waiting import wait_for

INSTRUMENT = {"max": "60000", "e": "20", "accuracy_class": "III", "unit": "kg", "n": 3000, "min": "400"}


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Iterator[Bench]:
    with running_bench(tmp_path_factory.mktemp("right-record"), ("scale-1", "trace-1")) as bench:
        yield bench


def new_id() -> str:
    return str(uuid.uuid4())


def attached(bench: Bench) -> int:
    return bench.server.store.query("SELECT COUNT(*) AS n FROM events WHERE type = 'reading.attached'")[0]["n"]


def shown(bench: Bench, device_id: str, ready: Any) -> int:
    """The seq of the reading the tablet shows once ``ready(its data)`` holds."""
    state = bench.server.devices.get(device_id)
    wait_for(lambda: state.latest is not None and ready(state.latest["data"]), message=f"{device_id}'s reading")
    return state.latest["seq"]


def weight_shown(bench: Bench, kg: float) -> int:
    bench.sims["scale-1"].set_load(kg, settle=True)
    return shown(bench, "scale-1", lambda data: data["stable"] and data["weight"] == kg)


def attach(bench: Bench, device_id: str, inspection_id: str, seq: int, **extra: Any) -> Any:
    return bench.call("POST", "/attachments", user="olga", json={
        "id": new_id(), "device_id": device_id, "record_type": "inspection", "record_id": inspection_id,
        "reading_seq": seq, **extra})


def error(response: Any) -> dict[str, Any]:
    return response.get_json()["error"]


def test_a_trace_result_read_before_the_start_is_refused_unless_a_reason_is_given(bench: Bench) -> None:
    sample = bench.sims["trace-1"].swab([("cocaine", 420.0)])  # the previous lorry's alarm
    earlier = shown(bench, "trace-1", lambda data: data.get("sample_id") == sample)
    inspection_id = bench.inspection()
    before = attached(bench)
    refused = attach(bench, "trace-1", inspection_id, earlier)
    assert refused.status_code == 409 and error(refused)["code"] == "read_before_start"
    assert "before the inspection started" in error(refused)["message"]
    assert attached(bench) == before
    view = bench.ok("GET", f"/inspections/{inspection_id}", user="olga")
    assert view["traces"] == [] and view["flags"] == []

    confirmed = attach(bench, "trace-1", inspection_id, earlier, reason="swabbed this lorry just before starting")
    assert confirmed.status_code == 201, confirmed.get_data(as_text=True)
    override = confirmed.get_json()["event"]["payload"]["overrides"]
    assert [(o["code"], o["reason"]) for o in override] == [("read_before_start",
                                                            "swabbed this lorry just before starting")]
    view = bench.ok("GET", f"/inspections/{inspection_id}", user="olga")
    assert view["traces"][0]["overrides"][0]["code"] == "read_before_start"

    sample = bench.sims["trace-1"].swab([])  # swabbed after the start: no question asked
    fresh = attach(bench, "trace-1", inspection_id, shown(bench, "trace-1", lambda d: d.get("sample_id") == sample))
    assert fresh.status_code == 201 and "overrides" not in fresh.get_json()["event"]["payload"]


def test_an_empty_platform_is_refused_and_stores_nothing(bench: Bench) -> None:
    inspection_id = bench.inspection()
    before = attached(bench)
    empty = attach(bench, "scale-1", inspection_id, weight_shown(bench, 0))
    assert empty.status_code == 409 and error(empty)["code"] == "below_min"
    assert "nothing is on the platform" in error(empty)["message"]
    assert attached(bench) == before
    assert bench.ok("GET", f"/inspections/{inspection_id}", user="olga")["weights"] == []


def test_below_the_weighbridges_min_and_a_weight_from_before_the_start_need_a_reason(bench: Bench) -> None:
    bench.server.store.append("calibration.recorded", {
        "device_id": "scale-1", "kind": "scale-r76", "passed": True, "session_id": new_id(),
        "record": {"instrument": INSTRUMENT, "steps": [], "weights": [], "started_by": "tom",
                   "started_at": "2026-11-29T08:00:00Z", "in_service": False, "adjustment": None}}, "tom")
    bench.server.calibration_watch.refresh()
    inspection_id = bench.inspection()
    before = attached(bench)
    light = attach(bench, "scale-1", inspection_id, weight_shown(bench, 380))  # 19 e
    assert light.status_code == 409 and error(light)["code"] == "below_min"
    assert "Min (400 kg)" in error(light)["message"]

    parked = weight_shown(bench, 24680)
    later = bench.inspection()  # the weight on the platform has not changed since before this start
    stale = attach(bench, "scale-1", later, parked)
    assert stale.status_code == 409 and error(stale)["code"] == "read_before_start"
    assert "has not changed since" in error(stale)["message"]
    assert attached(bench) == before

    reasoned = attach(bench, "scale-1", later, parked, reason="the lorry was on the scale when I started")
    assert reasoned.status_code == 201
    assert bench.ok("GET", f"/inspections/{later}", user="olga")["weights"][0]["overrides"][0]["reason"] == \
        "the lorry was on the scale when I started"
    driven_on = attach(bench, "scale-1", inspection_id, weight_shown(bench, 25120))  # moved after the start
    assert driven_on.status_code == 201 and "overrides" not in driven_on.get_json()["event"]["payload"]


def test_every_open_flag_needs_a_reason_to_release(bench: Bench) -> None:
    """The detector has no daily check (its interval runs, none recorded): its reading is flagged."""
    inspection_id = bench.inspection()
    sample = bench.sims["trace-1"].swab([])
    assert attach(bench, "trace-1", inspection_id,
                  shown(bench, "trace-1", lambda d: d.get("sample_id") == sample)).status_code == 201
    view = bench.ok("GET", f"/inspections/{inspection_id}", user="olga")
    assert [f["code"] for f in view["flags"]] == ["calibration_due"]
    assert "do not rely on its reading" in view["flags"][0]["message"]

    events = bench.server.store.count()
    refused = bench.call("POST", f"/inspections/{inspection_id}/outcome", user="olga",
                         json={"id": new_id(), "outcome": "release"})
    assert refused.status_code == 400 and error(refused)["code"] == "reason_required"
    assert error(refused)["field"] == "flag_reasons.calibration_due"
    assert bench.server.store.count() == events
    wrong = bench.call("POST", f"/inspections/{inspection_id}/outcome", user="olga",
                       json={"id": new_id(), "outcome": "release", "flag_reasons": {"trace_alarm": "n/a"}})
    assert wrong.status_code == 400 and bench.server.store.count() == events

    closed = bench.ok("POST", f"/inspections/{inspection_id}/outcome", {
        "id": new_id(), "outcome": "release",
        "flag_reasons": {"calibration_due": "second swab on the verified spare detector was clear"}},
        status=201, user="olga")["inspection"]
    assert closed["outcome"] == "release"
    assert [(f["code"], f["reason"]) for f in closed["flags_answered"]] == [
        ("calibration_due", "second swab on the verified spare detector was clear")]


def test_refer_and_seize_need_no_reason_but_keep_the_open_flags(bench: Bench) -> None:
    inspection_id = bench.inspection()
    sample = bench.sims["trace-1"].swab([("cocaine", 420.0)])
    attach(bench, "trace-1", inspection_id, shown(bench, "trace-1", lambda d: d.get("sample_id") == sample))
    closed = bench.ok("POST", f"/inspections/{inspection_id}/outcome", {"id": new_id(), "outcome": "refer"},
                      status=201, user="olga")["inspection"]
    assert {f["code"] for f in closed["flags_answered"]} == {"trace_alarm", "calibration_due"}
    assert all(f["reason"] is None for f in closed["flags_answered"])


def test_a_verification_sample_is_never_a_vehicles_trace_evidence(bench: Bench) -> None:
    inspection_id = bench.inspection()
    bench.sims["trace-1"].verify("LOT-7")  # the technician's trap, read after the inspection started
    seq = shown(bench, "trace-1", lambda data: (data.get("verification") or {}).get("trap_lot") == "LOT-7")
    before = attached(bench)
    for extra in ({}, {"reason": "it was this lorry"}):
        refused = attach(bench, "trace-1", inspection_id, seq, **extra)
        assert refused.status_code == 409 and error(refused)["code"] == "verification_sample"
    assert attached(bench) == before
