"""A radiation portal monitor's alarm on the board (issue #15): critical from the lane's
``rpm.occupancy``, cleared — with the adjudication code in words, in the hash-chained alarm log — by
the officer's ``radiation.adjudicated``; over real HTTP sync and a real /board Socket.IO client."""

from __future__ import annotations

import uuid

import requests

from common.eventlog.store import EventStore
from sync.lane.agent import SyncAgent
from tests.support.hub_rig import LANE, InProcessHub, board_alarms, next_alarm
from tests.support.waiting import wait_for

OCCUPANCY = {"phase": "occupancy", "occupancy": 7, "started_at": "2026-03-02T10:00:00.000Z",
             "ended_at": "2026-03-02T10:00:09.000Z", "gamma": {"max_cps": [2100, 2400, 900, 800],
                                                              "background_cps": [300, 310, 295, 305]},
             "neutron": {"max_counts": [2, 3, 1, 2], "background_counts": [2, 2, 1, 2]},
             "gamma_alarm": True, "neutron_alarm": False, "alarm": True, "speed_kmh": 7.5}


def test_an_rpm_alarm_is_critical_until_the_officer_adjudicates_it(hub: InProcessHub, lane_store: EventStore) -> None:
    board, heard = board_alarms(hub)
    try:
        vehicle, occupancy = str(uuid.uuid4()), str(uuid.uuid4())
        lane_store.append("vehicle.arrived", {"vehicle": vehicle, "trigger": "occupancy",
                                              "at": OCCUPANCY["started_at"]}, "lane", id=vehicle)
        lane_store.append("rpm.occupancy", {"vehicle": vehicle, "device": "rpm-1", "occupancy": OCCUPANCY,
                                            "raw": "GA,...", "calibration": {}, "calibration_due": False},
                          "lane", id=occupancy)
        agent = SyncAgent(lane_store, LANE, hub.url, hub.store.add_lane(LANE)).start()
        try:
            raised = next_alarm(heard, lambda a: a["kind"] == "rpm_alarm", timeout=10)
            assert raised["severity"] == "critical" and raised["state"] == "unacknowledged"
            assert raised["detail"]["message"] == "gamma alarm at the portal monitor rpm-1"
            inspection = str(uuid.uuid4())
            lane_store.append("radiation.adjudicated", {
                "id": str(uuid.uuid4()), "inspection_id": inspection, "occupancy_event": occupancy,
                "code": "innocent_norm", "secondary": {"performed": True, "result": "no_source_found"}}, "olga")
            cleared = next_alarm(heard, lambda a: a["id"] == raised["id"] and a["state"] == "cleared", timeout=10)
        finally:
            agent.stop()
    finally:
        board.disconnect()
    words = "Innocent alarm — NORM (naturally occurring radioactive material)"
    assert cleared["adjudication"] == words and cleared["cleared_by"] == f"olga@{LANE}"
    assert [entry["action"] for entry in cleared["history"]] == ["acknowledged", "cleared"]
    token = hub.user_token()
    listed = requests.get(f"{hub.url}/api/v1/hub/alarms?state=cleared", timeout=10,
                          headers={"Authorization": f"Bearer {token}"}).json()["alarms"]
    assert [a["adjudication"] for a in listed if a["id"] == raised["id"]] == [words]
    active = requests.get(f"{hub.url}/api/v1/hub/alarms?state=active", timeout=10,
                          headers={"Authorization": f"Bearer {token}"}).json()["alarms"]
    assert raised["id"] not in [a["id"] for a in active]
    assert hub.hub.alarms.verify_log()["ok"]


def test_a_clear_scan_raises_nothing(hub: InProcessHub, lane_store: EventStore) -> None:
    vehicle = str(uuid.uuid4())
    lane_store.append("vehicle.arrived", {"vehicle": vehicle, "trigger": "occupancy", "at": "2026-03-02T10:00:00Z"},
                      "lane", id=vehicle)
    lane_store.append("rpm.occupancy", {"vehicle": vehicle, "device": "rpm-1", "calibration": {},
                                        "occupancy": {**OCCUPANCY, "gamma_alarm": False, "alarm": False}}, "lane")
    agent = SyncAgent(lane_store, LANE, hub.url, hub.store.add_lane(LANE)).start()
    try:
        wait_for(lambda: hub.store.cursor(LANE) == lane_store.last_seq(), timeout=10, message="synced")
    finally:
        agent.stop()
    hub.hub.projector.catch_up()  # every event synced is projected now
    assert [a for a in hub.hub.alarms.list() if a["kind"] == "rpm_alarm"] == []
