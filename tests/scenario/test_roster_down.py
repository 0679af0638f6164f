"""An officer added at the hub signs in at a running lane."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from tests.support.hub_rig import HUB_CLI, LANE, HubProcess, lane_with_upstream
from tests.support.lane_process import PASSWORDS
from tests.support.waiting import wait_for


def lane_usernames(path: Path) -> set[str]:
    """The accounts in a running lane's store, read-only."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT username FROM users")}
    except sqlite3.OperationalError:  # no users table yet
        return set()
    finally:
        conn.close()


def test_an_officer_added_at_the_hub_signs_in_at_a_running_lane_within_a_pull_interval(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path / "hub")
    token = hub.add_lane(LANE)
    hub_url = f"http://127.0.0.1:{hub.start()}"
    interval = 2
    rig = lane_with_upstream(tmp_path / "lane", url=hub_url, token=token, pull_interval_s=interval,
                             hub_key=hub.hub_key())
    try:
        rig.start()
        wait_for(lambda: rig.api("GET", "/sync").status_code == 401, timeout=10, message="lane up")
        added = subprocess.run([*HUB_CLI, "users", "add", "--config", str(hub.config), "--username", "olga",
                                "--role", "officer", "--password-stdin"], input=PASSWORDS["olga"][1] + "\n",
                               capture_output=True, text=True, timeout=30)
        assert added.returncode == 0, added.stderr
        # watch the lane's store (polling sign-ins would trip the login throttle), then sign in once
        wait_for(lambda: "olga" in lane_usernames(rig.root / "data" / "lane.sqlite3"), timeout=interval + 5,
                 interval=0.1, message="olga at the lane within a pull interval")
        assert rig.token("olga") and rig.api("GET", "/session", user="olga").json()["role"] == "officer"
        assert rig.api("POST", "/session", json={"username": "olga", "password": "wrong-pass-1"}).status_code == 401
        disabled = subprocess.run([*HUB_CLI, "users", "disable", "--config", str(hub.config),
                                   "--username", "olga"], capture_output=True, text=True, timeout=30)
        assert disabled.returncode == 0, disabled.stderr
        assert "olga disabled at hub" in disabled.stdout
        # her session at the lane ends at the next pull
        wait_for(lambda: rig.api("GET", "/session", user="olga").status_code == 401,
                 timeout=interval + 5, interval=0.2, message="olga's lane session to end")
        unknown = subprocess.run([*HUB_CLI, "users", "disable", "--config", str(hub.config),
                                  "--username", "nobody"], capture_output=True, text=True, timeout=30)
        assert (unknown.returncode, unknown.stderr) == (1, "lanebox hub: no user 'nobody'\n")
    finally:
        rig.close()
        hub.stop()
