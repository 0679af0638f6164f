"""The lane screen's live tiles follow the devices on the lane."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from drivers.simulators.mrz_reader import made_up_specimens
from tests.support.browser import shoot
from tests.support.lane_process import LaneRig
from tests.support.page_wait import wait_in_page


def weight_text(page: Page) -> str:
    return page.inner_text('.tile[data-device="scale-1"] .weight-value').replace("\u202f", "").replace(" ", "")


def test_scale_tile_follows_the_weight_with_stable_and_moving(page: Page, lane: LaneRig) -> None:
    scale = lane.sims["scale-1"]
    tile = page.locator('.tile[data-device="scale-1"]')
    scale.model.set_load(12340, settle=True)
    wait_in_page(page, "document.querySelector('.tile[data-device=\"scale-1\"] .weight-value')"
                       "?.dataset.weight === '12340'")
    assert weight_text(page) == "12340"
    expect(tile.locator(".weight-unit")).to_have_text("kg")
    expect(tile.locator(".motion")).to_have_text("STABLE")

    scale.model.drive_on(24680, seconds=1.0)  # a lorry rolls on: moving, then it settles
    expect(tile.locator(".motion")).to_have_text("MOVING")
    expect(tile.locator(".motion")).to_have_text("STABLE", timeout=15_000)
    assert weight_text(page) == "24680"
    expect(tile).to_have_attribute("data-state", "connected")

    scale.model.set_load(70000, settle=True)  # beyond Max + 9 d
    expect(tile.locator(".range-alert")).to_have_text("OVERLOAD")
    shoot(page, "11-lane-overload")
    scale.model.set_load(22400, settle=True)
    expect(tile.locator(".motion")).to_have_text("STABLE")


def test_scan_trace_and_document_tiles(page: Page, lane: LaneRig) -> None:
    barcode = page.locator('.tile[data-device="barcode-1"]')
    lane.sims["barcode-1"].scan("CSQU3054384")  # wrong check digit
    expect(barcode.locator(".verdict")).to_have_text("INVALID")
    expect(barcode).to_contain_text("check digit")
    lane.sims["barcode-1"].scan("CSQU3054383")
    expect(barcode.locator(".verdict")).to_have_text("VALID")
    expect(barcode.locator(".scan-what")).to_contain_text("Container · owner CSQ")

    document = page.locator('.tile[data-device="document-1"]')
    lane.sims["document-1"].present(made_up_specimens()[0])
    expect(document.locator(".holder")).to_have_text("HALLORAN, BRIDGET AOIFE")
    expect(document.locator(".verdict").first).to_have_text("VALID")

    trace = page.locator('.tile[data-device="trace-1"]')
    lane.sims["trace-1"].swab([])
    expect(trace.locator(".trace-result")).to_have_text("CLEAR")
    expect(trace).not_to_have_class("is-alarm")
    lane.sims["trace-1"].swab([("RDX", 400.0)])
    expect(trace.locator(".trace-result")).to_have_text("ALARM")
    assert "is-alarm" in trace.get_attribute("class")
    # impossible to miss: the whole tile turns red
    colour = page.evaluate("getComputedStyle(document.querySelector('.tile[data-device=\"trace-1\"]')).backgroundColor")
    assert colour == "rgb(200, 16, 46)"
    expect(trace.locator(".substances")).to_contain_text("RDX — explosive")
    shoot(page, "10-lane")


def test_tile_shows_device_state_and_greys_when_stale(page: Page, lane: LaneRig) -> None:
    tile = page.locator('.tile[data-device="scale-1"]')
    expect(tile).to_have_attribute("data-stale", "false")
    assert lane.api("POST", "/devices/scale-1/lock", user="sue", json={"reason": "seal broken"}).status_code == 200
    try:
        expect(tile).to_have_attribute("data-state", "locked")
        expect(tile.locator(".state-badge")).to_have_text("LOCKED")
        expect(tile.locator(".detail")).to_contain_text("seal broken")
    finally:
        lane.api("POST", "/devices/scale-1/unlock", user="sue", json={"reason": "seal replaced"})
    expect(tile).to_have_attribute("data-state", "connected")

    scale = lane.sims["scale-1"]
    scale.busy = True  # answers "S I": no weights arrive
    try:
        expect(tile).to_have_attribute("data-stale", "true", timeout=15_000)
        expect(tile.locator(".stale-mark")).to_have_text("STALE")
        shoot(page, "12-lane-stale-scale")
    finally:
        scale.busy = False
    expect(tile).to_have_attribute("data-stale", "false", timeout=15_000)
