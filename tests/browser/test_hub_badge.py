"""An officer sees on the lane screen whether the port hub has this lane's
records: "NOT YET SENT TO PORT: N" while it cannot be reached, "ALL SENT TO PORT" once
the backlog has drained. A real lane process pushes through a TCP proxy to
a real hub; the proxy first leads nowhere, then to the hub."""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import shoot
from tests.support.fault_proxy import FaultProxy
from tests.support.hub_rig import InProcessHub
from tests.support.lane_process import LaneRig, make_rig, running
from tests.support.waiting import wait_for

NOWHERE = 1  # nothing listens on port 1


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessHub]:
    running = InProcessHub(tmp_path_factory.mktemp("badge-hub"))
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def proxy() -> Iterator[FaultProxy]:
    running = FaultProxy(NOWHERE).start()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory, hub: InProcessHub,
         proxy: FaultProxy) -> Iterator[LaneRig]:
    """Overrides the shared lane: this one has an upstream, behind the proxy."""
    rig = make_rig(tmp_path_factory.mktemp("badge-lane"))
    rig.upstream = (proxy.url, hub.store.add_lane(rig.lane_id))
    rig.hub_key = hub.hub_key  # pinned as `lanebox hub add-lane` prints it: the proxy leads nowhere yet
    rig.write_config()
    with running(rig):
        yield rig


def test_the_lane_screen_says_what_the_hub_does_not_have_yet(page: Page, hub: InProcessHub,
                                                             proxy: FaultProxy,
                                                             lane: LaneRig) -> None:
    badge = page.locator("#hub-badge")
    expect(badge).to_have_text(re.compile(r"^NOT YET SENT TO PORT: \d+$"))
    assert int(badge.inner_text().rsplit(" ", 1)[1]) > 0  # users and sign-ins, at least
    assert hub.store.cursor(lane.lane_id) == 0
    shoot(page, "90-lane-not-yet-at-hub")
    proxy.target_port = hub.port  # the cable is mended
    expect(badge).to_have_text("ALL SENT TO PORT", timeout=30_000)
    lane_seq = lane.api("GET", "/sync", user="olga").json()["lane_seq"]
    wait_for(lambda: hub.store.cursor(lane.lane_id) == lane_seq,  # that sign-in is an event too
             message="the hub to hold the lane's whole log")
