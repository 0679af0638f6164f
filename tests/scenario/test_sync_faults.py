"""Acceptance for lane→hub sync: through a real TCP proxy that cuts,
resets, delays and replays requests, across kill -9 of the hub and of the
lane, the hub ends holding exactly the lane's events — none lost, none
doubled, in order, chain verified — and raises no alarm."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

from common.eventlog.store import EventStore
from sync.lane.agent import SyncAgent
from tests.support.fault_proxy import Fault, FaultProxy, random_plan
from tests.support.hub_rig import LANE, HubProcess, assert_hub_holds_exactly, fill, lane_rows
from tests.support.waiting import wait_for


def test_faults_and_a_hub_killed_mid_stream_lose_and_double_nothing(tmp_path, hub_database):
    hub = HubProcess(tmp_path / "hub", database=hub_database)
    token = hub.add_lane()
    proxy = FaultProxy(hub.start(), random_plan(seed=20250131)).start()
    try:
        with EventStore(tmp_path / "lane.sqlite3", LANE) as store:
            fill(store, 1500)  # a backlog from before the network came up
            agent = SyncAgent(store, LANE, proxy.url, token, batch_size=50, backoff_base=0.01,
                              backoff_max=0.1, timeout=(2.0, 5.0)).start()

            def keep_appending() -> None:  # the lane goes on working meanwhile
                for n in range(500):
                    store.append("test.event", {"live": n}, "officer")
                    agent.wake()

            appender = threading.Thread(target=keep_appending)
            appender.start()
            try:
                wait_for(lambda: hub.store.cursor(LANE) >= 600, timeout=30,
                         message="the hub to hold 600 events")
                hub.stop(signal.SIGKILL)
                wait_for(lambda: agent.status()["state"] == "backoff", timeout=10,
                         message="the agent to notice")
                proxy.target_port = hub.start()
                appender.join(30)
                wait_for(lambda: agent.status()["backlog"] == 0
                         and agent.status()["state"] == "idle",
                         timeout=40, message="the backlog to drain")
            finally:
                appender.join(30)
                agent.stop()
            assert proxy.faults >= 20, f"only {proxy.faults} faults were injected"
            assert assert_hub_holds_exactly(hub.store, store.path) == 2000
            assert hub.store.alarms() == []
    finally:
        proxy.close()
        hub.stop()


def test_a_lane_killed_mid_push_resumes_and_everything_arrives_once(tmp_path, hub_database):
    hub = HubProcess(tmp_path / "hub", database=hub_database)
    token = hub.add_lane()
    # Every chunk delayed: a request is in flight most of the time, so the
    # kill lands mid-push.
    proxy = FaultProxy(hub.start(), lambda _index: Fault(delay=0.005)).start()
    store_path = tmp_path / "lane" / "lane.sqlite3"
    command = [sys.executable, "-m", "tests.support.lane_pusher", str(store_path), proxy.url, token,
               "1200"]
    try:
        for hub_holds in (150, 600):
            pusher = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            try:
                wait_for(lambda: hub.store.cursor(LANE) >= hub_holds, timeout=30,
                         message=f"the hub to hold {hub_holds} events")
            finally:
                pusher.send_signal(signal.SIGKILL)
                pusher.wait(10)
            assert pusher.returncode == -signal.SIGKILL
            assert len(lane_rows(store_path)) < 1200  # killed while still appending
        finished = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert finished.returncode == 0 and finished.stdout.strip() == "drained", finished
        assert assert_hub_holds_exactly(hub.store, store_path) == 1200
        assert hub.store.alarms() == []
    finally:
        proxy.close()
        hub.stop()
