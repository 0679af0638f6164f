"""The lane's evidence store: an append-only, hash-chained event log in SQLite.

Records from here end up in court, so the store is built to lose nothing and
to show any change:

* every event is committed durably (WAL, ``synchronous=FULL``) before
  ``append`` returns, so an acknowledged event survives a kill -9 or a power
  cut;
* one writer thread owns the only write connection and commits whatever is
  queued in one transaction (group commit): one fsync serves many callers,
  which is what makes thousands of durable events per second possible;
* a client-made UUID per event makes retries idempotent: the same id with the
  same content returns the stored event, other content is a conflict;
* triggers refuse UPDATE and DELETE on ``events``, and the hash chain
  (:mod:`common.eventlog.chain`) shows any change made around them;
* a file that is damaged, foreign or belongs to another lane is refused with
  a message, never replaced by a fresh store;
* the schema is a numbered history (:mod:`common.eventlog.migrations`): an
  older store is upgraded in place at start, in one transaction, a newer one
  refused and left as it is.

Reads go through a small pool of read-only connections, so readers never
wait for the writer (WAL) and can never write.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Callable, ContextManager, Iterator, Sequence, TypeVar

from sqlite_utils import Database

from common.clock import utc_now_iso
from common.eventlog.chain import GENESIS_HASH, canonical_json, event_hash
from common.eventlog.file_lock import creation_lock
from common.eventlog.in_use import hold_open
from common.eventlog.migrations import Guard, Migration, check_history, migrate, missing_guards, refuse_newer
from common.eventlog.verify import COLUMNS, StoreReport, verify_store
from common.eventlog.views import NO_VIEWS, Projection, ProjectionFn, Views
from common.eventlog.writer import StoreError, Writer

__all__ = ["BARE_LOG", "EVENT_LOG", "TRIGGERS_RESTORED", "VIEWS_REBUILT", "AppendResult", "ConflictError",
           "EventStore", "InvalidEvent", "StoreError", "StoreReport", "open_readonly", "readonly_uri", "verify_file"]

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_PAYLOAD_BYTES = 1 << 20
MAX_ACTOR_LEN = 128
MAX_PAGE = 10_000
MAX_TYPES = 100
BUSY_TIMEOUT_S = 30.0
IDLE_READERS = 8

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM events"
_INSERT = (f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
           " ON CONFLICT (id) DO NOTHING")

TRIGGERS_RESTORED = "store.triggers_restored"
"""The event that records protective triggers found missing at start and put
back; its payload lists them."""
VIEWS_REBUILT = "store.views_rebuilt"
"""The event that records read models found differing from the chain and
rebuilt (:meth:`EventStore.mend_views`); its payload lists the differences."""

_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_TS_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|\+00:00)\Z", re.ASCII)
_TYPE_RE = re.compile(r"[a-z][a-z0-9_.-]{0,63}\Z")

_APPEND_ONLY = (
    Guard("events_no_update", "CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events "
                              "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"),
    Guard("events_no_delete", "CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events "
                              "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"),
)

EVENT_LOG = Migration(1, "the event log: events, meta, append-only triggers", (
    """CREATE TABLE "meta" (
   "key" TEXT PRIMARY KEY,
   "value" TEXT
)""",
    """CREATE TABLE "events" (
   "seq" INTEGER PRIMARY KEY NOT NULL,
   "id" TEXT NOT NULL,
   "lane" TEXT NOT NULL,
   "type" TEXT NOT NULL,
   "ts" TEXT NOT NULL,
   "actor" TEXT,
   "payload" TEXT NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL
)""",
    """CREATE UNIQUE INDEX "idx_events_id"
    ON "events" ("id")""",
    """CREATE INDEX "idx_events_type_seq"
    ON "events" ("type", "seq")""",
), _APPEND_ONLY)
"""Schema version 1, the first lanebox's event log (its SQL as that release made it)."""

BARE_LOG: tuple[Migration, ...] = (EVENT_LOG,)
"""The history of a bare event log; a store kind with more (the lane's,
:mod:`edge.migrations`) starts with :data:`EVENT_LOG` and adds its own."""


class ConflictError(Exception):
    """The event id is taken by an event with another type or payload (HTTP 409)."""

    def __init__(self, message: str, existing: dict[str, Any]) -> None:
        super().__init__(message)
        self.existing = existing


