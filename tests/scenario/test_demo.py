"""`lanebox demo`: one command, no config; it serves a hub and two lanes
(``lanebox hub`` and ``lanebox serve`` child processes, from configs it writes
in its data folder), signs in the printed users at a lane and at the board,
runs six simulated devices per lane (a radiation portal monitor and a bench
scale among them) and a camera, drives lorries through so the lane shows
vehicles with their plate, container, radiation result and declaration, and
stops cleanly on Ctrl-C — its children with it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys

import pytest
import requests

from edge.config import load_config
from lanebox.demo import DEMO_REFERENCE
from sync.hub.config import load_hub_config
from tests.support.waiting import wait_for


def test_demo_serves_and_stops_cleanly(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "lanebox", "demo", "--port", "0", "--pace", "0.1",
                                "--data-dir", str(tmp_path / "demo")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        output = "".join(lines)
        url = re.search(r"(http://127\.0\.0\.1:\d+)/healthz", output).group(1)
        login = re.search(r"^\s+(\S+)\s+/\s+(\S+)\s+\(officer\)", output, re.M)
        token = requests.post(f"{url}/api/v1/session", json={"username": login.group(1),
                                                             "password": login.group(2)}, timeout=10).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}

        def get(path: str) -> dict:
            return requests.get(f"{url}/api/v1{path}", headers=headers, timeout=10).json()

        def all_devices_reading() -> list[dict]:
            devices = get("/devices")["devices"]
            ready = len(devices) == 6 and all(d["state"] == "connected" and d["last_reading"] for d in devices)
            return devices if ready else []

        devices = wait_for(all_devices_reading, timeout=60, interval=0.2, message="six connected devices with readings")
        assert {(d["kind"], d["use"]) for d in devices} == {
            ("scale", "weighbridge"), ("scale", "bench"), ("barcode", None), ("document", None), ("trace", None),
            ("radiation", None)}

        declared = {re.sub(r"[\s-]", "", d["plate"]): d["ref"]
                    for d in json.loads(DEMO_REFERENCE.read_text())["declarations"] if "plate" in d}

        def a_vehicle_through_the_whole_lane() -> dict | None:
            """A lorry the portal monitor scanned and the camera read, its declaration found."""
            return next((v for v in get("/vehicles")["vehicles"]
                         if v["plate"] and v["radiation"] and v["radiation"]["state"] != "occupied"), None)

        vehicle = wait_for(a_vehicle_through_the_whole_lane, timeout=30, interval=0.2,
                           message="a vehicle with its plate and radiation result")
        assert vehicle["declaration"]["ref"] == declared[vehicle["plate"]["text"]]
        assert vehicle["containers"] == [] or all(c["check_ok"] for c in vehicle["containers"])
        reads = requests.get(f"{url}/api/v1/events?type=camera.read&limit=1000", timeout=10,
                             headers={**headers, "X-Justification": "audit"}).json()["events"]
        read = next(e for e in reads if e["payload"]["plate"]["text"] == vehicle["plate"]["text"])
        assert read["actor"] == "camera:gate-1" and read["payload"]["format"] == "generic"
        photo = requests.get(f"{url}/api/v1/photos/{read['payload']['photo']['sha256']}", headers=headers, timeout=10)
        assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"

        board = re.search(r"board (http://127\.0\.0\.1:\d+)/board/", output).group(1)
        supervisor = re.search(r"^\s+(\S+)\s+/\s+(\S+)\s+\(supervisor\)", output, re.M)
        hub_token = requests.post(f"{board}/api/v1/session", timeout=10, json={
            "username": supervisor.group(1), "password": supervisor.group(2)}).json()["token"]

        def both_lanes_online_at_the_hub() -> bool:
            lanes = requests.get(f"{board}/api/v1/hub/lanes", timeout=10,
                                 headers={"Authorization": f"Bearer {hub_token}"}).json()["lanes"]
            return len(lanes) == 2 and all(lane["online"] and lane["backlog"] == 0 for lane in lanes)

        wait_for(both_lanes_online_at_the_hub, timeout=60, interval=0.2, message="two lanes synced to the hub")
        assert requests.get(f"{board}/board/", timeout=10).status_code == 200

        data = tmp_path / "demo"  # the configs the children run, for a newcomer to read and run
        lane = load_config(data / "demo-in-01.toml")
        assert lane.lane_id == "DEMO-IN-01" and lane.data_dir == data.resolve()
        assert lane.upstream is not None and lane.upstream.url == board
        assert load_config(data / "demo-in-02.toml").lane_id == "DEMO-IN-02"
        assert load_hub_config(data / "hub.toml").hub_id == "DEMO-HUB"
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(15)
    assert code == 0
    assert "Traceback" not in process.stderr.read() + process.stdout.read()  # logs go to stdout
    for stopped in (url, board):  # the hub and the lanes stopped with the demo
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{stopped}/healthz", timeout=5)
