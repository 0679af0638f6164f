"""The hub's countersignatures of this lane's chain, kept in the lane's own log.

The hub signs a lane's chain head now and then (``sync.hub.countersign``)
and sends the latest in its answer to a batch. The lane keeps each new one
as a ``chain.countersigned`` event — in the log rather than a table of its
own, so it is chained, synced, backed up and restored with the evidence it
vouches for, and needs no schema change — after checking it is the hub's
(by the key the lane pinned, when it has one) and about this lane's own
chain at that seq. Case bundles (``edge.bundle``) take their checkpoints
from these events.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from common.bundle_verify import countersign_message, public_key
from common.eventlog.store import EventStore, StoreError
from sync.identity import signed_by

log = logging.getLogger(__name__)

COUNTERSIGNED = "chain.countersigned"
ACTOR = "hub"
FIELDS = ("lane", "seq", "hash", "at", "hub_key", "signature", "timestamp")


def kept_checkpoints(store: EventStore, up_to_seq: int) -> list[dict[str, Any]]:
    """The countersigned checkpoints kept, of heads at or before ``up_to_seq``, oldest first."""
    rows = store.query("SELECT payload FROM events WHERE type = ? AND json_extract(payload, '$.seq') <= ? "
                       "ORDER BY json_extract(payload, '$.seq')", (COUNTERSIGNED, up_to_seq))
    return [json.loads(row["payload"]) for row in rows]


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
        newest = conn.execute("SELECT max(json_extract(payload, '$.seq')) FROM events WHERE type = ?",
                              (COUNTERSIGNED,)).fetchone()[0]
        if newest is not None and newest >= checkpoint["seq"]:
            return False
        ours = conn.execute("SELECT hash FROM events WHERE seq = ?", (checkpoint["seq"],)).fetchone()
        if ours is None or ours[0] != checkpoint["hash"]:
            log.warning("lane %s: the hub countersigned seq %s with a hash this lane does not hold",
                        lane, checkpoint["seq"])
            return False
        store.append_in(conn, COUNTERSIGNED, {name: checkpoint.get(name) for name in FIELDS}, ACTOR)
        return True

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
