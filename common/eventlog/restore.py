"""Putting a copy of a store back in place of the store, losing nothing.

A restore is refused, with nothing changed, when:

- the copy is not a whole store of this lane, its chain is broken, or a
  newer lanebox made it;
- any process has the store open (:mod:`common.eventlog.in_use`): a running
  server would go on writing to the file moved aside;
- the store holds events the copy lacks (by seq and hash,
  :func:`~common.eventlog.snapshot.missing_events`), unless ``force`` says
  to restore anyway.

Even then nothing is deleted: the store being replaced is kept beside as
``<store>.before-restore-<time>``, so an operator's mistake can be undone.
The copy is put in place in one rename, so the store is never missing.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from common.clock import utc_now_iso
from common.eventlog.in_use import sole_use
from common.eventlog.migrations import Migration, refuse_newer
from common.eventlog.snapshot import Missing, check_whole, missing_events, snapshot, sync_folder
from common.eventlog.store import StoreError, open_readonly, verify_file


@dataclass(frozen=True)
class Restored:
    """What a restore did: the events now in the store, where the store it
    replaced is kept (None when there was none), what that one held that the
    copy lacks (only ever non-empty with ``force``; None when it could not be
    compared)."""

    events: int
    kept_as: Path | None
    lacked: Missing | None


def check_copy(copy: Path, lane: str, migrations: Sequence[Migration]) -> int:
    """The number of events of a copy fit to restore; :class:`StoreError` saying why not."""
    check_whole(copy)
    conn = open_readonly(copy)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        owner = conn.execute("SELECT value FROM meta WHERE key = 'lane'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{copy}: not a lanebox event store ({exc})") from exc
    finally:
        conn.close()
    if version == 0:
        raise StoreError(f"{copy}: not a lanebox event store (no schema version)")
    refuse_newer(copy, version, migrations)
    if owner is None or owner[0] != lane:
        raise StoreError(f"{copy}: the copy belongs to lane {owner[0] if owner else None!r}, not {lane!r}")
    report = verify_file(copy)
    if not report.ok:
        raise StoreError(f"{copy}: the copy's chain is broken at seq {report.first_broken_seq} "
                         f"({report.reason}); not restoring it")
    return report.checked


def restore_store(copy: Path, store: Path, lane: str, migrations: Sequence[Migration], *,
                  force: bool = False) -> Restored:
    """Put ``copy`` in place of ``store`` (see the module's rules)."""
    if copy.resolve() == store.resolve():
        raise StoreError(f"{copy}: that is the store itself, not a copy of it")
    events = check_copy(copy, lane, migrations)
    with sole_use(store):
        kept_as, lacked = None, None
        if store.exists():
            lacked = _compare(store, copy, force)
            kept_as = _keep_beside(store)
        with snapshot(copy, store) as staged:
            check_whole(staged)
            _owned_like(staged, store.parent)
    return Restored(events, kept_as, lacked)


def _compare(store: Path, copy: Path, force: bool) -> Missing | None:
    """What ``store`` holds that ``copy`` lacks; refuses unless ``force``."""
    try:
        lacked = missing_events(store, copy)
    except StoreError as exc:
        if not force:
            raise StoreError(f"{exc}; restoring could lose what {store.name} holds - pass "
                             f"--force to restore anyway (it is kept beside)") from None
        return None
    finally:
        _settle(store)
    if lacked and not force:
        raise StoreError(f"{store} holds {lacked.count} events the copy lacks (from seq "
                         f"{lacked.first[0]}); restoring would lose them - pass --force to restore "
                         f"anyway (the store is kept beside)")
    return lacked


def _owned_like(path: Path, folder: Path) -> None:
    """A restore run as root leaves the store to the data folder's owner (the
    service's user), who could not write a store owned by root."""
    if os.geteuid() == 0:
        owner = folder.stat()
        os.chown(path, owner.st_uid, owner.st_gid)


def _settle(store: Path) -> None:
    """Fold the store's write-ahead log into its file and let SQLite remove
    the log and index files (nobody else has it open), so the file alone is
    the whole store and a refusal leaves the folder as it found it."""
    try:
        conn = sqlite3.connect(store)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # a damaged store: compared (or forced) as it is, and kept beside whole below


def _keep_beside(store: Path) -> Path:
    """Keep the store under a new name (its log and index files with it),
    leaving the store's own name to the copy."""
    stamp = utc_now_iso().replace("-", "").replace(":", "").split(".")[0] + "Z"
    kept = store.with_name(f"{store.name}.before-restore-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = store.with_name(f"{store.name}.before-restore-{stamp}.{n}")
    try:
        os.link(store, kept)  # the store's name is never without a file
        for suffix in ("-wal", "-shm"):
            side = store.with_name(store.name + suffix)
            if side.exists():
                os.replace(side, kept.with_name(kept.name + suffix))
        sync_folder(store.parent)
    except OSError as exc:
        raise StoreError(f"{store}: cannot keep it beside as {kept.name}: {exc}") from exc
    return kept
