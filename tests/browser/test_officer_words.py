"""Words for officers, not for developers (issue #13): an inspection that ended in
a seizure, and its seizure, show no ids, hashes or raw event types on the
officer's screens — those stay in the report and the technician's views."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.support.lane_process import LaneRig

#: what a developer would recognise and an officer should never have to read
DEVELOPER_WORDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-|\b[0-9a-f]{16,}\b|\b[a-z]{3,}\.[a-z_]{3,}\b")


def write(lane: LaneRig, path: str, body: dict) -> dict:
    response = lane.api("POST", path, user="olga", json={"id": str(uuid.uuid4()), **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_seized_inspection_reads_in_words(page: Page, lane: LaneRig) -> None:
    inspection_id = str(uuid.uuid4())
    response = lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "WGM 4823K", "containers": [], "inspection_type": "standard"})
    assert response.status_code == 201
    write(lane, f"/inspections/{inspection_id}/findings", {"category": "concealment", "note": "false floor"})
    write(lane, f"/inspections/{inspection_id}/outcome", {"outcome": "seize", "reason": "false floor"})
    write(lane, "/seizures", {"inspection_id": inspection_id, "legal_basis": "CEMA 1979 s.139", "items": [
        {"description": "Cigarettes", "hs_code": "240220", "quantity": 20, "unit": "cartons", "value": 900,
         "currency": "EUR"}]})
    page.goto(f"/#/inspections/{inspection_id}")
    expect(page.locator("[data-seizure]")).to_have_text("The seizure from WGM4823K — bags, labels, custody, report")
    log = page.locator("details.log")
    log.locator("summary").click()
    expect(log).to_contain_text("Inspection started")
    expect(log).to_contain_text("Goods seized")
    expect(page.locator("dt:text-is('Type') + dd")).to_have_text("Standard")  # the checklist's name, as a word
    shown = page.locator("main").inner_text()
    assert DEVELOPER_WORDS.findall(shown) == [], shown

    page.locator("[data-seizure]").click()
    expect(page.locator("#seizure-plate")).to_have_text("WGM4823K")
    shown = page.locator("main").inner_text()
    assert DEVELOPER_WORDS.findall(shown) == [], shown
