"""The lane's consultation log (issue #17, UK DPA 2018 s.62 / LED art. 25): a view
of a traveller's passport data and an export each leave an ``access.consulted``
event in the lane's chain with who, when, what, from where and why; a request
lacking a required reason is refused with nothing served and nothing logged;
a supervisor reviews the log (an officer may not), and the review is itself
logged; an entry edited in the SQLite file breaks ``lanebox verify``."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import edge.consultations as consultations_module
from common.clock import utc_now
from common.eventlog.store import verify_file
from edge.consultations import ConsultationLog
from edge.projections import LANE_VIEWS
from edge.store import lane_store_path, open_lane_store
from tests.support.officer_app import OfficerApp, start_officer_app

MRZ = {"format": "TD3", "document_type": "P", "issuing_state": "UTO", "document_number": "L898902C3",
       "surname": "ERIKSSON", "given_names": "ANNA MARIA", "birth_date": "1974-08-12", "sex": "F",
       "nationality": "UTO", "expiry_date": "2032-04-15", "valid": True}


@pytest.fixture
def lane(officer_app: OfficerApp, monkeypatch: pytest.MonkeyPatch) -> OfficerApp:
    """The module's lane, with where this test's entries start, looked at an hour after its
    records were made: an inspection closed then is no longer the lane's own work."""
    officer_app.mark = officer_app.server.store.last_seq()
    monkeypatch.setattr(consultations_module, "utc_now", lambda: utc_now() + timedelta(hours=1))
    return officer_app


def with_passport(lane: OfficerApp) -> str:
    """An inspection with a passport's reading attached (the event as attachments write it)."""
    inspection_id = lane.inspection()
    lane.server.store.append("reading.attached", {
        "inspection_id": inspection_id,
        "reading": {"device_id": "document-1", "kind": "document", "ts": "2025-01-31T12:00:00.000Z",
                    "seq": 1, "data": {"mrz": MRZ}},
        "assessment": {"valid": True, "flags": []}}, "olga")
    return inspection_id


def closed(lane: OfficerApp, inspection_id: str) -> str:
    lane.ok("POST", f"/inspections/{inspection_id}/outcome", {"id": str(uuid.uuid4()), "outcome": "refer",
                                                             "reason": "to the secondary bay"})
    return inspection_id


def consultations(lane: OfficerApp) -> list[dict[str, Any]]:
    """This test's entries, oldest first."""
    return lane.server.store.page(after_seq=lane.mark, limit=1000, types=["access.consulted"])


def why(code: str, words: str | None = None) -> dict[str, str]:
    return {"X-Justification": code if words is None else f"{code}: {words}"}


def test_passport_data_of_a_closed_inspection_is_served_with_a_reason_and_logged_with_it(lane: OfficerApp):
    inspection_id = closed(lane, with_passport(lane))
    response = lane.call("GET", f"/inspections/{inspection_id}", user="olga",
                         headers=why("court_request", "Crown Court ref T2025%2F0117"),
                         environ_base={"REMOTE_ADDR": "10.20.0.7"})
    assert response.status_code == 200
    assert response.get_json()["document"]["data"]["mrz"]["surname"] == "ERIKSSON"
    [entry] = consultations(lane)
    assert entry["actor"] == "olga" and entry["ts"]
    payload = entry["payload"]
    assert payload["role"] == "officer" and payload["what"] == "document" and payload["action"] == "view"
    assert payload["records"] == [inspection_id]
    assert payload["route"] == f"GET /api/v1/inspections/{inspection_id}"
    assert {"surname", "given_names", "document_number", "birth_date"} <= set(payload["fields"])
    assert payload["address"] == "10.20.0.7"
    assert payload["justification"] == {"code": "court_request", "words": "Court request",
                                        "text": "Crown Court ref T2025/0117", "implicit": False}


