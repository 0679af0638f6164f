"""The lane opens the inspection (issue #15), in Chromium on a touch tablet,
against a real lane with a radiation portal monitor simulator on a TCP
terminal server and a camera pushing its reads over HTTP: the vehicles at
the lane appear as cards, each its own; the start form is filled from the
card and asks the officer to confirm what the camera was unsure of; an
RPM alarm blocks release until it is adjudicated, then shows ✓ with the code
and its N42.42 file."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Iterator

import pytest
from playwright.sync_api import APIResponse, Page, Route, expect

from drivers.simulators.mrz_reader import td3
from tests.support.axe import axe_violations
from tests.support.browser import LANDSCAPE, PORTRAIT, NewContext, shoot, signed_in
from tests.support.lane_process import LaneRig
from tests.support.page_wait import wait_in_page
from tests.support.vehicle_lane import (
    card,
    container,
    on_lane_screen,
    push,
    started_inspection,
    vehicle_lane,
    waiting_vehicle,
)
from tests.support.waiting import wait_for


def wrong_digit(code: str) -> str:
    return f"{code[:10]}{(int(code[10]) + 1) % 10}"


@pytest.fixture
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    """A lane of each test's own: a read or a scan joins a vehicle seen in the last 30 s
    (edge/vehicles/matching.py), so on a shared lane one test's lorry took another's sightings."""
    with vehicle_lane(tmp_path_factory.mktemp("vehicle-lane")) as rig:
        yield rig


@pytest.fixture
def interlock_lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    """The same lane with [lane] interlock = true: weighing waits for the portal's clear scan."""
    with vehicle_lane(tmp_path_factory.mktemp("interlock-lane"), interlock=True) as rig:
        yield rig


def no_blocking_violations(page: Page) -> None:
    assert axe_violations(page) == []


def test_a_vehicle_the_camera_reads_appears_on_the_lane_screen_within_2_s(page: Page, lane: LaneRig) -> None:
    on_lane_screen(page)
    code = container("TCLU905512")
    pushed = time.monotonic()
    push(lane, "KX19ABC", (code,))
    vehicle = card(page, "KX19ABC")
    expect(vehicle).to_be_visible(timeout=2000)
    assert time.monotonic() - pushed < 2.0
    expect(vehicle.locator(".vehicle-containers")).to_have_text(f"{code[:4]} {code[4:10]} {code[10]}")
    expect(vehicle.locator(".radiation-state")).to_have_text("No radiation scan yet")
    expect(vehicle.locator(".vehicle-card-meta")).to_contain_text(re.compile(r"^arrived \d\d:\d\d:\d\d"))
    # the camera's crop, fetched with the officer's token
    wait_in_page(page, "[...document.querySelectorAll('#vehicle-list img.vehicle-thumb')]"
                       ".some((i) => i.naturalWidth === 320)")
    # words for officers: no vehicle id, no photo hash on the card
    assert waiting_vehicle(lane, "KX19ABC")["id"] not in vehicle.inner_text()
    shoot(page, "vehicles-01-lane-with-a-vehicle")
    no_blocking_violations(page)


def test_two_vehicles_stay_separate(page: Page, lane: LaneRig) -> None:
    on_lane_screen(page)
    first, second = container("MEDU402211"), container("CMAU718830")
    push(lane, "LM67XYZ", (first,))
    push(lane, "PN05QRS", (second,))
    expect(card(page, "LM67XYZ").locator(".vehicle-containers")).to_contain_text(first[:4])
    expect(card(page, "PN05QRS").locator(".vehicle-containers")).to_contain_text(second[:4])
    expect(card(page, "LM67XYZ")).not_to_contain_text(second[:4])
    expect(card(page, "PN05QRS")).not_to_contain_text(first[:4])
    ids = {waiting_vehicle(lane, "LM67XYZ")["id"], waiting_vehicle(lane, "PN05QRS")["id"]}
    assert len(ids) == 2
    shoot(page, "vehicles-02-two-vehicles")


