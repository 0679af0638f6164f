"""Gating in Chromium, on a lane whose scale was last calibrated 40 days ago
with a 30-day interval: nothing failed, time simply ran out. The technician
and the officer both see it due; a weight attached from it is marked on the
inspection and in the seizure report. Then a supervisor locks the scale
from the devices screen with a reason (the officer cannot attach from it)
and unlocks it again."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from common.eventlog.store import EventStore
from tests.support.browser import LANDSCAPE, NewContext, pdf_of_link, shoot, signed_in
from tests.support.lane_process import LaneRig, make_rig
from tests.support.pdf_text import pdf_text

INTERVAL_DAYS = 30
CALIBRATED = datetime.now(UTC) - timedelta(days=40)
CALIBRATED_AT = CALIBRATED.isoformat(timespec="milliseconds").replace("+00:00", "Z")
#: when it fell due, as the screens show dates ("18 Nov 2026")
DUE_DAY = f"{(CALIBRATED + timedelta(days=INTERVAL_DAYS)):%-d %b %Y}"


def calibrated_long_ago(store: EventStore) -> None:
    """The scale's last calibration: passed, 40 days before the lane starts."""
    store.append("calibration.recorded", {"device_id": "scale-1", "kind": "scale-r76", "passed": True,
                                          "session_id": str(uuid.uuid4())}, "tom", ts=CALIBRATED_AT)


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    rig = make_rig(tmp_path_factory.mktemp("overdue-lane"),
                   device_settings={"scale-1": {"calibration_interval_days": INTERVAL_DAYS}},
                   history=calibrated_long_ago)
    try:
        rig.start()
        yield rig
    finally:
        rig.close()


def officer_tablet(new_context: NewContext, lane: LaneRig) -> tuple[BrowserContext, Page]:
    tablet = new_context(base_url=lane.url, viewport=LANDSCAPE, device_scale_factor=1, has_touch=True)
    return tablet, signed_in(tablet, "olga")


def open_inspection(lane: LaneRig) -> str:
    inspection_id = str(uuid.uuid4())
    started = lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "EK 48213", "containers": ["CSQU3054383"], "inspection_type": "standard"})
    assert started.status_code == 201, started.text
    return inspection_id


def test_an_overdue_scale_is_due_everywhere_and_what_it_weighs_is_marked(
        context: BrowserContext, new_context: NewContext, lane: LaneRig) -> None:
    technician = signed_in(context, "tom")
    technician.click('[data-nav="devices"]')
    card = technician.locator('.device-card[data-device="scale-1"]')
    expect(card).to_have_attribute("data-state", "calibration_due")
    expect(card.locator(".card-head")).to_contain_text("CALIBRATION DUE")
    expect(card.locator(".calibration")).to_contain_text(f"overdue since {DUE_DAY}")
    expect(card.locator(".calibration")).to_contain_text(f"every {INTERVAL_DAYS} days")
    shoot(technician, "70-devices-scale-overdue")
    technician.goto("/#/devices/scale-1/history")
    expect(technician.locator("#history > li")).to_have_count(1)
    expect(technician.locator("#history > li")).to_contain_text("by tom")

    tablet, officer = officer_tablet(new_context, lane)
    try:
        tile = officer.locator('.tile[data-device="scale-1"]')
        expect(tile).to_have_attribute("data-state", "calibration_due")
        expect(tile.locator(".state-badge")).to_have_text("CALIBRATION DUE")
        shoot(officer, "71-officer-scale-overdue")

        inspection_id = open_inspection(lane)
        lane.sims["scale-1"].set_load(24680, settle=True)
        officer.goto(f"/#/inspections/{inspection_id}")
        expect(officer.locator("#attach-scale")).to_have_text(re.compile(r"Attach 24\D?680 kg"), timeout=15_000)
        officer.click("#attach-scale")
        attached = officer.locator("#weights-attached")
        expect(attached).to_contain_text(re.compile(r"24\D?680 kg"))
        expect(attached).to_contain_text("CALIBRATION DUE")
        shoot(officer, "72-weight-attached-while-overdue", at="#weights-attached")
        view = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()
        assert view["weights"][0]["calibration_due"] is True

        # ----- seized: the report the officer prints says the weight was read while due -----
        assert lane.api("POST", f"/inspections/{inspection_id}/outcome", user="olga",
                        json={"id": str(uuid.uuid4()), "outcome": "seize"}).status_code == 201
        seizure_id = str(uuid.uuid4())
        assert lane.api("POST", "/seizures", user="olga", json={
            "id": seizure_id, "inspection_id": inspection_id, "legal_basis": "s.139",
            "items": [{"description": "Cigarettes", "hs_code": "240220", "quantity": 400, "unit": "cartons",
                       "value": 15200, "currency": "EUR"}]}).status_code == 201
        officer.goto(f"/#/seizures/{seizure_id}")
        with officer.context.expect_page() as popup:  # the PDF tab the app opens
            officer.click("#report-button")
            officer.click("#justify-case_follow_up")  # a seizure's report is a disclosure: the app asks why
        popup.value.close()
        report = pdf_text(pdf_of_link(officer))
        assert "Device readings attached" in report and "24,680 kg stable" in report
        assert "CALIBRATION DUE" in report and "the device's calibration was overdue or had failed" in report
    finally:
        lane.sims["scale-1"].set_load(0, settle=True)
        tablet.close()


