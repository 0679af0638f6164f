"""The printed documents: what a court reads must name every bag, custody
step and event hash, say whether the chain verified, and print the names
on the papers — with the DejaVu fonts, or without them; in the lane's local
time, amounts grouped as people read them, photos shown beside their hashes."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from edge.reports.court import seizure_report
from edge.reports.document import FONT_DIR, latin1
from edge.reports.duty import duty_receipt
from tests.support.officer_app import new_id
from tests.support.pdf_text import pdf_text

LANE = {"id": "TEST-IN-02", "name": "Test lane 2 (Łódź)", "timezone": "Asia/Kolkata"}


def nowhere(sha256: str) -> Path | None:
    """A lane that holds none of the photos."""
    return None


def photo_png() -> bytes:
    """A real picture, as a camera would send one."""
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()

CHAIN_OK = {"ok": True, "checked": 42, "first_broken_seq": None, "reason": None}


@pytest.fixture(scope="module")
def seized(officer_app):
    """An inspection with a photo finding, closed with seize; a seizure whose
    items have non-Latin-1 names; a bag sealed and handed over."""
    inspection_id = officer_app.inspection()
    photo = officer_app.call("POST", "/photos", data=photo_png(),
                             headers={"Content-Type": "image/png"}).get_json()["sha256"]
    officer_app.ok("POST", f"/inspections/{inspection_id}/findings",
                   {"id": new_id(), "category": "concealment", "note": "false floor", "photos": [photo]})
    officer_app.ok("POST", f"/inspections/{inspection_id}/outcome", {"id": new_id(), "outcome": "seize"})
    seizure_id = new_id()
    officer_app.ok("POST", "/seizures", {"id": seizure_id, "inspection_id": inspection_id, "legal_basis": "s.139",
                                         "items": [{"description": "Papierosy „Łódź” – 400 cartons",
                                                    "hs_code": "240220", "quantity": 400, "unit": "cartons",
                                                    "value": 15200, "currency": "EUR"}]})
    bag_id = officer_app.bag(seizure_id)
    officer_app.custody(bag_id, "sealed", seal_number="GB 000777")
    officer_app.custody(bag_id, "handed_over", to="Border Force, Dover", confirmation="scan", scanned_text=bag_id)
    seizure = officer_app.ok("GET", f"/seizures/{seizure_id}", status=200)
    inspection = officer_app.ok("GET", f"/inspections/{inspection_id}", status=200)
    events = officer_app.server.store.record_events([seizure_id, inspection_id])
    return {"seizure": seizure, "inspection": inspection, "events": events, "photo": photo, "bag_id": bag_id}


def test_the_served_report_names_bags_steps_hashes_and_the_chain(officer_app, seized):
    response = officer_app.call("GET", f"/seizures/{seized['seizure']['id']}/report.pdf", user="vic",
                                headers={"X-Justification": "audit"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    assert seized["bag_id"] in text and seized["photo"] in text
    for event in seized["events"]:
        assert event["hash"] in text and event["id"] in text
    assert "hash chain is whole" in text and "Border Force, Dover" in text
    if FONT_DIR.is_dir():
        assert "Papierosy „Łódź” – 400 cartons" in text
    assert text.startswith("Seizure from KHN512, ") and "15,200.00 EUR" in text
    assert b"/Subtype /Image" in response.data  # the photo itself, beside its hash


def test_times_are_the_lanes_local_time_with_its_zone(seized):
    """Stored times are UTC to the millisecond; a reader gets the lane's clock, to the second."""
    text = pdf_text(seizure_report(lane=LANE, seizure=seized["seizure"], inspection=seized["inspection"],
                                   events=seized["events"], chain=CHAIN_OK, generated_at="2026-11-28T22:00:00.000Z",
                                   photo_path=nowhere))
    assert "Generated 2026-11-29 03:30:00 IST" in text and "Times are local (Asia/Kolkata)" in text
    created = seized["seizure"]["created_at"]
    local = datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Kolkata"))
    assert text.splitlines()[0] == f"Seizure from KHN512, {local.day} {local:%b %Y}"
    assert f"Recorded\n{local:%Y-%m-%d %H:%M:%S} IST by" in text
    assert created not in text.split("Evidence:")[0]  # the body prints no raw UTC stamps
    assert seized["events"][0]["ts"] in text  # the evidence table keeps each time as it was hashed
    assert "not on this lane" in text and seized["photo"] in text


