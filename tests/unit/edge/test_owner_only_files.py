"""A lane's store, its companions, its photos and its backups are owner-only
(files 0600, folders 0700) even when the process's umask would let anyone
read them (issue 12, item 13). The suite runs as root, so modes are
checked, not access."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator

import pytest

from edge.backup import backup_lane, restore_lane
from edge.store import lane_store_path, open_lane_store
from tests.support.officer_app import start_officer_app

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"item 13"


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """What a lane started from a careless shell (or ``umask 000``) inherits."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def readable_by_others(folder: Path) -> list[str]:
    """Every path under ``folder`` (itself included) with a group or other permission bit."""
    paths = [folder, *folder.rglob("*")]
    return [f"{path} {stat.filemode(path.lstat().st_mode)}" for path in paths if path.lstat().st_mode & 0o077]


def test_what_a_lane_run_writes_only_its_owner_reads(tmp_path: Path, permissive_umask: None) -> None:
    data_dir = tmp_path / "lane"
    app = start_officer_app(data_dir)
    try:
        upload = app.call("POST", "/photos", data=JPEG, headers={"Content-Type": "image/jpeg"})
        assert upload.status_code == 201
        app.inspection()
        store = lane_store_path(data_dir)
        for companion in ("-wal", "-shm"):  # SQLite's files beside the live store
            assert store.with_name(store.name + companion).exists()
        assert readable_by_others(data_dir) == []

        backup = tmp_path / "backups" / "monday"
        backup_lane(data_dir, backup)
        assert (backup / "photos" / upload.get_json()["sha256"]).exists()
        assert readable_by_others(backup) == []
    finally:
        app.server.stop()

    restored = tmp_path / "restored"
    restore_lane(restored, app.server.config.lane_id, backup)
    assert (restored / "photos" / upload.get_json()["sha256"]).exists()
    assert readable_by_others(restored) == []


def test_an_existing_store_left_readable_is_made_owner_only_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "lane"
    start_officer_app(data_dir).server.stop()
    for path in (data_dir, data_dir / "photos", lane_store_path(data_dir)):  # as an older lanebox left them
        path.chmod(0o755 if path.is_dir() else 0o644)
    with open_lane_store(lane_store_path(data_dir), "TEST-IN-02"):  # the server, or any lanebox command
        pass
    assert readable_by_others(data_dir) == []
