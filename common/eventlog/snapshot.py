"""Consistent copies of a live SQLite store, and what one copy lacks of another.

A copy of a store that a server is writing to cannot be made with ``cp``:
the file and its write-ahead log change under the copier, and the copy may
hold half a transaction. SQLite's online backup API copies the database
as one read transaction sees it (one step, so a writer in another process
never makes it start over): a snapshot of whole transactions, taken
beside the writer without stopping it.

A copy is made in a hidden temporary file beside its destination, checked
by the caller, written to disk, and only then renamed over the destination
in one step: a crash or a failed check leaves the destination as it was.

Copies are compared by their events' keys and hashes
(:func:`missing_events`): an event counts as held only if the other file
has the same key with the same hash, so a copy of another lane, or of a
store whose history forked, is seen to lack them.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from common.eventlog.store import StoreError, open_readonly, readonly_uri


@contextmanager
def snapshot(source: Path, dest: Path) -> Iterator[Path]:
    """A consistent copy of the store at ``source``, in a temporary file
    beside ``dest``, for the block to check. When the block ends without an
    exception the copy is synced and renamed over ``dest``; otherwise it is
    removed and ``dest`` is left as it was."""
    if dest.resolve() == source.resolve():  # a live store replaced by a copy of itself loses what is written meanwhile
        raise StoreError(f"{dest}: that is the store itself; copy it into another folder")
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(f"{dest}: cannot write here: {exc}") from exc
    try:
        _copy(source, partial)
        yield partial
        _publish(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


def _copy(source: Path, partial: Path) -> None:
    reader = open_readonly(source)
    try:
        writer = sqlite3.connect(partial)
        try:
            reader.backup(writer)  # pages=-1: the whole file in one read transaction
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            writer.close()
    except sqlite3.Error as exc:
        raise StoreError(f"{source}: cannot copy: {exc}") from exc
    finally:
        reader.close()


def _publish(partial: Path, dest: Path) -> None:
    """Put a finished copy in place: on disk first, then renamed in one step."""
    try:
        with open(partial, "rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, dest)
        sync_folder(dest.parent)
    except OSError as exc:
        raise StoreError(f"{dest}: cannot write the copy: {exc}") from exc


def sync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def check_whole(path: Path) -> None:
    """:class:`StoreError` unless SQLite finds the file whole (``quick_check``)."""
    conn = open_readonly(path)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable SQLite database: {exc}") from exc
    finally:
        conn.close()
    if problems != ["ok"]:
        raise StoreError(f"{path}: the database is damaged: {'; '.join(problems)}")


@dataclass(frozen=True)
class Missing:
    """Events of one store that another lacks: how many, and the first by key."""

    count: int
    first: tuple | None

    def __bool__(self) -> bool:
        return self.count > 0


def missing_events(holder: Path, other: Path, key: Sequence[str] = ("seq",)) -> Missing:
    """The events of ``holder`` that ``other`` does not hold with the same
    ``key`` columns and hash (both read-only; ``key`` is ``("lane", "seq")``
    for a hub store)."""
    conn = open_readonly(holder)
    try:
        conn.execute("ATTACH DATABASE ? AS other", (readonly_uri(other),))
        match = " AND ".join(f"o.{column} = e.{column}" for column in (*key, "hash"))
        lacking = f"FROM main.events e WHERE NOT EXISTS (SELECT 1 FROM other.events o WHERE {match})"
        count = conn.execute(f"SELECT count(*) {lacking}").fetchone()[0]
        first = conn.execute(f"SELECT {', '.join(key)} {lacking} ORDER BY {', '.join(key)} LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot compare {holder} with {other}: {exc}") from exc
    finally:
        conn.close()
    return Missing(count, first)
