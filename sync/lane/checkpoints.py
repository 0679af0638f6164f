"""The hub's countersignatures of this lane's chain, kept at the lane.

The hub signs a lane's chain head now and then (``sync.hub.countersign``)
and sends its newest in the answer to a batch that says which one the lane
already keeps (``checkpoint_after``). The lane keeps each new one in a
table of its store, ``hub_checkpoints``, after checking it is the hub's (by
the key the lane pinned, when it has one) and about this lane's own chain
at that seq. Case bundles (``edge.bundle``) take their checkpoints from it.

A table, not events in the log: a countersignature proves itself (the
hub's signature over lane, seq, hash and time), so chaining it adds
nothing; and the lane's log then grows only by what happens at the lane,
never on the hub's schedule. The table is in the store file, so backups
and restores carry it; it is made when the first checkpoint arrives.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from common.bundle_verify import countersign_message, public_key
from common.clock import utc_now_iso
from common.eventlog.store import EventStore, StoreError
from sync.identity import signed_by

log = logging.getLogger(__name__)

TABLE = "hub_checkpoints"
FIELDS = ("lane", "seq", "hash", "at", "hub_key", "signature", "timestamp")
_CREATE = (f"CREATE TABLE IF NOT EXISTS {TABLE} (seq INTEGER PRIMARY KEY, lane TEXT NOT NULL, hash TEXT NOT NULL, "
           f"at TEXT NOT NULL, hub_key TEXT NOT NULL, signature TEXT NOT NULL, timestamp TEXT, "
           f"received_at TEXT NOT NULL)")


def _made(store: EventStore) -> bool:
    return bool(store.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)))


def kept_checkpoints(store: EventStore, up_to_seq: int) -> list[dict[str, Any]]:
    """The countersigned checkpoints kept, of heads at or before ``up_to_seq``, oldest first."""
    if not _made(store):
        return []
    return store.query(f"SELECT {', '.join(FIELDS)} FROM {TABLE} WHERE seq <= ? ORDER BY seq", (up_to_seq,))


def newest_kept(store: EventStore) -> int:
    """The seq the newest checkpoint kept countersigns (0: none), which a batch tells the hub."""
    return store.query(f"SELECT coalesce(max(seq), 0) AS seq FROM {TABLE}")[0]["seq"] if _made(store) else 0


def keep_checkpoint(store: EventStore, lane: str, checkpoint: Any, hub_key: str | None) -> bool:
    """Keep ``checkpoint`` (from the hub's answer) if it is new, the hub's and about this chain.

    Anything else is logged and dropped: a checkpoint is a help to bundles, never a reason
    for sync to stop.
    """
    problem = _refusal(lane, checkpoint, hub_key)
    if problem is not None:
        log.warning("lane %s: a countersignature from the hub is not kept: %s", lane, problem)
        return False

    def keep(conn: sqlite3.Connection) -> bool:
        conn.execute(_CREATE)
        ours = conn.execute("SELECT hash FROM events WHERE seq = ?", (checkpoint["seq"],)).fetchone()
        if ours is None or ours[0] != checkpoint["hash"]:
            log.warning("lane %s: the hub countersigned seq %s with a hash this lane does not hold",
                        lane, checkpoint["seq"])
            return False
        values = [checkpoint.get(name) for name in FIELDS]
        inserted = conn.execute(f"INSERT INTO {TABLE} ({', '.join(FIELDS)}, received_at) VALUES "
                                f"({', '.join('?' * (len(FIELDS) + 1))}) ON CONFLICT (seq) DO NOTHING",
                                (*values, utc_now_iso()))
        return inserted.rowcount == 1

    try:
        return store.run_write(keep)
    except StoreError as exc:
        log.warning("lane %s: a countersignature from the hub could not be kept: %s", lane, exc)
        return False


def _refusal(lane: str, checkpoint: Any, hub_key: str | None) -> str | None:
    """Why ``checkpoint`` is not to be kept, or None."""
    if not isinstance(checkpoint, dict) or not all(isinstance(checkpoint.get(n), t) for n, t in (
            ("lane", str), ("seq", int), ("hash", str), ("at", str), ("hub_key", str), ("signature", str))):
        return "not a countersignature"
    if checkpoint["lane"] != lane:
        return f"it is lane {checkpoint['lane']!r}'s"
    if hub_key is not None and checkpoint["hub_key"] != hub_key:
        return "signed with another key than the hub's pinned one"
    if not isinstance(checkpoint.get("timestamp"), (str, type(None))):
        return "its time-stamp token is not base64 text"
    try:
        key = public_key(checkpoint["hub_key"])
    except ValueError as exc:
        return str(exc)
    if not signed_by(key, countersign_message(checkpoint), checkpoint["signature"]):
        return "its signature does not verify"
    return None
