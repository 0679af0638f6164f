"""The hub's copy of every lane's event log, in one SQLite file.

The hub is where a lane's evidence survives the lane, so it keeps the
lane store's guarantees: WAL with ``synchronous=FULL``, one writer thread
with group commit (:class:`edge.writer.Writer`: concurrent lanes share
fsyncs), append-only triggers, and a file that is not a store of this hub is
refused, never replaced.

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
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from edge.chain import GENESIS_HASH, canonical_json, event_hash
from edge.config import LANE_ID
from edge.store import COLUMNS
from edge.users import iso_utc, token_hash
from edge.writer import StoreError, Writer
from sync.protocol import CHAIN_BROKEN, CONFLICT, GAP, HASH_MISMATCH, MAX_BATCH_EVENTS

__all__ = ["HubStore", "IngestResult", "InvalidBatch", "LaneExists", "Offered", "Problem",
           "ReferenceConflict", "StoreError", "prepare_batch"]

T = TypeVar("T")

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
MAX_TEXT = 128
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS lanes (lane_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, "
    "created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS events (lane TEXT NOT NULL, seq INTEGER NOT NULL, "
    "id TEXT NOT NULL, type TEXT NOT NULL, ts TEXT NOT NULL, actor TEXT, payload TEXT NOT NULL, "
    "prev_hash TEXT NOT NULL, hash TEXT NOT NULL, received_at TEXT NOT NULL, "
    "PRIMARY KEY (lane, seq), UNIQUE (lane, id))",
    "CREATE TABLE IF NOT EXISTS alarms (id INTEGER PRIMARY KEY, lane TEXT NOT NULL, "
    "kind TEXT NOT NULL, seq INTEGER NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL, "
    "acknowledged_by TEXT, acknowledged_at TEXT)",
    # The latest live status of each lane (sync.hub_lanes keeps it in memory;
    # this copy only lets a restarted hub know its lanes and when it last heard them).
    "CREATE TABLE IF NOT EXISTS lane_status (lane TEXT PRIMARY KEY, status TEXT NOT NULL, "
    "seen_at REAL NOT NULL)",
    # Reference data the lanes pull, one row per version; the highest id is current.
    "CREATE TABLE IF NOT EXISTS reference (id INTEGER PRIMARY KEY, version TEXT NOT NULL UNIQUE, "
    "data TEXT NOT NULL, loaded_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS alarms_open ON alarms (lane, kind, seq) "
    "WHERE acknowledged_at IS NULL",
    "CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS alarms_no_delete BEFORE DELETE ON alarms "
    "BEGIN SELECT RAISE(ABORT, 'alarms are kept'); END",
    # An alarm is acknowledged once; what it says never changes.
    "CREATE TRIGGER IF NOT EXISTS alarms_ack_only BEFORE UPDATE ON alarms "
    "WHEN OLD.acknowledged_at IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.lane IS NOT OLD.lane "
    "OR NEW.kind IS NOT OLD.kind OR NEW.seq IS NOT OLD.seq OR NEW.detail IS NOT OLD.detail "
    "OR NEW.at IS NOT OLD.at BEGIN SELECT RAISE(ABORT, 'alarms are only acknowledged'); END",
)
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

    def __init__(self, path: str | Path, hub_id: str) -> None:
        self.path = Path(path)
        self.hub_id = hub_id
        self._writer: Writer | None = None

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> "HubStore":
        """Open (or create) the store; :class:`StoreError` if the file is not
        this hub's store or not usable."""
        if self._writer is not None:
            raise RuntimeError("hub store already started")
        existed = self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), isolation_level=None,
                                   check_same_thread=False, timeout=BUSY_TIMEOUT_S)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open: {exc}") from exc
        try:
            self._prepare(conn, existed)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{self.path}: not a usable SQLite database: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        self._writer = Writer(conn, lambda _conn: None, name="hub-writer")
        return self

    def close(self) -> None:
        """Finish every queued write, then close."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.stop()
            writer.conn.close()

    def __enter__(self) -> "HubStore":
        return self if self._writer is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _prepare(self, conn: sqlite3.Connection, existed: bool) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables:
            row = (conn.execute("SELECT value FROM meta WHERE key = 'hub'").fetchone()
                   if "meta" in tables else None)
            if not {"meta", "lanes", "events", "alarms"} <= tables or row is None:
                raise StoreError(f"{self.path}: not a lanebox hub store; refusing to start a "
                                 f"new store over it - move it away to start afresh")
            if row[0] != self.hub_id:
                raise StoreError(f"{self.path}: the store belongs to hub {row[0]!r}, "
                                 f"not {self.hub_id!r}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: hub schema version {version}, this lanebox "
                                 f"knows {SCHEMA_VERSION}")
        elif existed:
            raise StoreError(f"{self.path}: the file holds no lanebox hub store (it is empty); "
                             f"refusing to start a new store over it")
        if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] != "wal":
            raise StoreError(f"{self.path}: cannot use WAL journaling here")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql in _SCHEMA:
                conn.execute(sql)
            if not tables:
                conn.execute("INSERT INTO meta VALUES ('hub', ?), ('created_at', ?)",
                             (self.hub_id, iso_utc(time.time())))
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # -- writing -------------------------------------------------------------

    def _write(self, fn: Callable[[sqlite3.Connection], T], exclusive: bool = False) -> T:
        """Run ``fn`` on the writer thread; returns once its transaction has
        committed (durably), raises :class:`StoreError` if it could not."""
        if self._writer is None:
            raise StoreError(f"{self.path}: hub store is not started")
        return self._writer.submit(fn, exclusive).wait()

    def add_lane(self, lane_id: str) -> str:
        """Register a lane and return its new sync token (only its hash is kept)."""
        if not isinstance(lane_id, str) or not LANE_ID.match(lane_id):
            raise ValueError(f"lane id {lane_id!r}: letters, digits and '-' only (1-64 chars)")
        token = secrets.token_urlsafe(32)

        def insert(conn: sqlite3.Connection) -> None:
            try:
                conn.execute("INSERT INTO lanes VALUES (?, ?, ?)",
                             (lane_id, token_hash(token), iso_utc(time.time())))
            except sqlite3.IntegrityError:
                raise LaneExists(f"lane {lane_id} is registered already") from None

        self._write(insert, exclusive=True)
        return token

    def ingest(self, lane: str, batch: list[Offered]) -> IngestResult:
        """Store the batch's events that continue the lane's chain, in order,
        skipping ones held already; stop at the first that cannot be stored.

        Returns once everything stored (and any alarm) is committed, so the
        ack it carries is durable.
        """
        received_at = iso_utc(time.time())
        return self._write(lambda conn: _ingest(conn, lane, batch, received_at))

    def save_lane_status(self, lane: str, status: dict[str, Any], seen_at: float) -> None:
        """Keep ``status`` as the lane's latest, heard at ``seen_at`` (epoch s)."""
        text = json.dumps(status, ensure_ascii=False, separators=(",", ":"))
        self._write(lambda conn: conn.execute(
            "INSERT INTO lane_status VALUES (?, ?, ?) ON CONFLICT (lane) DO UPDATE SET "
            "status = excluded.status, seen_at = excluded.seen_at", (lane, text, seen_at)))

    def load_reference(self, data: dict[str, Any]) -> bool:
        """Make ``data`` (already validated) the current reference data, under
        its ``version``; False if that version is current already. Raises
        :class:`ReferenceConflict` for a known version with other content."""
        version, text = data["version"], canonical_json(data).decode()

        def insert(conn: sqlite3.Connection) -> bool:
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

        return self._write(insert, exclusive=True)

    # -- reading -------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A short-lived read-only connection: hub reads (a token check or a
        cursor per batch) are few, and WAL lets them run beside the writer."""
        conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_S)
        try:
            yield conn
        finally:
            conn.close()

    def check_token(self, lane: str, token: str) -> bool:
        """True if ``token`` is the registered lane's sync token."""
        with self._read() as conn:
            row = conn.execute("SELECT token_hash FROM lanes WHERE lane_id = ?", (lane,)).fetchone()
        return row is not None and hmac.compare_digest(row[0], token_hash(token))

    def cursor(self, lane: str) -> int:
        """The lane's ack: the highest seq held, every one below it held too."""
        with self._read() as conn:
            return _head(conn, lane)[0]

    def events(self, lane: str, after_seq: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        """The lane's events after ``after_seq`` as the lane holds them, by seq."""
        with self._read() as conn:
            rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM events WHERE lane = ? "
                                f"AND seq > ? ORDER BY seq LIMIT ?", (lane, after_seq, limit))
            return [{**dict(zip(COLUMNS, row)), "payload": json.loads(row[6])} for row in rows]

    def lanes(self) -> list[str]:
        """Every registered lane id, sorted."""
        with self._read() as conn:
            return [row[0] for row in conn.execute("SELECT lane_id FROM lanes ORDER BY lane_id")]

    def cursors(self) -> dict[str, int]:
        """Every lane's ack (lanes with no events yet are absent: ack 0)."""
        with self._read() as conn:
            return dict(conn.execute("SELECT lane, max(seq) FROM events GROUP BY lane"))

    def lane_statuses(self) -> dict[str, tuple[dict[str, Any], float]]:
        """Each lane's last kept status and when it was heard (epoch s)."""
        with self._read() as conn:
            rows = conn.execute("SELECT lane, status, seen_at FROM lane_status").fetchall()
        return {lane: (json.loads(text), seen_at) for lane, text, seen_at in rows}

    def reference(self) -> tuple[str, str] | None:
        """The current reference data as ``(version, canonical JSON)``, or None."""
        with self._read() as conn:
            row = conn.execute("SELECT version, data FROM reference ORDER BY id DESC "
                               "LIMIT 1").fetchone()
        return (row[0], row[1]) if row else None

    def alarms(self, lane: str | None = None) -> list[dict[str, Any]]:
        """Alarms, oldest first (one lane's, or all)."""
        with self._read() as conn:
            cursor = conn.execute("SELECT * FROM alarms WHERE ? IS NULL OR lane = ? ORDER BY id",
                                  (lane, lane))
            names = [d[0] for d in cursor.description]
            return [{**dict(zip(names, row)), "detail": json.loads(row[names.index("detail")])}
                    for row in cursor]


