"""One vehicle from the lane to the evidence store, against a running lane
with simulated devices: reference data loaded by the CLI while it serves,
an inspection of a watchlisted lorry, the driver's passport (the ICAO
specimen: expired, watchlisted), a weight far from the declaration, a
trace alarm, a finding with a photo, a seizure, a bag handed over by scan
and stored, and the court report with every event's hash."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from common.clock import iso_utc, utc_now
from drivers.simulators.mrz_reader import ICAO_SPECIMENS
from lanebox.demo import DEMO_REFERENCE
from tests.support.lane_process import run_cli
from tests.support.pdf_text import pdf_text
from tests.support.waiting import wait_for

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@pytest.fixture(scope="module")
def officer_lane(lane):
    run_cli("reference", "load", "--config", str(lane.config_path), str(DEMO_REFERENCE))
    return lane


def new_id() -> str:
    return str(uuid.uuid4())


def post(lane, path: str, body: dict, status: int = 201) -> dict:
    response = lane.api("POST", path, user="olga", json=body)
    assert response.status_code == status, response.text
    return response.json()


def events(lane) -> int:
    return lane.api("GET", "/lane", user="vic").json()["store"]["events"]


def attach(lane, device_id: str, inspection_id: str, ready) -> dict:
    """Attach the device's reading once ``ready(data)`` holds for it; returns the assessment."""
    wait_for(lambda: ready((lane.api("GET", f"/devices/{device_id}", user="vic").json()["last_reading"]
                            or {}).get("data", {})), message=f"the reading of {device_id}")
    body = {"id": new_id(), "device_id": device_id, "record_type": "inspection", "record_id": inspection_id}
    return post(lane, "/attachments", body)["event"]["payload"]["assessment"]


def test_reference_loaded_while_serving(officer_lane):
    summary = officer_lane.api("GET", "/reference", user="vic").json()
    assert summary["version"] == "demo-2026.1" and summary["counts"]["declarations"] == 8
    assert summary["currency"] == "GBP" and summary["vat_rate"] == 0.2 and "standard" in summary["checklists"]
    found = officer_lane.api("GET", "/reference/lookup?plate=khn-512", user="tom").json()
    assert found["declaration"]["ref"] == "GB-DEC-0003" and found["risk"]["level"] == "high"
    assert found["watchlist_hits"] == [{"type": "plate", "value": "KHN512", "severity": "high",
                                        "reason": "intelligence: vehicle linked to tobacco smuggling (demo)"}]
    typo = officer_lane.api("GET", "/reference/lookup?container=MAEU7362057", user="vic").json()
    assert typo["declaration"] is None and typo["risk"]["score"] == 15 + 20


