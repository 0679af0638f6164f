"""Copying SHA-256-named files: only what the other side lacks, only whole,
only bytes that still match their name."""

from __future__ import annotations

import hashlib
from pathlib import Path

from common.eventlog.pinned_files import copy_new_files


def _put(folder: Path, data: bytes) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(data).hexdigest()
    (folder / name).write_bytes(data)
    return name


def test_new_files_are_copied_and_present_ones_counted(tmp_path: Path) -> None:
    source, dest = tmp_path / "photos", tmp_path / "backup" / "photos"
    first = _put(source, b"first photo")
    assert vars(copy_new_files(source, dest)) == {"copied": 1, "present": 0, "damaged": []}
    second = _put(source, b"second photo")
    assert vars(copy_new_files(source, dest)) == {"copied": 1, "present": 1, "damaged": []}
    assert sorted(p.name for p in dest.iterdir()) == sorted([first, second])
    assert (dest / second).read_bytes() == b"second photo"


def test_a_file_whose_bytes_changed_is_reported_not_copied(tmp_path: Path) -> None:
    source, dest = tmp_path / "photos", tmp_path / "backup"
    name = _put(source, b"the original")
    (source / name).write_bytes(b"changed later")
    (source / ".upload.tmp").write_bytes(b"half an upload")  # not evidence: left out
    assert vars(copy_new_files(source, dest)) == {"copied": 0, "present": 0, "damaged": [name]}
    assert list(dest.iterdir()) == []


def test_a_missing_source_copies_nothing(tmp_path: Path) -> None:
    assert vars(copy_new_files(tmp_path / "none", tmp_path / "dest")) == {
        "copied": 0, "present": 0, "damaged": []}