def _head(conn: sqlite3.Connection, lane: str) -> tuple[int, str]:
    row = conn.execute("SELECT seq, hash FROM events WHERE lane = ? ORDER BY seq DESC LIMIT 1",
                       (lane,)).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def _ingest(conn: sqlite3.Connection, lane: str, batch: list[Offered],
            received_at: str) -> IngestResult:
    """The writer-thread half of :meth:`HubStore.ingest`."""
    ack, head_hash = _head(conn, lane)
    stored = duplicates = 0

    def stop(code: str, seq: int, message: str, alarm: dict[str, Any] | None = None
             ) -> IngestResult:
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
        try:
            conn.execute(_INSERT_EVENT, (seq, event["id"], lane, event["type"], event["ts"],
                                         event["actor"], offered.payload_json, event["prev_hash"],
                                         recomputed, received_at))
        except sqlite3.IntegrityError:  # (lane, seq) is free, so the id is taken
            held_seq = conn.execute("SELECT seq FROM events WHERE lane = ? AND id = ?",
                                    (lane, event["id"])).fetchone()[0]
            return stop(CONFLICT, seq, f"seq {seq}: id {event['id']} is held at seq {held_seq}",
                        {"held": {"seq": held_seq}, "offered": offered_detail})
        ack, head_hash = seq, recomputed
        stored += 1
    return IngestResult(ack, stored, duplicates)
