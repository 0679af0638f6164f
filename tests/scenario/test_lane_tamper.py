"""Tampering after sync, end to end: a real lane synced to a real hub; one of
its synced events is edited in the lane's SQLite file while it runs. The lane
never sends that event again, yet the control room's /board feed gets the
alarm within one status interval, because the lane re-verifies its store and
says so in its status."""

from __future__ import annotations

import queue
import sqlite3
import time
from typing import Any

import socketio

from edge.store import lane_store_path
from sync.lane.status_reporter import DEFAULT_INTERVAL_S
from tests.support.hub_rig import LANE, HubProcess, lanes
from tests.support.lane_process import LaneRig
from tests.support.waiting import wait_for

SLACK_S = 3.0
"""Past the interval: verifying this small store, one status request, the push to the board."""


def test_an_event_edited_after_sync_reaches_the_board_as_an_alarm_within_one_interval(tmp_path):
    hub = HubProcess(tmp_path / "hub")
    token = hub.add_lane(LANE)
    hub_url = f"http://127.0.0.1:{hub.start()}"
    rig = LaneRig(root=tmp_path / "lane", upstream=(hub_url, token))
    rig.root.mkdir()
    rig.write_config()
    rig.add_users()  # the lane's first events
    board = socketio.Client(reconnection=False)
    alarms: queue.Queue[dict[str, Any]] = queue.Queue()
    board.on("alarm", alarms.put, namespace="/board")
    try:
        rig.start()
        row = wait_for(lambda: (r := lanes(hub, hub_url)[LANE])["backlog"] == 0 and r["acked_seq"]
                       and ((r["status"] or {}).get("chain") or {}).get("checked", 0) >= r["acked_seq"] and r,
                       timeout=30, message="every event at the hub, and the lane's verified head with them")
        assert row["status"]["chain"]["state"] == "whole"
        board.connect(hub_url, namespaces=["/board"], auth={"token": hub.user_token()},
                      transports=["websocket"], wait_timeout=5)

        database = sqlite3.connect(lane_store_path(rig.root / "data"))
        database.execute("DROP TRIGGER events_no_update")  # anyone with the file can
        database.execute("UPDATE events SET actor = 'mallory' WHERE seq = 2")
        database.commit()
        database.close()
        edited = time.monotonic()

        alarm = alarms.get(timeout=DEFAULT_INTERVAL_S + SLACK_S)
        took = time.monotonic() - edited
        assert (alarm["kind"], alarm["lane"], alarm["seq"]) == ("lane_chain_broken", LANE, 2), alarm
        assert alarm["label"] == "Lane log tampered" and "broken at seq 2" in alarm["detail"]["message"]
        assert took <= DEFAULT_INTERVAL_S + SLACK_S
        assert hub.store.cursor(LANE) == row["acked_seq"]  # nothing was re-sent: the status alone told
    finally:
        if board.connected:
            board.disconnect()
        rig.close()
        hub.stop()