def give_reason(page: Page, reason: str, screenshot: str | None = None) -> None:
    dialog = page.locator("dialog.reason-dialog")
    expect(dialog).to_be_visible()
    page.fill("#reason-input", reason)
    if screenshot:
        shoot(page, screenshot)
    page.click("#reason-ok")
    expect(dialog).to_have_count(0)


def test_a_supervisor_locks_and_unlocks_a_device_with_a_reason(context: BrowserContext, new_context: NewContext,
                                                               lane: LaneRig) -> None:
    supervisor = signed_in(context, "sue")
    supervisor.click('[data-nav="devices"]')
    card = supervisor.locator('.device-card[data-device="scale-1"]')
    card.locator('[data-action="lock"]').click()
    give_reason(supervisor, "seal broken, awaiting repair", screenshot="73-lock-reason")
    expect(card).to_have_attribute("data-state", "locked")
    expect(card.locator(".device-detail")).to_have_text("locked by sue: seal broken, awaiting repair")
    shoot(supervisor, "74-devices-scale-locked")

    tablet, officer = officer_tablet(new_context, lane)
    try:
        expect(officer.locator('.tile[data-device="scale-1"] .state-badge')).to_have_text("LOCKED")
        inspection_id = open_inspection(lane)
        lane.sims["scale-1"].set_load(18000, settle=True)
        officer.goto(f"/#/inspections/{inspection_id}")
        step = officer.locator("#step-weight")
        expect(step.locator("#attach-scale")).to_be_disabled()
        expect(step.locator(".hint")).to_have_text("Device locked by a supervisor.")
        shoot(officer, "75-officer-attach-locked", at="#step-weight")
        refused = lane.api("POST", "/attachments", user="olga", json={
            "id": str(uuid.uuid4()), "device_id": "scale-1", "record_type": "inspection", "record_id": inspection_id})
        assert refused.status_code == 423 and refused.json()["error"]["code"] == "device_locked"
        assert "seal broken, awaiting repair" in refused.json()["error"]["message"]

        card.locator('[data-action="unlock"]').click()
        give_reason(supervisor, "seal replaced by the maker")
        expect(card).to_have_attribute("data-state", "calibration_due")  # unlocked, and still overdue
        expect(card.locator('[data-action="lock"]')).to_be_visible()
        expect(step.locator("#attach-scale")).to_have_text(re.compile(r"Attach 18\D?000 kg"), timeout=15_000)
        officer.click("#attach-scale")
        expect(officer.locator("#weights-attached")).to_contain_text(re.compile(r"18\D?000 kg"))
    finally:
        lane.sims["scale-1"].set_load(0, settle=True)
        tablet.close()
    reasons = [(e["type"], e["actor"], e["payload"]["reason"]) for e in lane.api(
        "GET", "/events?type=device.locked&type=device.unlocked", user="sue",
headers={"X-Justification": "audit"}).json()["events"]]
    assert reasons == [("device.locked", "sue", "seal broken, awaiting repair"),
                       ("device.unlocked", "sue", "seal replaced by the maker")]
