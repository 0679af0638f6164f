"""The technician's device checks in Chromium: the trace detector's daily
verification (the trap must alarm on its substance, the blank must be
clear; recorded with the trap's lot), passing and then failing — the
simulated detector made insensitive, as a worn one misses the trap — and
the barcode reader's functional check, passing and then reading the wrong
label. The simulators do what the technician's hands would."""

from __future__ import annotations

from typing import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import LANDSCAPE, NewContext, pdf_of_link, shoot, signed_in
from tests.support.lane_process import LaneRig
from tests.support.pdf_text import pdf_text

TRAP_LOT = "VT-2026-117"


def run_check(page: Page, device_id: str, fill: Callable[[], None], present: Callable[[str], None],
              screenshot: str | None = None) -> None:
    """From the devices screen: open the device's check, fill it in, and for
    each step press "Ready — run it" and then present the sample or label."""
    page.goto("/#/devices")
    page.click(f'.device-card[data-device="{device_id}"] .device-actions a.btn-primary')
    fill()
    page.click("#start-check")
    steps = page.locator(".check-steps > li")
    expect(steps.first).to_be_visible()
    for index in range(steps.count()):
        step = steps.nth(index)
        page.click("#arm-step")
        expect(step).to_have_attribute("data-state", "waiting")
        expect(page.locator("#check-waiting")).to_be_visible()
        if screenshot and index == 0:
            shoot(page, screenshot)
        present(step.get_attribute("data-step"))
        expect(step).to_have_attribute("data-state", "done")
    expect(page.locator("#check-verdict")).to_be_visible()


def trap_and_blank(page: Page) -> None:
    page.fill('[name="trap_lot"]', TRAP_LOT)
    page.select_option('[name="expected_substance"]', "RDX")


def test_trace_detector_daily_verification_passes_then_fails(context: BrowserContext, new_context: NewContext,
                                                             lane: LaneRig) -> None:
    etd = lane.sims["trace-1"]
    page = signed_in(context, "tom")

    def present(step: str) -> None:  # the trap carries RDX; the blank is a clean swab
        etd.verify(TRAP_LOT, "RDX" if step == "trap" else None)

    run_check(page, "trace-1", lambda: trap_and_blank(page), present, screenshot="80-etd-check-waiting")
    expect(page.locator("#check-verdict")).to_have_text("VERIFICATION PASSED")
    expect(page.locator('[data-step="trap"]')).to_contain_text(
        f"alarm on RDX · the device sent: alarm — RDX · verification {TRAP_LOT} PASS")
    expect(page.locator('[data-step="blank"]')).to_contain_text("clear")
    shoot(page, "81-etd-check-passed")
    with page.context.expect_page() as popup:
        page.click("#certificate-button")
    popup.value.close()
    record = pdf_text(pdf_of_link(page))
    assert "Device check record" in record and TRAP_LOT in record and "etd-daily" in record
    page.goto("/#/devices")
    card = page.locator('.device-card[data-device="trace-1"]')
    expect(card.locator(".card-head")).to_contain_text("VERIFIED")
    expect(card.locator(".calibration")).to_contain_text("verified, next due")

    etd.sensitive = False  # a worn detector: it misses the trap
    try:
        run_check(page, "trace-1", lambda: trap_and_blank(page), present)
    finally:
        etd.sensitive = True
    expect(page.locator("#check-verdict")).to_have_text("VERIFICATION FAILED")
    expect(page.locator("#check-after")).to_contain_text("failed verification")
    expect(page.locator('[data-step="trap"]')).to_contain_text("expected an alarm on RDX")
    shoot(page, "82-etd-check-failed")
    page.goto("/#/devices")
    expect(card).to_have_attribute("data-state", "calibration_due")
    expect(card.locator(".card-head")).to_contain_text("VERIFICATION FAILED")
    expect(card.locator(".device-detail")).to_contain_text("The last daily verification failed")
    shoot(page, "83-devices-etd-failed", at='.device-card[data-device="trace-1"]')
    page.goto("/#/devices/trace-1/history")
    entries = page.locator("#history > li")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("FAIL")
    expect(entries.first).to_contain_text("failed verification")
    expect(entries.first).not_to_contain_text("valid until")
    expect(entries.last).to_contain_text("PASS")
    for index in range(2):
        expect(entries.nth(index)).to_contain_text(f"trap lot {TRAP_LOT} (RDX)")
    shoot(page, "84-etd-history")

    tablet = new_context(base_url=lane.url, viewport=LANDSCAPE, device_scale_factor=1, has_touch=True)
    try:
        officer = signed_in(tablet, "olga")
        expect(officer.locator('.tile[data-device="trace-1"] .state-badge')).to_have_text("CALIBRATION DUE")
    finally:
        tablet.close()
    history = lane.api("GET", "/devices/trace-1/calibrations", user="tom").json()["history"]
    assert [entry["passed"] for entry in history] == [False, True]


def test_barcode_reader_functional_check_passes_then_a_wrong_label_fails(context: BrowserContext,
                                                                         lane: LaneRig) -> None:
    reader = lane.sims["barcode-1"]
    page = signed_in(context, "tom")

    def reference_label() -> None:
        page.fill('[name="expected"]', "CSQU3054383")

    run_check(page, "barcode-1", reference_label, lambda step: reader.scan("CSQU3054383"),
              screenshot="85-barcode-check-waiting")
    expect(page.locator("#check-verdict")).to_have_text("CHECK PASSED")
    expect(page.locator('[data-step="scan"]')).to_contain_text("read 'CSQU3054383' as expected")
    shoot(page, "86-barcode-check-passed")

    run_check(page, "barcode-1", reference_label, lambda step: reader.scan("TCNU7200794"))
    expect(page.locator("#check-verdict")).to_have_text("CHECK FAILED")
    expect(page.locator('[data-step="scan"]')).to_contain_text("read 'TCNU7200794', expected 'CSQU3054383'")
    shoot(page, "87-barcode-check-failed")
    page.goto("/#/devices")
    card = page.locator('.device-card[data-device="barcode-1"]')
    expect(card.locator(".card-head")).to_contain_text("CHECK FAILED")
    expect(card).to_have_attribute("data-state", "calibration_due")
