"""The hub's consultation log: who at the board consulted personal data, and why.

A board user's search (a passport number, a plate: the query is itself
personal data) and every case opened are entries here, one each, written by
:class:`common.web.consultation.Consultation` before anything is served.
Like the alarm log (:mod:`sync.hub.alarm_log`), the log is append-only and
hash-chained — SHA-256 over the canonical JSON of the entry and the previous
entry's hash — and the database refuses an update, a delete or an entry that
is not the next link (migration 7 in :mod:`sync.hub.migrations`), on SQLite
and PostgreSQL alike. :func:`verify` walks it and names the first broken link.

The lanes' own consultations reach the hub as their ``access.consulted``
events, in each lane's chain: :func:`lane_entries` reads them for review.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, Callable

from common.clock import iso_utc
from common.eventlog.chain import GENESIS_HASH, canonical_json
from common.web.consultation import Consultation
from sync.hub.store import HubStore

TABLE_COLUMNS = ("seq", "at", "actor", "role", "action", "what", "records", "detail", "prev_hash", "hash")
_HASHED = TABLE_COLUMNS[:-1]
_JSON = ("records", "detail")
LOCK = "consultation-log"
"""The advisory lock every writer takes on PostgreSQL: two hub workers never take the same seq."""
LANE_CONSULTED = "access.consulted"


def entry_hash(entry: dict[str, Any]) -> str:
    """Hex SHA-256 of an entry's canonical JSON, its ``prev_hash`` included."""
    return hashlib.sha256(canonical_json({name: entry[name] for name in _HASHED})).hexdigest()


def _stored(entry: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(json.dumps(entry[c], sort_keys=True) if c in _JSON else entry[c] for c in TABLE_COLUMNS)


def _loaded(row: tuple[Any, ...]) -> dict[str, Any]:
    entry = dict(zip(TABLE_COLUMNS, row))
    for name in _JSON:
        entry[name] = json.loads(entry[name])
    return entry


class ConsultationLog:
    """Writes, reviews and verifies the hub's consultation log."""

    def __init__(self, store: HubStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def record(self, consultation: dict[str, Any]) -> dict[str, Any]:
        """Append one consultation durably (the hub's time); :class:`StoreError` if it could not be."""
        detail = {k: v for k, v in consultation.items() if k not in ("user", "role", "action", "what", "records")}
        at = iso_utc(self._clock())

        def append(conn: Any) -> dict[str, Any]:
            self._store.database.lock_lane(conn, LOCK)
            last = conn.execute("SELECT seq, hash FROM consultation_log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
            entry = {"seq": seq, "at": at, "actor": consultation["user"], "role": consultation["role"],
                     "action": consultation["action"], "what": consultation["what"],
                     "records": consultation["records"], "detail": detail, "prev_hash": prev_hash}
            entry["hash"] = entry_hash(entry)
            conn.execute(f"INSERT INTO consultation_log ({', '.join(TABLE_COLUMNS)}) "
                         f"VALUES ({', '.join('?' * len(TABLE_COLUMNS))})", _stored(entry))
            return entry

        return self._store.write(append)

    def review(self, *, user: str | None = None, record: str | None = None, since: str | None = None,
               until: str | None = None, before: int | None = None, limit: int = 50) -> dict[str, Any]:
        """Entries matching every filter given, newest first; ``next_before`` pages on."""
        given = [(sql, value) for sql, value in (
            ("lower(actor) = ?", user and user.lower()), ("at >= ?", since), ("at < ?", until),
            ("seq < ?", before), ("records LIKE ? ESCAPE '\\'", record and f'%{_json_text(record)}%')) if value]
        where = f"WHERE {' AND '.join(sql for sql, _ in given)}" if given else ""
        with self._store.read() as conn:
            rows = conn.execute(f"SELECT {', '.join(TABLE_COLUMNS)} FROM consultation_log {where} "
                                f"ORDER BY seq DESC LIMIT ?", (*(v for _, v in given), limit + 1)).fetchall()
        entries = [_shown(_loaded(row)) for row in rows[:limit]]
        return {"entries": entries, "next_before": entries[-1]["seq"] if len(rows) > limit else None}

    def lane_entries(self, lane: str, *, user: str | None = None, record: str | None = None,
                     since: str | None = None, until: str | None = None, before: int | None = None,
                     limit: int = 50) -> dict[str, Any]:
        """A lane's consultations as its synced ``access.consulted`` events, newest first."""
        given = [(sql, value) for sql, value in (
            ("lower(actor) = ?", user and user.lower()), ("ts >= ?", since), ("ts < ?", until),
            ("seq < ?", before), ("payload LIKE ? ESCAPE '\\'", record and f'%{_json_text(record)}%')) if value]
        where = " AND ".join(["lane = ?", "type = ?", *(sql for sql, _ in given)])
        with self._store.read() as conn:
            rows = conn.execute(f"SELECT seq, ts, actor, payload, hash FROM events WHERE {where} "
                                f"ORDER BY seq DESC LIMIT ?",
                                (lane, LANE_CONSULTED, *(v for _, v in given), limit + 1)).fetchall()
        entries = [{"seq": seq, "lane": lane, "at": ts, "user": actor, **json.loads(payload), "hash": digest}
                   for seq, ts, actor, payload, digest in rows[:limit]]
        return {"entries": entries, "next_before": entries[-1]["seq"] if len(rows) > limit else None}

    def verify(self) -> dict[str, Any]:
        """Walk the whole log: ``{"ok", "checked", "first_broken_seq"}``."""
        prev, checked = GENESIS_HASH, 0
        with self._store.read() as conn:
            for row in conn.execute(f"SELECT {', '.join(TABLE_COLUMNS)} FROM consultation_log ORDER BY seq"):
                entry = _loaded(row)
                if entry["seq"] != checked + 1 or entry["prev_hash"] != prev or entry_hash(entry) != entry["hash"]:
                    return {"ok": False, "checked": checked, "first_broken_seq": entry["seq"]}
                prev, checked = entry["hash"], checked + 1
        return {"ok": True, "checked": checked, "first_broken_seq": None}


def _json_text(value: str) -> str:
    """``value`` as it stands quoted in the stored JSON, with LIKE's wildcards escaped."""
    quoted = json.dumps(value)
    return quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as the review shows it: the lane review's shape (user, not actor; detail spread out)."""
    detail = entry.pop("detail")
    return {**{("user" if k == "actor" else k): v for k, v in entry.items()}, **detail}


# -- the declarations the board's routes carry (sync.hub.board_api) ---------------

def _found_cases(_path_args: dict[str, Any], result: Any) -> list[str]:
    cases = result.get("cases") if isinstance(result, dict) else None
    return [f"{case['lane']}/{case['id']}" for case in cases or []]


def _the_case(path_args: dict[str, Any], _result: Any) -> list[str]:
    return [f"{path_args['lane']}/{path_args['case_id']}"]


BOARD_SEARCH = Consultation(what="search", fields=("query", "documents", "plates"), records=_found_cases,
                            query=True)
"""A search by passport number or plate: what was asked is personal data, and so are the cases found."""
BOARD_SEARCH_EXPORT = Consultation(what="search", action="export", fields=("query", "documents", "plates"),
                                   records=lambda _args, _result: [], query=True)
BOARD_CASE = Consultation(what="case", fields=("timeline", "documents", "custody"), records=_the_case)
