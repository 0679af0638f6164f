"""Copies of a store taken with SQLite's online backup, and what one copy
lacks of another, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.eventlog.snapshot import missing_events, snapshot
from common.eventlog.store import EventStore, StoreError, verify_file

LANE = "GBDVR-IN-03"


def _store(path: Path, lane: str, notes: int) -> Path:
    with EventStore(path, lane) as store:
        for n in range(notes):
            store.append("note.added", {"n": n}, "ana")
    return path


def test_a_copy_of_an_open_store_is_whole_and_replaces_its_destination(tmp_path: Path) -> None:
    dest = tmp_path / "backup" / "lane.sqlite3"
    with EventStore(tmp_path / "lane.sqlite3", LANE) as live:
        for n in range(3):
            live.append("note.added", {"n": n}, "ana")
        with snapshot(live.path, dest) as copy:
            assert verify_file(copy).checked == 3
            assert not dest.exists()  # nothing is in place until the block is done
        live.append("note.added", {"n": 3}, "ana")  # the server goes on
    assert (verify_file(dest).ok, verify_file(dest).checked) == (True, 3)
    assert list(dest.parent.iterdir()) == [dest]  # one self-contained file, no log beside it


def test_a_failed_check_leaves_the_earlier_copy_as_it_was(tmp_path: Path) -> None:
    live = _store(tmp_path / "lane.sqlite3", LANE, 4)
    dest = tmp_path / "backup" / "lane.sqlite3"
    with snapshot(live, dest):
        pass
    before = dest.read_bytes()
    _store(live, LANE, 1)
    with pytest.raises(RuntimeError, match="the check said no"):
        with snapshot(live, dest):
            raise RuntimeError("the check said no")
    assert dest.read_bytes() == before
    assert sorted(p.name for p in dest.parent.iterdir()) == ["lane.sqlite3"]


def test_missing_events_compares_keys_and_hashes(tmp_path: Path) -> None:
    live = _store(tmp_path / "lane.sqlite3", LANE, 3)
    early = tmp_path / "early.sqlite3"
    with snapshot(live, early):
        pass
    _store(live, LANE, 2)
    other_lane = _store(tmp_path / "other.sqlite3", "OTHER-LANE", 5)

    assert not missing_events(early, live)  # the live store holds everything the early copy does
    lacked = missing_events(live, early)
    assert (lacked.count, lacked.first) == (2, (4,))
    assert (missing_events(live, other_lane).count, missing_events(live, other_lane).first) == (5, (1,))


def test_a_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no event store here"):
        with snapshot(tmp_path / "absent.sqlite3", tmp_path / "copy.sqlite3"):
            pass
    assert not (tmp_path / "copy.sqlite3").exists()


def test_a_store_is_never_copied_onto_itself(tmp_path: Path) -> None:
    live = _store(tmp_path / "lane.sqlite3", LANE, 2)
    before = live.read_bytes()
    with pytest.raises(StoreError, match="that is the store itself"):
        with snapshot(live, tmp_path / "." / "lane.sqlite3"):
            pass
    assert live.read_bytes() == before
