"""Reference data down: the hub publishes checked, versioned reference data;
lanes pull it by ETag, store it as `lanebox reference load` does, and keep
their last good copy when the hub is away or sends something bad."""

from __future__ import annotations

import json

import requests

from common.eventlog.store import EventStore
from common.reference import EVENT_TYPE
from edge.reference import ReferenceCache, look_up
from lanebox.demo import DEMO_REFERENCE
from sync.lane.reference_puller import REJECTED, STORED, UNCHANGED, UNREACHABLE, ReferencePuller
from tests.support.hub_rig import LANE, InProcessHub

DEMO = json.loads(DEMO_REFERENCE.read_text())


def versioned(version: str) -> dict:
    return {**DEMO, "version": version}


def test_pulled_by_version_304_on_repeat_bad_ignored_and_kept_when_the_hub_is_away(
        tmp_path, lane_store: EventStore):
    hub = InProcessHub(tmp_path / "hub")
    token = hub.store.add_lane(LANE)
    cache = ReferenceCache(lane_store)
    puller = ReferencePuller(lane_store, LANE, hub.url, token)
    try:
        assert puller.pull() == "none"  # nothing at the hub yet
        assert hub.store.load_reference(versioned("v1")) is True
        assert hub.store.load_reference(versioned("v1")) is False
        assert puller.pull() == STORED
        assert cache.current().data.version == "v1"
        assert cache.current().event["actor"] == "hub"
        assert puller.pull() == UNCHANGED

        url = f"{hub.url}/api/v1/sync/{LANE}/reference"
        auth = {"Authorization": f"Bearer {token}"}
        first = requests.get(url, headers=auth, timeout=5)
        assert first.status_code == 200 and first.headers["ETag"] == '"v1"'
        assert first.json() == versioned("v1")
        again = requests.get(url, headers={**auth, "If-None-Match": '"v1"'}, timeout=5)
        assert again.status_code == 304 and again.content == b""
        assert requests.get(url, timeout=5).status_code == 401

        hub.store.load_reference({**versioned("v2-bad"), "vat_rate": 7})  # fails the lane's checks
        assert puller.pull() == REJECTED
        assert cache.current().data.version == "v1"
        hub.store.load_reference(versioned("v3"))
        assert puller.pull() == STORED and cache.current().data.version == "v3"
    finally:
        hub.close()
    assert puller.pull() == UNREACHABLE
    assert cache.current().data.version == "v3"
    versions = [e["payload"]["version"] for e in lane_store.page(limit=100, types=[EVENT_TYPE])]
    assert versions == ["v1", "v3"]


def test_the_hub_sends_each_lane_its_own_declarations_and_the_port_wide_ones(tmp_path):
    hub = InProcessHub(tmp_path / "hub")
    other = "TEST-IN-02"
    tokens = {lane: hub.store.add_lane(lane) for lane in (LANE, other)}
    data = versioned("per-lane-1")
    data["declarations"][0]["lanes"] = [LANE]
    data["declarations"][1]["lanes"] = [other]
    hub.store.load_reference(data)
    port_wide = [d["ref"] for d in DEMO["declarations"][2:]]
    try:
        for lane, own in ((LANE, "GB-DEC-0001"), (other, "GB-DEC-0002")):
            with EventStore(tmp_path / lane / "lane.sqlite3", lane) as store:
                puller = ReferencePuller(store, lane, hub.url, tokens[lane])
                assert puller.pull() == STORED and puller.pull() == UNCHANGED  # ETag per lane still works
                held = ReferenceCache(store).current().data
                assert list(held.declarations) == [own, *port_wide]
                assert look_up(held, declaration_ref="GB-DEC-0001").declaration is (
                    held.declarations["GB-DEC-0001"] if lane == LANE else None)
        url = f"{hub.url}/api/v1/sync/{other}/reference"
        wrong = requests.get(url, headers={"Authorization": f"Bearer {tokens[LANE]}"}, timeout=5)
        assert wrong.status_code == 401  # a lane's token never reads another lane's cut
    finally:
        hub.close()