def test_a_lorry_pushed_while_the_list_is_on_its_way_stays_on_the_screen(page: Page, lane: LaneRig) -> None:
    """The tablet asks for the list; the box answers with a list made before a lorry arrived, and the
    answer reaches the tablet after /live said the lorry is there: the lorry stays on the screen."""
    held: list[tuple[Route, APIResponse]] = []

    def hold_the_first_list(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))  # the box's answer, made now: before the lorry

    page.route("**/api/v1/vehicles", hold_the_first_list)
    page.goto("/#/inspections")
    expect(page.locator("#vehicles-title")).to_have_count(0)
    page.goto("/#/lane")  # the lane screen asks for the list afresh
    wait_for(lambda: held or page.evaluate("false"), message="the tablet to ask for the list")
    route, made_before = held[0]
    assert all(v["plate"] is None or v["plate"]["text"] != "LT62LAT" for v in made_before.json()["vehicles"])
    push(lane, "LT62LAT")
    expect(card(page, "LT62LAT")).to_be_visible()  # /live told the tablet
    route.fulfill(response=made_before)  # the list of before arrives only now
    push(lane, "AF19TER")  # a lorry after: by the time the tablet shows it, it has the old list too
    expect(card(page, "AF19TER")).to_be_visible()
    expect(card(page, "LT62LAT")).to_be_visible()
    expect(page.locator(".vehicle-count")).to_have_text("(2)")

def test_on_a_lane_of_five_devices_no_tile_hides_part_of_its_reading(page: Page, lane: LaneRig) -> None:
    """Five devices make small tiles (three columns in landscape): an expired passport's EXPIRED and its
    line, the bench scale's name, every tile's reading still shows whole, on either side of the tablet."""
    expired = td3("P", "SWE", "ERIKSSON", "LARS", "91827364A", "SWE", dt.date(1975, 4, 2), "M",
                  dt.date.today().replace(day=1) - dt.timedelta(days=400))
    on_lane_screen(page)
    expect(page.locator("#tiles .tile")).to_have_count(5)
    lane.sims["document-1"].present(expired)
    tile = page.locator('#tiles .tile[data-device="document-1"]')
    expect(tile.locator(".verdict--invalid")).to_have_text("EXPIRED")
    for size in (LANDSCAPE, PORTRAIT):
        page.set_viewport_size(size)
        cut = page.evaluate("[...document.querySelectorAll('#tiles .tile-body')]"
                            ".filter((b) => b.scrollHeight > b.clientHeight)"
                            ".map((b) => b.closest('.tile').dataset.device)")
        assert cut == [], f"{size}: the reading is cut off on {cut}"
    shoot(page, "vehicles-00-lane-of-five-devices")


def test_a_doubtful_plate_and_a_wrong_check_digit_must_be_confirmed_before_start(page: Page, lane: LaneRig) -> None:
    on_lane_screen(page)
    right = container("TGHU904316")
    push(lane, "RT58DFG", (wrong_digit(right),), confidence=0.55)
    card(page, "RT58DFG").click()
    form = page.locator("#start-form")
    # filled from the card: the officer confirms instead of typing
    expect(form.locator('[data-field="plate"] input')).to_have_value("RT58DFG")
    expect(form.locator('[data-field="containers.0"] input')).to_have_value(wrong_digit(right))
    expect(form.locator('[data-field="plate"]')).to_have_class(re.compile("needs-confirm"))
    expect(form.locator('[data-field="plate"] .confirm-why')).to_contain_text("55 % sure")
    expect(form.locator('[data-field="containers.0"] .confirm-why')).to_contain_text("wrong check digit")
    expect(page.locator("#confirm-left")).to_have_text("Confirm or correct the 2 marked readings first.")
    expect(form.locator("button[type=submit]")).to_be_disabled()
    expect(page.locator("#vehicle-read img.vehicle-photo")).to_have_count(1)
    shoot(page, "vehicles-03-start-form-to-confirm")
    no_blocking_violations(page)

    form.locator('[data-confirm="plate"]').click()  # the officer looked: the plate is right
    expect(form.locator('[data-field="plate"] .confirm-done')).to_have_text("✓ Confirmed by you")
    expect(page.locator("#confirm-left")).to_have_text("Confirm or correct the marked reading first.")
    expect(form.locator("button[type=submit]")).to_be_disabled()  # a wrong check digit cannot be ticked away
    form.locator('[data-field="containers.0"] input').fill(right)  # corrected from the container's door
    expect(page.locator("#confirm-left")).to_have_text("")
    expect(form.locator("button[type=submit]")).to_be_enabled()
    vehicle_id = waiting_vehicle(lane, "RT58DFG")["id"]
    form.locator("button[type=submit]").click()
    inspection_id = started_inspection(page)
    expect(page.locator("#vehicle-plate")).to_have_text("RT58DFG")

    stored = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()
    assert (stored["plate"], stored["containers"]) == ("RT58DFG", [right])
    assert stored["vehicle"]["id"] == vehicle_id
    assert waiting_vehicle(lane, "RT58DFG") is None  # taken: it left the queue
    on_lane_screen(page)
    expect(card(page, "RT58DFG")).to_have_count(0)


