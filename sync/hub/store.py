"""The hub's copy of every lane's event log, in SQLite or PostgreSQL.

The hub is where a lane's evidence survives the lane, so it keeps the
lane store's guarantees on either engine (:mod:`sync.hub.db`): a commit is
durable before anything is answered, events are append-only and must
continue their lane's chain (rules in the database, :mod:`sync.hub.migrations`),
and a store that is not this hub's is refused, never replaced. The SQL here
is written once, portable, with ``?`` placeholders.

Events are only ever stored in unbroken order per lane — seq ``ack + 1``
whose ``prev_hash`` is the held hash of ``ack`` and whose hash matches its
content — so the highest seq held *is* the contiguous cursor, and the hub's
copy is a verified chain at all times. What cannot be stored that way is
refused, and what looks like tampering or a forked log (a held seq offered
with other content, a broken link, a wrong hash) is also raised as an alarm
row, once per lane, kind and seq until acknowledged.

Lane tokens are random 256-bit secrets, so a plain SHA-256 is enough to
store them safely (a slow password hash would buy nothing against guessing
and would cost every batch a few tens of ms).
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

from common.accounts.sessions import token_hash
from common.clock import iso_utc
from common.config import SITE_ID
from common.eventlog.chain import GENESIS_HASH, canonical_json, event_hash
from common.eventlog.store import COLUMNS
from common.eventlog.writer import StoreError
from sync.hub.db import Connection, HubDatabase, SqliteDatabase, open_database, wait_for_database
from sync.protocol import CHAIN_BROKEN, CONFLICT, GAP, HASH_MISMATCH, MAX_BATCH_EVENTS

__all__ = ["HubStore", "IngestResult", "InvalidBatch", "LaneExists", "Offered", "Problem",
           "ReferenceConflict", "StoreError", "prepare_batch"]

T = TypeVar("T")

MAX_TEXT = 128
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")

_EVENT_COLUMNS = (*COLUMNS, "received_at")
_INSERT_EVENT = (f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})")
_RAISE_ALARM = ("INSERT INTO alarms (lane, kind, seq, detail, at) SELECT ?, ?, ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM alarms WHERE lane = ? AND kind = ? AND seq = ? "
                "AND acknowledged_at IS NULL)")


class InvalidBatch(ValueError):
    """The request cannot be read as a batch of this lane's events (HTTP 400)."""


class LaneExists(Exception):
    """``add_lane`` for a lane that is registered already."""


class ReferenceConflict(Exception):
    """``load_reference`` of a version held already with other content: a
    version names one document, or lanes holding it would disagree."""


@dataclass(frozen=True)
class Offered:
    """One event as a lane sent it, with what the hub computed from it."""

    event: dict[str, Any]
    payload_json: str
    recomputed_hash: str


@dataclass(frozen=True)
class Problem:
    """Why ingesting stopped at ``seq``; ``code`` is one of :mod:`sync.protocol`'s."""

    code: str
    seq: int
    message: str


@dataclass(frozen=True)
class IngestResult:
    """The lane's cursor after the batch, what it added, and where it stopped."""

    ack: int
    stored: int
    duplicates: int
    problem: Problem | None = None


def prepare_batch(lane: str, events: Any) -> list[Offered]:
    """Check the shape of a lane's batch and hash each event.

    Runs on the request's thread, so the writer thread only compares and
    inserts. Raises :class:`InvalidBatch` naming the first bad event.
    """
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_BATCH_EVENTS:
        raise InvalidBatch(f"events must be a list of 1-{MAX_BATCH_EVENTS} events")
    return [_offered(lane, index, event) for index, event in enumerate(events)]


