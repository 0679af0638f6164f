"""The hub's SQLite store and its folder are owner-only whatever the
process's umask (issue 12, item 13)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from common.eventlog.chain import GENESIS_HASH
from sync.hub.db import open_database


def test_the_hub_store_only_its_owner_reads(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        database = open_database(tmp_path / "hub" / "hub.sqlite3")
        database.open()
        try:
            database.write(lambda conn: conn.execute(
                "INSERT INTO events (lane, seq, id, type, ts, actor, payload, prev_hash, hash, received_at) "
                "VALUES ('L1', 1, 'id-1', 't', '2026-01-01T00:00:00.000Z', NULL, '{}', ?, 'h1', "
                "'2026-01-01T00:00:00.000Z')", (GENESIS_HASH,)))
            folder = tmp_path / "hub"
            assert (folder / "hub.sqlite3-wal").exists()
            loose = [f"{p} {stat.filemode(p.stat().st_mode)}" for p in (folder, *folder.iterdir())
                     if p.stat().st_mode & 0o077]
            assert loose == []
        finally:
            database.close()
    finally:
        os.umask(old)
