"""The technician's screens in Chromium: a device added from the port list,
a scale calibration that passes and one that fails (the simulator's load
and error set by the test, as weights on the platform would be), the
certificate, and what an officer then sees: a due scale, a marked reading."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import BrowserContext, Page, expect

from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort
from tests.support.browser import LANDSCAPE, NewContext, pdf_bytes_of_link, shoot, signed_in
from tests.support.lane_process import LaneRig, by_id_link


def test_officers_do_not_see_the_device_screens(context: BrowserContext) -> None:
    page = signed_in(context, "olga")
    expect(page.locator('[data-nav="devices"]')).to_be_hidden()
    page.goto("/#/devices")
    expect(page.locator("#not-allowed")).to_contain_text("technicians and supervisors")


def test_technician_adds_a_device_from_the_port_list(context: BrowserContext, lane: LaneRig) -> None:
    port = PtyPort(MtSicsSimulator(serial="SCALE-TWO"), link=by_id_link(lane.root, "scale-2")).start()
    try:
        page = signed_in(context, "tom")
        page.click('[data-nav="devices"]')
        expect(page.locator('.device-card[data-device="scale-1"] .identity')).to_contain_text("SIM-WB60")
        expect(page.locator('.device-card[data-device="scale-1"] .counters')).to_contain_text("frames")
        shoot(page, "60-devices")
        page.click("#add-device")
        page.fill('[data-field="id"] input', "scale-2")
        page.click(f'.port-choice[data-port="{port.path}"]')
        expect(page.locator(f'.port-choice[data-port="{port.path}"]')).to_contain_text("/dev/pts/")
        page.click("#test-connection")
        expect(page.locator("#probe-result")).to_have_attribute("data-ok", "true")
        expect(page.locator("#probe-result")).to_contain_text("s/n SCALE-TWO")
        shoot(page, "61-add-device-tested", full_page=True)
        page.click("#save-device")
        card = page.locator('.device-card[data-device="scale-2"]')
        expect(card).to_have_attribute("data-state", "connected")
        expect(card.locator(".identity")).to_contain_text("SCALE-TWO")
        assert lane.api("GET", "/devices/scale-2", user="tom").json()["port"] == port.path
    finally:
        lane.api("DELETE", "/devices/scale-2", user="tom")
        port.close()


def calibrate(page: Page, lane: LaneRig, screenshot: str | None = None) -> None:
    """Fill in the instrument and a reference weight, then weigh every point."""
    scale = lane.sims["scale-1"]
    page.goto("/#/devices")
    page.click('.device-card[data-device="scale-1"] a:text("Calibrate")')
    page.fill('[name="max"]', "60000")
    page.fill('[name="e"]', "20")
    page.fill('[name="w_nominal"]', "1000")
    page.fill('[name="w_certificate"]', "UKAS-0042")
    page.fill('[name="w_date"]', "2026-01-15")
    page.check('[name="method"][value="extended"]')  # the simulator's service mode (SIH) reads to 2 kg
    page.fill('[name="extended_resolution"]', "2")
    page.click("#start-calibration")
    progress = page.locator(".cal-progress")
    while True:
        expect(page.locator("#cal-next")).to_be_visible()
        if page.locator("#cal-verdict").count():
            break
        text = progress.inner_text()
        scale.set_load(float(page.input_value('[name="load"]')), settle=True)  # the technician loads the platform
        if screenshot and "Point 6 " in text:
            shoot(page, screenshot, full_page=True)
        page.click("#read-weight")
        expect(progress.or_(page.locator("#cal-verdict"))).not_to_have_text(text)
    scale.set_load(0, settle=True)


def test_scale_calibration_passes_then_fails_and_the_officer_sees_it(context: BrowserContext, new_context: NewContext,
                                                                   lane: LaneRig) -> None:
    page = signed_in(context, "tom")
    lane.sims["scale-1"].set_error(0)
    calibrate(page, lane, screenshot="62-calibration-in-progress")
    expect(page.locator("#cal-verdict")).to_have_text("CALIBRATION PASSED")
    expect(page.locator('.cal-step[data-step="weighing"] .badge').first).to_have_text("PASS")
    shoot(page, "63-calibration-passed", full_page=True)
    with page.context.expect_page() as popup:  # the PDF tab the app opens
        page.click("#certificate-button")
    popup.value.close()
    expect(page.locator("#pdf-link")).to_have_attribute("href", re.compile("^blob:"))
    pdf = pdf_bytes_of_link(page, "#pdf-link")
    assert pdf["type"] == "application/pdf" and pdf["head"] == "%PDF-" and pdf["size"] > 2000

    lane.sims["scale-1"].set_error(error_ppm=1500)  # the scale reads 0.15 % high: fails at the top loads
    try:
        calibrate(page, lane)
    finally:
        lane.sims["scale-1"].set_error(0)
    expect(page.locator("#cal-verdict")).to_have_text("CALIBRATION FAILED")
    expect(page.locator('.cal-step[data-step="weighing"] tr.is-fail').first).to_be_visible()
    shoot(page, "64-calibration-failed", full_page=True)
    page.goto("/#/devices/scale-1/history")
    expect(page.locator("#history > li")).to_have_count(2)
    page.goto("/#/devices")
    expect(page.locator('.device-card[data-device="scale-1"]')).to_have_attribute("data-state", "calibration_due")
    shoot(page, "65-devices-scale-due")

    # ----- the officer: the scale tile says so, and a weight attached from it is marked -----
    tablet = new_context(base_url=lane.url, viewport=LANDSCAPE, device_scale_factor=1, has_touch=True)
    officer = signed_in(tablet, "olga")
    tile = officer.locator('.tile[data-device="scale-1"]')
    expect(tile).to_have_attribute("data-state", "calibration_due")
    expect(tile.locator(".state-badge")).to_have_text("CALIBRATION DUE")
    shoot(officer, "66-officer-scale-due")
    inspection_id = str(uuid.uuid4())
    started = lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "EK 48213", "containers": ["CSQU3054383"], "inspection_type": "standard"})
    assert started.status_code == 201, started.text
    lane.sims["scale-1"].set_load(24680, settle=True)
    officer.goto(f"/#/inspections/{inspection_id}")
    # wait for this lorry's weight on the button, not for a button enabled by an earlier stable weight
    expect(officer.locator("#attach-scale")).to_have_text(re.compile(r"Attach 24\D?680 kg"), timeout=15_000)
    officer.click("#attach-scale")
    attached = officer.locator("#weights-attached")
    expect(attached).to_contain_text(re.compile(r"24\D?680 kg"))
    expect(attached).to_contain_text("CALIBRATION DUE")
    view = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()
    assert view["weights"][0]["calibration_due"] is True
    lane.sims["scale-1"].set_load(0, settle=True)
    tablet.close()