class InvalidEvent(ValueError):
    """The event cannot be stored as given; the message says why (HTTP 4xx)."""


@dataclass(frozen=True)
class AppendResult:
    """The stored event; ``created`` is False when an identical retry found it."""

    event: dict[str, Any]
    created: bool


@dataclass(frozen=True)
class _Draft:
    """An event validated on the caller's thread, waiting for its seq."""

    id: str
    type: str
    ts: str
    actor: str | None
    payload: dict[str, Any]
    payload_json: str


def _draft(type: str, payload: Any, actor: Any, id: Any, ts: Any) -> _Draft:
    if not isinstance(type, str) or not _TYPE_RE.match(type):
        raise InvalidEvent("type must be 1-64 chars of a-z, 0-9, '_', '.', '-', "
                           "starting with a letter")
    if not isinstance(payload, dict):
        raise InvalidEvent("payload must be a JSON object")
    try:
        payload_bytes = canonical_json(payload)
    except (TypeError, ValueError) as exc:
        raise InvalidEvent(f"payload is not storable JSON: {exc}") from None
    if len(payload_bytes) > MAX_PAYLOAD_BYTES:
        raise InvalidEvent(f"payload is larger than {MAX_PAYLOAD_BYTES} bytes")
    payload_json = payload_bytes.decode()
    if actor is not None and (not isinstance(actor, str) or not 0 < len(actor) <= MAX_ACTOR_LEN):
        raise InvalidEvent(f"actor must be null or a string of 1-{MAX_ACTOR_LEN} chars")
    if id is None:
        id = str(uuid.uuid4())
    elif not isinstance(id, str) or not _UUID_RE.match(id.lower()):
        raise InvalidEvent("id must be a UUID like 0b6c3a52-9d1e-4f7a-8c2b-5e4d3f2a1b0c")
    if ts is None:
        ts = utc_now_iso()
    elif not isinstance(ts, str) or not _TS_RE.match(ts) or not _parses(ts):
        raise InvalidEvent("ts must be ISO-8601 UTC like 2025-01-31T12:00:00.000Z")
    return _Draft(id.lower(), type, ts, actor, json.loads(payload_json), payload_json)


def _parses(ts: str) -> bool:
    try:
        datetime.fromisoformat(ts)
    except ValueError:
        return False
    return True


def _row_to_event(row: Sequence[Any]) -> dict[str, Any]:
    """An events row as an event dict."""
    event = dict(zip(COLUMNS, row))
    try:
        event["payload"] = json.loads(event["payload"])
    except (TypeError, ValueError):
        raise StoreError(f"event seq {event['seq']} is damaged (payload is not JSON); "
                         f"run verify") from None
    return event


