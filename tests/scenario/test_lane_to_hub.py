"""A real `lanebox serve` with [upstream] pushes its log to a real
`lanebox hub`; the lane shows its backlog in /api/v1/sync and /metrics."""

from __future__ import annotations

import requests

from tests.support.hub_rig import HubProcess, assert_hub_holds_exactly
from tests.support.lane_process import LaneRig, run_cli
from tests.support.waiting import wait_for


def test_lane_events_reach_the_hub_and_the_backlog_drains(tmp_path):
    hub = HubProcess(tmp_path / "hub")
    token = hub.add_lane("TEST-IN-01")
    port = hub.start()
    rig = LaneRig(root=tmp_path / "lane", upstream=(f"http://127.0.0.1:{port}", token))
    rig.root.mkdir()
    rig.write_config()
    run_cli("users", "add", "--config", str(rig.config_path), "--username", "sue", "--role", "supervisor",
            "--password-stdin", stdin="sue violet harbour\n")
    try:
        rig.start()
        rig.token("sue")  # a login: one more event to push
        status = wait_for(lambda: (s := rig.api("GET", "/sync", user="sue").json())["backlog"] == 0 and s,
                          timeout=15, message="backlog drained")
        assert status["configured"] is True and status["acked_seq"] == status["lane_seq"] >= 2
        metrics = requests.get(f"{rig.url}/metrics", timeout=5).text
        assert "lanebox_sync_backlog_events 0.0" in metrics
        rig.stop()
        hub_store = hub.store.start()
        try:
            assert_hub_holds_exactly(hub_store, rig.root / "data" / "lane.sqlite3", lane="TEST-IN-01")
        finally:
            hub_store.close()
    finally:
        rig.close()
        hub.stop()
