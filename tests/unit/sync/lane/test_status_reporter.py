"""Live lane status: a lane reports to the hub on change and as a heartbeat;
the hub lists every registered lane and shows a silent one as offline."""

from __future__ import annotations

import requests

from common.eventlog.store import EventStore
from sync.lane.status_reporter import StatusReporter
from tests.support.hub_rig import LANE, InProcessHub, lanes
from tests.support.waiting import wait_for


def test_reports_on_change_promptly_and_a_restarted_hub_knows_its_lanes(tmp_path, lane_store:
                                                                         EventStore):
    hub = InProcessHub(tmp_path / "hub", offline_after_s=30)
    token = hub.store.add_lane(LANE)
    hub.store.add_lane("OTHER-IN-02")
    devices = [{"id": "scale-1", "kind": "scale", "state": "connected", "detail": "ok"}]
    # a 60 s heartbeat: only a change can make the second report arrive in time
    reporter = StatusReporter(lane_store, LANE, hub.url, token, devices=lambda: list(devices),
                              interval=60, min_gap=0.05).start()
    try:
        wait_for(lambda: lanes(hub)[LANE]["online"], timeout=5, message="first report")
        devices[0] = {**devices[0], "state": "disconnected", "detail": "unplugged"}
        reporter.observe("device_status", {"device_id": "scale-1", "state": "disconnected"})
        wait_for(lambda: lanes(hub)[LANE]["status"]["devices"][0]["state"] == "disconnected",
                 timeout=5, message="the change reported")
    finally:
        reporter.stop()
    other = lanes(hub)["OTHER-IN-02"]
    assert other == {"lane": "OTHER-IN-02", "online": False, "last_seen": None, "acked_seq": 0,
                     "backlog": None, "status": None}
    hub.close()
    hub = InProcessHub(tmp_path / "hub", offline_after_s=30)
    try:
        row = lanes(hub)[LANE]
        assert row["online"] is True and row["status"]["devices"][0]["detail"] == "unplugged"
    finally:
        hub.close()


def test_status_needs_the_lanes_own_token_and_its_own_lane_id(hub):
    token = hub.store.add_lane(LANE)
    other = hub.store.add_lane("OTHER-IN-02")
    url = f"{hub.url}/api/v1/sync/{LANE}/status"
    body = {"lane": LANE, "ts": "2026-01-01T00:00:00.000Z", "devices": []}
    for auth in ({}, {"Authorization": f"Bearer {other}"}):
        assert requests.post(url, json=body, headers=auth, timeout=5).status_code == 401
    mine = {"Authorization": f"Bearer {token}"}
    refused = requests.post(url, json={**body, "lane": "OTHER-IN-02"}, headers=mine, timeout=5)
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "lane"
    bad = requests.post(url, json={**body, "devices": "none"}, headers=mine, timeout=5)
    assert bad.status_code == 400
    assert lanes(hub)[LANE]["status"] is None  # nothing refused was kept
    assert requests.post(url, json=body, headers=mine, timeout=5).json() == {"ok": True}
    assert lanes(hub)[LANE]["status"] == body
