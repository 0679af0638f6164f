"""Lanes and hub find each other over mDNS — on loopback only."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from common.discovery import Announcer, ServiceWatcher, advertised_addresses, make_zeroconf
from sync.identity import parse_key
from sync.lane.upstream import CONFIG, MDNS, DiscoveredUpstream, make_upstream
from tests.support.hub_rig import LANE, InProcessHub
from tests.support.waiting import wait_for


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


def heard_at(watcher: ServiceWatcher, role: str, url: str):
    """The service of ``role`` at ``url`` — loopback mDNS is shared with every
    other test run on the machine, so never take just the first hub heard."""
    return wait_for(lambda: next((s for s in watcher.services(role) if s.url == url), None),
                    timeout=10, message=f"{role} at {url} on mDNS")


def test_a_lane_and_the_hub_hear_each_other(zeroconfs):
    lane_side, hub_side = zeroconfs
    lane_port, hub_port = random.sample(range(20000, 30000), 2)
    lane = off_thread(lambda: Announcer(lane_side, "lane", lane_port, ["127.0.0.1"], lane="GBDVR-IN-03").start())
    hub = off_thread(lambda: Announcer(hub_side, "hub", hub_port, ["127.0.0.1"], scheme="https").start())
    hub_watcher, lane_watcher = off_thread(ServiceWatcher, hub_side), off_thread(ServiceWatcher, lane_side)
    try:
        heard_lane = heard_at(hub_watcher, "lane", f"http://127.0.0.1:{lane_port}")
        assert heard_lane.lane == "GBDVR-IN-03" and heard_lane.api == "/api/v1"
        heard_hub = heard_at(lane_watcher, "hub", f"https://127.0.0.1:{hub_port}")  # TXT scheme=https
        assert heard_hub.lane is None
    finally:
        for thing in (hub_watcher, lane_watcher, lane, hub):
            off_thread(thing.close)


def test_a_typed_url_wins_over_discovery():
    key = parse_key("ed25519:A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=")
    upstream = make_upstream(LANE, "http://10.0.0.9:9090/", "token", "127.0.0.1", None, key)
    assert upstream.describe() == {"source": CONFIG, "url": "http://10.0.0.9:9090"}
    assert make_upstream(LANE, None, "token", "127.0.0.1", None, key).describe() == {"source": MDNS, "url": None}


def test_discovery_takes_the_hub_that_proves_the_pinned_key_and_accepts_the_lanes_token(tmp_path, zeroconfs):
    """Two hubs on the network, both knowing the lane; the lane pinned the second's key."""
    other, ours = InProcessHub(tmp_path / "other"), InProcessHub(tmp_path / "ours")
    token = ours.store.add_lane(LANE)
    other.store.add_lane(LANE)  # registered there too, with another token
    announcers = [off_thread(lambda h=h, n=n: Announcer(zeroconfs[1], "hub", h.port, ["127.0.0.1"],
                                                        instance=f"test hub {n} {uuid.uuid4().hex[:6]}").start())
                  for n, h in (("a", other), ("b", ours))]
    upstream = DiscoveredUpstream(LANE, token, "127.0.0.1", parse_key(ours.hub_key), recheck_s=0.5)
    moved = []
    upstream.subscribe(lambda: moved.append(upstream.url()))
    upstream.start()
    try:
        wait_for(upstream.url, timeout=15, message="a hub chosen")
        assert upstream.describe() == {"source": MDNS, "url": ours.url} and moved == [ours.url]
    finally:
        upstream.stop()
        for announcer in announcers:
            off_thread(announcer.close)
        other.close()
        ours.close()


def test_nothing_heard_is_none_not_a_hang(zeroconfs):
    watcher = off_thread(ServiceWatcher, zeroconfs[0])
    try:  # a lane nobody runs: other tests' hubs and lanes may be announced on loopback meanwhile
        assert watcher.wait_for("lane", timeout=0.3, lane=f"NOBODY-{uuid.uuid4().hex[:8]}") is None
    finally:
        off_thread(watcher.close)


def test_advertised_addresses():
    assert advertised_addresses("10.1.2.3") == ["10.1.2.3"]
    wildcard = advertised_addresses("0.0.0.0")
    assert wildcard and all(not a.startswith("127.") for a in wildcard) or wildcard == ["127.0.0.1"]


def test_a_running_lane_server_announces_itself(tmp_path, zeroconfs):
    from tests.support.lane_process import LaneRig

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


