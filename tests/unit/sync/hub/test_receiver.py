"""The hub receiver's rules, over real HTTP against a real SQLite hub store:
authenticated per lane, idempotent, contiguous, chain-checked, alarmed."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import requests

from common.eventlog.chain import event_hash
from common.eventlog.store import EventStore
from common.eventlog.writer import StoreError
from sync.hub.store import HubStore
from sync.protocol import MAX_BODY_BYTES, cursor_path, events_path
from tests.support.hub_rig import HUB_ID, LANE, InProcessHub, assert_hub_holds_exactly, fill


def post(hub: InProcessHub, token: str, events: Any, lane: str = LANE,
         **kwargs: Any) -> requests.Response:
    return requests.post(hub.url + events_path(lane), json={"events": events}, timeout=10,
                         headers={"Authorization": f"Bearer {token}"}, **kwargs)


def cursor(hub: InProcessHub, token: str, lane: str = LANE) -> requests.Response:
    return requests.get(hub.url + cursor_path(lane), timeout=10,
                        headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def token(hub: InProcessHub) -> str:
    return hub.store.add_lane(LANE)


@pytest.fixture
def events(lane_store: EventStore) -> list[dict[str, Any]]:
    fill(lane_store, 12)
    return lane_store.page(limit=100)


@pytest.fixture
def fork(tmp_path: Path) -> list[dict[str, Any]]:
    """Another log under the same lane id: same seqs, other events."""
    with EventStore(tmp_path / "fork.sqlite3", LANE) as store:
        fill(store, 12, note="forked")
        return store.page(limit=100)


def test_a_batch_is_stored_and_acked_and_a_resend_changes_nothing(hub, token, events,
                                                                  lane_store):
    first = post(hub, token, events[:5])
    assert first.status_code == 200
    assert first.json() == {"ack": 5, "stored": 5, "duplicates": 0}
    again = post(hub, token, events[:5])
    assert again.json() == {"ack": 5, "stored": 0, "duplicates": 5}
    overlap = post(hub, token, events[2:])
    assert overlap.json() == {"ack": 12, "stored": 7, "duplicates": 3}
    assert cursor(hub, token).json() == {"ack": 12}
    assert_hub_holds_exactly(hub.store, lane_store.path)
    assert hub.store.alarms() == []


def test_a_gap_is_refused_with_the_ack_to_resend_from(hub, token, events):
    post(hub, token, events[:5])
    gap = post(hub, token, events[7:])
    assert gap.status_code == 409
    assert gap.json()["error"]["code"] == "gap"
    assert gap.json()["ack"] == 5
    assert hub.store.cursor(LANE) == 5
    assert hub.store.alarms() == []


def test_a_held_seq_with_another_event_is_a_conflict_raised_once(hub, token, events, fork):
    post(hub, token, events[:5])
    for _ in range(3):  # a lane retrying must not flood the alarm table
        refused = post(hub, token, fork[2:4])
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "conflict"
        assert refused.json()["error"]["seq"] == 3
        assert refused.json()["ack"] == 5
    [alarm] = hub.store.alarms(LANE)
    assert (alarm["kind"], alarm["seq"]) == ("conflict", 3)
    assert alarm["detail"]["held"] == {"id": events[2]["id"], "hash": events[2]["hash"]}
    assert alarm["detail"]["offered"]["id"] == fork[2]["id"]
    assert [e["id"] for e in hub.store.events(LANE)] == [e["id"] for e in events[:5]]


def test_same_seq_and_id_with_other_content_is_a_conflict(hub, token, events):
    post(hub, token, events[:5])
    altered = {**events[3], "payload": {"i": 999}}
    altered["hash"] = event_hash(altered, altered["prev_hash"])  # a consistent forgery
    refused = post(hub, token, [altered])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    assert hub.store.alarms(LANE)[0]["detail"]["offered"]["id"] == events[3]["id"]
    assert hub.store.events(LANE)[3]["payload"] == events[3]["payload"]


def test_an_id_held_at_another_seq_is_a_conflict(hub, token, events):
    post(hub, token, events[:5])
    reused = {**events[5], "id": events[0]["id"]}
    reused["hash"] = event_hash(reused, reused["prev_hash"])
    refused = post(hub, token, [reused])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    assert hub.store.alarms(LANE)[0]["detail"]["held"] == {"seq": 1}
    assert hub.store.cursor(LANE) == 5


def test_an_id_twice_in_one_batch_stops_it_at_the_second_keeping_the_first(hub, token, events):
    reused = {**events[3], "id": events[1]["id"]}
    reused["hash"] = event_hash(reused, reused["prev_hash"])
    refused = post(hub, token, [*events[:3], reused])
    assert refused.status_code == 409
    assert (refused.json()["error"]["seq"], refused.json()["ack"]) == (4, 3)
    assert hub.store.alarms(LANE)[0]["detail"]["held"] == {"seq": 2}
    assert [e["id"] for e in hub.store.events(LANE)] == [e["id"] for e in events[:3]]


def test_a_broken_link_is_refused_and_alarmed(hub, token, events, fork):
    post(hub, token, events[:5])
    refused = post(hub, token, fork[5:7])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "chain_broken"
    [alarm] = hub.store.alarms(LANE)
    assert alarm["detail"]["held_prev_hash"] == events[4]["hash"]
    assert hub.store.cursor(LANE) == 5


def test_a_tampered_event_stops_the_batch_after_the_sound_ones(hub, token, events):
    tampered = [*events[:3], {**events[3], "payload": {"i": 999}}, *events[4:6]]
    refused = post(hub, token, tampered)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "hash_mismatch"
    assert refused.json()["ack"] == 3 and refused.json()["stored"] == 3
    assert hub.store.alarms(LANE)[0]["kind"] == "hash_mismatch"
    assert post(hub, token, events).json()["ack"] == 12  # the real ones still go in


def test_the_first_event_must_link_to_genesis(hub, token, events):
    first = {**events[0], "prev_hash": "1" * 64}
    first["hash"] = event_hash(first, first["prev_hash"])
    refused = post(hub, token, [first])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "chain_broken"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": "Basic abc"}])
def test_without_the_lane_token_nothing_is_read_or_written(hub, token, events, headers):
    for response in (requests.post(hub.url + events_path(LANE), json={"events": events},
                                   headers=headers, timeout=10),
                     requests.get(hub.url + cursor_path(LANE), headers=headers, timeout=10)):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    assert hub.store.cursor(LANE) == 0


def test_a_token_opens_its_own_lane_only(hub, token, events):
    other = hub.store.add_lane("OTHER-02")
    assert post(hub, other, events).status_code == 401
    assert post(hub, token, events, lane="OTHER-02").status_code == 401
    assert post(hub, token, events, lane="NOT-REGISTERED").status_code == 401
    assert hub.store.cursor(LANE) == 0


@pytest.mark.parametrize("body, field", [
    ({"events": []}, "events"),
    ({"events": "x"}, "events"),
    ({"events": [1]}, "events[0]"),
    ({"other": 1}, "events"),
])
def test_bad_bodies_are_400_and_change_nothing(hub, token, body, field):
    response = requests.post(hub.url + events_path(LANE), json=body, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert field in response.json()["error"]["message"]
    assert hub.store.cursor(LANE) == 0


@pytest.mark.parametrize("change, field", [
    ({"lane": "OTHER-02"}, "lane"), ({"seq": 0}, "seq"), ({"seq": True}, "seq"),
    ({"hash": "ABC"}, "hash"), ({"payload": []}, "payload"), ({"id": None}, "id"),
    ({"extra": 1}, "exactly"),
])
def test_malformed_events_are_400_and_change_nothing(hub, token, events, change, field):
    response = post(hub, token, [*events[:2], {**events[2], **change}])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_event"
    assert field in response.json()["error"]["message"]
    assert hub.store.cursor(LANE) == 0


def test_non_json_and_oversized_bodies_are_refused(hub, token):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = hub.url + events_path(LANE)
    assert requests.post(url, data=b"{not json", headers=headers, timeout=10).status_code == 400
    assert requests.post(url, data=b'{"events": [NaN]}', headers=headers,
                         timeout=10).status_code == 400
    big = requests.post(url, data=b" " * (MAX_BODY_BYTES + 1), headers=headers, timeout=30)
    assert big.status_code == 413
    assert big.json()["error"]["code"] == "too_large"


def test_healthz_names_the_hub(hub):
    assert requests.get(hub.url + "/healthz", timeout=10).json() == {
        "status": "ok", "hub": HUB_ID, "database": "ok"}


def _raw_connection(hub: InProcessHub) -> tuple[Any, type[Exception]]:
    """A connection straight to the hub's database, past lanebox, as someone
    holding the file or the database password would have; and what it raises."""
    if hub.database is None:
        return sqlite3.connect(hub.store.path), sqlite3.DatabaseError
    import psycopg

    return psycopg.connect(hub.database, autocommit=True), psycopg.Error


def test_only_a_hash_of_the_token_is_kept(hub, token):
    hub.store.close()
    if hub.database is None:
        data = b"".join(p.read_bytes() for p in hub.root.glob("hub.sqlite3*"))
    else:
        conn, _ = _raw_connection(hub)
        with conn:
            data = repr(conn.execute("SELECT * FROM lanes").fetchall()).encode()
    assert token.encode() not in data
    assert hashlib.sha256(token.encode()).hexdigest().encode() in data
    hub.store.start()


def test_events_and_alarms_cannot_be_changed_in_the_database(hub, token, events, fork):
    post(hub, token, events[:3])
    post(hub, token, fork[1:2])  # an alarm
    conn, refused = _raw_connection(hub)
    try:
        for sql in ("UPDATE events SET payload = '{}'", "DELETE FROM events",
                    "DELETE FROM alarms", "UPDATE alarms SET detail = '{}'"):
            with pytest.raises(refused):
                conn.execute(sql)
        conn.execute("UPDATE alarms SET acknowledged_by = 'sue', acknowledged_at = 'now'")
        with pytest.raises(refused):  # acknowledged once, for good
            conn.execute("UPDATE alarms SET acknowledged_by = 'tom'")
    finally:
        conn.rollback()
        conn.close()
    assert len(hub.store.events(LANE)) == 3


def test_a_file_that_is_not_this_hubs_store_is_refused(tmp_path):
    path = tmp_path / "hub.sqlite3"
    HubStore(path, "HUB-A").start().close()
    with pytest.raises(StoreError, match="belongs to hub 'HUB-A'"):
        HubStore(path, "HUB-B").start()
    foreign = tmp_path / "foreign.sqlite3"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreError, match="not a lanebox hub store"):
        HubStore(foreign, HUB_ID).start()
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    with pytest.raises(StoreError, match="refusing"):
        HubStore(tmp_path / "empty.sqlite3", HUB_ID).start()
