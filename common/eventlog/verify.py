"""Verifying a store whole: its hash chain, and the read models derived from it.

The chain (:mod:`common.eventlog.chain`) shows any change to the events. The
read models (:mod:`common.eventlog.views`) are tables written beside them,
and nothing in the chain protects those: deleting one row of the lane's
``record_events`` index hid a custody handover from the seizure view and its
PDF while the chain was still whole. So a store is only called whole when
both hold: every link of the chain, and every derived table equal, row for
row, to what replaying the chain into fresh tables gives.

Both are checked in one pass and one read transaction, so they see the same
moment of a live store: a private temporary database attaches the store file
read-only, the events are walked once (each one hashed and replayed into the
temporary tables), then each derived table is compared with the stored one.
Nothing is ever written to the store. A difference in a derived table is
named (table, which rows, missing, extra or changed); mending it is
:meth:`EventStore.rebuild_views`'s job, not this module's.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from sqlite_utils import Database

from common.eventlog.chain import GENESIS_HASH, HASHED_FIELDS, verify_events
from common.eventlog.views import Projection, Views

__all__ = ["COLUMNS", "StoreReport", "verify_store"]

COLUMNS = (*HASHED_FIELDS, "hash")
"""An event's columns in the store, in order."""
SHOWN_ROWS = 3
"""Rows named per kind of difference; the rest are counted."""


@dataclass(frozen=True)
class StoreReport:
    """Outcome of verifying a store: ``ok`` only when the chain is whole *and*
    every derived table matches it.

    ``checked``, ``first_broken_seq`` and ``reason`` are the chain's (as in
    :class:`~common.eventlog.chain.ChainReport`); when only derived tables
    differ, ``first_broken_seq`` stays None and ``reason`` says which.
    ``head_seq``/``head_hash`` are the last event found sound (0 and the
    genesis hash for an empty log): what a hub that holds the same seq must
    hold too. ``views`` names each difference found in a derived table.
    """

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    views: tuple[str, ...] = ()