class EventStore:
    """One lane's event log and its views in one SQLite file.

    ``create=False`` refuses to create a missing file (for commands that only
    inspect a store). ``migrations`` is the schema history this kind of
    store has (:mod:`common.eventlog.migrations`): an older store is
    upgraded at start, a newer one refused. Call :meth:`start` before use;
    :meth:`close` drains queued writes and stops the writer.
    """

    def __init__(self, path: str | Path, lane: str, *, create: bool = True, views: Views = NO_VIEWS,
                 migrations: Sequence[Migration] = BARE_LOG) -> None:
        if not isinstance(lane, str) or not lane:
            raise ValueError("lane must be a non-empty string")
        check_history(migrations)
        self.path = Path(path)
        self.lane = lane
        self._create = create
        self._views = views
        self._migrations = tuple(migrations)
        self._in_use: IO[str] | None = None
        self._projections: tuple[Projection, ...] = views.projections
        self._writer: Writer | None = None
        self._readers: _ReaderPool | None = None
        self._head: tuple[int, str] = (0, GENESIS_HASH)
        self._commit_listeners: list[Callable[[], None]] = []
        self._announced_seq = 0

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> "EventStore":
        """Open (or create) the store and start the writer thread.

        Raises :class:`StoreError` naming the file and the problem if the file
        is not a healthy lanebox store of this lane.
        """
        if self._writer is not None:
            raise RuntimeError("store already started")
        if not self._create and not self.path.exists():
            raise StoreError(f"{self.path}: no event store here")
        # held before connecting: a restore never swaps the file under an open store
        self._in_use = hold_open(self.path)
        try:
            conn, restored = self._open()
        except BaseException:
            self._release()
            raise
        self._readers = _ReaderPool(self.path)
        self._writer = Writer(conn, self._load_head, name=f"store-writer-{self.lane}", on_commit=self._committed)
        if restored:
            log.warning("%s: protective triggers were missing and are restored: %s",
                        self.path, ", ".join(restored))
            try:
                self.append(TRIGGERS_RESTORED, {"triggers": restored}, actor=None)
            except BaseException:
                self.close()
                raise
        return self

    def _open(self) -> tuple[sqlite3.Connection, list[str]]:
        """The write connection to a checked, migrated store, and the
        protective triggers that had to be put back."""
        with self._creating():
            existed = self.path.exists()
            conn = _open_write_connection(self.path, self._create)
            try:
                return conn, _prepare_schema(conn, self.path, self.lane, existed, self._views,
                                             self._migrations)
            except BaseException:
                conn.close()
                if not existed:  # what we just made holds nothing; leave no half-made store
                    for made in (self.path, _wal_path(self.path), _shm_path(self.path)):
                        made.unlink(missing_ok=True)
                raise

    def _release(self) -> None:
        if self._in_use is not None:
            self._in_use.close()
            self._in_use = None

    def _creating(self) -> ContextManager[None]:
        """While opening a store this command may create, hold its creation
        lock: another command may be creating it right now."""
        return creation_lock(self.path) if self._create else nullcontext()

    def close(self) -> None:
        """Finish every queued write, then close all connections."""
        writer, readers = self._writer, self._readers
        if writer is None or readers is None:
            return
        writer.stop()
        try:
            writer.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:  # the data is committed; only tidying failed
            log.info("%s: checkpoint at close skipped: %s", self.path, exc)
        writer.conn.close()
        readers.close()
        self._writer = None
        self._release()

    def __enter__(self) -> "EventStore":
        return self if self._writer is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------

    def append(self, type: str, payload: dict[str, Any], actor: str | None,
               id: str | None = None, ts: str | None = None) -> AppendResult:
        """Append one event and return once it is durably committed.

        Raises :class:`InvalidEvent` for bad input, :class:`ConflictError` if
        ``id`` exists with another type or payload, :class:`StoreError` if
        it could not be committed (then retry with the same id: the retry
        stores it once, whether or not the failed commit reached the disk).
        """
        draft = _draft(type, payload, actor, id, ts)
        return self._submit(lambda conn: self._insert(conn, draft), exclusive=False)

    def run_write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(conn)`` on the writer thread in its own ``BEGIN IMMEDIATE``
        transaction and return its result once committed.

        If ``fn`` raises, everything it wrote is rolled back and the exception
        is re-raised here. ``fn`` must not commit or roll back itself; it
        appends events with :meth:`append_in` so that a state change and its
        event are one atomic write.
        """
        return self._submit(fn, exclusive=True)

    def append_in(self, conn: sqlite3.Connection, type: str, payload: dict[str, Any],
                  actor: str | None, id: str | None = None, ts: str | None = None
                  ) -> AppendResult:
        """:meth:`append` for use inside a :meth:`run_write` function: the event
        commits (or rolls back) with the rest of that transaction."""
        writer = self._writer
        if writer is None or conn is not writer.conn or not writer.on_writer_thread():
            raise RuntimeError("append_in only works inside run_write, on the connection "
                               "it was given")
        draft = _draft(type, payload, actor, id, ts)
        # Its own savepoint: fn may catch a refusal and go on, and must not
        # then commit half an event.
        conn.execute("SAVEPOINT append_in")
        try:
            result = self._insert(conn, draft)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO append_in")
                conn.execute("RELEASE append_in")
            raise
        conn.execute("RELEASE append_in")
        return result

    def subscribe_commits(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every commit that stored new events (on the
        writer thread, so it must not block: set an event, wake a thread).
        This is how the sync agent hears of new events, whoever appended them."""
        self._commit_listeners.append(listener)

    def _committed(self) -> None:
        seq = self._head[0]
        if seq > self._announced_seq:
            self._announced_seq = seq
            for listener in self._commit_listeners:
                listener()

    def register_projection(self, event_type_prefix: str, fn: ProjectionFn,
                            tables: Sequence[str] = ()) -> None:
        """Call ``fn(conn, event)`` for every event whose type starts with the
        prefix, inside the append's transaction.

        ``tables`` are the view tables ``fn`` owns (created by the caller,
        e.g. in :meth:`run_write`); :meth:`rebuild_views` empties them before
        replaying. ``fn`` raises ``ValueError`` to refuse an event it cannot
        place (the append then fails with :class:`InvalidEvent`). Register
        before events of that type arrive, or rebuild afterwards.
        """
        self._projections = (*self._projections,
                             Projection(event_type_prefix, fn, tuple(tables)))

    def rebuild_views(self) -> int:
        """Empty every projection's tables and replay the whole log into them,
        in one transaction; returns the number of events replayed."""

        return self.run_write(self._rebuild_in)

    def _rebuild_in(self, conn: sqlite3.Connection) -> int:
        for table in dict.fromkeys(t for p in self._projections for t in p.tables):
            conn.execute(f"DELETE FROM [{table}]")
        replayed = 0
        for row in conn.execute(f"{_SELECT} ORDER BY seq"):
            self._project(conn, _row_to_event(row))
            replayed += 1
        return replayed

    def mend_views(self) -> StoreReport:
        """Verify; if the chain is whole but read models differ from it (someone
        changed them: nothing else writes them outside an append), rebuild them
        from the chain and record a :data:`VIEWS_REBUILT` event naming what
        differed, in one transaction, so the tampering stays on the record and
        reaches the hub. A broken chain is left as it is: replaying it would
        build the views from the tampered events. Returns the report as found."""
        report = self.verify()
        if report.first_broken_seq is not None or not report.views:
            return report
        log.warning("%s: read models differ from the chain, rebuilt: %s", self.path, "; ".join(report.views))

        def rebuild(conn: sqlite3.Connection) -> None:
            self._rebuild_in(conn)
            self.append_in(conn, VIEWS_REBUILT, {"differences": list(report.views)}, actor=None)

        self.run_write(rebuild)
        return report

    def _submit(self, fn: Callable[[sqlite3.Connection], T], exclusive: bool) -> T:
        writer = self._writer
        if writer is None:
            raise StoreError(f"{self.path}: store is not started")
        if writer.on_writer_thread():
            raise RuntimeError("called from inside a write; use append_in")

        def job(conn: sqlite3.Connection) -> T:
            head = self._head
            try:
                return fn(conn)
            except BaseException:
                self._head = head  # the job's writes are rolled back, so is the head
                raise

        return writer.submit(job, exclusive).wait()

    def _load_head(self, conn: sqlite3.Connection) -> None:
        """Read the chain's tip at the start of every write transaction, so a
        second process writing the same file (a CLI) never forks the chain."""
        row = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        self._head = (row[0], row[1]) if row else (0, GENESIS_HASH)

    def _insert(self, conn: sqlite3.Connection, draft: _Draft) -> AppendResult:
        """Insert and project one event, or find its identical twin. Runs inside
        a savepoint of the caller's: on an exception it may have written part."""
        seq, prev_hash = self._head
        event = {"seq": seq + 1, "id": draft.id, "lane": self.lane, "type": draft.type,
                 "ts": draft.ts, "actor": draft.actor, "payload": draft.payload,
                 "prev_hash": prev_hash}
        event["hash"] = event_hash(event, prev_hash)
        inserted = conn.execute(_INSERT, (*(event[c] for c in COLUMNS[:6]), draft.payload_json,
                                          prev_hash, event["hash"])).rowcount
        if not inserted:
            row = conn.execute(f"{_SELECT} WHERE id = ?", (draft.id,)).fetchone()
            existing = _row_to_event(row)
            if row[3] == draft.type and row[6] == draft.payload_json:
                return AppendResult(existing, created=False)
            raise ConflictError(f"event {draft.id} already exists (seq {row[0]}) with other "
                                f"content", existing)
        self._project(conn, event)
        self._head = (event["seq"], event["hash"])
        return AppendResult(event, created=True)

    def _project(self, conn: sqlite3.Connection, event: dict[str, Any]) -> None:
        for projection in self._projections:
            if event["type"].startswith(projection.prefix):
                try:
                    projection.fn(conn, event)
                except ValueError as exc:
                    raise InvalidEvent(f"seq {event['seq']}: {exc}") from exc

    # -- reading -------------------------------------------------------------

    def get(self, id: str) -> dict[str, Any] | None:
        """The event with this id, or None."""
        if not isinstance(id, str):
            return None
        rows = self._fetch(f"{_SELECT} WHERE id = ?", (id.lower(),))
        return _row_to_event(rows[0]) if rows else None

    def get_seq(self, seq: int) -> dict[str, Any] | None:
        """The event at this seq, or None."""
        rows = self._fetch(f"{_SELECT} WHERE seq = ?", (seq,))
        return _row_to_event(rows[0]) if rows else None

    def page(self, after_seq: int = 0, limit: int = 100, types: list[str] | None = None,
             before_seq: int | None = None) -> list[dict[str, Any]]:
        """Events with ``after_seq < seq < before_seq`` (optionally of the given
        types), ascending by seq.

        Without ``before_seq`` these are the first ``limit`` after
        ``after_seq`` (the sync cursor's way). With ``before_seq`` they are
        the last ``limit`` before it (paging back from the newest:
        ``page(before_seq=last_seq() + 1)``).
        """
        if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be 1-{MAX_PAGE}")
        if types is not None and len(types) > MAX_TYPES:
            raise ValueError(f"at most {MAX_TYPES} types")
        if types == []:
            return []
        where, params = ["seq > ?"], [int(after_seq)]
        if before_seq is not None:
            where.append("seq < ?")
            params.append(int(before_seq))
        if types:
            where.append(f"type IN ({', '.join('?' * len(types))})")
            params.extend(types)
        sql = f"{_SELECT} WHERE {' AND '.join(where)}"
        if before_seq is None:
            rows = self._fetch(f"{sql} ORDER BY seq LIMIT ?", (*params, limit))
        else:
            rows = self._fetch(f"{sql} ORDER BY seq DESC LIMIT ?", (*params, limit))[::-1]
        return [_row_to_event(row) for row in rows]

    def replay(self, types: list[str], batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every event of these types, oldest first (how state is rebuilt at start)."""
        after = 0
        while events := self.page(after_seq=after, limit=batch, types=types):
            yield from events
            after = events[-1]["seq"]

    def record_events(self, record_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Every event naming one of these records in its payload
        (``inspection_id``, ``seizure_id``, ``bag_id``: the ``record_events``
        view), ascending by seq, each once."""
        if not record_ids:
            return []
        marks = ", ".join("?" * len(record_ids))
        rows = self._fetch(f"{_SELECT} WHERE seq IN (SELECT seq FROM record_events "
                           f"WHERE record_id IN ({marks})) ORDER BY seq", tuple(record_ids))
        return [_row_to_event(row) for row in rows]

    def count(self) -> int:
        """Number of events stored."""
        return self._fetch("SELECT count(*) FROM events")[0][0]

    def last_seq(self) -> int:
        """Highest seq stored, 0 for an empty log."""
        return self._fetch("SELECT coalesce(max(seq), 0) FROM events")[0][0]

    def verify(self) -> StoreReport:
        """Walk the whole chain and compare every read model with a replay of it
        (:mod:`common.eventlog.verify`): ``ok`` only if both hold, so whatever
        says "the chain is whole" also vouches for the tables it read."""
        if self._readers is None:
            raise StoreError(f"{self.path}: store is not started")
        try:
            return verify_store(self.path, readonly_uri(self.path), self._views, self._projections)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot verify: {exc}") from exc

    def size_bytes(self) -> int:
        """Bytes on disk: the database file plus its write-ahead log."""
        return sum(p.stat().st_size for p in (self.path, _wal_path(self.path)) if p.exists())

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Run a read-only query (views, reports) and return rows as dicts."""
        with self._reader() as conn:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row)) for row in cursor]

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._reader() as conn:
            return conn.execute(sql, params).fetchall()

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        if self._readers is None:
            raise StoreError(f"{self.path}: store is not started")
        with self._readers.connection() as conn:
            yield conn


class _ReaderPool:
    """Read-only connections handed to one thread at a time.

    A pool rather than one per thread: a threaded web server starts a thread
    per request, and per-thread connections would pile up until collected.
    """

    def __init__(self, path: Path) -> None:
        self._uri = readonly_uri(path)
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise StoreError("store is closed")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_S)
        try:
            yield conn
        finally:
            with self._lock:
                keep = not self._closed and len(self._idle) < IDLE_READERS
                if keep:
                    self._idle.append(conn)
            if not keep:
                conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _shm_path(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


def readonly_uri(path: Path) -> str:
    """A URI that opens ``path`` read-only: it can never write to it, nor create it."""
    return path.resolve().as_uri() + "?mode=ro"


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing store file (safe beside a live
    server); :class:`StoreError` if there is no file."""
    if not path.is_file():
        raise StoreError(f"{path}: no event store here")
    try:
        return sqlite3.connect(readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open: {exc}") from exc


def _open_write_connection(path: Path, create: bool) -> sqlite3.Connection:
    """Open the write connection, refusing anything but an existing file or,
    if allowed, a brand-new one (making its folder)."""
    if not path.exists():
        if not create:
            raise StoreError(f"{path}: no event store here")
        if _wal_path(path).exists():
            raise StoreError(f"{path}: the store file is missing but its write-ahead log "
                             f"{_wal_path(path).name} is there; refusing to start a new store")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot make its folder: {exc}") from exc
    elif not path.is_file():
        raise StoreError(f"{path}: not a file")
    try:
        return sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open: {exc}") from exc


def _prepare_schema(conn: sqlite3.Connection, path: Path, lane: str, existed: bool,
                    views: Views, migrations: Sequence[Migration]) -> list[str]:
    """Check an existing store (or create a new one), switch to WAL with
    synchronous=FULL, migrate it to the newest schema and make sure its
    views and protective triggers exist, all in one transaction.
    Returns the names of protective triggers that had gone missing."""
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables:
            _check_existing(conn, path, lane, tables, migrations)
        elif existed:
            raise StoreError(f"{path}: the file holds no lanebox store (it is empty); refusing "
                             f"to start a new store over it - move it away to start afresh")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            raise StoreError(f"{path}: cannot use WAL journaling here (got {mode!r})")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            was = migrate(conn, path, migrations)
            missing = missing_guards(conn, migrations, was)
            for guard in missing:
                conn.execute(guard.sql)
            db = Database(conn, recursive_triggers=False, execute_plugins=False)
            views.create(db)
            if not was:
                db["meta"].insert_all([{"key": "lane", "value": lane},
                                       {"key": "created_at", "value": utc_now_iso()}])
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable SQLite database: {exc}") from exc
    return [guard.name for guard in missing]


def _check_existing(conn: sqlite3.Connection, path: Path, lane: str, tables: set[str],
                    migrations: Sequence[Migration]) -> None:
    """Refuse, before anything is written, a store that is not this lane's
    or that a newer lanebox made."""
    if not {"events", "meta"} <= tables:
        raise StoreError(f"{path}: not a lanebox event store (no events table); refusing to "
                         f"start a new store over it - move it away to start afresh")
    problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
    if problems != ["ok"]:
        detail = "; ".join(" ".join(problem.split()) for problem in problems)
        raise StoreError(f"{path}: the database is damaged: {detail}")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        raise StoreError(f"{path}: not a lanebox event store (no schema version); refusing to "
                         f"start a new store over it - move it away to start afresh")
    refuse_newer(path, version, migrations)
    row = conn.execute("SELECT value FROM meta WHERE key = 'lane'").fetchone()
    if row is None or row[0] != lane:
        raise StoreError(f"{path}: the store belongs to lane {row[0] if row else None!r}, "
                         f"not {lane!r}")


def verify_file(path: str | Path, views: Views = NO_VIEWS) -> StoreReport:
    """Verify a store without starting it: its chain, and the read models
    ``views`` keeps (the lane's, for a lane store). Read-only, creates
    nothing, so ``lanebox verify`` can run next to a live server."""
    path = Path(path)
    conn = open_readonly(path)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone() is None:
            raise StoreError(f"{path}: not a lanebox event store (no events table)")
        return verify_store(path, readonly_uri(path), views)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable SQLite database: {exc}") from exc
    finally:
        conn.close()
