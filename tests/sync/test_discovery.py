"""Lanes and hub find each other over mDNS — on loopback only."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from sync.discovery import Announcer, ServiceWatcher, advertised_addresses, make_zeroconf


def off_thread(fn, *args):
    """Run ``fn`` on a plain thread: the sync Zeroconf API refuses to block
    in a thread with an asyncio loop (Playwright's browser tests leave one
    in pytest's main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


@pytest.fixture
def zeroconfs():
    made = [off_thread(make_zeroconf, ["127.0.0.1"]) for _ in range(2)]
    yield made
    for zc in made:
        off_thread(zc.close)


def test_a_lane_and_the_hub_hear_each_other(zeroconfs):
    lane_side, hub_side = zeroconfs
    lane = off_thread(lambda: Announcer(lane_side, "lane", 8081, ["127.0.0.1"], lane="GBDVR-IN-03").start())
    hub = off_thread(lambda: Announcer(hub_side, "hub", 9090, ["127.0.0.1"]).start())
    hub_watcher, lane_watcher = off_thread(ServiceWatcher, hub_side), off_thread(ServiceWatcher, lane_side)
    try:
        heard_lane = hub_watcher.wait_for("lane", timeout=10, lane="GBDVR-IN-03")
        assert heard_lane is not None
        assert heard_lane.url == "http://127.0.0.1:8081" and heard_lane.api == "/api/v1"
        heard_hub = lane_watcher.wait_for("hub", timeout=10)
        assert heard_hub is not None and heard_hub.url == "http://127.0.0.1:9090" and heard_hub.lane is None
    finally:
        for thing in (hub_watcher, lane_watcher, lane, hub):
            off_thread(thing.close)


def test_nothing_heard_is_none_not_a_hang(zeroconfs):
    watcher = off_thread(ServiceWatcher, zeroconfs[0])
    try:
        assert watcher.wait_for("hub", timeout=0.3) is None
    finally:
        off_thread(watcher.close)


def test_advertised_addresses():
    assert advertised_addresses("10.1.2.3") == ["10.1.2.3"]
    wildcard = advertised_addresses("0.0.0.0")
    assert wildcard and all(not a.startswith("127.") for a in wildcard) or wildcard == ["127.0.0.1"]


def test_a_running_lane_server_announces_itself(tmp_path, zeroconfs):
    from tests.edge.lane_process import LaneRig

    lane_id = f"DISC-{uuid.uuid4().hex[:8].upper()}"  # not a lane other tests announced
    rig = LaneRig(root=tmp_path, lane_id=lane_id)
    rig.write_config()
    rig.start()
    watcher = off_thread(ServiceWatcher, zeroconfs[0])
    try:
        heard = watcher.wait_for("lane", timeout=10, lane=lane_id)
        assert heard is not None and heard.url == rig.url
    finally:
        off_thread(watcher.close)
        rig.close()
