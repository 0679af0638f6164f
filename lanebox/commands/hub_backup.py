"""``lanebox hub backup``: a consistent copy of the hub's store.

The embedded SQLite store is copied as :mod:`edge.backup` copies a lane's
(SQLite's online backup, beside running workers), checked whole — every
lane's chain walked — and never written over a copy that holds events the
store lacks. A PostgreSQL store is the database server's to copy: the
command prints the ``pg_dump`` line to run and exits 1, since it copied
nothing. It never runs pg_dump itself, so a password in the config's URL
never lands on a command line (where any user's ``ps`` reads it): the
printed line names no password; pg_dump takes it from ``~/.pgpass``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from common.eventlog.chain import verify_events
from common.eventlog.snapshot import check_whole, missing_events, snapshot
from common.eventlog.store import StoreError, open_readonly
from lanebox.shell import CommandError, config_or_exit, say_line
from sync.hub.config import load_hub_config

HUB_COPY = "hub.sqlite3"
PG_DUMP_FILE = "hub.pgdump"
HUB_KEY = ("lane", "seq")
_EVENT_COLUMNS = ("lane", "seq", "id", "type", "ts", "actor", "payload", "prev_hash", "hash")


@dataclass(frozen=True)
class HubCopy:
    """A hub store copy's contents: its events and lanes, and each broken chain's lane and seq."""

    events: int
    lanes: int
    broken: tuple[tuple[str, int | None], ...]


def check_hub_copy(path: Path) -> HubCopy:
    """Walk every lane's chain in a hub store file (read-only)."""
    check_whole(path)
    conn = open_readonly(path)
    try:
        rows = conn.execute(f"SELECT {', '.join(_EVENT_COLUMNS)} FROM events ORDER BY lane, seq")
        events, lanes, broken = 0, 0, []
        for lane, group in itertools.groupby(map(_event, rows), key=lambda event: event["lane"]):
            report = verify_events(group)
            lanes += 1
            events += report.checked
            if not report.ok:
                broken.append((lane, report.first_broken_seq))
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a lanebox hub store ({exc})") from exc
    finally:
        conn.close()
    return HubCopy(events, lanes, tuple(broken))


def _event(row: tuple) -> dict[str, Any]:
    event = dict(zip(_EVENT_COLUMNS, row))
    try:
        event["payload"] = json.loads(event["payload"])
    except ValueError:
        pass  # kept as text: its hash check then fails, naming the seq
    return event


def backup_sqlite_hub(store: Path, dest: Path) -> HubCopy:
    """Copy the hub's SQLite store into the folder ``dest`` (see the module)."""
    target = dest / HUB_COPY
    with snapshot(store, target) as copy:
        checked = check_hub_copy(copy)
        if checked.broken:
            lane, seq = checked.broken[0]
            raise StoreError(f"{store}: lane {lane}'s chain is broken at seq {seq}; no backup made")
        if target.exists() and (lacked := missing_events(target, copy, HUB_KEY)):
            raise StoreError(f"{target} holds {lacked.count} events the hub's store lacks (first: "
                             f"lane {lacked.first[0]} seq {lacked.first[1]}); not replacing that "
                             f"backup - back up into another folder")
    return checked


def pg_dump_command(url: str, dest: Path) -> tuple[str, bool]:
    """The pg_dump line that copies the hub database at ``url`` into ``dest``
    (the URL without its password), and whether ``url`` held one."""
    parts = urlsplit(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "password"]
    had_password = bool(password) or len(query) < len(parse_qsl(parts.query))
    safe_url = urlunsplit((parts.scheme, f"{user}@{hostport}" if user else hostport, parts.path,
                           urlencode(query), ""))
    command = shlex.join(["pg_dump", "--format=custom", f"--file={dest.resolve() / PG_DUMP_FILE}",
                          f"--dbname={safe_url}"])
    return command, had_password


def cmd_hub_backup(args: argparse.Namespace) -> int:
    config = config_or_exit(load_hub_config, args.config)
    if config.database is not None:
        command, had_password = pg_dump_command(config.database, args.dest)
        say_line(f"hub {config.hub_id} keeps its store in PostgreSQL: lanebox copies nothing; "
                 f"back it up with pg_dump (restore with pg_restore into an empty database):")
        say_line(command)
        if had_password:
            say_line("the config's URL holds a password, left out above: give it to pg_dump in "
                     "~/.pgpass (host:port:database:user:password), never on its command line")
        return 1
    try:
        copied = backup_sqlite_hub(config.store_path, args.dest)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    say_line(f"backed up hub {config.hub_id}: {copied.events} events of {copied.lanes} lanes, "
             f"every chain whole ({args.dest / HUB_COPY})")
    return 0


def add_hub_backup(actions: Any) -> None:
    """``hub backup``, one of ``lanebox hub``'s actions."""
    backup = actions.add_parser(
        "backup", help="copy the hub's store into a folder, beside running workers",
        description="Copy the hub's SQLite store (a consistent snapshot, safe while the hub runs) into "
                    "DEST, every lane's chain checked. For a PostgreSQL store, print the pg_dump "
                    "command to run instead (exit 1: nothing copied).")
    backup.add_argument("--config", type=Path, required=True, help="the hub's config file")
    backup.add_argument("dest", type=Path, metavar="DEST", help="the backup folder (made if missing)")
    backup.set_defaults(func=cmd_hub_backup)
