"""A running lane reports its devices and alarms to the hub, and goes offline when stopped."""

from __future__ import annotations

from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.ports import TcpPort
from tests.support.hub_rig import LANE, HubProcess, lanes
from tests.support.lane_process import LaneRig
from tests.support.waiting import wait_for


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


