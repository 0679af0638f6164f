"""The acceptance test of issue #15, the whole vehicle lane, on real parts: a real ``lanebox serve``
(its devices on ptys, the radiation portal monitor simulator behind a TCP terminal server) that
subscribes to a Mosquitto broker of the test's own and syncs to a hub served in this process; a
tablet (Chromium, touch) on the lane and the control room's board (Chromium) on the hub.

A lorry with a NORM load drives through the portal (a gamma alarm); the ANPR camera publishes
its plate as an ONVIF event over MQTT and the container gate pushes the container code over HTTP
(ONVIF Profile M events carry plates only: a container code comes from an OCR gate). The card
shows the plate within 2 s of the publish, and the alarm within 2 s of the occupancy's end; the
officer starts from the card and adjudicates "Innocent — NORM"; the board shows the critical
RPM alarm before and cleared with that code after; the N42.42 file of the record validates.
Screenshots: ``test-artifacts/screenshots/whole-lane-*``."""

from __future__ import annotations

import re
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from edge.radiation.n42 import validate
from tests.support.browser import LANDSCAPE, NewContext, shoot, signed_in
from tests.support.hub_rig import HUB_USERS, LANE, InProcessHub
from tests.support.lane_process import LaneRig
from tests.support.mqtt import Mosquitto
from tests.support.vehicle_lane import (
    card,
    container,
    on_lane_screen,
    publish_plate,
    push,
    started_inspection,
    vehicle_lane,
)
from tests.support.waiting import wait_for

PLATE, CONTAINER = "GA24MMA", container("HLXU551207")
NORM = "Innocent alarm — NORM (naturally occurring radioactive material)"
"""The code as the hub words it on the board (common/radiation.py)."""


@pytest.fixture
def port(tmp_path: Path) -> Iterator[tuple[LaneRig, InProcessHub, Mosquitto]]:
    """The broker, the hub and the lane syncing to it, subscribed to the broker; stopped in reverse."""
    with ExitStack() as running:
        broker = Mosquitto(tmp_path / "broker")
        running.callback(broker.stop)
        hub = InProcessHub(tmp_path / "hub")
        running.callback(hub.close)
        yield running.enter_context(vehicle_lane(tmp_path / "lane", hub=hub, broker=broker)), hub, broker


def open_board(new_context: NewContext, hub: InProcessHub) -> Page:
    """The board on the control room's screen, signed in as supervisor carol, on the lane's detail."""
    hub.user_token("carol")  # adds her account
    page = new_context(base_url=hub.url, viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(f"/board/#/lane/{LANE}")
    page.fill("#signin-username", "carol")
    page.fill("#signin-password", HUB_USERS["carol"][1])
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#link")).to_have_text("LIVE")
    return page


def test_a_lorry_with_norm_cargo_from_the_portal_and_the_cameras_to_the_board(
        new_context: NewContext, port: tuple[LaneRig, InProcessHub, Mosquitto]) -> None:
    lane, control_room, broker = port
    tablet = signed_in(new_context(base_url=lane.url, viewport=LANDSCAPE, device_scale_factor=1,
                                   has_touch=True), "olga")
    board = open_board(new_context, control_room)
    on_lane_screen(tablet)

    portal = lane.sims["rpm-1"]
    portal.drive_vehicle("norm", seconds=8.0)  # long enough for both cameras to read it inside the portal
    expect(tablet.locator("#vehicle-list .radiation-state")).to_have_text("Passing the portal…")
    published = time.monotonic()
    publish_plate(broker, "GA24 MMA")
    lorry = card(tablet, PLATE)
    expect(lorry).to_be_visible(timeout=2000)
    assert time.monotonic() - published < 2.0, "the plate reached the tablet later than 2 s after the publish"
    expect(lorry.locator(".radiation-state")).to_have_text("Passing the portal…")  # one vehicle, not two
    push(lane, None, (CONTAINER,))  # the container gate reads the box on the trailer
    expect(lorry.locator(".vehicle-containers")).to_have_text(f"{CONTAINER[:4]} {CONTAINER[4:10]} {CONTAINER[10]}")

    assert portal.occupancies == 0, "the lorry left the portal before the cameras read it: drive it longer"
    ended = wait_for(lambda: portal.occupancies == 1 and time.monotonic(), timeout=15, interval=0.005,
                     message="the lorry out of the portal")
    expect(lorry.locator(".radiation-state")).to_have_text("Radiation ALARM (gamma) — adjudicate", timeout=2000)
    assert time.monotonic() - ended < 2.0, "the alarm reached the tablet later than 2 s after the occupancy"
    expect(lorry).to_have_class(re.compile("vehicle-card--alarm"))
    expect(tablet.locator("#vehicle-list .vehicle-card")).to_have_count(1)
    shoot(tablet, "whole-lane-01-tablet-card")

    alarm = board.locator("#lane-alarms .alarm[data-kind='rpm_alarm']")
    expect(alarm).to_have_count(1, timeout=20_000)  # as soon as the lane's log reaches the hub
    expect(alarm.locator(".sev")).to_have_text("CRITICAL")
    expect(alarm.locator(".alarm-text")).to_have_text("gamma alarm at the portal monitor rpm-1")
    shoot(board, "whole-lane-03-board-alarm", at="#lane-alarms")

    lorry.tap()
    form = tablet.locator("#start-form")
    expect(form.locator('[data-field="plate"] input')).to_have_value(PLATE)
    expect(form.locator('[data-field="containers.0"] input')).to_have_value(CONTAINER)
    form.locator("button[type=submit]").tap()
    inspection_id = started_inspection(tablet)
    step = tablet.locator("#step-radiation")
    expect(step.locator("#radiation-banner")).to_have_text(
        "RADIATION ALARM (gamma) — do not release before adjudication")
    expect(step.locator(".radiation-verdict")).to_have_text("Gamma alarm")
    step.get_by_text("Innocent — NORM (natural radioactivity in cargo)").tap()
    step.get_by_text("Done — source identified").tap()
    step.locator("[name=nuclide]").fill("K-40")
    shoot(tablet, "whole-lane-02-radiation-step", at="#step-radiation")
    tablet.locator("#record-adjudication").tap()
    expect(step.locator(".radiation-adjudication h3")).to_have_text(
        "✓ Adjudicated: Innocent — NORM (natural radioactivity in cargo)")
    expect(step.locator("#radiation-banner")).to_have_count(0)
    shoot(tablet, "whole-lane-02-radiation-adjudicated", at="#step-radiation")

    expect(alarm).to_have_count(0, timeout=20_000)
    cleared = board.locator(".alarm.is-cleared", has_text="rpm-1")
    expect(cleared).to_have_count(1)
    expect(cleared.locator(".alarm-text")).to_have_text(
        f"gamma alarm at the portal monitor rpm-1 — adjudicated: {NORM}")
    expect(cleared.locator(".alarm-state")).to_have_text(re.compile(rf"^cleared by olga@{LANE} at "))
    shoot(board, "whole-lane-04-board-cleared", at="#lane-alarms")

    step.locator("[data-n42]").tap()  # the scan with its adjudication, as the standard's XML
    link = step.locator(".n42-link")
    expect(link).to_have_attribute("href", re.compile("^blob:"))
    document = tablet.evaluate("async (a) => (await fetch(a.href)).text()", link.element_handle())
    validate(document.encode("utf-8"))
    assert "adjudication: innocent_norm" in document
    radiation = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()["radiation"]
    assert [(a["code"], a["secondary"]["result"]) for a in radiation["adjudications"]] == [
        ("innocent_norm", "source_identified")]
