"""The lane store's key table: one AES-256 key per case, kept beside the event
log and never in it (common.personal_data, docs/evidence.md "Retention and erasure").

A key is made the first time something personal of its case is written, and
destroyed when the case is erased. Destroying it must leave nothing to read
back: the row is deleted with ``secure_delete`` on (SQLite then overwrites the
deleted bytes in the page) and, once committed, the write-ahead log is
checkpointed and truncated (:func:`wipe_freed`), so neither the database file
nor its WAL still holds the key's bytes.

The sync agent sends the keys its batch's events are sealed under with the
batch (:func:`batch_keys`), so the hub can open them too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from common.clock import utc_now_iso
from common.erasure import ERASED
from common.eventlog.store import EventStore
from common.personal_data import encode_key, key_ids, new_key, opened

CREATE_TABLE = ("CREATE TABLE case_keys (key_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
                "key BLOB NOT NULL, created_at TEXT NOT NULL)")
#: long enough for a checkpoint to wait out a reader that is finishing
CHECKPOINT_TIMEOUT_S = 10.0


def make_key_in(conn: sqlite3.Connection, case_id: str) -> bytes:
    """The case's key, made now if it has none (inside the caller's write). The key id is the case id."""
    conn.execute("INSERT OR IGNORE INTO case_keys (key_id, case_id, key, created_at) VALUES (?, ?, ?, ?)",
                 (case_id, case_id, new_key(), utc_now_iso()))
    return bytes(conn.execute("SELECT key FROM case_keys WHERE key_id = ?", (case_id,)).fetchone()[0])


def held_keys(store: EventStore, ids: Iterable[str]) -> dict[str, bytes]:
    """The keys among ``ids`` the store still holds (an erased case's is gone)."""
    wanted = sorted(set(ids))
    found: dict[str, bytes] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows = store.query(f"SELECT key_id, key FROM case_keys WHERE key_id IN ({', '.join('?' * len(chunk))})",
                           chunk)
        found.update((row["key_id"], bytes(row["key"])) for row in rows)
    return found


def opened_events(store: EventStore, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as screens and reports read them: each personal field opened with its case's
    key while the key exists (an erased case's stay sealed). Never for anything that hashes,
    signs or exports events as the log holds them (sync, ``lanebox verify``, a case bundle)."""
    keys = held_keys(store, key_ids([event["payload"] for event in events]))
    return [{**event, "payload": opened(event["payload"], keys)} for event in events] if keys else events


def case_key_ids(store: EventStore, case_id: str) -> list[str]:
    """The ids of the keys held for a case."""
    return [row["key_id"] for row in store.query("SELECT key_id FROM case_keys WHERE case_id = ?", (case_id,))]


def destroy_keys_in(conn: sqlite3.Connection, case_id: str) -> None:
    """Delete the case's keys inside the caller's write, overwriting the deleted bytes."""
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("DELETE FROM main.case_keys WHERE case_id = ?", (case_id,))


def destroy_on_erasure(conn: sqlite3.Connection, event: dict[str, Any]) -> None:
    """The projection of ``case.erased``: the case's keys go in the very transaction that
    records the erasure, whichever path wrote it (the API, the CLI, the retention job)."""
    case_id = event["payload"].get("case_id")
    if not isinstance(case_id, str) or not case_id:
        raise ValueError(f"{ERASED} needs payload.case_id")
    if conn.execute("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'case_keys'").fetchone():
        destroy_keys_in(conn, case_id)  # (a verification's private replay has no key table: nothing to destroy)


def wipe_freed(path: Path) -> bool:
    """Checkpoint the store's WAL into the file and truncate it, so the old pages that
    held a destroyed key are gone from the WAL too. False if a reader kept it from
    finishing (it is tried again at the next erasure and when the store closes)."""
    conn = sqlite3.connect(str(path), timeout=CHECKPOINT_TIMEOUT_S)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy
    finally:
        conn.close()


def batch_keys(store: EventStore, events: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The keys the events are sealed under, as the hub takes them with the batch."""
    named = set().union(*(key_ids(event["payload"]) for event in events)) if events else set()
    return [{"key_id": key_id, "key": encode_key(key)} for key_id, key in sorted(held_keys(store, named).items())]