def test_items_are_numbered_from_one_as_on_the_screen(seized):
    text = pdf_text(seizure_report(lane=LANE, seizure=seized["seizure"], inspection=seized["inspection"],
                                   events=seized["events"], chain=CHAIN_OK, generated_at="2026-11-28T10:00:00.000Z",
                                   photo_path=nowhere))
    items = text[text.index("Seized items"):text.index("Evidence bags")]
    assert "\n1\n" in items and "\n0\n" not in items
    assert f"{seized['bag_id']}: " in text and "(items 1), now" in text


def test_a_photo_that_cannot_be_drawn_is_said_so(officer_app, seized, tmp_path):
    """Uploads are checked by their first bytes only: a "PNG" that is not one still prints its hash."""
    fake = tmp_path / seized["photo"]
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not a picture" * 20)
    text = pdf_text(seizure_report(lane=LANE, seizure=seized["seizure"], inspection=seized["inspection"],
                                   events=seized["events"], chain=CHAIN_OK, generated_at="2026-11-28T10:00:00.000Z",
                                   photo_path=lambda sha: fake.read_bytes() if sha == seized["photo"] else None))
    assert "cannot be drawn" in text and seized["photo"] in text


def test_without_unicode_fonts_the_text_is_reduced_not_lost(seized, tmp_path):
    pdf = seizure_report(lane=LANE, seizure=seized["seizure"], inspection=seized["inspection"],
                         events=seized["events"], chain=CHAIN_OK, generated_at="2026-11-28T10:00:00.000Z",
                         font_dir=tmp_path, photo_path=nowhere)
    text = pdf_text(pdf)
    assert 'Papierosy ?Lódz" - 400 cartons' in text and "Lane TEST-IN-02 - Test lane 2 (Lódz)" in text
    assert seized["bag_id"] in text and seized["events"][-1]["hash"] in text


def test_a_broken_chain_is_said_plainly(seized):
    broken = {"ok": False, "checked": 6, "first_broken_seq": 7, "reason": "hash does not match the content"}
    pdf = seizure_report(lane=LANE, seizure=seized["seizure"], inspection=None, events=seized["events"],
                         chain=broken, generated_at="2026-11-28T10:00:00.000Z", photo_path=nowhere)
    text = pdf_text(pdf)
    assert "THE HASH CHAIN IS BROKEN at seq 7: hash does not match the content" in text
    assert "The inspection's events are not in this lane's store." in text


def test_a_long_evidence_table_runs_onto_more_pages(seized):
    events = seized["events"] * 30
    text = pdf_text(seizure_report(lane=LANE, seizure=seized["seizure"], inspection=seized["inspection"],
                                   events=events, chain=CHAIN_OK, generated_at="2026-11-28T10:00:00.000Z",
                                   photo_path=nowhere))
    assert "Page 3 of" in text and text.count(seized["events"][0]["hash"]) == 30


def test_the_duty_receipt(officer_app):
    inspection_id = officer_app.inspection()
    event_id = new_id()
    officer_app.ok("POST", f"/inspections/{inspection_id}/duty",
                   {"id": event_id, "hs_code": "030471", "currency": "EUR", "fob": 10000, "freight": 500,
                    "insurance": 100})
    event = officer_app.server.store.get(event_id)
    for font_dir in (FONT_DIR, None):
        text = pdf_text(duty_receipt(lane=LANE, event=event, inspection=None, font_dir=font_dir,
                                     generated_at="2026-11-28T10:00:00.000Z"))
        assert "2,698.34 GBP" in text and "9,116.00 GBP" in text and event["hash"] in text


def test_latin1():
    assert latin1("İskenderun Yassı Çelik A.Ş. – ≥ 600 mm") == "Iskenderun Yassi Çelik A.S. - >= 600 mm"
    assert latin1("深圳") == "??"
