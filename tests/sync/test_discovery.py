"""Lanes and hub find each other over mDNS — on loopback only."""

from __future__ import annotations

import uuid

import pytest

from sync.discovery import Announcer, ServiceWatcher, advertised_addresses, make_zeroconf


@pytest.fixture
def zeroconfs():
    made = [make_zeroconf(["127.0.0.1"]) for _ in range(2)]
    yield made
    for zc in made:
        zc.close()


def test_a_lane_and_the_hub_hear_each_other(zeroconfs):
    lane_side, hub_side = zeroconfs
    lane = Announcer(lane_side, "lane", 8081, ["127.0.0.1"], lane="GBDVR-IN-03").start()
    hub = Announcer(hub_side, "hub", 9090, ["127.0.0.1"]).start()
    hub_watcher, lane_watcher = ServiceWatcher(hub_side), ServiceWatcher(lane_side)
    try:
        heard_lane = hub_watcher.wait_for("lane", timeout=10, lane="GBDVR-IN-03")
        assert heard_lane is not None
        assert heard_lane.url == "http://127.0.0.1:8081" and heard_lane.api == "/api/v1"
        heard_hub = lane_watcher.wait_for("hub", timeout=10)
        assert heard_hub is not None and heard_hub.url == "http://127.0.0.1:9090" and heard_hub.lane is None
    finally:
        hub_watcher.close()
        lane_watcher.close()
        lane.close()
        hub.close()


def test_nothing_heard_is_none_not_a_hang(zeroconfs):
    watcher = ServiceWatcher(zeroconfs[0])
    try:
        assert watcher.wait_for("hub", timeout=0.3) is None
    finally:
        watcher.close()


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
    watcher = ServiceWatcher(zeroconfs[0])
    try:
        heard = watcher.wait_for("lane", timeout=10, lane=lane_id)
        assert heard is not None and heard.url == rig.url
    finally:
        watcher.close()
        rig.close()
