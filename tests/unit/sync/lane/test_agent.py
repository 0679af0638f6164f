"""The lane agent against a real hub over real TCP: drains in order, sends a
new event at once, rides out an unreachable hub with jittered backoff, and
reports its backlog honestly, across restarts."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from common.clock import iso_utc
from common.eventlog.store import EventStore
from lanebox.commands.hub_backup import HUB_COPY, backup_sqlite_hub
from sync.lane.agent import Backoff, SyncAgent
from tests.support.fault_proxy import FaultProxy
from tests.support.hub_rig import LANE, InProcessHub, assert_hub_holds_exactly, fill
from tests.support.waiting import wait_for

FAST = {"backoff_base": 0.01, "backoff_max": 0.05, "timeout": (2.0, 10.0)}


def agent_for(store: EventStore, url: str, token: str, **options: Any) -> SyncAgent:
    return SyncAgent(store, LANE, url, token, **{**FAST, **options})


def drained(agent: SyncAgent) -> bool:
    status = agent.status()
    return status["backlog"] == 0 and status["state"] == "idle"


def test_a_backlog_drains_in_order_and_the_status_says_so(hub, lane_store):
    fill(lane_store, 1234)
    agent = agent_for(lane_store, hub.url, hub.store.add_lane(LANE), batch_size=100).start()
    try:
        wait_for(lambda: drained(agent), timeout=20, message="the backlog to drain")
        status = agent.status()
    finally:
        agent.stop()
    assert status["acked_seq"] == status["lane_seq"] == 1234
    assert status["oldest_unsent_age_s"] is None
    assert status["last_error"] is None and status["last_success"]
    assert agent.status()["state"] == "stopped"
    assert_hub_holds_exactly(hub.store, lane_store.path)


def test_wake_sends_a_new_event_at_once(hub, lane_store):
    agent = agent_for(lane_store, hub.url, hub.store.add_lane(LANE), poll_interval=60).start()
    try:
        wait_for(lambda: agent.status()["state"] == "idle", message="the agent to be idle")
        lane_store.append("test.event", {"late": True}, "tester")
        agent.wake()
        wait_for(lambda: hub.store.cursor(LANE) == 1, timeout=2, message="the event at the hub")
    finally:
        agent.stop()


def test_big_events_go_in_batches_bounded_by_bytes(hub, lane_store):
    for n in range(6):
        lane_store.append("test.big", {"n": n, "blob": "x" * 400_000}, "tester")
    sizes: list[int] = []
    ingest = hub.store.ingest
    hub.store.ingest = lambda lane, batch: sizes.append(len(batch)) or ingest(lane, batch)
    agent = agent_for(lane_store, hub.url, hub.store.add_lane(LANE), batch_bytes=1 << 20)
    agent.start()
    try:
        wait_for(lambda: drained(agent), message="the big events to arrive")
    finally:
        agent.stop()
    assert sizes == [2, 2, 2]
    assert_hub_holds_exactly(hub.store, lane_store.path)


def test_an_unreachable_hub_is_retried_and_the_backlog_shown(hub, lane_store):
    token = hub.store.add_lane(LANE)
    lane_store.append("test.event", {"n": 1}, "tester", ts="2025-01-31T12:00:00.000Z")
    fill(lane_store, 9)
    proxy = FaultProxy(target_port=1).start()  # nothing listens there: every attempt fails
    now = 1738324800.0 + 3600  # an hour after the first event
    agent = agent_for(lane_store, proxy.url, token, clock=lambda: now)
    try:
        agent.start()
        wait_for(lambda: agent.status()["consecutive_failures"] >= 3, message="retries")
        status = agent.status()
        assert status["state"] == "backoff"
        assert status["backlog"] == 10 and status["acked_seq"] is None
        assert status["oldest_unsent_age_s"] == 3600.0
        assert status["last_success"] is None
        assert status["last_error"]["at"] == iso_utc(now)
        assert "ConnectionError" in status["last_error"]["message"]
        proxy.target_port = hub.port  # the network comes back
        wait_for(lambda: drained(agent), timeout=10, message="the backlog to drain")
        assert agent.status()["consecutive_failures"] == 0
    finally:
        agent.stop()
        proxy.close()
    assert_hub_holds_exactly(hub.store, lane_store.path)


def test_full_jitter_backoff_stays_under_a_growing_cap():
    draws = iter([1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5])
    backoff = Backoff(base=0.5, cap=3.0, rng=lambda: next(draws))
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 3.0, 3.0, 0.0]
    backoff.reset()
    assert backoff.next_delay() == 0.25
    # a week of failures must not overflow
    assert Backoff(0.5, 30.0, lambda: 1.0, failures=100_000).next_delay() == 30.0


def test_a_restarted_agent_goes_on_from_the_hubs_ack(hub, lane_store):
    token = hub.store.add_lane(LANE)
    fill(lane_store, 300)
    first = agent_for(lane_store, hub.url, token).start()
    wait_for(lambda: drained(first), message="the first drain")
    first.stop()
    fill(lane_store, 200)
    hub.close()  # the hub is down when the lane restarts
    second = agent_for(lane_store, hub.url, token)
    status = second.status()  # before any contact: the last ack the hub gave
    assert (status["acked_seq"], status["backlog"]) == (300, 200)
    assert status["last_success"] is not None
    restarted = InProcessHub(hub.root, database=hub.database)  # the same store, a new port
    second = agent_for(lane_store, restarted.url, token).start()
    try:
        wait_for(lambda: drained(second), message="the second drain")
        assert_hub_holds_exactly(restarted.store, lane_store.path)
    finally:
        second.stop()
        restarted.close()


def test_a_hub_restored_from_an_old_backup_gets_everything_again(lane_store, tmp_path):
    hub = InProcessHub(tmp_path / "hub")
    token = hub.store.add_lane(LANE)
    backup_sqlite_hub(hub.store.path, tmp_path)  # `lanebox hub backup`: lane registered, no events yet
    fill(lane_store, 50)
    proxy = FaultProxy(hub.port).start()
    agent = agent_for(lane_store, proxy.url, token, poll_interval=60).start()
    restored: InProcessHub | None = None
    try:
        wait_for(lambda: drained(agent), message="the first drain")
        hub.close()  # the hub's disk is lost; the backup goes back in its place
        (tmp_path / "restored").mkdir()
        shutil.copy(tmp_path / HUB_COPY, tmp_path / "restored" / "hub.sqlite3")
        restored = InProcessHub(tmp_path / "restored")
        assert restored.store.cursor(LANE) == 0
        proxy.target_port = restored.port
        lane_store.append("test.event", {"after": "restore"}, "tester")
        agent.wake()  # the agent thinks the hub holds 50; the hub says gap, ack 0
        wait_for(lambda: restored.store.cursor(LANE) == 51, message="the resend from seq 1")
        assert agent.status()["last_error"] is None  # a gap is not an error
        assert_hub_holds_exactly(restored.store, lane_store.path)
    finally:
        agent.stop()
        proxy.close()
        if restored is not None:
            restored.close()
        hub.close()


def test_a_lane_whose_log_is_behind_the_hub_says_so(hub, lane_store, tmp_path):
    token = hub.store.add_lane(LANE)
    fill(lane_store, 20)
    agent = agent_for(lane_store, hub.url, token).start()
    wait_for(lambda: drained(agent), message="the first drain")
    agent.stop()
    with EventStore(tmp_path / "replaced.sqlite3", LANE) as replaced:  # an old, other log
        fill(replaced, 5, note="replaced")
        agent = agent_for(replaced, hub.url, token).start()
        try:
            wait_for(lambda: agent.status()["last_error"], message="an error")
            assert "holds seq 20, beyond this lane's last seq 5" in (
                agent.status()["last_error"]["message"])
            replaced.append("test.event", {"new": 1}, "tester")
            agent.wake()
            wait_for(lambda: hub.store.alarms(LANE), message="the hub's alarm")
        finally:
            agent.stop()
    assert hub.store.alarms(LANE)[0]["kind"] == "conflict"
    assert hub.store.cursor(LANE) == 20


def test_the_agent_refuses_a_store_of_another_lane(lane_store):
    with pytest.raises(ValueError, match="does not match"):
        SyncAgent(lane_store, "OTHER-02", "http://127.0.0.1:9", "token")
