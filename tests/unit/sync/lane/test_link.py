"""The lane's link to its hub: an event goes up when the store commits it,
whoever appended it — not at the agent's next poll, nor only after an HTTP write."""

from __future__ import annotations

from common.eventlog.store import EventStore
from sync.lane.link import HubLink
from tests.support.hub_rig import LANE, InProcessHub
from tests.support.waiting import wait_for


def test_the_store_tells_its_listeners_after_each_commit_that_stored_events(lane_store: EventStore) -> None:
    heard: list[int] = []
    lane_store.subscribe_commits(lambda: heard.append(lane_store.last_seq()))
    first = lane_store.append("test.event", {"n": 1}, "tester")
    assert heard == [1]
    lane_store.append("test.event", {"n": 1}, "tester", id=first.event["id"])  # an identical retry stores nothing
    assert heard == [1]
    lane_store.run_write(lambda conn: conn.execute("SELECT 1"))  # a write without events
    assert heard == [1]
    lane_store.append("test.event", {"n": 2}, "tester")
    assert heard == [1, 2]


def test_an_event_appended_outside_any_request_reaches_the_hub_before_the_next_poll(
        lane_store: EventStore, hub: InProcessHub) -> None:
    link = HubLink(lane_store, LANE, url=hub.url, token=hub.store.add_lane(LANE), ca_file=None, host="127.0.0.1",
                   pull_interval_s=3600, devices=list, merge_roster=lambda roster: {"added": 0}, hub_key=hub.hub_key)
    link.sync._poll_interval = 3600.0  # only a wake can send it now
    link.start()
    try:
        wait_for(lambda: link.sync.status()["state"] == "idle", timeout=10, message="the agent caught up")
        lane_store.append("reference.note", {"by": "a command-line tool"}, "cli")
        wait_for(lambda: hub.store.cursor(LANE) == lane_store.last_seq(), timeout=10,
                 message="the event at the hub")
    finally:
        link.stop()
