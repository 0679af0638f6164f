"""A photo of a person on the tablet (issue #17), in real headless Chromium with touch: the officer taps
"Shows a person" on a finding's photo (a 64 px target, off by default), records the finding, and the box
keeps the photo sealed (no byte of the JPEG on its disk) yet shows it back; once a supervisor erases the
case, the finding says in words that the photo of a person was erased, in place of the picture."""

from __future__ import annotations

import hashlib
import uuid

from playwright.sync_api import Page, expect

from edge.store import lane_photos_path
from tests.support.browser import photo_bytes, shoot
from tests.support.lane_process import LaneRig


def test_a_photo_marked_as_showing_a_person_is_sealed_and_erased_with_its_case(page: Page, lane: LaneRig) -> None:
    inspection_id = str(uuid.uuid4())
    assert lane.api("POST", "/inspections", "olga", json={"id": inspection_id, "plate": "EK 48213",
                                                          "containers": [], "inspection_type": "standard"}
                    ).status_code == 201
    jpeg = photo_bytes() + b"\x00person"
    sha = hashlib.sha256(jpeg).hexdigest()
    page.goto(f"/#/inspections/{inspection_id}")
    page.set_input_files("#photo-input", files=[{"name": "driver.jpg", "mimeType": "image/jpeg", "buffer": jpeg}])
    photo = page.locator(f'#photo-list [data-sha256="{sha}"]')
    expect(photo).to_contain_text("Fingerprinted ✓")
    toggle = photo.locator(".person-toggle")
    expect(toggle).to_contain_text("Shows a person (face, body, ID)")
    expect(toggle.locator("input")).not_to_be_checked()  # off unless the officer says so
    box = toggle.bounding_box()
    assert box is not None and box["height"] >= 64, box
    toggle.tap()
    expect(toggle.locator("input")).to_be_checked()
    shoot(page, "72-finding-person-photo", at="#finding-form")

    page.select_option("#finding-form select", "concealment")
    page.fill("#finding-form textarea", "Driver hidden behind the load")
    page.click("#finding-form button[type=submit]")
    expect(page.locator("#findings-list")).to_contain_text("Driver hidden behind the load")
    stored = (lane_photos_path(lane.root / "data") / sha).read_bytes()
    assert not stored.startswith(b"\xff\xd8\xff") and jpeg[200:264] not in stored
    served = lane.api("GET", f"/photos/{sha}", "sue", headers={"X-Justification": "audit"})
    assert served.status_code == 200 and served.content == jpeg

    assert lane.api("POST", f"/inspections/{inspection_id}/outcome", "olga", json={
        "id": str(uuid.uuid4()), "outcome": "refer", "reason": "to the search team"}).status_code == 201
    assert lane.api("POST", "/erasures", "sue", json={"id": str(uuid.uuid4()), "case_id": inspection_id,
                                                      "reason": "data subject request 2026/115"}).status_code == 201
    page.reload()
    finding = page.locator(f'#findings-list [data-sha256="{sha}"]')
    expect(finding).to_contain_text("photo of a person, erased on")
    expect(finding).to_contain_text("data subject request 2026/115")
    expect(finding.locator("img")).to_have_count(0)
    shoot(page, "73-finding-person-photo-erased", at="#findings-list")
