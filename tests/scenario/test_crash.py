"""kill -9 of the lane server while a client writes: nothing it saw
acknowledged is lost, the chain still verifies, and retries after the
restart create no duplicates."""

from __future__ import annotations

import signal
import threading
import uuid

import requests

from tests.support.lane_process import make_rig, run_cli
from tests.support.waiting import wait_for

INSPECTION = str(uuid.uuid4())


def attach(url: str, token: str, event_id: str) -> requests.Response:
    return requests.post(f"{url}/api/v1/attachments", timeout=10, headers={"Authorization": f"Bearer {token}"},
                         json={"id": event_id, "device_id": "trace-1", "record_type": "inspection",
                               "record_id": INSPECTION})


def test_kill_9_loses_nothing_acknowledged(tmp_path):
    rig = make_rig(tmp_path)
    try:
        rig.start()
        token = rig.token("olga")
        assert rig.api("POST", "/inspections", user="olga", json={
            "id": INSPECTION, "plate": "CR45 HED", "containers": [], "inspection_type": "standard"}).status_code == 201
        rig.sims["trace-1"].swab([], sample_id="K-1")
        wait_for(lambda: rig.api("GET", "/devices/trace-1", user="vic").json()["last_reading"], message="a reading")

        acked: list[str] = []
        sent: list[str] = []
        stop = threading.Event()

        def writer() -> None:
            while not stop.is_set():
                event_id = str(uuid.uuid4())
                sent.append(event_id)
                try:
                    response = attach(rig.url, token, event_id)
                except requests.RequestException:
                    return  # the server died under us
                if response.status_code == 201:
                    acked.append(event_id)

        thread = threading.Thread(target=writer)
        thread.start()
        wait_for(lambda: len(acked) >= 40, timeout=30, message="40 acknowledged writes")
        rig.stop(signal.SIGKILL)
        stop.set()
        thread.join(15)

        rig.start()
        for event_id in acked:
            assert rig.api("GET", f"/events/{event_id}", user="vic",
                           headers={"X-Justification": "audit"}).status_code == 200, event_id
        assert run_cli("verify", "--config", str(rig.config_path)).returncode == 0

        count = rig.api("GET", "/lane", user="vic").json()["store"]["events"]
        rig.sims["trace-1"].swab([], sample_id="K-2")
        wait_for(lambda: rig.api("GET", "/devices/trace-1", user="vic").json()["last_reading"], message="reading")
        retried = sent[-3:]  # the last acked ones and the one in flight at the kill
        codes = [attach(rig.url, token, event_id).status_code for event_id in retried]
        assert set(codes) <= {200, 201}
        in_flight_new = codes.count(201)
        assert rig.api("GET", "/lane", user="vic").json()["store"]["events"] == count + in_flight_new
        assert all(code == 200 for event_id, code in zip(retried, codes) if event_id in acked)
        assert run_cli("verify", "--config", str(rig.config_path)).returncode == 0
    finally:
        rig.close()
