"""A lane's backup folder (store copy and photos) and its restore, in-process
on real files."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from common.eventlog.store import StoreError
from edge.backup import backup_lane, restore_lane
from edge.store import lane_photos_path, lane_store_path, open_lane_store

LANE = "GBDVR-IN-03"


def _inspect(data_dir: Path, photo: bytes) -> str:
    """An inspection citing a photo, as the lane stores them: the photo's file first."""
    sha256 = hashlib.sha256(photo).hexdigest()
    lane_photos_path(data_dir).mkdir(parents=True, exist_ok=True)
    (lane_photos_path(data_dir) / sha256).write_bytes(photo)
    with open_lane_store(lane_store_path(data_dir), LANE) as store:
        store.append("inspection.finding", {"inspection_id": sha256[:8], "photo": sha256}, "olga")
    return sha256


def _events(data_dir: Path) -> list[tuple]:
    conn = sqlite3.connect(lane_store_path(data_dir))
    try:
        return conn.execute("SELECT seq, hash FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


def test_a_lost_lane_comes_back_from_its_backup_with_its_photos(tmp_path: Path) -> None:
    data, backup = tmp_path / "data", tmp_path / "backup"
    first = _inspect(data, b"photo one")
    done = backup_lane(data, backup)
    assert (done.events, done.photos.copied) == (1, 1)
    second = _inspect(data, b"photo two")
    again = backup_lane(data, backup)  # into the same folder: the newer copy, the new photo
    assert (again.events, again.photos.copied, again.photos.present) == (2, 1, 1)
    held = _events(data)

    shutil.rmtree(data)  # the disk is lost
    restored = restore_lane(data, LANE, backup)
    assert (restored.store.events, restored.store.kept_as, restored.photos.copied) == (2, None, 2)
    assert _events(data) == held
    assert sorted(p.name for p in lane_photos_path(data).iterdir()) == sorted([first, second])
    with open_lane_store(lane_store_path(data), LANE) as store:  # and the lane goes on
        assert store.query("SELECT count(*) AS n FROM inspections") == [{"n": 2}]


def test_a_backup_holding_events_the_store_lacks_is_never_replaced(tmp_path: Path) -> None:
    data, backup = tmp_path / "data", tmp_path / "backup"
    _inspect(data, b"photo one")
    _inspect(data, b"photo two")
    backup_lane(data, backup)
    kept = (backup / "lane.sqlite3").read_bytes()
    shutil.rmtree(data)
    _inspect(data, b"a new store, started over")
    with pytest.raises(StoreError, match="holds 2 events this lane's store lacks.*another folder"):
        backup_lane(data, backup)
    assert (backup / "lane.sqlite3").read_bytes() == kept


def test_a_folder_without_a_backup_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no lane backup here"):
        restore_lane(tmp_path / "data", LANE, tmp_path)
    assert not (tmp_path / "data").exists()
