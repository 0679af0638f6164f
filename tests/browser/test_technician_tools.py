"""The technician's tools explain themselves (issue #14), in Chromium: the
calibration wizard shows what the scale shows now (weight, STABLE or
MOVING) and on which zone an eccentricity load goes; a setup mistake is
told in plain words beside its field; an officer's lane swab during a
pending daily check is not scored as the trap; the raw console shows whole
frames, filters them and says what a reply means. Every screen is checked
with axe-core (no serious or critical violations) and photographed at the
tablet's two sizes."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.support.axe import axe_violations
from tests.support.browser import shoot, signed_in
from tests.support.lane_process import LaneRig

TRAP_LOT = "VT-2026-301"


def assert_accessible(page: Page) -> None:
    assert axe_violations(page) == [], page.url


def start_calibration(page: Page) -> None:
    page.goto("/#/devices")
    page.click('.device-card[data-device="scale-1"] a:text("Calibrate")')
    page.fill('[name="max"]', "60000")
    page.fill('[name="e"]', "20")
    page.fill('[name="w_nominal"]', "1000")
    page.fill('[name="w_certificate"]', "UKAS-0042")
    page.fill('[name="w_date"]', "2026-01-15")
    page.check('[name="method"][value="extended"]')
    page.fill('[name="extended_resolution"]', "2")


def test_the_wizard_shows_the_live_weight_stable_and_the_eccentricity_zone(context: BrowserContext,
                                                                          lane: LaneRig) -> None:
    scale = lane.sims["scale-1"]
    scale.set_load(1240, settle=True)
    page = signed_in(context, "tom")
    start_calibration(page)
    weight = page.locator("#cal-live-weight")
    expect(weight).to_have_text(re.compile(r"^1\D?240 kg$"))
    expect(page.locator("#cal-live-motion")).to_have_text("STABLE")
    expect(page.locator("#cal-live")).to_have_attribute("data-stable", "true")
    scale.set_load(20020, settle=False)  # a load swinging on the platform
    expect(page.locator("#cal-live-motion")).to_have_text("MOVING")
    expect(page.locator("#cal-live-note")).to_contain_text("wait for STABLE")
    expect(weight).to_have_text(re.compile(r"^20\D?020 kg$"), timeout=15_000)  # it settles
    expect(page.locator("#cal-live-motion")).to_have_text("STABLE")
    assert_accessible(page)
    shoot(page, "90-calibration-live-weight")

    # a mistake is told beside its field, in words
    page.fill('[name="max"]', "0")
    page.click("#start-calibration")
    error = page.locator('[data-field="instrument"] .field-error')
    expect(error).to_have_text("Instrument max must be more than 0")
    page.fill('[name="max"]', "60000")

    scale.set_load(0, settle=True)
    page.click("#start-calibration")
    expect(page.locator(".cal-progress")).to_contain_text("Point 1 of")
    page.click("#read-weight")  # zero
    expect(page.locator(".cal-progress")).to_contain_text("Eccentricity")
    zones = page.locator("#zone-diagram > li")
    expect(zones).to_have_count(4)
    expect(zones.nth(0)).to_have_attribute("data-state", "now")
    expect(zones.nth(0)).to_contain_text("load here now")
    scale.set_load(float(page.input_value('[name="load"]')), settle=True)
    expect(weight).to_have_text(re.compile(r"^20\D?000 kg$"))
    page.click("#read-weight")
    expect(zones.nth(1)).to_have_attribute("data-state", "now")
    expect(zones.nth(0)).to_have_attribute("data-state", "pass")
    assert_accessible(page)
    shoot(page, "91-calibration-eccentricity-zones", full_page=True)
    scale.set_load(0, settle=True)


def test_a_lane_swab_during_a_pending_daily_check_is_not_scored_as_the_trap(context: BrowserContext,
                                                                            lane: LaneRig) -> None:
    etd = lane.sims["trace-1"]
    page = signed_in(context, "tom")
    page.goto("/#/devices/trace-1/check")
    page.fill('[name="trap_lot"]', TRAP_LOT)
    page.select_option('[name="expected_substance"]', "RDX")
    assert_accessible(page)
    page.click("#start-check")
    page.click("#arm-step")
    trap = page.locator('[data-step="trap"]')
    expect(trap).to_have_attribute("data-state", "waiting")
    sample = etd.swab([("RDX", 420.0)])  # an officer swabs a lorry at the lane: it alarms on the trap's substance
    expect(trap.locator(".not-scored")).to_contain_text(f"lane swab {sample} (alarm)")
    expect(trap).to_have_attribute("data-state", "waiting")
    expect(page.locator("#check-verdict")).to_have_count(0)
    assert_accessible(page)
    shoot(page, "92-etd-lane-swab-not-scored")

    etd.verify(TRAP_LOT, "RDX")
    expect(trap).to_have_attribute("data-state", "done")
    page.click("#arm-step")
    expect(page.locator('[data-step="blank"]')).to_have_attribute("data-state", "waiting")
    etd.verify(TRAP_LOT, None)
    expect(page.locator("#check-verdict")).to_have_text("VERIFICATION PASSED")
    expect(trap).to_contain_text(f"verification {TRAP_LOT} PASS")
    history = lane.api("GET", "/devices/trace-1/calibrations", user="tom").json()["history"]
    assert history[0]["passed"] is True and history[0]["params"]["trap_lot"] == TRAP_LOT

    page.goto("/#/devices")
    card = page.locator('.device-card[data-device="trace-1"]')
    expect(card.locator(".card-head")).to_contain_text("VERIFIED")
    expect(card.locator(".calibration")).to_contain_text("verified, next due")
    assert "GATED" not in page.locator("#device-cards").inner_text()
    assert_accessible(page)
    page.goto("/#/devices/trace-1/history")
    expect(page.locator("#history > li").first).to_contain_text("Daily verification")
    assert_accessible(page)


def test_the_console_shows_whole_frames_explains_replies_and_filters(context: BrowserContext, lane: LaneRig) -> None:
    page = signed_in(context, "tom")
    page.goto("/#/devices/scale-1/console")
    expect(page.locator("#console-state")).to_have_text("WATCHING")
    frames = page.locator("#console-log > li.dir-in .text")
    expect(frames.first).to_be_visible()
    # every frame in is one whole MT-SICS line with its own end, never a read's half line
    for text in frames.all_inner_texts()[:20]:
        assert re.fullmatch(r"[^<]+<CR><LF>", text), text
    page.fill("#command-input", "XYZ")
    page.click('#command-form button[type="submit"]')
    expect(page.locator("#command-reply")).to_have_text("→ ES")
    refused = page.locator("#console-log > li.is-bad", has_text="command not understood")
    expect(refused.first).to_be_visible()
    expect(page.locator("#console-log > li", has_text="stable weight").first).to_be_visible()

    page.select_option("#console-direction", "notes")  # only replies that report a problem
    expect(page.locator("#console-log > li:visible")).to_have_count(refused.count())
    expect(page.locator("#console-hidden")).to_contain_text("hidden by the filter")
    page.select_option("#console-direction", "")
    page.fill("#console-filter", "xyz")
    expect(page.locator("#console-log > li:visible .text")).to_have_text(["XYZ<CR><LF>"])
    page.fill("#console-filter", "")
    page.check("#pause")  # hold still for the photograph and axe
    assert_accessible(page)
    shoot(page, "93-console-frames-explained")


def test_the_device_form_says_a_bad_id_in_words_and_is_accessible(context: BrowserContext, lane: LaneRig) -> None:
    page = signed_in(context, "tom")
    page.goto("/#/devices/new")
    page.fill('[data-field="id"] input', "scale 2")
    page.click("#test-connection")
    expect(page.locator('[data-field="id"] .field-error')).to_contain_text(
        "may hold only letters, digits, '_', '.' and '-'")
    assert_accessible(page)
    page.goto("/#/devices")
    expect(page.locator('.device-card[data-device="scale-1"]')).to_be_visible()
    assert_accessible(page)
    shoot(page, "94-devices-standing-words")
