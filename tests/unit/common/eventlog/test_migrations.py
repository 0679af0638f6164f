"""The store's numbered migrations on real files: a new store is made at the
newest schema, an old one is upgraded in one transaction (or not at all), a
newer one is refused untouched, and dropped guard triggers come back."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from common.eventlog.migrations import Guard, Migration, check_history
from common.eventlog.store import BARE_LOG, EVENT_LOG, EventStore, StoreError

LANE = "GBDVR-IN-03"
NOTES = Migration(2, "a notes table", ("CREATE TABLE notes (text TEXT)",))
NO_NOTE_DELETE = Guard("notes_kept", "CREATE TRIGGER IF NOT EXISTS notes_kept BEFORE DELETE ON notes "
                                     "BEGIN SELECT RAISE(ABORT, 'notes are kept'); END")
WITH_NOTES = (EVENT_LOG, Migration(2, "notes kept", NOTES.statements, (NO_NOTE_DELETE,)))


def _bare_store(path: Path, events: int) -> list[tuple]:
    """A schema 1 store with ``events`` events; returns its rows."""
    with EventStore(path, LANE) as store:
        for n in range(events):
            store.append("note.added", {"n": n}, "ana")
    return _rows(path)


def _rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_store_is_made_at_the_newest_schema(tmp_path: Path) -> None:
    with EventStore(tmp_path / "new.db", LANE, migrations=WITH_NOTES) as store:
        store.append("note.added", {}, None)
        assert store.query("SELECT name FROM sqlite_master WHERE name = 'notes_kept'")
    assert _version(tmp_path / "new.db") == 2
    _bare_store(tmp_path / "bare.db", 0)
    assert _version(tmp_path / "bare.db") == 1


def test_an_old_store_is_upgraded_in_place_with_its_events_untouched(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    rows = _bare_store(path, 5)
    assert _version(path) == 1
    with EventStore(path, LANE, migrations=WITH_NOTES) as store:
        assert store.verify().ok and store.count() == 5
        appended = store.append("note.added", {"n": 5}, "ana").event
    assert _version(path) == 2
    assert _rows(path)[:5] == rows and appended["prev_hash"] == rows[-1][-1]
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO notes VALUES ('kept')")
    with pytest.raises(sqlite3.IntegrityError, match="notes are kept"):  # the new guard is in force
        conn.execute("DELETE FROM notes")
    conn.close()


def test_a_failed_upgrade_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    rows = _bare_store(path, 3)
    broken = (EVENT_LOG, Migration(2, "half of it fails", (
        "CREATE TABLE notes (text TEXT)", "CREATE TABLE events (again TEXT)")))
    with pytest.raises(StoreError, match="schema 2 failed .* left at schema 1"):
        EventStore(path, LANE, migrations=broken).start()
    assert _version(path) == 1 and _rows(path) == rows
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'notes'").fetchone() is None
    conn.close()
    with EventStore(path, LANE) as store:  # still a whole schema 1 store
        assert store.verify().ok and store.count() == 3


def test_a_newer_store_is_refused_in_one_line_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    with EventStore(path, LANE, migrations=WITH_NOTES) as store:
        store.append("note.added", {}, None)
    before = _digest(path)
    with pytest.raises(StoreError) as refused:
        EventStore(path, LANE, migrations=BARE_LOG).start()
    message = str(refused.value)
    assert "\n" not in message
    assert "schema version 2 is newer than this lanebox knows (1); upgrade lanebox" in message
    assert _digest(path) == before and _version(path) == 2
    assert not path.with_name("newer.db-wal").exists()


def test_a_dropped_guard_is_put_back_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "guarded.db"
    with EventStore(path, LANE, migrations=WITH_NOTES):
        pass
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER notes_kept")
    conn.commit()
    conn.close()
    with EventStore(path, LANE, migrations=WITH_NOTES) as store:
        assert store.get_seq(1)["type"] == "store.triggers_restored"
        assert store.get_seq(1)["payload"] == {"triggers": ["notes_kept"]}
        assert store.query("SELECT name FROM sqlite_master WHERE name = 'notes_kept'")


def test_a_history_must_be_numbered_without_gaps() -> None:
    assert check_history(WITH_NOTES) == 2
    with pytest.raises(ValueError, match="numbered 1, 2"):
        check_history((EVENT_LOG, Migration(3, "a gap")))
    with pytest.raises(ValueError, match="numbered 1, 2"):
        EventStore("unused.db", LANE, migrations=(NOTES,))
