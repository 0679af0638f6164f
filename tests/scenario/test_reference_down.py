"""Reference data from the hub's command line to a running lane."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from lanebox.demo import DEMO_REFERENCE
from tests.support.hub_rig import HUB_CLI, LANE, HubProcess
from tests.support.lane_process import LaneRig, run_cli
from tests.support.waiting import wait_for

DEMO = json.loads(DEMO_REFERENCE.read_text())


def versioned(version: str) -> dict:
    return {**DEMO, "version": version}


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
            "supervisor", "--password-stdin", stdin="sue violet harbour\n")
    try:
        rig.start()
        current = wait_for(lambda: (r := rig.api("GET", "/reference", user="sue")).status_code
                           == 200 and r.json(), timeout=15, message="reference data pulled")
        assert current["version"] == "hub-1" and current["loaded_by"] == "hub"
    finally:
        rig.close()
        hub.stop()


