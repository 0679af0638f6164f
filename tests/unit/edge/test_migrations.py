"""A lane store made by the lanebox before numbered migrations (schema 1,
``data/lane_store_v1.sql``, dumped from a store that release made) is
upgraded in place when the lane opens it: events, chain, views and
accounts as they were, the schema the same as a new store's, and the
chain rule of schema 2 in force."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from common.eventlog.store import StoreError
from edge.migrations import LANE_MIGRATIONS
from edge.store import open_lane_store
from edge.users import UserDirectory

LANE = "GBDVR-IN-03"
V1_DUMP = Path(__file__).with_name("data") / "lane_store_v1.sql"
KEPT = ("events", "meta", "inspections", "seizures", "calibrations", "record_events", "users")


def _load_v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1_DUMP.read_text())
    conn.close()


def _contents(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in KEPT}
    finally:
        conn.close()


def _schema(path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("SELECT name, sql FROM sqlite_master"))
    finally:
        conn.close()


def test_a_schema_1_lane_store_is_upgraded_in_place(tmp_path: Path) -> None:
    old = tmp_path / "lane.sqlite3"
    _load_v1(old)
    before = _contents(old)
    assert len(before["events"]) == 6 and before["inspections"][0][5] == "closed"

    with open_lane_store(old, LANE) as store:
        report = store.verify()
        assert (report.ok, report.checked) == (True, 6)
        assert store.query("PRAGMA user_version") == [{"user_version": len(LANE_MIGRATIONS)}]
        assert _contents(old) == before  # not one row of evidence, view or account changed
        appended = store.append("inspection.started", {"inspection_id": "insp-2"}, "olga").event
        assert (appended["seq"], appended["prev_hash"]) == (7, before["events"][-1][-1])
        assert store.query("SELECT status FROM inspections WHERE id = 'insp-2'") == [{"status": "open"}]

    fresh = tmp_path / "fresh.sqlite3"
    with open_lane_store(fresh, LANE) as store:
        UserDirectory(store, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)).list()
    assert _schema(old) == _schema(fresh)  # upgraded or new, one schema


def test_the_upgraded_store_refuses_an_event_that_forks_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "lane.sqlite3"
    _load_v1(path)
    with open_lane_store(path, LANE):
        pass
    conn = sqlite3.connect(path)
    row = list(conn.execute("SELECT * FROM events WHERE seq = 6").fetchone())
    fork = [7, "0f0c1b8e-7d2a-4c5e-9b1a-3e2d4c5b6a79", *row[2:7], row[7], "f" * 64]  # on seq 5's hash
    with pytest.raises(sqlite3.IntegrityError, match="must continue the chain"):
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", fork)
    gap = [8, fork[1], *row[2:7], row[8], "f" * 64]  # on seq 6's hash, but leaves out seq 7
    with pytest.raises(sqlite3.IntegrityError, match="must continue the chain"):
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", gap)
    conn.close()


def test_a_store_of_a_newer_lanebox_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "lane.sqlite3"
    _load_v1(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(LANE_MIGRATIONS) + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=f"schema version {len(LANE_MIGRATIONS) + 1} is newer"):
        open_lane_store(path, LANE).start()
    assert path.read_bytes() == before
