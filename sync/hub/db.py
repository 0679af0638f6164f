"""Where the hub keeps its store: one SQLite file, or a PostgreSQL database.

:class:`~sync.hub.store.HubStore` writes its SQL once, with ``?``
placeholders and nothing either engine lacks, and runs it through one of
these two backends:

- :class:`SqliteDatabase` — the embedded default: one writer thread with
  group commit (:class:`common.eventlog.writer.Writer`) and short-lived read-only
  connections beside it (WAL), as the lane's store does.
- :class:`PostgresDatabase` — for a port with dozens of lanes or several
  hub workers: a psycopg 3 connection pool; every write is its own
  transaction, committed (``synchronous_commit`` on, PostgreSQL's default)
  before the caller gets its answer, so an ack sent to a lane is durable.
  Writers of one lane's log are serialized by a transaction-scoped advisory
  lock, so two workers ingesting the same lane cannot interleave.

Both run the same versioned migrations (:mod:`sync.hub.migrations`) at
start, inside one transaction, and refuse a store newer than this code.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence, TypeVar

from common.eventlog.file_lock import creation_lock
from common.eventlog.migrations import run_steps
from common.eventlog.writer import StoreError, Writer
from common.owner_only import owner_only_folder, owner_only_store
from sync.hub.migrations import postgres_migrations, sqlite_migrations
from sync.hub.startup import first_line, retry_at_start, url_for_logs

log = logging.getLogger(__name__)

T = TypeVar("T")
BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 5
PING_WAIT_S = 2.0
"""How long /healthz and /metrics wait for a pooled connection. A load balancer's or
Prometheus's probe gives up within seconds; the pool's own wait (30 s) would have them
time out instead of hearing that the database is lost."""
POOL_MAX = 8
POSTGRES_PORT = 5432


class Connection(Protocol):
    """What hub SQL runs against: ``execute(sql, params)`` returning a DB-API cursor."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...


class HubDatabase(Protocol):
    """The interface :class:`~sync.hub.store.HubStore` needs from a backend."""

    kind: str
    where: str

    def open(self) -> int: ...
    def close(self) -> None: ...
    def write(self, fn: Callable[[Any], T], exclusive: bool = False) -> T: ...
    def read(self) -> Any: ...
    def lock_lane(self, conn: Any, lane: str) -> None: ...
    def ping(self) -> str | None: ...


def open_database(url_or_path: str | Path) -> HubDatabase:
    """The backend for ``[hub] database``: a ``postgresql://`` URL, else a SQLite file path."""
    text = str(url_or_path)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(text)
    return SqliteDatabase(Path(text))


class SqliteDatabase:
    """The hub store in one SQLite file (WAL, ``synchronous=FULL``)."""

    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self._writer: Writer | None = None

    def open(self) -> int:
        """Open or create the file and migrate it; returns the schema version.

        Several commands may start on a new store at once (``hub add-lane``
        for many lanes): :func:`~common.eventlog.file_lock.creation_lock` lets one create
        it while the others wait.
        """
        try:
            owner_only_folder(self.path.parent)  # every lane's events and the hub's users
            with creation_lock(self.path):
                existed = self.path.exists()
                conn = sqlite3.connect(str(self.path), isolation_level=None,
                                       check_same_thread=False, timeout=BUSY_TIMEOUT_S)
                version = self._open(conn, existed)
            owner_only_store(self.path)
            return version
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open: {exc}") from exc

    def _open(self, conn: sqlite3.Connection, existed: bool) -> int:
        try:
            version = self._prepare(conn, existed)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{self.path}: not a usable SQLite database: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        self._writer = Writer(conn, lambda _conn: None, name="hub-writer")
        return version

    def _prepare(self, conn: sqlite3.Connection, existed: bool) -> int:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if existed and not tables:
            raise StoreError(f"{self.path}: the file holds no lanebox hub store (it is empty); "
                             f"refusing to start a new store over it")
        if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] != "wal":
            raise StoreError(f"{self.path}: cannot use WAL journaling here")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if tables and version == 0:
                raise StoreError(f"{self.path}: not a lanebox hub store; refusing to start a "
                                 f"new store over it - move it away to start afresh")
            version = run_steps(conn, version, sqlite_migrations(), self.where)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return version

    def close(self) -> None:
        """Finish every queued write, then close."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.stop()
            writer.conn.close()

    def write(self, fn: Callable[[sqlite3.Connection], T], exclusive: bool = False) -> T:
        """Run ``fn`` on the writer thread; returns once its transaction committed."""
        if self._writer is None:
            raise StoreError(f"{self.where}: hub store is not started")
        return self._writer.submit(fn, exclusive).wait()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A short-lived read-only connection: WAL lets it run beside the writer."""
        try:
            conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True,
                                   timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.where}: cannot read: {exc}") from exc
        try:
            yield conn
        finally:
            conn.close()

    def lock_lane(self, conn: sqlite3.Connection, lane: str) -> None:
        """Nothing to do: the one writer thread already serializes every write."""

    def ping(self) -> str | None:
        """None when the file can be read, else why not."""
        try:
            with self.read() as conn:
                conn.execute("SELECT 1").fetchone()
        except (StoreError, sqlite3.Error) as exc:
            return str(exc)
        return None


