"""The vehicle queue through the real lane app: sightings in, GET /vehicles, starting from a vehicle,
dismissing, adjudicating a radiation alarm, release refused, the interlock."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from edge.radiation.n42 import validate
from tests.support.officer_app import OfficerApp, new_id, start_officer_app
from tests.support.waiting import wait_for
from tests.unit.edge.vehicles.sightings import Sightings

CONTAINER = "MAEU7362056"  # GB-DEC-0003 of the demo reference data, with plate KHN 512


@pytest.fixture
def app(tmp_path: Path) -> Iterator[OfficerApp]:
    lane = start_officer_app(tmp_path)
    try:
        yield lane
    finally:
        lane.server.stop()


def waiting(app: OfficerApp) -> list[dict[str, Any]]:
    return app.ok("GET", "/vehicles", status=200)["vehicles"]


def vehicle_where(app: OfficerApp, test: Any) -> dict[str, Any]:
    return wait_for(lambda: next((v for v in waiting(app) if test(v)), None), message="the vehicle in GET /vehicles")


def lorry_with_alarm(app: OfficerApp) -> dict[str, Any]:
    rpm = Sightings(app.server)
    rpm.occupied()
    rpm.read("KHN 512", [(CONTAINER, 0.97)])
    rpm.left(gamma_alarm=True)
    return vehicle_where(app, lambda v: v["plate"] and (v["radiation"] or {}).get("state") == "alarm")


def start_from(app: OfficerApp, vehicle: dict[str, Any], status: int = 201) -> dict[str, Any]:
    return app.ok("POST", "/inspections", {"id": new_id(), "plate": "KHN512", "containers": [CONTAINER],
                                           "inspection_type": "standard", "vehicle_id": vehicle["id"]}, status=status)


def test_a_lorry_through_the_portal_and_past_the_camera_is_one_vehicle_with_its_declaration(app: OfficerApp) -> None:
    vehicle = lorry_with_alarm(app)
    assert len(waiting(app)) == 1
    assert vehicle["plate"] == {"text": "KHN512", "confidence": 0.95, "needs_confirmation": False,
                                "photo_sha256": None}
    assert vehicle["containers"] == [{"code": CONTAINER, "check_ok": True, "confidence": 0.97,
                                      "needs_confirmation": False, "photo_sha256": None}]
    assert vehicle["radiation"]["gamma_alarm"] and not vehicle["radiation"]["neutron_alarm"]
    assert vehicle["declaration"]["ref"] == "GB-DEC-0003"
    occupancy = app.server.store.get(vehicle["radiation"]["occupancy_event"])
    assert occupancy["type"] == "rpm.occupancy" and occupancy["actor"] == "lane"
    assert occupancy["payload"]["occupancy"]["gamma"]["max_cps"] == [2100, 2400, 900, 800]
    assert occupancy["payload"]["calibration_due"] is False


def test_doubtful_reads_ask_for_confirmation_and_two_plates_stay_two_vehicles(app: OfficerApp) -> None:
    cameras = Sightings(app.server)
    cameras.read("AB12 CDE", confidence=0.6)
    cameras.read("KHN 512", [("MAEU7362057", 0.99)])  # a wrong check digit, however sure the camera is
    first = vehicle_where(app, lambda v: v["plate"] and v["plate"]["text"] == "AB12CDE")
    second = vehicle_where(app, lambda v: v["plate"] and v["plate"]["text"] == "KHN512" and v["containers"])
    assert first["id"] != second["id"] and first["plate"]["needs_confirmation"]
    assert second["containers"][0]["check_ok"] is False and second["containers"][0]["needs_confirmation"]


def test_starting_from_a_vehicle_takes_it_and_the_view_shows_its_scan(app: OfficerApp) -> None:
    vehicle = lorry_with_alarm(app)
    inspection = start_from(app, vehicle)["inspection"]
    assert inspection["vehicle"]["id"] == vehicle["id"] and inspection["vehicle"]["plate"]["text"] == "KHN512"
    assert inspection["radiation"]["needs_adjudication"] and inspection["radiation"]["state"] == "alarm"
    assert "rpm_alarm" in [f["code"] for f in inspection["flags"]]
    assert waiting(app) == []
    before = app.events()
    again = app.call("POST", "/inspections", json={"id": new_id(), "plate": "KHN512", "containers": [],
                                                   "inspection_type": "standard", "vehicle_id": vehicle["id"]})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "vehicle_taken"
    unknown = app.call("POST", "/inspections", json={"id": new_id(), "plate": "KHN512", "containers": [],
                                                     "inspection_type": "standard", "vehicle_id": new_id()})
    assert unknown.status_code == 404
    assert app.events() == before


def test_release_is_refused_until_the_alarm_is_adjudicated_and_nothing_is_stored(app: OfficerApp) -> None:
    inspection = start_from(app, lorry_with_alarm(app))["inspection"]
    path = f"/inspections/{inspection['id']}"
    before = app.events()
    refused = app.call("POST", f"{path}/outcome", json={"id": new_id(), "outcome": "release", "reason": "fine"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "radiation_unadjudicated"
    assert app.events() == before and app.ok("GET", path, status=200)["status"] == "open"
    occupancy = inspection["radiation"]["occupancies"][0]["event_id"]
    bad = app.call("POST", f"{path}/radiation", json={"id": new_id(), "occupancy_event": occupancy,
                                                      "code": "innocent_norm",
                                                      "secondary": {"performed": False, "result": "no_source_found"}})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "secondary.result"
    stranger = app.call("POST", f"{path}/radiation", json={"id": new_id(), "occupancy_event": new_id(),
                                                           "code": "false_alarm",
                                                           "secondary": {"performed": False, "result": "not_done"}})
    assert stranger.status_code == 400 and stranger.get_json()["error"]["field"] == "occupancy_event"
    assert app.events() == before
    judged = app.ok("POST", f"{path}/radiation", {"id": new_id(), "occupancy_event": occupancy,
                                                  "code": "innocent_norm", "note": "ceramic tiles",
                                                  "secondary": {"performed": True, "result": "source_identified",
                                                                "nuclide": "K-40", "dose_rate_usv_h": 0.4}})
    radiation = judged["inspection"]["radiation"]
    assert radiation["state"] == "adjudicated" and not radiation["needs_adjudication"]
    assert radiation["adjudications"][0]["code_text"].startswith("Innocent alarm — NORM")
    assert judged["event"]["payload"]["code"] == "innocent_norm"
    closed = app.ok("POST", f"{path}/outcome", {"id": new_id(), "outcome": "release", "reason": "declared tiles"})
    assert closed["inspection"]["status"] == "closed"


def test_an_inspection_without_a_scanned_vehicle_has_no_radiation_to_adjudicate(app: OfficerApp) -> None:
    inspection_id = app.inspection()
    before = app.events()
    response = app.call("POST", f"/inspections/{inspection_id}/radiation", json={
        "id": new_id(), "occupancy_event": new_id(), "code": "false_alarm",
        "secondary": {"performed": False, "result": "not_done"}})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_occupancy"
    assert app.events() == before


def test_a_dismissed_vehicle_leaves_the_queue_and_cannot_be_started_or_dismissed_again(app: OfficerApp) -> None:
    Sightings(app.server).read("ZX99 ABC")
    vehicle = vehicle_where(app, lambda v: True)
    app.ok("POST", f"/vehicles/{vehicle['id']}/dismiss", {"id": new_id(), "reason": "a cyclist"})
    assert waiting(app) == []
    before = app.events()
    again = app.call("POST", f"/vehicles/{vehicle['id']}/dismiss", json={"id": new_id(), "reason": "again"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "vehicle_dismissed"
    started = app.call("POST", "/inspections", json={"id": new_id(), "plate": "ZX99ABC", "containers": [],
                                                     "inspection_type": "standard", "vehicle_id": vehicle["id"]})
    assert started.status_code == 409 and started.get_json()["error"]["code"] == "vehicle_dismissed"
    assert app.call("POST", f"/vehicles/{new_id()}/dismiss", json={"id": new_id(), "reason": "x"}).status_code == 404
    assert app.events() == before


def test_the_queue_is_rebuilt_from_the_log(app: OfficerApp) -> None:
    vehicle = lorry_with_alarm(app)
    assert app.server.store.rebuild_views() > 0
    assert waiting(app) == [vehicle]
    assert app.server.store.verify().ok


def test_the_scan_exports_as_a_valid_n42_document_with_its_adjudication(app: OfficerApp) -> None:
    inspection = start_from(app, lorry_with_alarm(app))["inspection"]
    occupancy = inspection["radiation"]["occupancies"][0]
    app.ok("POST", f"/inspections/{inspection['id']}/radiation", {
        "id": new_id(), "occupancy_event": occupancy["event_id"], "code": "innocent_norm",
        "secondary": {"performed": True, "result": "no_source_found"}})
    response = app.client.get(occupancy["n42_url"], headers={"Authorization": f"Bearer {app.tokens['vic']}"})
    assert response.status_code == 200 and response.mimetype == "application/xml"
    validate(response.data)
    assert b"adjudication: innocent_norm" in response.data
    missing = app.call("GET", f"/occupancies/{inspection['id']}/n42.xml")
    assert missing.status_code == 404
