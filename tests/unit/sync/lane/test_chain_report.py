"""The lane verifies its own store while it runs and says what it found in
its status: an event edited in the lane's file after it was synced, which the
lane never sends again, still reaches the control room as an alarm; a read
model changed behind the lane's back is rebuilt from the chain and the fact
recorded; a status never grows past the hub's bounds."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import requests

from common.eventlog.chain import canonical_json, event_hash
from common.eventlog.store import VIEWS_REBUILT, EventStore
from sync.hub.store import prepare_batch
from sync.lane.status_reporter import StatusReporter
from tests.support.hub_rig import LANE, InProcessHub, lanes
from tests.support.waiting import wait_for

INTERVAL = 0.5


def synced(hub: InProcessHub, store: EventStore, count: int = 4) -> None:
    for n in range(count):
        store.append("inspection.started", {"inspection_id": f"insp-{n}", "plate": f"KHN {n}"}, "olga")
    assert hub.store.ingest(LANE, prepare_batch(LANE, store.page())).ack == count


def edit_file(path: Path, *sql: str) -> None:
    """What someone with the lane's file can do, beside the running lane."""
    database = sqlite3.connect(path)
    database.execute("DROP TRIGGER IF EXISTS events_no_update")
    database.execute("DROP TRIGGER IF EXISTS events_continue_chain")
    for statement in sql:
        database.execute(statement)
    database.commit()
    database.close()


def board_alarms(hub: InProcessHub, token: str) -> list[dict[str, Any]]:
    return requests.get(f"{hub.url}/api/v1/hub/alarms", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).json()["alarms"]


def reporter(hub: InProcessHub, store: EventStore, acked_seq: int | None = None) -> StatusReporter:
    """A running reporter; ``acked_seq`` is what its sync agent heard the hub hold."""
    sync = {"state": "idle", "acked_seq": acked_seq, "lane_seq": store.last_seq(), "backlog": 0}
    return StatusReporter(store, LANE, hub.url, hub.store.add_lane(LANE), devices=list,
                          sync_status=lambda: sync, interval=INTERVAL, min_gap=0.05).start()


def test_an_event_edited_after_sync_raises_a_board_alarm_within_an_interval(hub: InProcessHub,
                                                                            lane_store: EventStore) -> None:
    running = reporter(hub, lane_store)
    token = hub.user_token()
    try:
        synced(hub, lane_store)
        head = lane_store.get_seq(4)["hash"]
        chain = wait_for(lambda: ((lanes(hub)[LANE]["status"] or {}).get("chain") or {}).get("checked") == 4
                         and lanes(hub)[LANE]["status"]["chain"], timeout=5, message="the verified head at the hub")
        assert chain["state"] == "whole" and chain["head"] == {"seq": 4, "hash": head}
        assert board_alarms(hub, token) == []
        edit_file(lane_store.path, """UPDATE events SET payload = replace(payload, 'KHN 1', 'XXX 1') WHERE seq = 2""")
        edited = time.monotonic()
        alarm = wait_for(lambda: [a for a in board_alarms(hub, token) if a["kind"] == "lane_chain_broken"],
                         timeout=5, message="the board alarm")[0]
        assert time.monotonic() - edited < 2 * INTERVAL + 1  # one interval, and the time to verify and report
        assert alarm["seq"] == 2 and "broken at seq 2" in alarm["detail"]["message"]
        row = lanes(hub)[LANE]["status"]["chain"]
        assert (row["state"], row["broken_at"], row["head"]["seq"]) == ("broken", 2, 1)
    finally:
        running.stop()


def test_a_log_rewritten_and_rehashed_after_sync_shows_as_a_mismatch(hub: InProcessHub,
                                                                    lane_store: EventStore) -> None:
    synced(hub, lane_store)
    # a careful forger: edits seq 3 and re-hashes it and every event after, so the chain is whole again
    events = lane_store.page()
    statements, prev = [], events[1]["hash"]
    for event in events[2:]:
        payload = event["payload"] if event["seq"] != 3 else {**event["payload"], "plate": "XXX 2"}
        forged = {**event, "payload": payload, "prev_hash": prev}
        prev = event_hash(forged, prev)
        statements.append(f"UPDATE events SET payload = '{canonical_json(payload).decode()}', "
                          f"prev_hash = '{forged['prev_hash']}', hash = '{prev}' WHERE seq = {event['seq']}")
    edit_file(lane_store.path, *statements)
    assert lane_store.verify().first_broken_seq is None  # the lane alone cannot tell
    lane_store.append("inspection.closed", {"inspection_id": "insp-0"}, "olga")  # its head moves on, unsynced
    running = reporter(hub, lane_store, acked_seq=4)
    try:
        alarm = wait_for(lambda: board_alarms(hub, hub.user_token()), timeout=5, message="the board alarm")[0]
        assert (alarm["kind"], alarm["seq"], alarm["detail"]["reported_hash"]) == ("chain_mismatch", 4, prev)
        assert alarm["detail"]["held_hash"] == events[3]["hash"]
    finally:
        running.stop()


def test_a_read_model_changed_behind_the_lanes_back_is_rebuilt_and_recorded(hub: InProcessHub,
                                                                          lane_store: EventStore) -> None:
    synced(hub, lane_store)
    edit_file(lane_store.path, "DELETE FROM record_events WHERE record_id = 'insp-2'",
              "UPDATE inspections SET plate = 'XXX 3' WHERE id = 'insp-3'")
    running = reporter(hub, lane_store)
    try:
        wait_for(lambda: lane_store.page(types=[VIEWS_REBUILT]), timeout=5, message="the rebuild recorded")
        [event] = lane_store.page(types=[VIEWS_REBUILT])
        assert event["payload"]["differences"] == [
            "inspections: 1 row changed (id='insp-3')",
            "record_events: 1 row missing (record_id='insp-2', seq=3)"]
        assert lane_store.record_events(["insp-2"])[0]["seq"] == 3
        assert lane_store.query("SELECT plate FROM inspections WHERE id = 'insp-3'") == [{"plate": "KHN 3"}]
        assert lane_store.verify().ok
    finally:
        running.stop()


def test_long_device_texts_are_clipped_so_the_status_still_arrives(hub: InProcessHub,
                                                                  lane_store: EventStore) -> None:
    devices = [{"id": "scale-1", "kind": "scale", "state": "error", "detail": "E" * 10_000}]
    sync = {"state": "backoff", "upstream": {"source": "mdns", "url": "http://hub"}, "acked_seq": None,
            "lane_seq": 0, "backlog": 0, "last_error": {"at": "2026-01-01T00:00:00.000Z", "message": "M" * 10_000},
            "consecutive_failures": 3, "a_field_the_hub_does_not_know": 1}
    running = StatusReporter(lane_store, LANE, hub.url, hub.store.add_lane(LANE), devices=lambda: devices,
                             sync_status=lambda: sync, interval=INTERVAL, min_gap=0.05).start()
    try:
        status = wait_for(lambda: lanes(hub)[LANE]["status"], timeout=5, message="a status at the hub")
        assert status["devices"][0]["detail"] == "E" * 500
        assert status["sync"]["last_error"]["message"] == "M" * 500
        assert "a_field_the_hub_does_not_know" not in status["sync"]
    finally:
        running.stop()