def _offered(lane: str, index: int, event: Any) -> Offered:
    where = f"events[{index}]"
    if not isinstance(event, dict) or set(event) != set(COLUMNS):
        raise InvalidBatch(f"{where}: must be an object with exactly {', '.join(COLUMNS)}")
    seq = event["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise InvalidBatch(f"{where}.seq: must be a positive integer")
    if event["lane"] != lane:
        raise InvalidBatch(f"{where}.lane: {event['lane']!r} is not this lane ({lane!r})")
    for name in ("id", "type", "ts", "actor"):
        value = event[name]
        if not (isinstance(value, str) and 0 < len(value) <= MAX_TEXT
                or value is None and name == "actor"):
            raise InvalidBatch(f"{where}.{name}: must be a string of 1-{MAX_TEXT} chars")
    if not isinstance(event["payload"], dict):
        raise InvalidBatch(f"{where}.payload: must be an object")
    for name in ("prev_hash", "hash"):
        if not isinstance(event[name], str) or not _HEX64.match(event[name]):
            raise InvalidBatch(f"{where}.{name}: must be 64 lowercase hex digits")
    try:
        payload_json = canonical_json(event["payload"]).decode()
        recomputed = event_hash(event, event["prev_hash"])
    except (TypeError, ValueError) as exc:
        raise InvalidBatch(f"{where}: not hashable as an event: {exc}") from None
    return Offered(event, payload_json, recomputed)


class HubStore:
    """Lanes, their events and alarms. :meth:`start` before use, :meth:`close` after."""

    def __init__(self, database: str | Path, hub_id: str) -> None:
        self.database: HubDatabase = open_database(database)
        self.hub_id = hub_id
        self._started = False

    @property
    def path(self) -> Path:
        """The SQLite file (a SQLite store only: tests and backups copy it)."""
        if not isinstance(self.database, SqliteDatabase):
            raise AttributeError(f"a {self.database.kind} hub store has no file")
        return self.database.path

    # -- lifecycle -----------------------------------------------------------

    def start(self, retry_s: float | None = None) -> "HubStore":
        """Open (or create) and migrate the store; :class:`StoreError` if it is
        not this hub's store or not usable. With ``retry_s``, an unreachable
        database server is retried every ``retry_s`` seconds until it answers."""
        if self._started:
            raise RuntimeError("hub store already started")
        if retry_s is None:
            self.database.open()
        else:
            wait_for_database(self.database, retry_s=retry_s)
        try:
            self._claim()
        except BaseException:
            self.database.close()
            raise
        self._started = True
        return self

    def _claim(self) -> None:
        """Mark a new store as this hub's; refuse another hub's store."""
        def claim(conn: Connection) -> str:
            conn.execute("INSERT INTO meta (key, value) VALUES ('hub', ?), ('created_at', ?) "
                         "ON CONFLICT DO NOTHING", (self.hub_id, iso_utc(time.time())))
            return conn.execute("SELECT value FROM meta WHERE key = 'hub'").fetchone()[0]

        owner = self.database.write(claim, exclusive=True)
        if owner != self.hub_id:
            raise StoreError(f"{self.database.where}: the store belongs to hub {owner!r}, "
                             f"not {self.hub_id!r}")

    def close(self) -> None:
        """Finish every queued write, then close."""
        self._started = False
        self.database.close()

    def __enter__(self) -> "HubStore":
        return self if self._started else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def health(self) -> str | None:
        """None while the database answers, else why it does not (for /healthz)."""
        return self.database.ping()

    # -- writing -------------------------------------------------------------

    def write(self, fn: Callable[[Connection], T], exclusive: bool = False) -> T:
        """Run ``fn`` in a write transaction; returns once it has committed
        (durably), raises :class:`StoreError` if it could not."""
        return self.database.write(fn, exclusive)

    def add_lane(self, lane_id: str) -> str:
        """Register a lane and return its new sync token (only its hash is kept)."""
        if not isinstance(lane_id, str) or not SITE_ID.match(lane_id):
            raise ValueError(f"lane id {lane_id!r}: letters, digits and '-' only (1-64 chars)")
        token = secrets.token_urlsafe(32)

        def insert(conn: Connection) -> None:
            if conn.execute("INSERT INTO lanes VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                            (lane_id, token_hash(token), iso_utc(time.time()))).rowcount == 0:
                raise LaneExists(f"lane {lane_id} is registered already")

        self.write(insert, exclusive=True)
        return token

    def ingest(self, lane: str, batch: list[Offered]) -> IngestResult:
        """Store the batch's events that continue the lane's chain, in order,
        skipping ones held already; stop at the first that cannot be stored.

        Returns once everything stored (and any alarm) is committed, so the
        ack it carries is durable.
        """
        received_at = iso_utc(time.time())
        def ingest(conn: Connection) -> IngestResult:
            self.database.lock_lane(conn, lane)
            return _ingest(conn, lane, batch, received_at)

        return self.write(ingest)

    def save_lane_status(self, lane: str, status: dict[str, Any], seen_at: float) -> None:
        """Keep ``status`` as the lane's latest, heard at ``seen_at`` (epoch s)."""
        text = json.dumps(status, ensure_ascii=False, separators=(",", ":"))
        self.write(lambda conn: conn.execute(
            "INSERT INTO lane_status VALUES (?, ?, ?) ON CONFLICT (lane) DO UPDATE SET "
            "status = excluded.status, seen_at = excluded.seen_at", (lane, text, seen_at)))

    def load_reference(self, data: dict[str, Any]) -> bool:
        """Make ``data`` (already validated) the current reference data, under
        its ``version``; False if that version is current already. Raises
        :class:`ReferenceConflict` for a known version with other content."""
        version, text = data["version"], canonical_json(data).decode()

        def insert(conn: Connection) -> bool:
            held = conn.execute("SELECT id, data FROM reference WHERE version = ?",
                                (version,)).fetchone()
            if held is not None and held[1] != text:
                raise ReferenceConflict(f"reference version {version} is loaded already with "
                                        f"other content; give the new data a new version")
            if held is not None:
                latest = conn.execute("SELECT max(id) FROM reference").fetchone()[0]
                if held[0] == latest:
                    return False
                conn.execute("DELETE FROM reference WHERE id = ?", (held[0],))  # back to it
            conn.execute("INSERT INTO reference (version, data, loaded_at) VALUES (?, ?, ?)",
                         (version, text, iso_utc(time.time())))
            return True

        return self.write(insert, exclusive=True)

    # -- reading -------------------------------------------------------------

    def read(self) -> Any:
        """A read connection (a context manager): short-lived, beside the writer."""
        return self.database.read()

    def check_token(self, lane: str, token: str) -> bool:
        """True if ``token`` is the registered lane's sync token."""
        with self.read() as conn:
            row = conn.execute("SELECT token_hash FROM lanes WHERE lane_id = ?", (lane,)).fetchone()
        return row is not None and hmac.compare_digest(row[0], token_hash(token))

    def cursor(self, lane: str) -> int:
        """The lane's ack: the highest seq held, every one below it held too."""
        with self.read() as conn:
            return _head(conn, lane)[0]

    def events(self, lane: str, after_seq: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        """The lane's events after ``after_seq`` as the lane holds them, by seq."""
        with self.read() as conn:
            rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM events WHERE lane = ? "
                                f"AND seq > ? ORDER BY seq LIMIT ?", (lane, after_seq, limit))
            return [{**dict(zip(COLUMNS, row)), "payload": json.loads(row[6])} for row in rows]

    def lanes(self) -> list[str]:
        """Every registered lane id, sorted."""
        with self.read() as conn:
            return [row[0] for row in conn.execute("SELECT lane_id FROM lanes ORDER BY lane_id")]

    def cursors(self) -> dict[str, int]:
        """Every lane's ack (lanes with no events yet are absent: ack 0)."""
        with self.read() as conn:
            return dict(conn.execute("SELECT lane, max(seq) FROM events GROUP BY lane"))

    def lane_statuses(self) -> dict[str, tuple[dict[str, Any], float]]:
        """Each lane's last kept status and when it was heard (epoch s)."""
        with self.read() as conn:
            rows = conn.execute("SELECT lane, status, seen_at FROM lane_status").fetchall()
        return {lane: (json.loads(text), seen_at) for lane, text, seen_at in rows}

    def reference(self) -> tuple[str, str] | None:
        """The current reference data as ``(version, canonical JSON)``, or None."""
        with self.read() as conn:
            row = conn.execute("SELECT version, data FROM reference ORDER BY id DESC "
                               "LIMIT 1").fetchone()
        return (row[0], row[1]) if row else None

    def alarms(self, lane: str | None = None) -> list[dict[str, Any]]:
        """Alarms, oldest first (one lane's, or all)."""
        with self.read() as conn:
            cursor = conn.execute("SELECT * FROM alarms WHERE CAST(? AS TEXT) IS NULL OR "
                                  "lane = ? ORDER BY id", (lane, lane))
            names = [d[0] for d in cursor.description]
            return [{**dict(zip(names, row)), "detail": json.loads(row[names.index("detail")])}
                    for row in cursor]


def _head(conn: Connection, lane: str) -> tuple[int, str]:
    row = conn.execute("SELECT seq, hash FROM events WHERE lane = ? ORDER BY seq DESC LIMIT 1",
                       (lane,)).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def _ingest(conn: Connection, lane: str, batch: list[Offered],
            received_at: str) -> IngestResult:
    """The writer-thread half of :meth:`HubStore.ingest`.

    Everything is checked in Python against the held head and the ids
    already held (one query for the whole batch), then the new events go in
    with one ``executemany`` — psycopg pipelines it, so PostgreSQL costs one
    round trip per batch, not per event. A clash the checks did not foresee
    fails the whole write (the lane resends), never a silent skip.
    """
    ack, head_hash = _head(conn, lane)
    stored = duplicates = 0
    rows: list[tuple[Any, ...]] = []
    held_ids = _held_ids(conn, lane, [o.event["id"] for o in batch if o.event["seq"] > ack])

    def stop(code: str, seq: int, message: str, alarm: dict[str, Any] | None = None
             ) -> IngestResult:
        _insert_events(conn, rows)  # the events before the problem continue the chain: kept
        if alarm is not None:
            conn.execute(_RAISE_ALARM, (lane, code, seq, json.dumps(alarm), received_at,
                                        lane, code, seq))
        return IngestResult(ack, stored, duplicates, Problem(code, seq, message))

    for offered in batch:
        event, recomputed = offered.event, offered.recomputed_hash
        seq = event["seq"]
        offered_detail = {"id": event["id"], "hash": event["hash"], "content_hash": recomputed}
        if seq <= ack:
            held_id, held_hash = conn.execute("SELECT id, hash FROM events WHERE lane = ? AND "
                                              "seq = ?", (lane, seq)).fetchone()
            if held_id == event["id"] and held_hash == event["hash"] == recomputed:
                duplicates += 1
                continue
            return stop(CONFLICT, seq, f"seq {seq} is held with other content",
                        {"held": {"id": held_id, "hash": held_hash}, "offered": offered_detail})
        if seq > ack + 1:
            return stop(GAP, seq, f"seq {seq} does not follow the held seq {ack}; "
                                  f"send from {ack + 1}")
        if event["prev_hash"] != head_hash:
            return stop(CHAIN_BROKEN, seq, f"seq {seq}: prev_hash is not the hash held for "
                                           f"seq {ack}",
                        {"held_prev_hash": head_hash, "offered": {**offered_detail,
                                                                  "prev_hash": event["prev_hash"]}})
        if event["hash"] != recomputed:
            return stop(HASH_MISMATCH, seq, f"seq {seq}: hash does not match the event's content",
                        {"offered": offered_detail})
        held_seq = held_ids.get(event["id"])
        if held_seq is not None:
            return stop(CONFLICT, seq, f"seq {seq}: id {event['id']} is held at seq {held_seq}",
                        {"held": {"seq": held_seq}, "offered": offered_detail})
        rows.append((seq, event["id"], lane, event["type"], event["ts"], event["actor"],
                     offered.payload_json, event["prev_hash"], recomputed, received_at))
        held_ids[event["id"]] = seq  # an id twice in one batch is a conflict too
        ack, head_hash = seq, recomputed
        stored += 1
    _insert_events(conn, rows)
    return IngestResult(ack, stored, duplicates)


def _held_ids(conn: Connection, lane: str, ids: list[str]) -> dict[str, int]:
    """Which of ``ids`` the lane's log holds already, and at which seq."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    return dict(conn.execute(f"SELECT id, seq FROM events WHERE lane = ? AND id IN ({marks})",
                             (lane, *ids)).fetchall())


def _insert_events(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        conn.executemany(_INSERT_EVENT, rows)