def test_a_dismissed_card_leaves_the_lane_with_its_reason(page: Page, lane: LaneRig) -> None:
    on_lane_screen(page)
    push(lane, "ZZ11ZZZ")
    card(page, "ZZ11ZZZ").click()
    expect(page.locator("#start-form [data-field=plate] input")).to_have_value("ZZ11ZZZ")
    page.click("#dismiss-vehicle")
    sheet = page.locator("#dismiss-sheet")
    expect(sheet).to_contain_text("Take ZZ11ZZZ off the lane?")
    page.click("#dismiss-confirm")  # no reason: refused on the sheet
    expect(sheet.locator(".form-error")).to_contain_text("Choose or write a reason")
    assert waiting_vehicle(lane, "ZZ11ZZZ") is not None
    sheet.get_by_text("Not a vehicle (false trigger)").click()
    page.click("#dismiss-confirm")
    expect(page.locator("#vehicles-title")).to_be_visible()
    expect(card(page, "ZZ11ZZZ")).to_have_count(0)
    assert waiting_vehicle(lane, "ZZ11ZZZ") is None


def test_a_lorry_with_a_gamma_alarm_is_released_only_after_adjudication(page: Page, lane: LaneRig) -> None:
    """End to end: the approach camera pushes a lorry's plate and container, then the portal's simulator
    drives it through with a gamma alarm; the card shows it within 2 s; the officer starts from it, cannot
    release before adjudicating, adjudicates "Innocent — NORM" and then releases."""
    on_lane_screen(page)
    code = container("HLXU551207")
    push(lane, "GA24MMA", (code,))
    lane.sims["rpm-1"].drive_vehicle("norm", seconds=2.0)
    scanned = wait_for(lambda: (v := waiting_vehicle(lane, "GA24MMA")) and v["radiation"]
                       and v["radiation"]["state"] == "alarm", timeout=30, message="the portal's alarm at the box")
    assert scanned
    seen_by_box = time.monotonic()
    lorry = card(page, "GA24MMA")
    expect(lorry.locator(".radiation-state")).to_have_text("Radiation ALARM (gamma) — adjudicate", timeout=2000)
    assert time.monotonic() - seen_by_box < 2.0
    expect(lorry).to_have_class(re.compile("vehicle-card--alarm"))
    shoot(page, "vehicles-04-alarm-card")
    # the portal reads background again a moment later: its tile keeps the last vehicle's result meanwhile
    portal = page.locator('#tiles .tile[data-device="rpm-1"]')
    expect(portal.locator(".tare")).to_contain_text("background", timeout=12_000)
    expect(portal.locator(".radiation-state")).to_have_text("ALARM (gamma)")

    lorry.click()
    expect(page.locator("#vehicle-read .radiation-state")).to_have_text("Radiation ALARM (gamma) — adjudicate")
    page.locator("#start-form button[type=submit]").click()
    inspection_id = started_inspection(page)
    step = page.locator("#step-radiation")
    expect(step.locator("#radiation-banner")).to_have_text(
        "RADIATION ALARM (gamma) — do not release before adjudication")
    expect(page.locator(".steps > .card").first).to_have_id("step-radiation")  # first of the steps
    expect(step.locator(".radiation-verdict")).to_have_text("Gamma alarm")
    expect(step.locator("#radiation-detectors tbody tr")).to_have_count(4)
    shoot(page, "vehicles-05-radiation-step", at="#step-radiation")
    no_blocking_violations(page)

    page.click('#outcome-form [data-outcome="release"]')
    review = page.locator("#review")
    expect(review.locator('[data-flag="rpm_alarm"]')).to_contain_text("Do not release before adjudication")
    page.click("#confirm-outcome")
    expect(review.locator(".form-error")).to_contain_text("The radiation alarm is not adjudicated")
    page.click("#review-cancel")
    assert lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()["status"] == "open"

    step.get_by_text("Innocent — NORM (natural radioactivity in cargo)").click()
    step.get_by_text("Done — no source found").click()
    step.locator("[name=nuclide]").fill("K-40")
    page.click("#record-adjudication")
    expect(step.locator(".radiation-adjudication h3")).to_have_text(
        "✓ Adjudicated: Innocent — NORM (natural radioactivity in cargo)")
    expect(step.locator("#radiation-banner")).to_have_count(0)
    expect(page.locator('#vehicle-bar [data-step="step-radiation"]')).to_have_text("✓ Radiation")
    radiation = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()["radiation"]
    assert [(a["code"], a["secondary"]["result"], a["secondary"].get("nuclide"))
            for a in radiation["adjudications"]] == [("innocent_norm", "no_source_found", "K-40")]
    shoot(page, "vehicles-06-adjudicated", at="#step-radiation")

    step.locator("[data-n42]").click()  # the scan with its adjudication, as the standard's XML
    n42 = step.locator(".n42-link")
    expect(n42).to_have_attribute("href", re.compile("^blob:"))
    document = page.evaluate("async (a) => (await fetch(a.href)).text()", n42.element_handle())
    assert "http://physics.nist.gov/N42/2011/N42" in document
    assert "adjudication: innocent_norm" in document

    page.click('#outcome-form [data-outcome="release"]')
    expect(review.locator('[data-flag="rpm_alarm"]')).to_have_count(0)
    page.click("#confirm-outcome")
    expect(page.locator("#outcome-badge")).to_have_text("RELEASE")
    assert lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()["outcome"] == "release"