def test_a_watchlisted_lorry_from_the_lane_to_the_evidence_store(officer_lane):
    lane = officer_lane
    sims = lane.sims
    inspection_id = new_id()
    start = {"id": inspection_id, "plate": "KHN 512", "containers": ["MAEU 736205-6"], "inspection_type": "standard",
             "ts": iso_utc(utc_now() - timedelta(minutes=20))}  # typed offline, sent now
    view = post(lane, "/inspections", start)["inspection"]
    assert view["declaration_ref"] == "GB-DEC-0003" and view["started_acted_at"] == start["ts"]
    assert [f["code"] for f in view["flags"]] == ["watchlist_hit"] and view["risk"]["score"] == 50
    count = events(lane)
    assert post(lane, "/inspections", start, status=200)["inspection"]["id"] == inspection_id
    assert post(lane, "/inspections", {**start, "plate": "KHN 513"}, status=409)["error"]["code"] == "id_reused"
    assert events(lane) == count

    sims["document-1"].present(list(ICAO_SPECIMENS[0]))
    document = attach(lane, "document-1", inspection_id,
                      lambda data: (data.get("mrz") or {}).get("document_number") == "L898902C3")
    assert [f["code"] for f in document["flags"]] == ["document_expired", "document_watchlisted"]

    sims["scale-1"].set_load(12500.0, settle=True)  # declared gross weight: 9,800 kg
    weight = attach(lane, "scale-1", inspection_id, lambda data: data.get("stable") and data.get("weight") == 12500.0)
    assert weight["difference_pct"] == 27.55 and [f["code"] for f in weight["flags"]] == ["weight_discrepancy"]

    sims["trace-1"].swab([("cocaine", 420.0)], sample_id="FLOW-1")
    trace = attach(lane, "trace-1", inspection_id,
                   lambda data: data.get("sample_id") == "FLOW-1" and data.get("result") == "alarm")
    assert trace["propose_referral"] is True

    view = lane.api("GET", f"/inspections/{inspection_id}", user="vic").json()
    assert [f["code"] for f in view["flags"]] == ["watchlist_hit", "document_expired", "document_watchlisted",
                                                  "weight_discrepancy", "trace_alarm"]
    assert all(f["event_id"] for f in view["flags"]) and (view["risk"]["score"], view["risk"]["level"]) == (100, "high")
    assert view["document"]["data"]["mrz"]["document_number"] == "L898902C3"
    assert view["weights"][0]["assessment"]["measured_kg"] == 12500.0 and view["traces"][0]["data"]["result"] == "alarm"

    photo = lane.api("POST", "/photos", user="olga", data=PNG, headers={"Content-Type": "image/png"})
    assert photo.status_code == 201
    sha256 = photo.json()["sha256"]
    assert lane.api("GET", f"/photos/{sha256}", user="vic").content == PNG
    post(lane, f"/inspections/{inspection_id}/findings",
         {"id": new_id(), "category": "concealment", "note": "cartons behind a false headboard", "photos": [sha256]})
    post(lane, f"/inspections/{inspection_id}/checklist",
         {"id": new_id(), "item": "Cab and sleeping area searched", "checked": True})
    refused = post(lane, f"/inspections/{inspection_id}/outcome", {"id": new_id(), "outcome": "release"}, status=400)
    assert refused["error"]["code"] == "reason_required"
    post(lane, f"/inspections/{inspection_id}/outcome", {"id": new_id(), "outcome": "seize"})
    closed = post(lane, f"/inspections/{inspection_id}/findings", {"id": new_id(), "category": "other", "note": "x"},
                  status=409)
    assert closed["error"]["code"] == "inspection_closed"

    seizure_id = new_id()
    items = [{"description": "Cigarettes, unbranded, in master cases", "hs_code": "240220", "quantity": 380,
              "unit": "cartons", "weight_kg": 190.0, "value": 14440.0, "currency": "EUR"}]
    post(lane, "/seizures", {"id": seizure_id, "inspection_id": inspection_id, "legal_basis": "CEMA 1979 s.139",
                             "items": items})
    bag_event = new_id()
    bag = post(lane, f"/seizures/{seizure_id}/bags", {"id": bag_event, "description": "master cases 1-19",
                                                     "items": [0]})["bag"]
    bag_id = bag["bag_id"]
    assert bag_id == "BAG-" + bag_event[:8].upper()
    assert lane.api("GET", f"/bags/{bag_id}/qr.svg", user="vic").headers["Content-Type"].startswith("image/svg+xml")

    def custody(action: str, status: int = 201, **extra) -> dict:
        body = {"id": new_id(), "action": action, "confirmation": "scan", "scanned_text": bag_id, **extra}
        witness = {"X-Witness-Token": lane.token("sue")} if action == "sealed" else {}  # sue countersigns
        response = lane.api("POST", f"/bags/{bag_id}/custody", user="olga", json=body, headers=witness)
        assert response.status_code == status, response.text
        return {"body": body, **response.json()}

    assert custody("handed_over", status=409, to="Border Force")["error"]["code"] == "custody_order"
    custody("sealed", seal_number="GB 004711")
    custody("handed_over", to="Border Force evidence officer 4471")
    custody("received", location="Dover evidence store", seal_intact=True, seal_number="GB 004711")
    stored = custody("stored", location="Dover evidence store, cage 3")
    count = events(lane)
    replay = post(lane, f"/bags/{bag_id}/custody", stored["body"], status=200)
    assert replay["event"]["seq"] == stored["event"]["seq"] and events(lane) == count

    seizure = lane.api("GET", f"/seizures/{seizure_id}", user="vic").json()
    (bag,) = seizure["bags"]
    assert [step["action"] for step in bag["custody"]] == ["sealed", "handed_over", "received", "stored"]
    assert bag["state"] == "stored" and bag["custody"][1]["to"] == "Border Force evidence officer 4471"

    report = lane.api("GET", f"/seizures/{seizure_id}/report.pdf", user="vic", headers={"X-Justification": "audit"})
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    text = pdf_text(report.content)
    assert bag_id in text and stored["event"]["hash"] in text and sha256 in text
    assert "hash chain is whole" in text and "GB-DEC-0003" in text
    assert lane.api("GET", "/chain", user="vic").json()["ok"] is True
