"""The hash chain: canonical JSON, a known-answer hash, and tamper detection
both in memory and in a real store file changed behind the store's back."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.eventlog.chain import GENESIS_HASH, ChainReport, canonical_json, event_hash, verify_events
from common.eventlog.store import EventStore, verify_file

LANE = "GBDVR-IN-03"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_utf8() -> None:
    assert canonical_json({"b": 1, "a": [1, 2], "é": "Ünïcode"}) == \
        '{"a":[1,2],"b":1,"é":"Ünïcode"}'.encode("utf-8")


def test_canonical_json_writes_floats_as_python_repr() -> None:
    assert canonical_json([1.0, 0.1, 1e16, -0.0, 12.5]) == b"[1.0,0.1,1e+16,-0.0,12.5]"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"),
                                 {"x": [float("nan")]}])
def test_canonical_json_refuses_non_finite_numbers(bad: object) -> None:
    with pytest.raises(ValueError):
        canonical_json(bad)


@pytest.mark.parametrize("bad", [{1: "a"}, {"a": {None: 1}}, {"a": object()}, {"a": b"x"},
                                 {"a": {1, 2}}])
def test_canonical_json_refuses_what_json_would_change_or_cannot_hold(bad: object) -> None:
    with pytest.raises(TypeError):
        canonical_json(bad)


def test_canonical_json_refuses_lone_surrogates_and_deep_nesting() -> None:
    with pytest.raises(ValueError):
        canonical_json({"a": "\ud800"})
    deep: list = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ValueError, match="nested"):
        canonical_json(deep)


@given(json_values)
def test_canonical_json_round_trips_and_ignores_key_order(value: object) -> None:
    encoded = canonical_json(value)
    assert json.loads(encoded) == value
    if isinstance(value, dict):
        assert canonical_json(dict(reversed(list(value.items())))) == encoded


def _event(seq: int, prev_hash: str, payload: dict | None = None) -> dict:
    event = {"seq": seq, "id": f"00000000-0000-4000-8000-{seq:012d}", "lane": LANE,
             "type": "inspection.started", "ts": "2025-01-31T12:00:00.000Z", "actor": "ana",
             "payload": payload if payload is not None else {"inspection_id": f"i{seq}"},
             "prev_hash": prev_hash}
    event["hash"] = event_hash(event, prev_hash)
    return event


def _chain(length: int) -> list[dict]:
    events, prev = [], GENESIS_HASH
    for seq in range(1, length + 1):
        events.append(_event(seq, prev))
        prev = events[-1]["hash"]
    return events


def test_event_hash_known_answer() -> None:
    event = {"seq": 1, "id": "0b6c3a52-9d1e-4f7a-8c2b-5e4d3f2a1b0c", "lane": "GBDVR-IN-03",
             "type": "scale.weighed", "ts": "2025-01-31T12:00:00.000Z", "actor": "zoë",
             "payload": {"weight": 12.5, "unit": "kg", "note": "Ölfass"},
             "hash": "ignored", "prev_hash": "ignored too"}
    by_hand = ('{"actor":"zoë","id":"0b6c3a52-9d1e-4f7a-8c2b-5e4d3f2a1b0c",'
               '"lane":"GBDVR-IN-03","payload":{"note":"Ölfass","unit":"kg","weight":12.5},'
               '"prev_hash":"' + "0" * 64 + '","seq":1,"ts":"2025-01-31T12:00:00.000Z",'
               '"type":"scale.weighed"}')
    assert event_hash(event, GENESIS_HASH) == hashlib.sha256(by_hand.encode("utf-8")).hexdigest()


def test_a_whole_chain_verifies() -> None:
    assert verify_events(_chain(5)) == ChainReport(True, 5)
    assert verify_events([]) == ChainReport(True, 0)


def test_a_changed_payload_is_named_by_seq() -> None:
    events = _chain(5)
    events[2]["payload"] = {"inspection_id": "i3", "plate": "forged"}
    report = verify_events(events)
    assert (report.ok, report.checked, report.first_broken_seq) == (False, 2, 3)
    assert "content" in report.reason


def test_a_rehashed_change_breaks_the_next_link() -> None:
    events = _chain(5)
    events[2] = _event(3, events[1]["hash"], {"inspection_id": "forged"})
    report = verify_events(events)
    assert (report.ok, report.first_broken_seq) == (False, 4)
    assert "prev_hash" in report.reason


def test_a_missing_event_is_named() -> None:
    events = _chain(5)
    del events[1]
    report = verify_events(events)
    assert (report.ok, report.first_broken_seq) == (False, 2)
    assert "found 3" in report.reason


def test_a_malformed_event_is_a_break_not_a_crash() -> None:
    events = _chain(2)
    del events[1]["type"]
    assert verify_events(events).first_broken_seq == 2


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


def _tamper(path: Path, sql: str, params: tuple) -> None:
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(sql, params)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("DROP TRIGGER events_no_delete")
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def _filled_store(path: Path, count: int) -> None:
    with EventStore(path, LANE) as store:
        for n in range(count):
            store.append("inspection.updated", {"inspection_id": "i1", "n": n}, "ana")


def test_a_payload_byte_changed_in_the_file_is_found(db_path: Path) -> None:
    _filled_store(db_path, 6)
    conn = sqlite3.connect(db_path)
    original = conn.execute("SELECT payload FROM events WHERE seq = 4").fetchone()[0]
    conn.close()
    assert '"n":3' in original
    _tamper(db_path, "UPDATE events SET payload = ? WHERE seq = 4",
            (original.replace('"n":3', '"n":8'),))
    report = verify_file(db_path)
    assert (report.ok, report.checked, report.first_broken_seq) == (False, 3, 4)
    with EventStore(db_path, LANE) as store:  # reopening restores the triggers, says so
        assert store.verify().first_broken_seq == 4
        assert store.get_seq(7)["type"] == "store.triggers_restored"


def test_a_payload_that_is_no_longer_json_is_found(db_path: Path) -> None:
    _filled_store(db_path, 3)
    _tamper(db_path, "UPDATE events SET payload = 'not json' WHERE seq = 2", ())
    assert verify_file(db_path).first_broken_seq == 2


def test_a_deleted_event_is_found(db_path: Path) -> None:
    _filled_store(db_path, 4)
    _tamper(db_path, "DELETE FROM events WHERE seq = ?", (2,))
    report = verify_file(db_path)
    assert (report.ok, report.first_broken_seq) == (False, 2)