def test_the_weight_step_waits_for_the_portal_on_an_interlocked_lane(new_context: NewContext,
                                                                     interlock_lane: LaneRig) -> None:
    tablet = new_context(base_url=interlock_lane.url, viewport=LANDSCAPE, device_scale_factor=1, has_touch=True)
    page = signed_in(tablet, "olga")
    on_lane_screen(page)
    push(interlock_lane, "WL20CKD")
    card(page, "WL20CKD").click()
    page.locator("#start-form button[type=submit]").click()
    started_inspection(page)
    scale = interlock_lane.sims["scale-1"].model
    scale.drive_on(23800, seconds=1.0)  # on the platform, but never through the portal
    weight = page.locator("#step-weight")
    expect(weight.locator(".tile .weight-value")).to_have_attribute("data-weight", "23800")
    expect(weight.locator(".hint")).to_have_text(
        "This vehicle has not been through the radiation portal: drive it through first.")
    expect(page.locator("#attach-scale")).to_be_disabled()
    shoot(page, "vehicles-07-interlock-waits", at="#step-weight")

    interlock_lane.sims["rpm-1"].drive_vehicle("clean", seconds=1.0)  # through the portal: clear
    expect(page.locator("#step-radiation .radiation-verdict")).to_have_text("No alarm: clear", timeout=15_000)
    expect(page.locator("#attach-scale")).to_be_enabled()
    expect(page.locator("#attach-scale")).to_have_text(re.compile(r"^Attach 23\D?800 kg"))
