"""Hub users reach a running lane only in the scope the hub gives them:
a board supervisor is not a lane user until scoped, and a user scoped away
from the lane is disabled there."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.scenario.test_roster_down import lane_usernames
from tests.support.hub_rig import HUB_CLI, LANE, HubProcess, lane_with_upstream
from tests.support.lane_process import PASSWORDS
from tests.support.waiting import wait_for


def hub_cli(hub: HubProcess, *args: str, password: str | None = None) -> str:
    result = subprocess.run([*HUB_CLI, *args, "--config", str(hub.config)], capture_output=True, text=True,
                            timeout=30, input=None if password is None else password + "\n")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_board_supervisor_reaches_a_lane_only_in_the_lane_role_and_lanes_given(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path / "hub")
    token = hub.add_lane(LANE)
    for name, role, password in (("carol", "supervisor", "carol teal kite signal"),
                                 ("olga", "officer", PASSWORDS["olga"][1])):
        hub_cli(hub, "users", "add", "--username", name, "--role", role, "--password-stdin", password=password)
    rig = lane_with_upstream(tmp_path / "lane", url=f"http://127.0.0.1:{hub.start()}", token=token,
                             pull_interval_s=1, hub_key=hub.hub_key())
    store = rig.root / "data" / "lane.sqlite3"
    try:
        rig.start()
        wait_for(lambda: lane_usernames(store) == {"olga"}, timeout=15, message="the officer at the lane")
        assert rig.token("olga")

        assert "carol is now officer at " + LANE in hub_cli(
            hub, "scope", "--username", "carol", "--lane-role", "officer", "--lanes", LANE)
        wait_for(lambda: "carol" in lane_usernames(store), timeout=15, message="carol at the lane")
        assert rig.api("POST", "/session", json={"username": "carol", "password": "carol teal kite signal"}
                       ).json()["role"] == "officer"  # not the supervisor she is on the board

        hub_cli(hub, "scope", "--username", "olga", "--lane-role", "officer", "--lanes", "OTHER-IN-02")
        wait_for(lambda: rig.api("GET", "/session", user="olga").status_code == 401, timeout=15,
                 interval=0.2, message="olga's lane session to end")
        listing = hub_cli(hub, "scope")
        assert "carol" in listing and f"officer at {LANE}" in listing and "officer at OTHER-IN-02" in listing
    finally:
        rig.close()
        hub.stop()
