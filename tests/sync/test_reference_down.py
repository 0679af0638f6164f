"""Reference data down: the hub publishes checked, versioned reference data;
lanes pull it by ETag, store it as `lanebox reference load` does, and keep
their last good copy when the hub is away or sends something bad."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import requests

from edge.reference import EVENT_TYPE, ReferenceCache
from edge.store import EventStore
from sync.reference_puller import REJECTED, STORED, UNCHANGED, UNREACHABLE, ReferencePuller
from tests.edge.lane_process import LaneRig, run_cli
from tests.sync.rig import HUB_CLI, LANE, HubProcess, InProcessHub
from tests.waiting import wait_for

DEMO = json.loads((Path(__file__).parents[2] / "edge" / "demo_reference.json").read_text())


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


def test_hub_reference_load_checks_the_file_with_the_lanes_rules(tmp_path):
    hub = HubProcess(tmp_path / "hub")
    good, bad, clash = (tmp_path / name for name in ("good.json", "bad.json", "clash.json"))
    good.write_text(json.dumps(versioned("2026.2")))
    bad.write_text(json.dumps({**versioned("2026.3"), "currency": "pounds"}))
    clash.write_text(json.dumps({**versioned("2026.2"), "vat_rate": 0.1}))

    def load(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*HUB_CLI, "reference", "load", "--config", str(hub.config),
                               str(path)], capture_output=True, text=True, timeout=30)

    loaded = load(good)
    assert loaded.returncode == 0 and "loaded reference data 2026.2" in loaded.stdout
    assert "already current" in load(good).stdout
    refused = load(bad)
    assert refused.returncode == 2 and "currency" in refused.stderr
    assert refused.stderr.count("\n") == 1
    conflict = load(clash)
    assert conflict.returncode == 1 and "other content" in conflict.stderr
    with hub.store.start() as store:
        assert store.reference()[0] == "2026.2"


def test_a_real_lane_pulls_the_hubs_reference_data_at_start(tmp_path):
    hub = HubProcess(tmp_path / "hub")
    token = hub.add_lane(LANE)
    data = tmp_path / "reference.json"
    data.write_text(json.dumps(versioned("hub-1")))
    subprocess.run([*HUB_CLI, "reference", "load", "--config", str(hub.config), str(data)],
                   check=True, capture_output=True, timeout=30)
    rig = LaneRig(root=tmp_path / "lane", upstream=(f"http://127.0.0.1:{hub.start()}", token))
    rig.root.mkdir()
    rig.write_config()
    run_cli("users", "add", "--config", str(rig.config_path), "--username", "sue", "--role",
            "supervisor", "--password-stdin", stdin="super-pass-1\n")
    try:
        rig.start()
        current = wait_for(lambda: (r := rig.api("GET", "/reference", user="sue")).status_code
                           == 200 and r.json(), timeout=15, message="reference data pulled")
        assert current["version"] == "hub-1" and current["loaded_by"] == "hub"
    finally:
        rig.close()
        hub.stop()


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
                assert held.lookup(declaration_ref="GB-DEC-0001").declaration is (
                    held.declarations["GB-DEC-0001"] if lane == LANE else None)
        url = f"{hub.url}/api/v1/sync/{other}/reference"
        wrong = requests.get(url, headers={"Authorization": f"Bearer {tokens[LANE]}"}, timeout=5)
        assert wrong.status_code == 401  # a lane's token never reads another lane's cut
    finally:
        hub.close()
