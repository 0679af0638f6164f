"""The scale calibration wizard (OIML R 76-1) driving a simulated MT-SICS
scale on a pty, the trace detector's daily verification, a reader's
functional check, the certificate, and what they do to the device's standing."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.support.pdf_text import pdf_text
from tests.support.technician_bench import Bench, running_bench

VEHICLE_SCALE = {"max": 60000, "e": 20, "accuracy_class": "III", "unit": "kg"}
#: the simulated scale's service mode reads to d/10 with SIH
EXTENDED = {"method": "extended", "extended_resolution": 2}
WEIGHTS = [{"id": f"M-{n}", "nominal": 1000, "certificate": f"UKAS-0{n}", "certificate_date": "2026-01-15"}
           for n in range(1, 5)]


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Iterator[Bench]:
    with running_bench(tmp_path_factory.mktemp("calibration"), ("scale-1", "trace-1", "barcode-1")) as bench:
        yield bench


def start(bench: Bench, **extra: Any) -> dict[str, Any]:
    body = {"device_id": "scale-1", "instrument": VEHICLE_SCALE, "weights": WEIGHTS, **EXTENDED, **extra}
    return bench.ok("POST", "/calibrations/scale", body, status=201)["session"]


def weigh_everything(bench: Bench, session: dict[str, Any]) -> dict[str, Any]:
    """Put each planned load on the simulated platform and read it, as the technician would."""
    scale = bench.sims["scale-1"]
    answer: dict[str, Any] = {"session": session}
    while answer["session"]["next"]:
        scale.set_load(float(answer["session"]["next"]["load"]), settle=True)
        answer = bench.ok("POST", f"/calibrations/sessions/{session['id']}/read", {})
    scale.set_load(0)
    return answer


def test_the_plan_covers_zero_eccentricity_repeatability_and_five_loads_to_max(bench: Bench) -> None:
    session = start(bench)
    steps = {s["step"]: [p["load"] for p in s["points"]] for s in session["steps"]}
    assert steps["zero"] == ["0"]
    assert steps["eccentricity"] == ["20000"] * 4          # about 1/3 Max on each zone
    assert steps["repeatability"] == ["30000"] * 3         # half Max, three times
    assert len(steps["weighing"]) >= 5 and steps["weighing"][-1] == "60000"
    assert {"10000", "40000"} <= set(steps["weighing"])   # the MPE change points 500 e and 2000 e
    assert session["progress"] == {"done": 0, "total": 1 + 4 + 3 + len(steps["weighing"])}
    bench.ok("DELETE", f"/calibrations/sessions/{session['id']}")
    assert bench.call("GET", f"/calibrations/sessions/{session['id']}").status_code == 404


def test_a_passing_calibration_is_recorded_with_every_reading_and_a_certificate(bench: Bench) -> None:
    bench.sims["scale-1"].set_error(0)
    answer = weigh_everything(bench, start(bench))
    session, event = answer["session"], answer["event"]
    assert session["complete"] and session["passed"] is True
    assert all(step["passed"] for step in session["steps"])
    assert event["type"] == "calibration.recorded" and event["payload"]["passed"] is True
    assert event["payload"]["kind"] == "scale-r76" and event["actor"] == "tom"
    weighing = next(s for s in session["steps"] if s["step"] == "weighing")
    top = weighing["points"][-1]
    assert top["indication"] == "60000" and top["error"] == "0" and top["mpe"] == "30"  # 1.5 e above 2000 e
    assert "S S" in top["reading"]["raw"]  # the scale's own line is kept
    device = bench.ok("GET", "/devices/scale-1")
    assert device["calibration"]["status"] == "ok" and device["state"] == "connected"

    history = bench.ok("GET", "/devices/scale-1/calibrations")["history"]
    assert history[0]["event_id"] == event["id"] and history[0]["passed"] is True and history[0]["by"] == "tom"

    pdf = bench.call("GET", f"/calibrations/{event['id']}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    for expected in ("Calibration certificate", "scale-1", "PASS", "UKAS-01", "60000", "Eccentricity",
                     "Repeatability", event["hash"]):
        assert expected in text, expected
    assert bench.call("GET", "/calibrations/nope/certificate.pdf").status_code == 404
    assert bench.call("GET", f"/calibrations/{event['id']}/certificate.pdf", user="olga").status_code == 403


def test_a_scale_that_reads_wrong_fails_and_is_marked_due(bench: Bench) -> None:
    bench.sims["scale-1"].set_error(error_ppm=1500)  # +90 kg at 60 t: beyond ±30 kg
    try:
        answer = weigh_everything(bench, start(bench))
    finally:
        bench.sims["scale-1"].set_error(0)
    session = answer["session"]
    assert session["passed"] is False and answer["event"]["payload"]["passed"] is False
    weighing = next(s for s in session["steps"] if s["step"] == "weighing")
    assert weighing["passed"] is False
    failed = [p for p in weighing["points"] if not p["passed"]]
    assert failed and failed[-1]["load"] == "60000" and failed[-1]["error"] == "90"  # 60090 read with SIH
    device = bench.ok("GET", "/devices/scale-1")
    assert device["calibration"]["status"] == "failed" and device["state"] == "calibration_due"
    text = pdf_text(bench.call("GET", f"/calibrations/{answer['event']['id']}/certificate.pdf").data)
    assert "FAIL" in text


def test_adjustment_runs_before_the_tests_only(bench: Bench) -> None:
    session = start(bench)
    adjusted = bench.ok("POST", f"/calibrations/sessions/{session['id']}/adjust")["session"]
    assert adjusted["adjustment"]["passed"] is True and adjusted["adjustment"]["by"] == "tom"
    bench.ok("POST", f"/calibrations/sessions/{session['id']}/read", {})  # the zero point
    late = bench.call("POST", f"/calibrations/sessions/{session['id']}/adjust")
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "already_started"
    bench.sims["scale-1"].internal_weight = False
    try:
        refused = bench.ok("POST", f"/calibrations/sessions/{start(bench)['id']}/adjust")["session"]
    finally:
        bench.sims["scale-1"].internal_weight = True
    assert refused["adjustment"]["passed"] is False and "C3 L" in refused["adjustment"]["detail"]


def test_bad_calibration_input_is_refused_clearly(bench: Bench) -> None:
    bad_n = bench.call("POST", "/calibrations/scale", json={
        "device_id": "scale-1", "instrument": {**VEHICLE_SCALE, "e": 7}, "weights": WEIGHTS, **EXTENDED})
    assert bad_n.status_code == 400 and bad_n.get_json()["error"]["field"] == "instrument"
    no_weights = bench.call("POST", "/calibrations/scale", json={
        "device_id": "scale-1", "instrument": VEHICLE_SCALE, "weights": [], **EXTENDED})
    assert no_weights.status_code == 400
    not_scale = bench.call("POST", "/calibrations/scale", json={
        "device_id": "trace-1", "instrument": VEHICLE_SCALE, "weights": WEIGHTS, **EXTENDED})
    assert not_scale.status_code == 409
    session = start(bench)
    zero_load = bench.call("POST", f"/calibrations/sessions/{session['id']}/read", json={"load": 100})
    assert zero_load.status_code == 400 and zero_load.get_json()["error"]["field"] == "load"


def test_trace_detector_daily_verification(bench: Bench) -> None:
    etd = bench.sims["trace-1"]
    body = {"device_id": "trace-1", "trap_lot": "VT-2026-117", "expected_substance": "RDX"}
    passed = bench.run_check(body, lambda i: etd.verify("VT-2026-117", "RDX" if i == 0 else None))
    assert passed["session"]["passed"] is True and passed["event"]["payload"]["kind"] == "etd-daily"
    assert passed["event"]["payload"]["record"]["params"]["trap_lot"] == "VT-2026-117"
    assert passed["event"]["payload"]["due_at"]  # good for one day
    assert bench.ok("GET", "/devices/trace-1")["calibration"]["status"] == "ok"

    etd.sensitive = False  # misses the trap: the check fails and the detector is marked
    try:
        failed = bench.run_check(body, lambda i: etd.verify("VT-2026-117", "RDX" if i == 0 else None))
    finally:
        etd.sensitive = True
    assert failed["session"]["passed"] is False
    assert "expected an alarm on RDX" in failed["session"]["steps"][0]["detail"]
    device = bench.ok("GET", "/devices/trace-1")
    assert device["calibration"]["status"] == "failed" and device["state"] == "calibration_due"
    missing = bench.call("POST", "/checks", json={"device_id": "trace-1", "trap_lot": "VT-1"})
    assert missing.status_code == 400 and missing.get_json()["error"]["field"] == "expected_substance"


def test_barcode_reader_functional_check(bench: Bench) -> None:
    reader = bench.sims["barcode-1"]
    good = bench.run_check({"device_id": "barcode-1", "expected": "CSQU3054383"},
                           lambda i: reader.scan("CSQU3054383"))
    assert good["session"]["passed"] is True and good["event"]["payload"]["kind"] == "reader-functional"
    bad = bench.run_check({"device_id": "barcode-1", "expected": "CSQU3054383"},
                          lambda i: reader.scan("TCNU7200794"))
    assert bad["session"]["passed"] is False and "expected 'CSQU3054383'" in bad["session"]["steps"][0]["detail"]
    pdf = pdf_text(bench.call("GET", f"/calibrations/{bad['event']['id']}/certificate.pdf").data)
    assert "Device check record" in pdf and "TCNU7200794" in pdf
