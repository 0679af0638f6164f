"""A lane's backup: its store and its photos, copied beside a live server,
and put back only while the lane is stopped.

A backup is a folder: ``lane.sqlite3`` (a consistent copy of the store,
:mod:`common.eventlog.snapshot`) and ``photos/`` (the evidence photos,
named by their SHA-256). Backing up into the same folder again replaces
the store copy and adds the new photos. The store is copied first and the
photos after: a photo is on disk before the event that cites it is
written, so every photo the copied events cite is in the backup.

A backup never replaces a store copy that holds events the lane's store
lacks (a copy of another lane, or of a store since replaced): that copy
may be the only one left. A restore follows :mod:`common.eventlog.restore`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.eventlog.pinned_files import FilesCopied, copy_new_files
from common.eventlog.restore import Restored, restore_store
from common.eventlog.snapshot import missing_events, snapshot
from common.eventlog.store import StoreError, verify_file
from edge.migrations import LANE_MIGRATIONS
from edge.store import PHOTOS, STORE_FILE, lane_photos_path, lane_store_path


@dataclass(frozen=True)
class BackupDone:
    """A backup made: where the store copy is, its events, the photos copied."""

    store: Path
    events: int
    photos: FilesCopied


@dataclass(frozen=True)
class RestoreDone:
    """A restore made: the store's part and the photos copied back."""

    store: Restored
    photos: FilesCopied


def backup_lane(data_dir: Path, dest: Path) -> BackupDone:
    """Copy the lane's store and new photos into the folder ``dest``;
    :class:`StoreError` (and the earlier backup in ``dest`` left as it was)
    if the copy's chain is broken or that backup holds events the store lacks."""
    source, target = lane_store_path(data_dir), dest / STORE_FILE
    with snapshot(source, target) as copy:
        report = verify_file(copy)
        if not report.ok:
            raise StoreError(f"{source}: the chain is broken at seq {report.first_broken_seq} "
                             f"({report.reason}); no backup made - see lanebox verify")
        if target.exists() and (lacked := missing_events(target, copy)):
            raise StoreError(f"{target} holds {lacked.count} events this lane's store lacks (from "
                             f"seq {lacked.first[0]}); not replacing that backup - back up into "
                             f"another folder")
    return BackupDone(target, report.checked, copy_new_files(lane_photos_path(data_dir), dest / PHOTOS))


def restore_lane(data_dir: Path, lane: str, source: Path, *, force: bool = False) -> RestoreDone:
    """Put the backup in the folder ``source`` back as the lane's store and
    add its photos the lane lacks; a refusal changes nothing."""
    copy = source / STORE_FILE
    if not copy.is_file():
        raise StoreError(f"{source}: no lane backup here (no {STORE_FILE})")
    restored = restore_store(copy, lane_store_path(data_dir), lane, LANE_MIGRATIONS, force=force)
    return RestoreDone(restored, copy_new_files(source / PHOTOS, lane_photos_path(data_dir)))
