"""The top bar (issue #13), in Chromium with touch: the offline mark has a slot
of its own, so its coming and going moves neither the lane's name, nor the
screens' tabs, nor the sign-out button, nor the screen under the bar, on a
landscape and a portrait tablet; and a box that stops while the Wi-Fi stays
up is shown at once (the live link's heartbeat and a /healthz probe), not at
the next write, and cleared when it is back, with what waited then sent."""

from __future__ import annotations

import re
import uuid
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from lanebox.demo import DEMO_REFERENCE
from tests.support.browser import LANDSCAPE, PORTRAIT, NewContext, shoot, signed_in
from tests.support.lane_process import LaneRig, make_rig, run_cli, running

#: what an officer's eye and thumb rely on staying put, and the screen under the bar
STILL = {"lane name": "#lane-name", "tabs": "nav.tabs", "inspections tab": '[data-nav="inspections"]',
         "sign-out button": "#user-button", "screen": "#view"}


def boxes(page: Page) -> dict[str, dict[str, float]]:
    """Where each part is on screen now (zero boxes for a part this layout does not show)."""
    return {name: page.eval_on_selector(selector, "el => el.getBoundingClientRect().toJSON()")
            for name, selector in STILL.items()}


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_going_offline_and_back_moves_nothing_in_the_header(page: Page, context: BrowserContext,
                                                            size: dict[str, int]) -> None:
    page.set_viewport_size(size)
    mark = page.locator("#outbox-mark")
    expect(mark).to_be_hidden()
    expect(page.locator("#user-button")).to_contain_text("olga")
    before = boxes(page)
    if size == LANDSCAPE:
        assert before["lane name"]["width"] > 0  # shown, so its staying put means something

    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    expect(mark).to_have_text("offline — 0 waiting")
    expect(mark).to_be_visible()
    assert boxes(page) == before
    shoot(page, f"header-offline-{size['width']}")
    page.set_viewport_size(size)  # shoot leaves the page in landscape

    context.unroute("**/*")
    context.set_offline(False)
    expect(mark).to_be_hidden()
    assert boxes(page) == before


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_a_supervisor_sees_every_tab_whole_on_one_row(new_context: NewContext, lane: LaneRig,
                                                      size: dict[str, int]) -> None:
    """A supervisor has the most tabs (Devices and Access besides the officer's four): none is cut
    off at the edge of the screen nor pushed to a row of its own, and in landscape the bar keeps
    to one row, as an officer's does."""
    tablet = new_context(base_url=lane.url, viewport=size, device_scale_factor=1, has_touch=True)
    page = signed_in(tablet, "sue")
    expect(page.locator('[data-nav="consultations"]')).to_be_visible()
    tabs = page.locator("nav.tabs a:visible")
    expect(tabs).to_have_count(6)
    placed = [tab.bounding_box() for tab in tabs.all()]
    assert all(0 <= box["x"] and box["x"] + box["width"] <= size["width"] for box in placed), placed
    assert len({box["y"] for box in placed}) == 1, placed
    if size == LANDSCAPE:  # as an officer's: one row, Display and sign-out beside the tabs
        for button in ("#theme-button", "#user-button"):
            box = page.locator(button).bounding_box()
            assert box["y"] < placed[0]["y"] + placed[0]["height"], (button, box, placed[0])
    tablet.route("**/*", lambda route: route.abort("internetdisconnected"))
    tablet.set_offline(True)
    mark = page.locator("#outbox-mark")
    expect(mark).to_have_text("offline — 0 waiting")
    assert mark.evaluate("el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight")
    assert [tab.bounding_box() for tab in tabs.all()] == placed
    # and the tiles say why in words, not socket.io's ("transport close")
    expect(page.locator('#tiles .tile[data-device="trace-1"]')).to_contain_text(
        "no link to the lane box (the connection dropped)")
    shoot(page, "header-supervisor-offline")


@pytest.fixture
def own_lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    """A lane of this test's own (with the demo's checklists), to stop and start again."""
    rig = make_rig(tmp_path_factory.mktemp("heartbeat-lane"))
    run_cli("reference", "load", "--config", str(rig.config_path), str(DEMO_REFERENCE))
    with running(rig):
        yield rig


def keep_its_port(rig: LaneRig) -> None:
    """The lane's next start listens where the tablet knows the box: on the port it was first given."""
    port = urlsplit(rig.url).port
    rig.config_path.write_text(re.sub(r"(?m)^port = 0$", f"port = {port}", rig.config_path.read_text(), count=1))


def test_a_box_that_stops_while_the_wifi_is_up_is_shown_at_once(new_context: NewContext, own_lane: LaneRig) -> None:
    tablet = new_context(base_url=own_lane.url, viewport=LANDSCAPE, device_scale_factor=1, has_touch=True)
    page = signed_in(tablet, "olga")
    inspection_id = str(uuid.uuid4())
    started = own_lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "EK 48213", "containers": [], "inspection_type": "standard"})
    assert started.status_code == 201, started.text
    page.goto(f"/#/inspections/{inspection_id}")
    expect(page.locator("#vehicle-plate")).to_have_text("EK48213")
    mark = page.locator("#outbox-mark")
    expect(mark).to_be_hidden()
    writes: list[str] = []

    def note_write(request: Request) -> None:
        if request.method != "GET" and "/api/" in request.url:
            writes.append(f"{request.method} {request.url}")

    page.on("request", note_write)
    keep_its_port(own_lane)
    own_lane.stop()  # the box stops; the tablet's network stays up
    expect(mark).to_have_text("box unreachable — 0 waiting", timeout=10_000)
    assert writes == []  # told by the heartbeat, not by a failed write
    assert page.evaluate("navigator.onLine") is True
    shoot(page, "header-box-unreachable")

    item = page.locator("#checklist .checklist-item").first
    item.click()  # a write made meanwhile waits on the tablet
    expect(item).to_have_class(re.compile("is-waiting"))
    expect(mark).to_have_text("box unreachable — 1 waiting")

    own_lane.start()  # back on the same port: the mark clears, and what waited is sent
    expect(mark).to_have_text("1 change sent ✓", timeout=15_000)
    expect(mark).to_be_hidden(timeout=15_000)
    done = own_lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()["checklist"]["done"]
    assert [item for item, state in done.items() if state["checked"]] == [item.get_attribute("data-item")]