def test_without_a_reason_a_closed_inspections_passport_is_not_served_and_nothing_is_logged(lane: OfficerApp):
    inspection_id = closed(lane, with_passport(lane))
    before = lane.events()
    refused = lane.call("GET", f"/inspections/{inspection_id}", user="olga")
    assert refused.status_code == 428
    body = refused.get_json()
    assert body["error"]["code"] == "justification_required"
    assert "ERIKSSON" not in refused.get_data(as_text=True) and "L898902C3" not in refused.get_data(as_text=True)
    assert {c["code"] for c in body["error"]["choices"]} >= {"this_inspection", "court_request", "audit"}
    listed = lane.call("GET", "/inspections?status=closed", user="olga")
    assert listed.status_code == 428 and "ERIKSSON" not in listed.get_data(as_text=True)
    assert lane.events() == before


@pytest.mark.parametrize("header", ["because", "other", "audit: " + "x" * 301, "audit: line%0Abreak",
                                    "audit: %FF"])
def test_a_garbled_reason_is_refused_and_nothing_is_served(lane: OfficerApp, header: str):
    inspection_id = closed(lane, with_passport(lane))
    before = lane.events()
    response = lane.call("GET", f"/inspections/{inspection_id}", user="olga", headers={"X-Justification": header})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_justification"
    assert "ERIKSSON" not in response.get_data(as_text=True)
    assert lane.events() == before


def test_the_open_inspection_is_its_own_reason_and_still_logged(lane: OfficerApp):
    inspection_id = with_passport(lane)
    view = lane.ok("GET", f"/inspections/{inspection_id}", status=200)
    assert view["document"]["data"]["mrz"]["document_number"] == "L898902C3"
    [entry] = consultations(lane)
    assert entry["payload"]["justification"]["code"] == "this_inspection"
    assert entry["payload"]["justification"]["implicit"] is True


def test_an_inspection_just_closed_is_still_the_lanes_own_work(lane: OfficerApp, monkeypatch: pytest.MonkeyPatch):
    """The officer who released or seized sees the record and prints the report, the lorry still
    there: not asked why within 15 minutes of the outcome; logged all the same. Anyone else is asked."""
    monkeypatch.setattr(consultations_module, "utc_now", utc_now)
    inspection_id = closed(lane, with_passport(lane))
    assert lane.call("GET", f"/inspections/{inspection_id}", user="olga").status_code == 200
    assert lane.call("GET", f"/inspections/{inspection_id}/report.pdf", user="olga").status_code == 200
    assert [(e["payload"]["justification"]["code"], e["payload"]["justification"]["implicit"])
            for e in consultations(lane)] == [("this_inspection", True)] * 2
    assert lane.call("GET", f"/inspections/{inspection_id}", user="sue").status_code == 428  # not sue's work


def test_an_inspection_without_a_document_is_no_consultation(lane: OfficerApp):
    inspection_id = closed(lane, lane.inspection())
    lane.ok("GET", f"/inspections/{inspection_id}", status=200)
    assert consultations(lane) == []


def test_an_export_of_the_log_needs_a_reason_and_is_logged_as_a_disclosure(lane: OfficerApp):
    with_passport(lane)
    refused = lane.call("GET", "/events?limit=1000", user="sue")
    assert refused.status_code == 428 and "ERIKSSON" not in refused.get_data(as_text=True)
    assert consultations(lane) == []
    exported = lane.call("GET", "/events?limit=1000", user="sue", headers=why("audit", "quarterly check"))
    assert exported.status_code == 200 and "ERIKSSON" in exported.get_data(as_text=True)
    [entry] = consultations(lane)
    payload = entry["payload"]
    assert entry["actor"] == "sue" and payload["action"] == "export" and payload["what"] == "events"
    assert payload["query"] == {"limit": "1000"}
    listed = exported.get_json()["events"]
    assert payload["records"] == [f"seq {listed[0]['seq']}-{listed[-1]['seq']}"]
    assert payload["justification"]["code"] == "audit" and payload["justification"]["text"] == "quarterly check"


def test_a_closed_inspections_report_needs_a_reason_and_the_export_is_logged(lane: OfficerApp):
    inspection_id = closed(lane, with_passport(lane))
    refused = lane.call("GET", f"/inspections/{inspection_id}/report.pdf", user="olga")
    assert refused.status_code == 428 and refused.mimetype == "application/json"
    assert consultations(lane) == []
    report = lane.call("GET", f"/inspections/{inspection_id}/report.pdf", user="olga", headers=why("case_follow_up"))
    assert report.status_code == 200 and report.mimetype == "application/pdf"
    [entry] = consultations(lane)
    assert entry["payload"]["what"] == "inspection report" and entry["payload"]["action"] == "export"
    assert entry["payload"]["records"] == [inspection_id]
    assert entry["payload"]["justification"]["code"] == "case_follow_up"


