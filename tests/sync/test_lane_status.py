"""Live lane status: a lane reports to the hub on change and as a heartbeat;
the hub lists every registered lane and shows a silent one as offline."""

from __future__ import annotations

from typing import Any

import requests

from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.ports import TcpPort
from edge.store import EventStore
from sync.status_reporter import StatusReporter
from tests.edge.lane_process import LaneRig
from tests.sync.rig import LANE, HubProcess, InProcessHub
from tests.waiting import wait_for


def lanes(hub: InProcessHub | HubProcess, url: str | None = None) -> dict[str, dict[str, Any]]:
    """The hub's lane listing, read as a control-room user."""
    if not hasattr(hub, "_token"):
        hub._token = hub.user_token()  # type: ignore[union-attr]
    response = requests.get(f"{url or hub.url}/api/v1/hub/lanes", timeout=5,  # type: ignore[union-attr]
                            headers={"Authorization": f"Bearer {hub._token}"})  # type: ignore[union-attr]
    assert response.status_code == 200, response.text
    return {row["lane"]: row for row in response.json()["lanes"]}


def test_a_real_lane_reports_devices_and_alarms_and_goes_offline_when_stopped(tmp_path):
    hub = HubProcess(tmp_path / "hub", offline_after_s=1.5)
    token = hub.add_lane(LANE)
    hub_url = f"http://127.0.0.1:{hub.start()}"
    rig = LaneRig(root=tmp_path / "lane", upstream=(hub_url, token))
    rig.root.mkdir()
    rig.sims = {"trace-1": EtdSimulator()}
    rig.ports = {"trace-1": TcpPort(rig.sims["trace-1"]).start()}
    rig.write_config()
    try:
        assert lanes(hub, hub_url)[LANE]["online"] is False  # registered, never heard
        rig.start()
        row = wait_for(lambda: (r := lanes(hub, hub_url)[LANE])["online"] and r["status"]["devices"]
                       and r["status"]["devices"][0]["state"] == "connected" and r,
                       timeout=15, message="the trace detector connected, at the hub")
        assert row["status"]["devices"] == [
            {"id": "trace-1", "kind": "trace", "state": "connected",
             "detail": row["status"]["devices"][0]["detail"]}]
        assert row["last_seen"] and row["status"]["inspections"] == []
        rig.sims["trace-1"].swab([("TNT", 350.0)], sample_id="HUB-1")
        alarm = wait_for(lambda: lanes(hub, hub_url)[LANE]["status"]["alarms"], timeout=5,
                         message="the trace alarm at the hub")[-1]
        assert alarm["kind"] == "trace_alarm" and alarm["sample_id"] == "HUB-1"
        assert alarm["device_id"] == "trace-1" and alarm["substances"][0]["name"] == "TNT"
        wait_for(lambda: lanes(hub, hub_url)[LANE]["backlog"] == 0, timeout=15, message="backlog 0")
        rig.stop()
        row = wait_for(lambda: (r := lanes(hub, hub_url)[LANE])["online"] is False and r, timeout=10,
                       message="the stopped lane offline")
        assert row["status"]["lane"] == LANE
        assert row["acked_seq"] == row["status"]["sync"]["lane_seq"]
    finally:
        rig.close()
        hub.stop()


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
