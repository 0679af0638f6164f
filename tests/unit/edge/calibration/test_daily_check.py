"""The trace detector's daily verification scores only the detector's
verification results: an officer's swab that comes in while the check
waits — even one alarming on the trap's very substance — is noted as not
scored and never taken for the trap or the blank."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from edge.calibration.checks import IGNORED_KEPT, etd_daily_check
from tests.support.technician_bench import Bench, running_bench
from tests.support.waiting import wait_for

LOT = "VT-2026-117"


def reading(seq: int, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "reading", "device_id": "trace-1", "kind": "trace", "seq": seq, "ts": "2026-03-02T08:00:00Z",
            "data": data}


def lane_swab(seq: int, substances: list[str]) -> dict[str, Any]:
    return reading(seq, {"result": "alarm" if substances else "clear", "sample_id": f"S{seq:05d}",
                         "substances": [{"name": n, "class": "explosive", "amplitude": 400.0} for n in substances]})


def verification(seq: int, lot: str, substances: list[str], passed: bool = True) -> dict[str, Any]:
    return reading(seq, {"result": "alarm" if substances else "clear", "sample_id": None,
                         "substances": [{"name": n, "class": "explosive", "amplitude": 480.0} for n in substances],
                         "verification": {"trap_lot": lot, "passed": passed}})


def test_a_lane_swab_while_the_trap_is_awaited_is_not_scored() -> None:
    check = etd_daily_check("trace-1", LOT, "RDX", "tom", "2026-03-02T08:00:00Z")
    check.arm()
    assert not check.offer(lane_swab(1, ["RDX"]))  # an officer's swab alarming on the trap's substance
    assert not check.offer(lane_swab(2, []))
    trap = check.as_dict()["steps"][0]
    assert trap["state"] == "waiting" and trap["passed"] is None and trap["reading"] is None
    assert trap["ignored_count"] == 2
    assert trap["ignored"][0]["seq"] == 1 and "lane swab S00001 (alarm) not scored" in trap["ignored"][0]["detail"]

    assert check.offer(verification(3, LOT, ["RDX"]))
    assert check.steps[0].passed and check.steps[0].reading["seq"] == 3
    check.arm()
    assert not check.offer(lane_swab(4, []))  # a clear lane swab is not the blank either
    assert check.current is check.steps[1] and check.steps[1].state == "waiting"
    assert check.offer(verification(5, LOT, []))
    assert check.complete and check.passed


def test_the_trap_of_another_lot_or_a_failed_verification_fails() -> None:
    for offered, why in ((verification(1, "VT-OTHER", ["RDX"]), "not the trap's lot VT-2026-117"),
                         (verification(1, LOT, ["RDX"], passed=False), "as failed"),
                         (verification(1, LOT, []), "expected an alarm on RDX; got clear (nothing)")):
        check = etd_daily_check("trace-1", LOT, "RDX", "tom", "2026-03-02T08:00:00Z")
        check.arm()
        assert check.offer(offered)
        assert check.steps[0].passed is False and why in check.steps[0].detail


def test_a_busy_lane_keeps_the_count_but_only_the_first_swabs() -> None:
    check = etd_daily_check("trace-1", LOT, "RDX", "tom", "2026-03-02T08:00:00Z")
    check.arm()
    for seq in range(IGNORED_KEPT + 15):
        check.offer(lane_swab(seq, []))
    step = check.as_dict()["steps"][0]
    assert step["ignored_count"] == IGNORED_KEPT + 15 and len(step["ignored"]) == IGNORED_KEPT


@pytest.fixture
def bench(tmp_path) -> Iterator[Bench]:
    with running_bench(tmp_path, ("trace-1",)) as bench:
        yield bench


def test_on_the_lane_an_officers_swab_is_not_taken_for_the_trap_and_the_record_says_so(bench: Bench) -> None:
    etd = bench.sims["trace-1"]
    session = bench.ok("POST", "/checks", {"device_id": "trace-1", "trap_lot": LOT, "expected_substance": "RDX"},
                       status=201)["session"]
    path = f"/calibrations/sessions/{session['id']}"
    bench.ok("POST", f"{path}/arm")
    sample = etd.swab([("RDX", 420.0)])  # an officer swabs a lorry at the lane meanwhile
    wait_for(lambda: bench.ok("GET", path)["session"]["steps"][0]["ignored_count"] == 1, message="the swab noted")
    waiting = bench.ok("GET", path)["session"]
    assert waiting["steps"][0]["state"] == "waiting" and not waiting["complete"]
    assert sample in waiting["steps"][0]["ignored"][0]["detail"]
    assert bench.ok("GET", "/devices/trace-1/calibrations")["history"] == []  # nothing recorded

    etd.verify(LOT, "RDX")
    wait_for(lambda: bench.ok("GET", path)["session"]["steps"][0]["state"] == "done", message="the trap judged")
    bench.ok("POST", f"{path}/arm")
    etd.verify(LOT, None)
    wait_for(lambda: bench.ok("GET", path)["event"] is not None, message="the check recorded")
    record = bench.ok("GET", path)
    assert record["session"]["passed"] is True
    trap = record["event"]["payload"]["record"]["steps"][0]
    assert trap["reading"]["data"]["verification"]["trap_lot"] == LOT and trap["ignored_count"] == 1
