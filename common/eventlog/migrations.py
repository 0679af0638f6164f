"""A store's schema as numbered migrations, run at start in one transaction.

A store records its schema version in ``PRAGMA user_version``. Whoever
opens a store says which history it knows (a list of :class:`Migration`,
version 1 first, no gaps); :func:`migrate` runs, inside the caller's
transaction, every step above the store's version. So a store of an older
lanebox is upgraded in place, all at once or not at all, and its events
are never touched: a step only adds tables, indexes and triggers. A store
of a newer version is refused, never downgraded.

A released migration is never edited: a change is a new migration at the
end. A migration's *guards* are the triggers the evidence relies on
(append-only, chain continuity): they are created with the migration and
put back at every later start if someone dropped them (:func:`missing_guards`),
and the store then records that they had gone.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Sequence

from common.eventlog.writer import StoreError

log = logging.getLogger(__name__)


class Guard(NamedTuple):
    """A trigger that must always be in force: its name and its ``CREATE TRIGGER IF NOT EXISTS``."""

    name: str
    sql: str


@dataclass(frozen=True)
class Migration:
    """One step of a schema history: ``statements`` run once, ``guards`` are kept in force."""

    version: int
    summary: str
    statements: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()


def check_history(migrations: Sequence[Migration]) -> int:
    """The newest version of a history; ``ValueError`` unless it numbers 1, 2, ... without gaps."""
    versions = [migration.version for migration in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, ... in order, not {versions}")
    return len(versions)


def refuse_newer(where: str | Path, version: int, migrations: Sequence[Migration]) -> None:
    """:class:`StoreError` in one line if the store is newer than this history."""
    newest = len(migrations)
    if version > newest:
        raise StoreError(f"{where}: store schema version {version} is newer than this lanebox "
                         f"knows ({newest}); upgrade lanebox to open it (the store is left as it is)")


def run_steps(conn: Any, version: int, migrations: Sequence[Migration], where: str | Path) -> int:
    """Run every step above ``version`` on ``conn``, inside the caller's
    transaction, and return the version the store is now at; a store newer
    than the history is refused. Where the version is kept is the caller's
    (SQLite's ``user_version``, a table on PostgreSQL)."""
    refuse_newer(where, version, migrations)
    for migration in migrations[version:]:
        if version:
            log.info("%s: upgrading the store to schema %d (%s)", where, migration.version,
                     migration.summary)
        try:
            for sql in (*migration.statements, *(guard.sql for guard in migration.guards)):
                conn.execute(sql)
        except sqlite3.Error as exc:
            raise StoreError(f"{where}: upgrading the store to schema {migration.version} failed "
                             f"({exc}); it is left at schema {version}") from exc
    return len(migrations)


def migrate(conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration]) -> int:
    """Bring the SQLite store on ``conn`` to the newest version, inside the
    caller's transaction (read its version there, so two processes opening an
    old store at once migrate it once); returns the version it was at (0: new)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute(f"PRAGMA user_version = {run_steps(conn, version, migrations, path)}")
    return version


def missing_guards(conn: sqlite3.Connection, migrations: Sequence[Migration], version: int) -> list[Guard]:
    """The guards of the migrations up to ``version`` that are not in the store now."""
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return [guard for migration in migrations[:version] for guard in migration.guards
            if guard.name not in present]
