"""What a lane says in its status, at the hub: every field bounded (a report
out of bounds is refused whole and nothing of it kept, and the OpenAPI
document says so), and the lane's own verification of its store compared
with what the hub holds for that lane — a lane that finds its chain broken,
or reports a head the hub holds with another hash, raises a board alarm."""

from __future__ import annotations

import copy
from typing import Any, Iterator

import pytest
import requests

from common.eventlog.store import EventStore
from sync.hub.store import prepare_batch
from tests.support.hub_rig import LANE, InProcessHub, lanes

TS = "2026-03-02T10:00:00.000Z"
HASH = "ab" * 32
FULL = {
    "lane": LANE, "ts": TS,
    "devices": [{"id": "trace-1", "kind": "trace", "state": "connected", "detail": "ok"}],
    "sync": {"state": "idle", "upstream": {"source": "config", "url": "http://hub:8080"}, "acked_seq": 3,
             "lane_seq": 3, "backlog": 0, "oldest_unsent_age_s": None, "last_success": TS,
             "last_error": {"at": TS, "message": "timed out"}, "consecutive_failures": 0},
    "inspections": [{"id": "insp-1", "plate": "KHN 512", "started_at": TS}],
    "alarms": [{"kind": "trace_alarm", "device_id": "trace-1", "ts": TS, "sample_id": "S-1",
                "substances": [{"name": "TNT", "class": "explosive", "amplitude": 350.0}]}],
    "chain": {"state": "whole", "verified_at": TS, "checked": 3, "broken_at": None, "reason": None,
              "head": {"seq": 3, "hash": HASH}},
}
LONG = "x" * 100_000

# (where, the value put there): each one alone makes the report out of bounds
OUT_OF_BOUNDS = [
    (("lane",), LONG), (("ts",), LONG),
    (("devices", 0, "id"), LONG), (("devices", 0, "kind"), LONG), (("devices", 0, "state"), LONG),
    (("devices", 0, "detail"), LONG), (("devices", 0, "extra"), "x"), (("devices",), [FULL["devices"][0]] * 101),
    (("sync", "state"), LONG), (("sync", "upstream", "url"), LONG), (("sync", "upstream", "source"), LONG),
    (("sync", "last_success"), LONG), (("sync", "last_error", "message"), LONG),
    (("sync", "last_error", "at"), LONG), (("sync", "extra"), LONG), (("sync", "backlog"), 2 ** 64),
    (("inspections", 0, "id"), LONG), (("inspections", 0, "plate"), LONG),
    (("inspections", 0, "started_at"), LONG), (("inspections", 0, "extra"), LONG),
    (("alarms", 0, "kind"), LONG), (("alarms", 0, "device_id"), LONG), (("alarms", 0, "sample_id"), LONG),
    (("alarms", 0, "ts"), LONG), (("alarms", 0, "substances", 0, "name"), LONG),
    (("alarms", 0, "substances", 0, "class"), LONG), (("alarms", 0, "substances", 0, "extra"), LONG),
    (("alarms", 0, "substances"), [{"name": "TNT"}] * 21), (("alarms", 0, "extra"), LONG),
    (("chain", "state"), "fine"), (("chain", "reason"), LONG), (("chain", "verified_at"), LONG),
    (("chain", "head", "hash"), LONG), (("chain", "head", "seq"), 2 ** 64), (("chain", "extra"), 1),
]