class _Replay:
    """Feeds the stored events to the chain walk, replaying each into the
    fresh tables as it passes and remembering the last two hashes by seq (the
    walk stops on the event that breaks, so the sound head is the one before)."""

    def __init__(self, conn: sqlite3.Connection, projections: Sequence[Projection]) -> None:
        self._conn = conn
        self._projections = projections
        self.hashes: dict[Any, Any] = {}
        self.failures: list[str] = []

    def events(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            event = dict(zip(COLUMNS, row))
            try:
                event["payload"] = json.loads(event["payload"])
            except (TypeError, ValueError):
                pass  # left as text: the chain walk then fails its hash
            else:
                self._project(event)
            self.hashes = {**dict(list(self.hashes.items())[-1:]), event["seq"]: event["hash"]}
            yield event

    def _project(self, event: dict[str, Any]) -> None:
        for projection in self._projections:
            if isinstance(event["type"], str) and event["type"].startswith(projection.prefix):
                try:
                    projection.fn(self._conn, event)
                except Exception as exc:  # a sound event always projected; say why this one did not
                    self.failures.append(f"seq {event['seq']} ({event['type']}) cannot be replayed "
                                         f"into {', '.join(projection.tables) or 'its tables'}: {exc}")


def verify_store(path: Path, readonly_uri: str, views: Views,
                 projections: Sequence[Projection] | None = None) -> StoreReport:
    """Walk the chain of the store at ``readonly_uri`` and compare its derived
    tables with a replay of it. ``projections`` defaults to ``views``'; a
    store with projections registered at run time passes all of its own.
    Raises ``sqlite3.DatabaseError`` for a file SQLite cannot read."""
    projections = tuple(views.projections if projections is None else projections)
    conn = sqlite3.connect("file:", uri=True, isolation_level=None)  # private, spills to disk
    try:
        views.create(Database(conn, recursive_triggers=False, execute_plugins=False))
        conn.execute("ATTACH DATABASE ? AS stored", (readonly_uri,))
        conn.execute("BEGIN")  # one read transaction: the walk and the comparison see one moment
        tables = tuple(dict.fromkeys(t for p in projections for t in p.tables))
        missing = _copy_missing_tables(conn, tables)
        replay = _Replay(conn, projections)
        rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM stored.events ORDER BY seq")
        chain = verify_events(replay.events(rows))
        head = (chain.checked, replay.hashes.get(chain.checked, GENESIS_HASH) if chain.checked else GENESIS_HASH)
        differences: tuple[str, ...] = ()
        if chain.ok:
            differences = (*missing, *replay.failures[:SHOWN_ROWS],
                           *(d for t in tables if t not in missing for d in _compare(conn, t)))
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    if not chain.ok:
        return StoreReport(False, chain.checked, chain.first_broken_seq, chain.reason, *head)
    if differences:
        return StoreReport(False, chain.checked, None,
                           "derived tables differ from the chain: " + "; ".join(differences), *head,
                           views=differences)
    return StoreReport(True, chain.checked, None, None, *head)


def _copy_missing_tables(conn: sqlite3.Connection, tables: Sequence[str]) -> list[str]:
    """Make, from the store's own definition, the tables a run-time projection
    owns that ``views.create`` did not; the names of those the store lacks."""
    lacking = []
    for table in tables:
        if _exists(conn, "main", table):
            continue
        row = conn.execute("SELECT sql FROM stored.sqlite_master WHERE type = 'table' AND name = ?",
                           (table,)).fetchone()
        if row is None:
            lacking.append(table)
            continue
        conn.execute(row[0])
    return [f"{table}: the table is missing" for table in lacking]


def _exists(conn: sqlite3.Connection, schema: str, table: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?",
                        (table,)).fetchone() is not None


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[tuple[str, int]]:
    """``(name, primary-key position)`` of each column."""
    return [(row[1], row[5]) for row in conn.execute(f"PRAGMA {schema}.table_info([{table}])")]


def _compare(conn: sqlite3.Connection, table: str) -> list[str]:
    """How the stored ``table`` differs from the replayed one: rows missing,
    rows no event accounts for, rows whose content changed (by primary key)."""
    if not _exists(conn, "stored", table):
        return [f"{table}: the table is missing"]
    columns = _columns(conn, "main", table)
    if sorted(columns) != sorted(_columns(conn, "stored", table)):
        return [f"{table}: its columns are not the ones the lane makes"]
    names = ", ".join(f"[{name}]" for name, _ in columns)
    keys = [name for name, pk in sorted(columns, key=lambda c: c[1]) if pk] or [name for name, _ in columns]
    key_at = [[name for name, _ in columns].index(key) for key in keys]

    def only_in(first: str, second: str) -> dict[tuple[Any, ...], None]:
        rows = conn.execute(f"SELECT {names} FROM {first}.[{table}] EXCEPT SELECT {names} FROM {second}.[{table}]")
        return dict.fromkeys(tuple(row[i] for i in key_at) for row in rows)

    lost, added = only_in("main", "stored"), only_in("stored", "main")
    changed = [key for key in lost if key in added]
    kinds = (("missing", [k for k in lost if k not in added]), ("changed", changed),
             ("not derived from any event", [k for k in added if k not in lost]))
    return [f"{table}: {_rows(len(found))} {kind} ({_named(keys, found)})" for kind, found in kinds if found]


def _rows(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''}"


def _named(keys: Sequence[str], found: Sequence[tuple[Any, ...]]) -> str:
    """The first few rows by their key, e.g. ``record_id='B-1', seq=14; ... and 2 more``."""
    shown = "; ".join(", ".join(f"{k}={v!r}" for k, v in zip(keys, key)) for key in found[:SHOWN_ROWS])
    more = len(found) - SHOWN_ROWS
    return shown + (f"; and {more} more" if more > 0 else "")
