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

A backup holds what the store holds (passport lines, password hashes): its
folder is owner-only before anything is copied into it, and so is every
file in it afterwards (:mod:`common.owner_only`); a restore leaves the
lane's store and photos so too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.eventlog.pinned_files import FilesCopied, copy_new_files
from common.eventlog.restore import Restored, restore_store
from common.eventlog.snapshot import missing_events, snapshot
from common.eventlog.store import StoreError, verify_file
from common.owner_only import owner_only_folder, owner_only_store, owner_only_tree
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
    owner_only_folder(dest)  # before the copy is in it: snapshot makes it with the umask's mode
    with snapshot(source, target) as copy:
        report = verify_file(copy)
        if not report.ok:
            raise StoreError(f"{source}: the chain is broken at seq {report.first_broken_seq} "
                             f"({report.reason}); no backup made - see lanebox verify")
        if target.exists() and (lacked := missing_events(target, copy)):
            raise StoreError(f"{target} holds {lacked.count} events this lane's store lacks (from "
                             f"seq {lacked.first[0]}); not replacing that backup - back up into "
                             f"another folder")
    owner_only_folder(dest / PHOTOS)
    photos = copy_new_files(lane_photos_path(data_dir), dest / PHOTOS)
    owner_only_tree(dest)
    return BackupDone(target, report.checked, photos)


def restore_lane(data_dir: Path, lane: str, source: Path, *, force: bool = False) -> RestoreDone:
    """Put the backup in the folder ``source`` back as the lane's store and
    add its photos the lane lacks; a refusal changes nothing."""
    copy = source / STORE_FILE
    if not copy.is_file():
        raise StoreError(f"{source}: no lane backup here (no {STORE_FILE})")
    owner_only_folder(data_dir, create=False)  # a refusal makes nothing, not even the folder
    restored = restore_store(copy, lane_store_path(data_dir), lane, LANE_MIGRATIONS, force=force)
    owner_only_folder(data_dir)
    owner_only_store(lane_store_path(data_dir))
    owner_only_folder(lane_photos_path(data_dir))
    photos = copy_new_files(source / PHOTOS, lane_photos_path(data_dir))
    owner_only_tree(lane_photos_path(data_dir))
    return RestoreDone(restored, photos)