@functools.lru_cache(maxsize=512)
def _to_pyformat(sql: str) -> str:
    """Hub SQL says ``?``; psycopg says ``%s`` (and a literal ``%`` is ``%%``)."""
    return sql.replace("%", "%%").replace("?", "%s")


class _PgConnection:
    """A psycopg connection that takes the hub's ``?`` SQL."""

    __slots__ = ("raw",)

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.raw.execute(_to_pyformat(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:  # psycopg pipelines the rows: one round trip
            cursor.executemany(_to_pyformat(sql), rows)


class PostgresDatabase:
    """The hub store in PostgreSQL, through a psycopg 3 connection pool."""

    kind = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = url_for_logs(url, POSTGRES_PORT)
        self._pool: Any = None

    def open(self) -> int:
        """Connect, then migrate under an advisory lock (several workers may start
        together); :class:`StoreError` if the server cannot be reached."""
        import psycopg
        from psycopg_pool import ConnectionPool

        try:
            with psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                version = self._prepare(conn)
        except psycopg.OperationalError as exc:
            raise StoreError(f"PostgreSQL at {self.where}: cannot connect: "
                             f"{first_line(exc)}") from exc
        self._pool = ConnectionPool(self.url, min_size=1, max_size=POOL_MAX, open=False,
                                    kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
                                    name="lanebox-hub")
        self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S * 2)
        return version

    def _prepare(self, conn: Any) -> int:
        wrapped = _PgConnection(conn)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('lanebox-hub-migrate'))")
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                tables = conn.execute("SELECT count(*) FROM information_schema.tables WHERE "
                                      "table_schema = current_schema() AND table_name "
                                      "<> 'schema_version'").fetchone()[0]
                if tables:
                    raise StoreError(f"PostgreSQL at {self.where}: the database holds other "
                                     f"tables; give the hub a database of its own")
                conn.execute("INSERT INTO schema_version VALUES (0)")
                row = (0,)
            version = run_steps(wrapped, row[0], postgres_migrations(), self.where)
            conn.execute("UPDATE schema_version SET version = %s", (version,))
        return version

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def _connection(self) -> Any:
        if self._pool is None:
            raise StoreError(f"PostgreSQL at {self.where}: hub store is not started")
        return self._pool.connection()

    def write(self, fn: Callable[[Any], T], exclusive: bool = False) -> T:
        """Run ``fn`` in a transaction of its own; returns once it has committed."""
        import psycopg

        try:
            with self._connection() as conn:
                with conn.transaction():
                    return fn(_PgConnection(conn))
        except psycopg.OperationalError as exc:
            raise StoreError(f"PostgreSQL at {self.where}: write not committed: "
                             f"{first_line(exc)}") from exc

    @contextmanager
    def read(self, wait_s: float | None = None) -> Iterator[_PgConnection]:
        """A pooled connection for reads (its transaction ends when handed back),
        waited for up to ``wait_s`` (None: the pool's own wait); before
        :meth:`open`, a connection of its own, as SQLite reads a file nobody
        opened for writing."""
        import psycopg

        try:
            if self._pool is None:
                with psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                    yield _PgConnection(conn)
            else:
                with self._pool.connection(timeout=wait_s) as conn:
                    yield _PgConnection(conn)
        except psycopg.OperationalError as exc:
            raise StoreError(f"PostgreSQL at {self.where}: cannot read: "
                             f"{first_line(exc)}") from exc

    def lock_lane(self, conn: _PgConnection, lane: str) -> None:
        """Hold the lane's advisory lock until this transaction ends: one writer per lane."""
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(?))", ("lane:" + lane,))

    def ping(self) -> str | None:
        """None when PostgreSQL answers within :data:`PING_WAIT_S`, else why not."""
        try:
            with self.read(wait_s=PING_WAIT_S) as conn:
                conn.execute("SELECT 1").fetchone()
        except Exception as exc:  # any failure is an unhealthy database, reported not raised
            return first_line(exc)
        return None


def wait_for_database(db: HubDatabase, *, retry_s: float = 2.0, attempts: int | None = None,
                      sleep: Callable[[float], None] = time.sleep) -> int:
    """Open ``db``, retrying while its server is unreachable (a hub started
    before its database); a SQLite file is there or not, so it is tried once."""
    if db.kind == "sqlite":
        return db.open()
    return retry_at_start(db.open, StoreError, retry_s=retry_s, attempts=attempts, sleep=sleep)
