"""The hub's own audit log: every step people take on alarms.

A lane's events record what happened at the lane; what the control room
does about it — acknowledging an alarm with a note, clearing it, assigning
it to someone, shelving a noisy source for a while and unshelving it — is
recorded here, at the hub, one entry a step. Entries are never changed or
deleted, and each is hash-chained to the one before it exactly as a lane's
events are (SHA-256 over the canonical JSON of the entry and the previous
hash), so an edit anywhere breaks the chain from there on. The database
enforces it too (migration 6 in :mod:`sync.hub.migrations`): no update, no
delete, and an entry is stored only as the next link.

The alarm's own row (:mod:`sync.hub.alarms`) is what was raised; its state
is folded from this log, so no history is ever rewritten.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from common.eventlog.chain import GENESIS_HASH, canonical_json

ACKNOWLEDGED, CLEARED, ASSIGNED, SHELVED, UNSHELVED = (
    "acknowledged", "cleared", "assigned", "shelved", "unshelved")
COLUMNS = ("seq", "alarm_id", "lane", "kind", "action", "actor", "at", "until_at", "detail",
           "prev_hash", "hash")
_HASHED = COLUMNS[:-2]
LOCK = "alarm-log"
"""The advisory lock every writer takes (PostgreSQL; SQLite has one writer):
two hub workers never both take the same next seq."""


def entry_hash(entry: dict[str, Any], prev_hash: str) -> str:
    """Hex SHA-256 of an entry's canonical JSON with the previous entry's hash."""
    hashed = {name: entry[name] for name in _HASHED}
    hashed["prev_hash"] = prev_hash
    return hashlib.sha256(canonical_json(hashed)).hexdigest()


def append(conn: Any, database: Any, *, action: str, actor: str, at: str, lane: str,
           alarm_id: int | None = None, kind: str | None = None, until_at: str | None = None,
           detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Append one entry inside the caller's write; the entry as stored."""
    database.lock_lane(conn, LOCK)
    last = conn.execute("SELECT seq, hash FROM alarm_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    entry = {"seq": seq, "alarm_id": alarm_id, "lane": lane, "kind": kind, "action": action,
             "actor": actor, "at": at, "until_at": until_at, "detail": detail or {}}
    entry["prev_hash"] = prev_hash
    entry["hash"] = entry_hash(entry, prev_hash)
    conn.execute(f"INSERT INTO alarm_log ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                 tuple(json.dumps(entry["detail"], sort_keys=True) if c == "detail" else entry[c]
                       for c in COLUMNS))
    return entry


def entry_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """A stored row (in ``COLUMNS`` order) as the API shows it."""
    entry = dict(zip(COLUMNS, row))
    entry["detail"] = json.loads(entry["detail"])
    return entry


def for_alarms(conn: Any, alarm_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each alarm's entries, oldest first."""
    found: dict[int, list[dict[str, Any]]] = {}
    ids = sorted(set(alarm_ids))
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM alarm_log WHERE alarm_id IN "
                            f"({', '.join('?' * len(chunk))}) ORDER BY seq", chunk).fetchall()
        for row in rows:
            entry = entry_row(row)
            found.setdefault(entry["alarm_id"], []).append(entry)
    return found


def verify(conn: Any) -> dict[str, Any]:
    """Walk the whole log: ``{"ok", "checked", "first_broken_seq"}``."""
    prev, checked = GENESIS_HASH, 0
    for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM alarm_log ORDER BY seq"):
        entry = entry_row(row)
        if entry["seq"] != checked + 1 or entry["prev_hash"] != prev or \
                entry_hash(entry, prev) != entry["hash"]:
            return {"ok": False, "checked": checked, "first_broken_seq": entry["seq"]}
        prev, checked = entry["hash"], checked + 1
    return {"ok": True, "checked": checked, "first_broken_seq": None}


def search(conn: Any, *, lane: str | None = None, actor: str | None = None, q: str | None = None,
           since: str | None = None, until: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Entries matching every filter given, newest first, each with its alarm's
    kind, label and case. ``q`` matches who did it, who it was assigned to, or
    the case the alarm was raised at (prefix)."""
    given = [(sql, value) for sql, value in (("l.lane = ?", lane), ("lower(l.actor) = ?", actor and actor.lower()),
                                              ("l.at >= ?", since), ("l.at < ?", until)) if value]
    where, params = [sql for sql, _ in given], [value for _, value in given]
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("(lower(l.actor) = ? OR lower(l.detail) LIKE ? ESCAPE '\\' OR "
                     "a.detail LIKE ? ESCAPE '\\')")
        params += [q.lower(), f'%"assignee": "{escaped.lower()}"%', f'%"case_id": "{escaped}%']
    sql = (f"SELECT {', '.join('l.' + c for c in COLUMNS)}, a.kind, a.detail FROM alarm_log l "
           f"LEFT JOIN alarms a ON a.id = l.alarm_id "
           f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY l.seq DESC LIMIT ?")
    found = []
    for row in conn.execute(sql, (*params, limit)).fetchall():
        entry = entry_row(row[:len(COLUMNS)])
        alarm_kind, alarm_detail = row[len(COLUMNS):]
        entry["kind"] = entry["kind"] or alarm_kind
        entry["case_id"] = json.loads(alarm_detail).get("case_id") if alarm_detail else None
        found.append(entry)
    return found
