"""``lanebox verify``, ``backup`` and ``restore``: keeping the evidence store
provably whole, copied, and back in place after a loss."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from common.eventlog.pinned_files import FilesCopied
from common.eventlog.store import StoreError
from lanebox.commands.lane import load_lane_config
from lanebox.shell import CommandError


def cmd_verify(args: argparse.Namespace) -> int:
    from common.eventlog.store import verify_file
    from edge.projections import LANE_VIEWS
    from edge.store import lane_store_path, open_lane_store

    if args.repair and args.config is None:
        raise CommandError("--repair needs --config: the lane's own store, not a copy", code=2)
    config = load_lane_config(args.config) if args.config is not None else None
    path = args.store if config is None else lane_store_path(config.data_dir)
    try:
        if config is not None and args.repair:
            with open_lane_store(path, config.lane_id, create=False) as store:  # a second writer, as the CLI is
                report = store.mend_views()
        else:
            report = verify_file(path, LANE_VIEWS)  # read-only: safe beside a running server
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    if report.ok:
        print(f"chain ok: {report.checked} events verified, derived tables match ({path})")
        return 0
    if report.first_broken_seq is not None:
        print(f"chain BROKEN at seq {report.first_broken_seq}: {report.reason} "
              f"({report.checked} events checked, {path})")
        return 1
    print(f"derived tables {'were REBUILT: they differed' if args.repair else 'DIFFER'} from the chain "
          f"({report.checked} events verified, {path}):")
    for difference in report.views:
        print(f"  {difference}")
    return 0 if args.repair else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from edge.backup import backup_lane

    config = load_lane_config(args.config)
    try:
        done = backup_lane(config.data_dir, args.dest)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    print(f"backed up lane {config.lane_id}: {done.events} events, chain ok ({done.store}); "
          f"{photos_line(done.photos)}")
    return 1 if done.photos.damaged else 0


def cmd_restore(args: argparse.Namespace) -> int:
    from edge.backup import restore_lane

    config = load_lane_config(args.config)
    try:
        done = restore_lane(config.data_dir, config.lane_id, args.source, force=args.force)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    restored = done.store
    print(f"restored lane {config.lane_id} from {args.source}: {restored.events} events; "
          f"{photos_line(done.photos)}")
    if restored.kept_as is not None:
        lacked = restored.lacked
        held = ("it could not be compared with the copy" if lacked is None else
                f"it held {lacked.count} events the copy lacks (from seq {lacked.first[0]})" if lacked else
                "the copy holds all its events")
        print(f"the store it replaced is kept as {restored.kept_as}; {held}")
    return 1 if done.photos.damaged else 0


def photos_line(photos: FilesCopied) -> str:
    """How a photo copy went, in one line; damaged photos by name (they are not copied)."""
    line = f"{photos.copied} photos copied, {photos.present} already there"
    if photos.damaged:
        line += (f"; {len(photos.damaged)} DAMAGED (bytes no longer match their name, not copied): "
                 f"{', '.join(photos.damaged)}")
    return line


def add_commands(sub: Any) -> None:
    verify = sub.add_parser("verify", help="check the lane's event hash chain and derived tables, or a copy's",
                            description="Walk an evidence log's hash chain and compare every table derived from "
                                        "it (inspections, seizures, calibrations, the record index) with a "
                                        "replay of it: the lane's (--config) or a copy's (--store). Exit 0 when "
                                        "whole, 1 naming the first broken link or each table row that differs.")
    which = verify.add_mutually_exclusive_group(required=True)
    which.add_argument("--config", type=Path, help="the lane's config file: check its store")
    which.add_argument("--store", type=Path, metavar="FILE", help="check this store file (a backup's lane.sqlite3)")
    verify.add_argument("--repair", action="store_true",
                        help="with --config: rebuild derived tables that differ from a whole chain, and record "
                             "it as a store.views_rebuilt event (safe beside the running lane)")
    verify.set_defaults(func=cmd_verify)

    backup = sub.add_parser("backup", help="copy the lane's store and photos into a folder, beside a running lane",
                            description="Copy the lane's evidence store (SQLite's online backup: a consistent "
                                        "snapshot, safe while the lane runs) and its new photos into DEST. "
                                        "A copy in DEST holding events the store lacks is never replaced.")
    backup.add_argument("--config", type=Path, required=True, help="the lane's config file")
    backup.add_argument("dest", type=Path, metavar="DEST", help="the backup folder (made if missing)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="put a backup back as the lane's store (lane stopped)",
                             description="Put the backup in SRC back as the lane's store and add its photos. "
                                         "Refused while the lane runs, and when the store holds events the "
                                         "backup lacks (unless --force). The replaced store is kept beside.")
    restore.add_argument("--config", type=Path, required=True, help="the lane's config file")
    restore.add_argument("source", type=Path, metavar="SRC", help="a folder made by lanebox backup")
    restore.add_argument("--force", action="store_true",
                         help="restore even though the store holds events the backup lacks")
    restore.set_defaults(func=cmd_restore)
