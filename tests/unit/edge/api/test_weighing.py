"""Weighbridge transactions through the API against the simulated MT-SICS
weighbridge on a pty (60 t by 20 kg, Min 400 kg): two passes make gross,
tare and net with the scale's standing at each; a stored tare makes one
pass enough; what is no weighing result is refused and stores nothing; the
ticket carries it all."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest

from tests.support.pdf_text import pdf_text
from tests.support.technician_bench import Bench, running_bench
from tests.support.waiting import wait_for

INSTRUMENT = {"max": "60000", "e": "20", "accuracy_class": "III", "unit": "kg", "n": 3000, "min": "400"}


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Iterator[Bench]:
    with running_bench(tmp_path_factory.mktemp("weighing"), ("scale-1",)) as bench:
        yield bench


def new_id() -> str:
    return str(uuid.uuid4())


def calibrated(bench: Bench, passed: bool = True) -> str:
    """A scale calibration recorded for scale-1 (as the wizard records one); its event id."""
    record = {"instrument": INSTRUMENT, "steps": [], "weights": [], "started_by": "tom",
              "started_at": "2026-11-29T08:00:00Z", "in_service": False, "adjustment": None}
    event = bench.server.store.append("calibration.recorded", {
        "device_id": "scale-1", "kind": "scale-r76", "passed": passed, "session_id": new_id(), "record": record},
        "tom").event
    bench.server.calibration_watch.refresh()
    return event["id"]


def shown(bench: Bench, kg: float) -> int:
    """Put ``kg`` on the platform; the seq of the stable reading the tablet then shows."""
    bench.sims["scale-1"].set_load(kg, settle=True)
    state = bench.server.devices.get("scale-1")
    wait_for(lambda: state.latest and state.latest["data"]["weight"] == kg and state.latest["data"]["stable"],
             message=f"{kg} kg shown")
    return state.latest["seq"]


def count(bench: Bench, event_type: str) -> int:
    return bench.server.store.query("SELECT COUNT(*) AS n FROM events WHERE type = ?", (event_type,))[0]["n"]


def weigh_first(bench: Bench, kg: float, **extra: Any) -> Any:
    return bench.call("POST", "/weighings", user="olga", json={
        "id": new_id(), "device_id": "scale-1", "plate": "EK 48213", "reading_seq": shown(bench, kg), **extra})


def test_a_scale_without_a_calibration_record_weighs_nothing(bench: Bench) -> None:
    refused = weigh_first(bench, 38460)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "no_scale_data"
    assert count(bench, "weighing.first") == 0


def test_two_passes_make_gross_tare_and_net_with_the_standing_at_each(bench: Bench) -> None:
    calibration_id = calibrated(bench)
    first = weigh_first(bench, 38460)
    assert first.status_code == 201, first.get_data(as_text=True)
    transaction = first.get_json()["transaction"]
    assert transaction["status"] == "open" and transaction["plate"] == "EK48213"
    assert transaction["scale"] == {"max": "60000", "e": "20", "min": "400", "unit": "kg", "accuracy_class": "III",
                                    "calibration_id": calibration_id}
    second = bench.call("POST", f"/weighings/{transaction['id']}/second", user="olga", json={
        "id": new_id(), "device_id": "scale-1", "reading_seq": shown(bench, 14220)})
    assert second.status_code == 201, second.get_data(as_text=True)
    done = second.get_json()["transaction"]
    assert done["status"] == "complete"
    assert done["result"] == {"gross": "38460", "tare": "14220", "net": "24240", "unit": "kg"}
    assert [p["weight"] for p in done["passes"]] == ["38460", "14220"]
    assert all(p["calibration"]["status"] == "ok" and not p["calibration_due"] for p in done["passes"])
    assert "S S      38460 kg" in done["passes"][0]["raw"]
    assert bench.ok("GET", f"/weighings/{transaction['id']}", user="olga") == done

    pdf = bench.call("GET", f"/weighings/{transaction['id']}/ticket.pdf", user="olga")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    for expected in ("Weighbridge ticket", "EK48213", "Gross", "38,460", "Tare", "14,220", "Net", "24,240",
                     "e = 20 kg", "Min 400 kg", done["passes"][0]["hash"], done["passes"][1]["hash"]):
        assert expected in text, expected

    again = bench.call("POST", f"/weighings/{transaction['id']}/second", user="olga", json={
        "id": new_id(), "device_id": "scale-1", "reading_seq": shown(bench, 14220)})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "weighing_complete"
    assert count(bench, "weighing.second") == 1


def test_what_is_no_weighing_result_is_refused_and_nothing_is_stored(bench: Bench) -> None:
    calibrated(bench)
    before = count(bench, "weighing.first")
    below_min = weigh_first(bench, 380)  # 19 e
    assert below_min.status_code == 409 and below_min.get_json()["error"]["code"] == "below_min"
    assert "Min (400 kg)" in below_min.get_json()["error"]["message"]
    bench.sims["scale-1"].set_load(30000, settle=False)  # still swinging
    state = bench.server.devices.get("scale-1")
    wait_for(lambda: state.latest and not state.latest["data"]["stable"], message="a moving weight")
    moving = bench.call("POST", "/weighings", user="olga", json={
        "id": new_id(), "device_id": "scale-1", "plate": "EK 48213", "reading_seq": state.latest["seq"]})
    assert moving.status_code == 409 and moving.get_json()["error"]["code"] == "not_stable"
    bad_plate = bench.call("POST", "/weighings", user="olga", json={"id": new_id(), "device_id": "scale-1",
                                                                    "plate": "!"})
    assert bad_plate.status_code == 400 and bad_plate.get_json()["error"]["field"] == "plate"
    technician = bench.call("POST", "/weighings", user="tom", json={"id": new_id(), "device_id": "scale-1",
                                                                    "plate": "EK 48213"})
    assert technician.status_code == 403
    assert count(bench, "weighing.first") == before
    assert bench.call("GET", f"/weighings/{new_id()}", user="olga").status_code == 404


def test_a_replayed_first_weighing_is_answered_not_stored_again(bench: Bench) -> None:
    calibrated(bench)
    body = {"id": new_id(), "device_id": "scale-1", "plate": "KHN 512", "reading_seq": shown(bench, 21000)}
    assert bench.call("POST", "/weighings", user="olga", json=body).status_code == 201
    before = count(bench, "weighing.first")
    replay = bench.call("POST", "/weighings", user="olga", json=body)
    assert replay.status_code == 200 and count(bench, "weighing.first") == before


def test_a_stored_tare_makes_one_pass_enough(bench: Bench) -> None:
    calibrated(bench)
    assert bench.ok("GET", "/tares/XY99ZZ", user="olga")["tare"] is None
    without = weigh_first(bench, 30000, plate="XY 99 ZZ", stored_tare=True)
    assert without.status_code == 409 and without.get_json()["error"]["code"] == "no_stored_tare"
    stored = bench.call("POST", "/tares", user="olga", json={
        "id": new_id(), "device_id": "scale-1", "plate": "xy-99-zz", "reading_seq": shown(bench, 12840)})
    assert stored.status_code == 201
    assert bench.ok("GET", "/tares/XY99ZZ", user="olga")["tare"]["weight"] == "12840"
    once = weigh_first(bench, 31060, plate="XY 99 ZZ", stored_tare=True)
    assert once.status_code == 201
    transaction = once.get_json()["transaction"]
    assert transaction["status"] == "complete" and len(transaction["passes"]) == 1
    assert transaction["result"] == {"gross": "31060", "tare": "12840", "net": "18220", "unit": "kg"}
    assert transaction["stored_tare"]["event_id"] == stored.get_json()["event"]["id"]
    text = pdf_text(bench.call("GET", f"/weighings/{transaction['id']}/ticket.pdf", user="olga").data)
    assert "stored tare" in text and "12,840" in text and "18,220" in text


def test_a_pass_on_a_scale_out_of_calibration_is_marked_on_the_ticket(bench: Bench) -> None:
    calibrated(bench, passed=False)
    first = weigh_first(bench, 40000)
    transaction = first.get_json()["transaction"]
    assert transaction["passes"][0]["calibration"]["status"] == "failed" and transaction["calibration_due"]
    text = " ".join(pdf_text(bench.call("GET", f"/weighings/{transaction['id']}/ticket.pdf", user="olga").data).split())
    assert "CALIBRATION DUE" in text and "CALIBRATION FAILED at this pass" in text


def test_the_net_is_judged_against_the_inspection_it_belongs_to(bench: Bench) -> None:
    calibrated(bench)
    inspection_id = bench.inspection()
    first = weigh_first(bench, 38460, inspection_id=inspection_id).get_json()["transaction"]
    done = bench.call("POST", f"/weighings/{first['id']}/second", user="olga", json={
        "id": new_id(), "device_id": "scale-1", "reading_seq": shown(bench, 14220)}).get_json()
    assert done["transaction"]["inspection_id"] == inspection_id
    assert done["event"]["payload"]["assessment"]["measured_kg"] == 24240  # the net, not either pass
    story = bench.ok("GET", f"/inspections/{inspection_id}", user="olga")["events"]
    assert {"weighing.first", "weighing.second"} <= {e["type"] for e in story}