def with_value(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """FULL with one value changed (without its chain unless the value is in it)."""
    body = copy.deepcopy(FULL if path[0] == "chain" else {k: v for k, v in FULL.items() if k != "chain"})
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


@pytest.fixture
def token(hub: InProcessHub) -> str:
    return hub.store.add_lane(LANE)


def post(hub: InProcessHub, token: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{hub.url}/api/v1/sync/{LANE}/status", json=body,
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)


def alarms(hub: InProcessHub) -> list[dict[str, Any]]:
    response = requests.get(f"{hub.url}/api/v1/hub/alarms", timeout=10,
                            headers={"Authorization": f"Bearer {hub.user_token()}"})
    assert response.status_code == 200
    return response.json()["alarms"]


def test_a_report_with_any_field_out_of_bounds_is_refused_whole(hub: InProcessHub, token: str) -> None:
    for path, value in OUT_OF_BOUNDS:
        response = post(hub, token, with_value(path, value))
        assert response.status_code == 400, path
        assert response.json()["error"]["code"] in ("invalid_body", "invalid_field"), path
    assert lanes(hub)[LANE]["status"] is None and alarms(hub) == []  # nothing refused was kept
    assert post(hub, token, FULL).status_code == 200
    assert lanes(hub)[LANE]["status"] == FULL


def schema_nodes(node: Any, where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "type" in node:
            yield where, node
        for key, value in node.items():
            yield from schema_nodes(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from schema_nodes(value, f"{where}[{index}]")


def test_the_documented_status_schema_bounds_every_field(hub: InProcessHub) -> None:
    doc = requests.get(f"{hub.url}/api/v1/openapi.json", timeout=10).json()
    schema = doc["paths"]["/api/v1/sync/{lane}/status"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    for where, node in schema_nodes(schema):
        types = node["type"] if isinstance(node["type"], list) else [node["type"]]
        if "string" in types:
            assert "maxLength" in node or "enum" in node or "pattern" in node and "{64}" in node["pattern"], where
        if "array" in types:
            assert "maxItems" in node, where
        if "object" in types:
            assert node.get("additionalProperties") is False, where
        if "integer" in types or "number" in types:
            assert "maximum" in node, where


@pytest.fixture
def held(hub: InProcessHub, token: str, lane_store: EventStore) -> list[dict[str, Any]]:
    """Three of the lane's events, held by the hub."""
    for n in range(3):
        lane_store.append("note.added", {"n": n}, "olga")
    events = lane_store.page()
    assert hub.store.ingest(LANE, prepare_batch(LANE, events)).ack == 3
    return events


def chain(state: str, seq: int, hash: str, broken_at: int | None = None) -> dict[str, Any]:
    return {**FULL, "alarms": [], "chain": {"state": state, "verified_at": TS, "checked": seq, "broken_at": broken_at,
                              "reason": "hash does not match the event's content" if broken_at else None,
                              "head": {"seq": seq, "hash": hash}}}


def test_a_lane_that_finds_its_own_chain_broken_raises_one_alarm(hub: InProcessHub, token: str,
                                                                held: list[dict[str, Any]]) -> None:
    broken = chain("broken", 1, held[0]["hash"], broken_at=2)
    for _ in range(3):  # every report says so again; the control room is told once
        assert post(hub, token, broken).status_code == 200
    [alarm] = alarms(hub)
    assert (alarm["kind"], alarm["lane"], alarm["seq"]) == ("lane_chain_broken", LANE, 2)
    assert alarm["label"] == "Lane log tampered"
    assert "seq 2" in alarm["detail"]["message"] and "hash does not match" in alarm["detail"]["message"]


def test_a_head_the_hub_holds_with_another_hash_raises_a_mismatch(hub: InProcessHub, token: str,
                                                                 held: list[dict[str, Any]]) -> None:
    assert post(hub, token, chain("whole", 3, held[2]["hash"])).status_code == 200
    assert post(hub, token, chain("whole", 9, HASH)).status_code == 200  # beyond what the hub holds: no verdict
    assert alarms(hub) == []
    assert post(hub, token, chain("whole", 2, HASH)).status_code == 200  # re-hashed from seq 2 on
    [alarm] = alarms(hub)
    assert (alarm["kind"], alarm["seq"], alarm["label"]) == ("chain_mismatch", 2, "Lane log differs from hub copy")
    assert alarm["detail"]["held_hash"] == held[1]["hash"] and alarm["detail"]["reported_hash"] == HASH
    assert "seq 2" in alarm["detail"]["message"]


def test_a_lane_that_had_to_repair_its_store_shows_on_the_board(hub: InProcessHub, token: str,
                                                               lane_store: EventStore) -> None:
    """The lane rebuilt read models someone changed (or put back protective triggers
    someone dropped) and recorded it: the event reaches the hub like any other,
    and the control room is told."""
    lane_store.append("store.views_rebuilt", {"differences": ["record_events: 1 row missing (seq=7)"]}, None)
    lane_store.append("store.triggers_restored", {"triggers": ["events_no_update"]}, None)
    assert hub.store.ingest(LANE, prepare_batch(LANE, lane_store.page())).ack == 2
    hub.hub.projector.catch_up()
    found = sorted((a["seq"], a["kind"], a["label"], a["detail"]["message"]) for a in alarms(hub))
    assert found == [
        (1, "lane_store_repaired", "Lane store repaired",
         f"lane {LANE} found its records differing from its log and rebuilt them: "
         "record_events: 1 row missing (seq=7)"),
        (2, "lane_store_repaired", "Lane store repaired",
         f"lane {LANE} found protective triggers missing and put them back: events_no_update")]
