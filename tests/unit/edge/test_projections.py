"""Views built from events: the shipped inspections, seizures and
calibrations projections, custom projections, and rebuilding from the log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import pytest

from common.eventlog.store import EventStore, InvalidEvent
from edge.store import open_lane_store

LANE = "GBDVR-IN-03"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    with open_lane_store(tmp_path / "events.db", LANE) as opened:
        yield opened


def one(store: EventStore, sql: str, *params: Any) -> dict[str, Any]:
    rows = store.query(sql, params)
    assert len(rows) == 1, rows
    return rows[0]


def test_an_inspection_opens_changes_and_closes(store: EventStore) -> None:
    store.append("inspection.started", {"inspection_id": "I-1", "plate": "AB12 CDE"}, "olga",
                 ts="2025-01-31T12:00:00.000Z")
    store.append("inspection.updated", {"inspection_id": "I-1", "plate": "AB12 CDF",
                                        "cargo": "tyres"}, "olga", ts="2025-01-31T12:05:00.000Z")
    row = one(store, "SELECT * FROM inspections")
    assert row["status"] == "open" and row["plate"] == "AB12 CDF"
    assert (row["started_at"], row["started_by"], row["lane"]) == \
        ("2025-01-31T12:00:00.000Z", "olga", LANE)
    store.append("inspection.closed", {"inspection_id": "I-1", "outcome": "cleared"}, "sue",
                 ts="2025-01-31T12:30:00.000Z")
    row = one(store, "SELECT * FROM inspections WHERE id = ?", "I-1")
    assert (row["status"], row["outcome"], row["closed_at"], row["updated_at"]) == \
        ("closed", "cleared", "2025-01-31T12:30:00.000Z", "2025-01-31T12:30:00.000Z")
    assert json.loads(row["data"]) == {"plate": "AB12 CDF", "cargo": "tyres",
                                       "outcome": "cleared"}


def test_an_event_for_an_unseen_inspection_is_kept_not_refused(store: EventStore) -> None:
    store.append("inspection.updated", {"inspection_id": "I-9", "note": "replayed late"}, "olga")
    row = one(store, "SELECT * FROM inspections")
    assert (row["id"], row["status"], row["started_at"]) == ("I-9", "open", None)


@pytest.mark.parametrize("type_,payload", [
    ("inspection.started", {"plate": "AB12 CDE"}),
    ("inspection.closed", {"inspection_id": 7}),
    ("seizure.recorded", {"inspection_id": "I-1"}),
    ("calibration.recorded", {"device_id": "scale-1", "passed": "yes"}),
    ("calibration.recorded", {"passed": True}),
])
def test_events_breaking_the_payload_convention_are_refused_whole(
        store: EventStore, type_: str, payload: dict) -> None:
    with pytest.raises(InvalidEvent, match="payload"):
        store.append(type_, payload, "olga")
    assert store.count() == 0
    assert store.append("note.added", {}, "olga").event["seq"] == 1


def test_a_seizure_follows_its_events(store: EventStore) -> None:
    store.append("seizure.recorded", {"seizure_id": "S-1", "inspection_id": "I-1",
                                      "goods": "cigarettes", "quantity": 400}, "olga",
                 ts="2025-01-31T12:10:00.000Z")
    store.append("seizure.updated", {"seizure_id": "S-1", "status": "released",
                                     "quantity": 380}, "sue")
    row = one(store, "SELECT * FROM seizures")
    assert (row["id"], row["inspection_id"], row["created_at"], row["status"]) == \
        ("S-1", "I-1", "2025-01-31T12:10:00.000Z", "released")
    assert json.loads(row["data"]) == {"inspection_id": "I-1", "goods": "cigarettes",
                                       "quantity": 380, "status": "released"}


def test_each_calibration_is_a_row(store: EventStore) -> None:
    event = store.append("calibration.recorded", {"device_id": "scale-1", "kind": "span",
                                                  "passed": True,
                                                  "due_at": "2025-07-31T00:00:00.000Z"},
                         "tom", ts="2025-01-31T09:00:00.000Z").event
    store.append("calibration.recorded", {"device_id": "scale-1", "passed": False}, "tom")
    rows = store.query("SELECT * FROM calibrations ORDER BY at")
    assert [(r["id"], r["at"], r["kind"], r["passed"], r["due_at"]) for r in rows][0] == \
        (event["id"], "2025-01-31T09:00:00.000Z", "span", 1, "2025-07-31T00:00:00.000Z")
    assert rows[1]["passed"] == 0


def _views(store: EventStore) -> list[list[dict]]:
    return [store.query(f"SELECT * FROM {table} ORDER BY id")
            for table in ("inspections", "seizures", "calibrations")]


def test_rebuilding_from_the_log_gives_the_same_views(store: EventStore) -> None:
    store.append("inspection.started", {"inspection_id": "I-1", "plate": "X1"}, "olga")
    store.append("seizure.recorded", {"seizure_id": "S-1", "inspection_id": "I-1"}, "olga")
    store.append("inspection.closed", {"inspection_id": "I-1", "outcome": "seized"}, "olga")
    store.append("calibration.recorded", {"device_id": "scale-1", "passed": True}, "tom")
    before = _views(store)

    def vandalise(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM seizures")
        conn.execute("UPDATE inspections SET status = 'open'")

    store.run_write(vandalise)
    assert _views(store) != before
    assert store.rebuild_views() == 4
    assert _views(store) == before


def test_a_custom_projection_is_fed_and_rebuilt(store: EventStore) -> None:
    store.run_write(lambda conn: conn.execute(
        "CREATE TABLE duty (username TEXT PRIMARY KEY, on_duty INTEGER)"))

    def project_duty(conn: sqlite3.Connection, event: dict) -> None:
        conn.execute("INSERT OR REPLACE INTO duty VALUES (?, ?)",
                     (event["actor"], int(event["type"] == "duty.started")))

    store.append("duty.started", {}, "olga")  # before registration: only a rebuild sees it
    store.register_projection("duty.", project_duty, tables=["duty"])
    store.append("duty.started", {}, "sue")
    store.append("duty.ended", {}, "sue")
    assert store.query("SELECT * FROM duty") == [{"username": "sue", "on_duty": 0}]
    store.rebuild_views()
    assert store.query("SELECT * FROM duty ORDER BY username") == \
        [{"username": "olga", "on_duty": 1}, {"username": "sue", "on_duty": 0}]


def test_a_failing_projection_stores_nothing(store: EventStore) -> None:
    def broken(conn: sqlite3.Connection, event: dict) -> None:
        conn.execute("INSERT INTO inspections (id, lane, status, updated_at, data) "
                     "VALUES ('half', 'x', 'open', 'now', '{}')")
        raise KeyError("a bug in a projection")

    store.register_projection("fragile.", broken)
    with pytest.raises(KeyError):
        store.append("fragile.thing", {}, "olga")
    assert store.count() == 0 and store.query("SELECT * FROM inspections") == []
    assert store.append("note.added", {}, "olga").event["seq"] == 1
    assert store.verify().ok