def test_the_supervisor_reviews_the_log_newest_first_the_officer_may_not(lane: OfficerApp):
    first = closed(lane, with_passport(lane))
    second = with_passport(lane)
    lane.call("GET", f"/inspections/{first}", user="olga", headers=why("data_subject_request"))
    lane.call("GET", f"/inspections/{second}", user="olga")
    assert lane.call("GET", "/consultations", user="olga").status_code == 403
    assert lane.call("GET", "/consultations", user="vic").status_code == 403
    review = lane.ok("GET", "/consultations?limit=2", status=200, user="sue")
    assert [(e["user"], e["records"], e["justification"]["code"]) for e in review["entries"]] == [
        ("olga", [second], "this_inspection"), ("olga", [first], "data_subject_request")]
    only_first = lane.ok("GET", f"/consultations?record={first}", status=200, user="sue")["entries"]
    assert [e["records"] for e in only_first] == [[first]]
    assert lane.ok("GET", "/consultations?user=nobody", status=200, user="sue")["entries"] == []
    page = lane.ok("GET", "/consultations?limit=1", status=200, user="sue")
    assert len(page["entries"]) == 1 and page["next_before"] == page["entries"][0]["seq"]
    following = lane.ok("GET", f"/consultations?limit=1&before={page['next_before']}", status=200, user="sue")
    assert following["entries"][0]["seq"] < page["next_before"]
    reviews = [e for e in consultations(lane) if e["payload"]["what"] == "consultation_log"]
    assert reviews and reviews[-1]["actor"] == "sue"
    assert reviews[-1]["payload"]["justification"] == {"code": "audit", "words": "Audit", "text": None,
                                                      "implicit": True}
    assert reviews[-1]["payload"]["query"] == {"limit": "1", "before": str(page["next_before"])}


def test_a_bad_review_filter_is_a_400(lane: OfficerApp):
    for query in ("since=yesterday", "until=2025-13-01", "before=0", "limit=500", "record=" + "x" * 200):
        response = lane.call("GET", f"/consultations?{query}", user="sue")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["code"] == "invalid_field"


def test_a_log_that_cannot_be_written_serves_nothing(lane: OfficerApp, tmp_path: Path):
    inspection_id = closed(lane, with_passport(lane))
    gone = open_lane_store(tmp_path / "gone" / "lane.sqlite3", "TEST-IN-02").start()
    gone.close()  # a log whose store is gone (a dead disk) while the records still read
    kept, lane.server.consultations = lane.server.consultations, ConsultationLog(gone)
    try:
        response = lane.call("GET", f"/inspections/{inspection_id}", user="olga", headers=why("audit"))
    finally:
        lane.server.consultations = kept
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "consultation_not_logged"
    assert "ERIKSSON" not in response.get_data(as_text=True)


def test_an_entry_edited_in_the_file_breaks_lanebox_verify(tmp_path: Path):
    lane = start_officer_app(tmp_path)
    try:
        lane.mark = 0
        inspection_id = closed(lane, with_passport(lane))
        lane.call("GET", f"/inspections/{inspection_id}", user="olga", headers=why("audit"))
    finally:
        lane.server.stop()
    path = lane_store_path(tmp_path)
    assert verify_file(path, LANE_VIEWS).ok
    [entry] = [e for e in lane_entries(path)]
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER events_no_update")  # what someone with the file in hand can do
    conn.execute("UPDATE events SET payload = replace(payload, 'olga', 'sue'), actor = 'sue' WHERE seq = ?",
                 (entry,))
    conn.commit()
    conn.close()
    report = verify_file(path, LANE_VIEWS)
    assert not report.ok and report.first_broken_seq == entry


def lane_entries(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT seq FROM events WHERE type = 'access.consulted'")]
    finally:
        conn.close()
