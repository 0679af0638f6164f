"""An erased case on the tablet (issue #17), in real headless Chromium: the officer opens a closed
inspection whose passport data a supervisor erased, and where the holder's name was, reads when and by
whom it was erased and why — not "(no name)"; what the lane judged (VALID) is still shown."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from drivers.simulators.mrz_reader import made_up_specimens
from tests.support.browser import shoot
from tests.support.lane_process import LaneRig
from tests.support.waiting import wait_for


def test_an_erased_passport_says_when_and_by_whom_it_was_erased(page: Page, lane: LaneRig) -> None:
    inspection_id = str(uuid.uuid4())
    assert lane.api("POST", "/inspections", "olga", json={"id": inspection_id, "plate": "EK 48213",
                                                          "containers": [], "inspection_type": "standard"}
                    ).status_code == 201
    lane.sims["document-1"].present(made_up_specimens()[1])
    attach = {"id": str(uuid.uuid4()), "device_id": "document-1", "record_type": "inspection",
              "record_id": inspection_id}
    wait_for(lambda: lane.api("POST", "/attachments", "olga", json=attach).status_code in (200, 201),
             timeout=10, message="the passport attached")
    assert lane.api("POST", f"/inspections/{inspection_id}/outcome", "sue", json={  # closed by another: olga is asked
        "id": str(uuid.uuid4()), "outcome": "refer", "reason": "to the search team"}).status_code == 201
    assert lane.api("POST", "/erasures", "sue", json={"id": str(uuid.uuid4()), "case_id": inspection_id,
                                                      "reason": "data subject request 2026/114"}).status_code == 201

    page.goto(f"/#/inspections/{inspection_id}")
    page.click("#justify-case_follow_up")  # a closed inspection's document: asked why
    attached = page.locator("#document-attached")
    expect(attached).to_contain_text("Personal data erased on ")
    expect(attached).to_contain_text("erasure ordered by sue: data subject request 2026/114")
    expect(attached).to_contain_text("VALID")
    expect(attached).not_to_contain_text("DE VRIES")
    expect(attached).not_to_contain_text("(no name)")
    shoot(page, "70-inspection-erased")
