"""Setting up the new scale protocols in Chromium, as a technician does it:
choose the driver, pick the port, test the connection (the device's
identity and a reading), save, and see its readings on the devices screen.
An SMA SCP-0499 indicator, a Rice Lake streaming indicator and a Laumas
Modbus RTU terminal, each a simulator on a pty; the frame fields appear
only for the stream driver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from drivers.simulators.modbus_scale import ModbusScaleSimulator
from drivers.simulators.ports import PtyPort
from drivers.simulators.sma import SmaSimulator
from drivers.simulators.stream import RiceLakeStreamSimulator
from tests.support.browser import shoot, signed_in
from tests.support.lane_process import LaneRig, by_id_link


@pytest.fixture
def on_pty(lane: LaneRig) -> Iterator:
    started: list[tuple[PtyPort, str]] = []

    def start(sim, name: str) -> PtyPort:
        port = PtyPort(sim, link=by_id_link(lane.root, name)).start()
        started.append((port, name))
        return port
    yield start
    for port, name in started:
        lane.api("DELETE", f"/devices/{name}", user="tom")
        port.close()


def add_device(page: Page, device_id: str, driver: str, port: PtyPort) -> None:
    page.click('[data-nav="devices"]')
    page.click("#add-device")
    page.fill('[data-field="id"] input', device_id)
    page.select_option('select[name="kind"]', "scale")
    page.select_option('select[name="driver"]', driver)
    page.click(f'.port-choice[data-port="{port.path}"]')


def save_and_see(page: Page, lane: LaneRig, device_id: str, reading: str) -> None:
    page.click("#save-device")
    card = page.locator(f'.device-card[data-device="{device_id}"]')
    expect(card).to_have_attribute("data-state", "connected")
    expect(card.locator(".last-reading")).to_have_text(reading, timeout=15_000)


def test_an_sma_indicator_is_chosen_tested_saved_and_read(context: BrowserContext, lane: LaneRig, on_pty) -> None:
    sim = SmaSimulator(maker="B-TEK", model_name="T419S")
    sim.set_load(24_560)
    port = on_pty(sim, "wb-sma")
    page = signed_in(context, "tom")
    add_device(page, "wb-sma", "sma", port)
    expect(page.locator("#frame-editor")).to_be_hidden()
    page.click("#test-connection")
    result = page.locator("#probe-result")
    expect(result).to_have_attribute("data-ok", "true")
    expect(result).to_contain_text("B-TEK T419S")
    expect(result).to_contain_text("self-test ok")
    expect(page.locator("#probe-reading")).to_have_text(" · read 24560 kg stable")
    shoot(page, "63-add-sma-tested", full_page=True)
    save_and_see(page, lane, "wb-sma", "24560 kg stable")
    sim.set_load(31_000)
    expect(page.locator('.device-card[data-device="wb-sma"] .last-reading')).to_have_text("31000 kg stable",
                                                                                          timeout=15_000)
    saved = lane.api("GET", "/devices/wb-sma", user="tom").json()
    assert saved["driver"] == "sma" and saved["identity"]["protocol"] == "SMA 2/1.0"


def test_a_rice_lake_stream_is_chosen_tested_saved_and_read(context: BrowserContext, lane: LaneRig, on_pty) -> None:
    sim = RiceLakeStreamSimulator()
    sim.set_load(18_240)
    port = on_pty(sim, "wb-rl")
    page = signed_in(context, "tom")
    add_device(page, "wb-rl", "stream", port)
    expect(page.locator("#frame-editor")).to_be_visible()  # the generic driver asks for its frame
    expect(page.locator("#frame-editor")).to_contain_text("Save the device to see its own bytes")
    page.select_option('select[name="driver"]', "rice-lake-stream")
    expect(page.locator("#frame-editor")).to_be_hidden()  # the preset needs none
    page.click("#test-connection")
    expect(page.locator("#probe-result")).to_have_attribute("data-ok", "true")
    expect(page.locator("#probe-reading")).to_have_text(" · read 18240 kg stable")
    shoot(page, "64-add-rice-lake-tested", full_page=True)
    save_and_see(page, lane, "wb-rl", "18240 kg stable")
    assert lane.api("GET", "/devices/wb-rl", user="tom").json()["driver"] == "rice-lake-stream"

    # describing a frame by hand: the indicator's own bytes stream in beside the description
    page.goto("/#/devices/wb-rl/edit")
    page.select_option('select[name="driver"]', "stream")
    expect(page.locator("#frame-bytes li").first).to_contain_text("<STX>", timeout=10_000)
    expect(page.locator("#frame-bytes")).to_contain_text("18240KG")
    page.fill('input[name="frame.template"]', "<STX>{sign:1}{weight:7}{unit:1}{mode:1}{status:1}")
    shoot(page, "65-stream-frame-with-its-bytes", full_page=True)


def test_a_modbus_terminal_is_chosen_tested_saved_and_read(context: BrowserContext, lane: LaneRig, on_pty) -> None:
    sim = ModbusScaleSimulator()
    sim.set_load(12_480)
    port = on_pty(sim, "wb-modbus")
    page = signed_in(context, "tom")
    add_device(page, "wb-modbus", "laumas-modbus", port)
    page.click("#test-connection")
    result = page.locator("#probe-result")
    expect(result).to_have_attribute("data-ok", "true")
    expect(result).to_contain_text("Modbus unit 1 (laumas map)")
    expect(page.locator("#probe-reading")).to_have_text(" · read 12480 kg stable")
    shoot(page, "66-add-modbus-tested", full_page=True)
    save_and_see(page, lane, "wb-modbus", "12480 kg stable")
    sim.set_load(-400)
    expect(page.locator('.device-card[data-device="wb-modbus"] .last-reading')).to_have_text("-400 kg stable",
                                                                                             timeout=15_000)


def test_a_stream_without_its_frame_is_refused_on_the_frame(context: BrowserContext, lane: LaneRig, on_pty) -> None:
    port = on_pty(RiceLakeStreamSimulator(), "wb-bad")
    page = signed_in(context, "tom")
    add_device(page, "wb-bad", "stream", port)
    page.click("#test-connection")
    expect(page.get_by_role("alert").filter(has_text="give a template or a pattern")).to_be_visible()
    assert lane.api("GET", "/devices/wb-bad", user="tom").status_code == 404
