"""Restoring a copy in place of a store: refused with nothing changed while
the store is open, when the copy is unfit, or when the store holds events
the copy lacks (unless forced); the replaced store is always kept."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from common.eventlog.restore import restore_store
from common.eventlog.snapshot import snapshot
from common.eventlog.store import BARE_LOG, EventStore, StoreError

LANE = "GBDVR-IN-03"


def _append(path: Path, notes: int, lane: str = LANE) -> None:
    with EventStore(path, lane) as store:
        for n in range(notes):
            store.append("note.added", {"n": n}, "ana")


def _copy(live: Path, copy: Path) -> Path:
    with snapshot(live, copy):
        pass
    return copy


def _hashes(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT hash FROM events ORDER BY seq")]
    finally:
        conn.close()


def _state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def live(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "lane.sqlite3"
    _append(path, 3)
    return path


def test_a_copy_goes_back_in_place_and_the_store_it_replaces_is_kept(live: Path, tmp_path: Path) -> None:
    copy = _copy(live, tmp_path / "backup.sqlite3")
    before = _hashes(live)
    restored = restore_store(copy, live, LANE, BARE_LOG)
    assert (restored.events, restored.lacked.count) == (3, 0)
    assert restored.kept_as.parent == live.parent and _hashes(restored.kept_as) == before
    assert _hashes(live) == before
    _append(live, 1)  # the restored store opens and goes on
    assert len(_hashes(live)) == 4


def test_a_missing_store_is_restored_from_the_copy(live: Path, tmp_path: Path) -> None:
    copy = _copy(live, tmp_path / "backup.sqlite3")
    fresh = tmp_path / "new-disk" / "lane.sqlite3"
    fresh.parent.mkdir()
    restored = restore_store(copy, fresh, LANE, BARE_LOG)
    assert (restored.events, restored.kept_as, restored.lacked) == (3, None, None)
    assert _hashes(fresh) == _hashes(live)


def test_refused_while_the_store_is_open(live: Path, tmp_path: Path) -> None:
    copy = _copy(live, tmp_path / "backup.sqlite3")
    with EventStore(live, LANE) as running:
        running.append("note.added", {"n": "while running"}, "ana")
        before = _state(live.parent)
        with pytest.raises(StoreError, match="open in a running lanebox.*stop it first"):
            restore_store(copy, live, LANE, BARE_LOG, force=True)
        assert _state(live.parent) == before


def test_refused_when_the_store_holds_events_the_copy_lacks_unless_forced(live: Path, tmp_path: Path) -> None:
    copy = _copy(live, tmp_path / "backup.sqlite3")
    _append(live, 2)
    before = _state(live.parent)
    with pytest.raises(StoreError, match="holds 2 events the copy lacks \\(from seq 4\\).*--force"):
        restore_store(copy, live, LANE, BARE_LOG)
    assert _state(live.parent) == before

    newest = _hashes(live)
    restored = restore_store(copy, live, LANE, BARE_LOG, force=True)
    assert (restored.lacked.count, restored.lacked.first) == (2, (4,))
    assert _hashes(restored.kept_as) == newest  # nothing is lost: the newer store is kept
    assert _hashes(live) == newest[:3]


def test_unfit_copies_are_refused_and_change_nothing(live: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    _append(other, 3, lane="OTHER-LANE")
    broken = _copy(live, tmp_path / "broken.sqlite3")
    conn = sqlite3.connect(broken)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET payload = '{\"n\":7}' WHERE seq = 2")
    conn.commit()
    conn.close()
    newer = _copy(live, tmp_path / "newer.sqlite3")
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 9")
    conn.close()
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database" * 500)

    before = _state(live.parent)
    for copy, why in ((other, "belongs to lane 'OTHER-LANE'"), (broken, "chain is broken at seq 2"),
                      (newer, "schema version 9 is newer"), (garbage, "not a usable SQLite database"),
                      (tmp_path / "absent.sqlite3", "no event store here"),
                      (live, "the store itself")):
        with pytest.raises(StoreError, match=why):
            restore_store(copy, live, LANE, BARE_LOG, force=True)
        assert _state(live.parent) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_restore_run_as_root_leaves_the_store_to_the_data_folders_owner(live: Path, tmp_path: Path) -> None:
    copy = _copy(live, tmp_path / "backup.sqlite3")
    data = tmp_path / "service-data"
    data.mkdir()
    os.chown(data, 4242, 4242)  # the service's user
    restore_store(copy, data / "lane.sqlite3", LANE, BARE_LOG)
    owner = (data / "lane.sqlite3").stat()
    assert (owner.st_uid, owner.st_gid) == (4242, 4242)
