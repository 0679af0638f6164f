"""Chromium: a full-page reader's REST service (regula-web) chosen, tested, saved and read in the technician's
device form, against its simulator over real HTTP on 127.0.0.1 (a [terminal_servers] host of the rig's lane)."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from drivers.simulators.regula_web import HttpPort, RegulaWebSimulator
from tests.support.browser import shoot, signed_in
from tests.support.lane_process import LaneRig


def test_a_regula_reader_is_chosen_tested_saved_and_read(context: BrowserContext, lane: LaneRig, stop_later) -> None:
    sim = RegulaWebSimulator()
    port = HttpPort(sim).start()
    stop_later.append(port)
    page = signed_in(context, "tom")
    page.click('[data-nav="devices"]')
    page.click("#add-device")
    page.fill('[data-field="id"] input', "doc-rg")
    page.select_option('select[name="kind"]', "document")
    page.select_option('select[name="driver"]', "regula-web")
    page.fill('input[name="port_other"]', port.path)
    page.click("#test-connection")
    result = page.locator("#probe-result")
    expect(result).to_have_attribute("data-ok", "true")
    expect(result).to_contain_text("Regula Document Reader Web API")
    shoot(page, "66-add-regula-tested", full_page=True)
    try:
        page.click("#save-device")
        card = page.locator('.device-card[data-device="doc-rg"]')
        expect(card).to_have_attribute("data-state", "connected")
        sim.present("mrz_visual_mismatch", "doc-rg")
        expect(card.locator(".last-reading")).to_have_text("document L898902C3", timeout=15_000)
        saved = lane.api("GET", "/devices/doc-rg", user="tom").json()
        assert saved["driver"] == "regula-web" and saved["port"] == port.path
    finally:
        lane.api("DELETE", "/devices/doc-rg", user="tom")
