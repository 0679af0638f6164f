"""The evidence store on real SQLite files: appending, reading, idempotent
retries, conflicts, concurrency, append-only triggers, refusing bad files,
and durability across a kill -9."""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from common.eventlog.store import ConflictError, EventStore, InvalidEvent, StoreError, verify_file

LANE = "GBDVR-IN-03"
@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[EventStore]:
    with EventStore(db_path, LANE) as opened:
        yield opened


def test_append_returns_the_stored_event_and_get_finds_it(store: EventStore) -> None:
    result = store.append("inspection.started", {"inspection_id": "i1", "plate": "AB12 CDE"}, "ana")
    event = result.event
    assert result.created
    assert set(event) == {"seq", "id", "lane", "type", "ts", "actor", "payload", "prev_hash",
                          "hash"}
    assert (event["seq"], event["lane"], event["actor"]) == (1, LANE, "ana")
    assert uuid.UUID(event["id"]).version == 4
    assert event["ts"].endswith("Z") and len(event["ts"]) == 24
    assert store.get(event["id"]) == event == store.get_seq(1)
    assert store.get(str(uuid.uuid4())) is None and store.get_seq(2) is None


def test_client_id_and_ts_are_kept(store: EventStore) -> None:
    event_id = str(uuid.uuid4())
    event = store.append("note.added", {"text": "offline"}, "ana", id=event_id.upper(),
                         ts="2025-01-31T12:00:00.123Z").event
    assert (event["id"], event["ts"]) == (event_id, "2025-01-31T12:00:00.123Z")


def test_page_by_cursor_type_and_backwards(store: EventStore) -> None:
    for n in range(10):
        store.append("a.even" if n % 2 == 0 else "b.odd", {"n": n}, None)
    assert [e["seq"] for e in store.page(after_seq=3, limit=4)] == [4, 5, 6, 7]
    assert [e["payload"]["n"] for e in store.page(types=["b.odd"])] == [1, 3, 5, 7, 9]
    assert [e["seq"] for e in store.page(before_seq=11, limit=3)] == [8, 9, 10]
    assert [e["seq"] for e in store.page(after_seq=2, before_seq=6)] == [3, 4, 5]
    assert store.page(types=[]) == []
    assert (store.count(), store.last_seq()) == (10, 10)
    with pytest.raises(ValueError):
        store.page(limit=0)


def test_a_retry_with_the_same_content_is_accepted_once(store: EventStore) -> None:
    event_id = str(uuid.uuid4())
    first = store.append("seizure.recorded", {"seizure_id": "s1", "items": [1, 2]}, "ana",
                         id=event_id)
    again = store.append("seizure.recorded", {"items": [1, 2], "seizure_id": "s1"}, "bob",
                         id=event_id)
    assert first.created and not again.created
    assert again.event == first.event
    assert store.count() == 1


@pytest.mark.parametrize("type_,payload", [("seizure.recorded", {"seizure_id": "s2"}),
                                           ("seizure.updated", {"seizure_id": "s1"})])
def test_the_same_id_with_other_content_is_a_conflict(store: EventStore, type_: str,
                                                      payload: dict) -> None:
    event_id = str(uuid.uuid4())
    first = store.append("seizure.recorded", {"seizure_id": "s1"}, "ana", id=event_id).event
    with pytest.raises(ConflictError) as raised:
        store.append(type_, payload, "ana", id=event_id)
    assert raised.value.existing == first
    assert store.count() == 1 and store.verify().ok


@pytest.mark.parametrize("kwargs,words", [
    ({"type": "Bad Type"}, "type"),
    ({"payload": [1, 2]}, "JSON object"),
    ({"payload": {"w": float("nan")}}, "storable"),
    ({"payload": {1: "x"}}, "storable"),
    ({"payload": {"blob": "x" * (1 << 20)}}, "larger"),
    ({"actor": ""}, "actor"),
    ({"id": "not-a-uuid"}, "UUID"),
    ({"ts": "2025-01-31 12:00:00"}, "ts"),
    ({"ts": "2025-02-30T12:00:00.000Z"}, "ts"),
    ({"ts": "2025-01-31T12:00:00.000+01:00"}, "ts"),
])
def test_invalid_events_are_refused_with_a_message(store: EventStore, kwargs: dict,
                                                   words: str) -> None:
    args = {"type": "note.added", "payload": {"text": "x"}, "actor": "ana", **kwargs}
    with pytest.raises(InvalidEvent, match=words):
        store.append(**args)
    assert store.count() == 0


def test_eight_concurrent_writers_keep_seq_contiguous_and_the_chain_whole(
        store: EventStore) -> None:
    per_writer = 150
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for n in range(per_writer):
                store.append("load.test", {"writer": writer, "n": n}, f"w{writer}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = store.page(limit=10_000)
    assert [e["seq"] for e in events] == list(range(1, 8 * per_writer + 1))
    for writer in range(8):  # each writer's events are in the order it wrote them
        assert [e["payload"]["n"] for e in events if e["actor"] == f"w{writer}"] == \
            list(range(per_writer))
    assert store.verify().ok and store.verify().checked == 8 * per_writer


def test_triggers_refuse_update_and_delete(store: EventStore, db_path: Path) -> None:
    store.append("note.added", {"text": "original"}, "ana")
    raw = sqlite3.connect(db_path)
    for sql in ("UPDATE events SET payload = '{}'", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(sql)
    raw.close()

    def forge(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE events SET actor = 'mallory'")

    with pytest.raises(sqlite3.IntegrityError):
        store.run_write(forge)
    assert store.get_seq(1)["actor"] == "ana"


def test_run_write_is_one_atomic_transaction(store: EventStore) -> None:
    store.run_write(lambda conn: conn.execute("CREATE TABLE things (name TEXT)"))

    def change_and_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO things VALUES ('lost')")
        store.append_in(conn, "thing.added", {"name": "lost"}, "ana")
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        store.run_write(change_and_fail)
    assert store.count() == 0 and store.query("SELECT * FROM things") == []

    def change(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO things VALUES ('kept')")
        return store.append_in(conn, "thing.added", {"name": "kept"}, "ana").event["seq"]

    assert store.run_write(change) == 1  # the failed write left no gap in seq
    assert store.query("SELECT name FROM things") == [{"name": "kept"}]
    assert store.verify().ok


def test_append_in_and_append_are_refused_where_they_would_misbehave(
        store: EventStore, db_path: Path) -> None:
    with pytest.raises(RuntimeError):
        store.append_in(sqlite3.connect(db_path), "x.y", {}, None)
    with pytest.raises(RuntimeError):
        store.run_write(lambda conn: store.append("x.y", {}, None))
    assert store.count() == 0


def test_restart_keeps_everything(db_path: Path) -> None:
    with EventStore(db_path, LANE) as store:
        appended = [store.append("note.added", {"n": n}, "ana").event for n in range(20)]
    with EventStore(db_path, LANE) as store:
        assert store.page(limit=100) == appended
        assert store.append("note.added", {"n": 20}, "ana").event["seq"] == 21
        assert store.verify().ok
        assert store.size_bytes() > 0
    assert verify_file(db_path).checked == 21


def test_a_closed_store_refuses_writes(db_path: Path) -> None:
    store = EventStore(db_path, LANE).start()
    store.close()
    with pytest.raises(StoreError):
        store.append("note.added", {}, None)


def test_two_stores_on_one_file_do_not_fork_the_chain(db_path: Path) -> None:
    """What happens when the CLI adds a user while the server runs."""
    with EventStore(db_path, LANE) as server, EventStore(db_path, LANE) as cli:
        for n in range(5):
            server.append("note.added", {"n": n}, "server")
            cli.append("note.added", {"n": n}, "cli")
        assert server.verify().ok and server.count() == 10


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_refuses_files_that_are_not_its_store(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE photos (id)").connection.commit()
    cases = {
        _write(tmp_path / "garbage.db", b"this is not a database" * 100): "not a usable",
        _write(tmp_path / "empty.db", b""): "holds no lanebox store",
        foreign: "not a lanebox event store",
        tmp_path: "not a file",
    }
    for path, words in cases.items():
        with pytest.raises(StoreError, match=words):
            EventStore(path, LANE).start()
    with pytest.raises(StoreError, match="no event store"):
        EventStore(tmp_path / "missing.db", LANE, create=False).start()
    assert not (tmp_path / "missing.db").exists()
    assert (tmp_path / "empty.db").read_bytes() == b""  # refused files are left untouched


def test_refuses_another_lanes_store_and_a_lost_main_file(db_path: Path) -> None:
    with EventStore(db_path, LANE) as store:
        store.append("note.added", {}, None)
    with pytest.raises(StoreError, match="belongs to lane"):
        EventStore(db_path, "OTHER-LANE").start()
    os.rename(db_path, db_path.with_name("moved.db"))
    db_path.with_name("events.db-wal").write_bytes(b"")
    with pytest.raises(StoreError, match="missing"):
        EventStore(db_path, LANE).start()


def test_refuses_a_damaged_file(db_path: Path) -> None:
    with EventStore(db_path, LANE) as store:
        for n in range(300):
            store.append("note.added", {"n": n, "pad": "x" * 200}, None)
    with open(db_path, "r+b") as file:
        file.seek(4096 * 5)
        file.write(b"\xde\xad\xbe\xef" * 1024)
    with pytest.raises(StoreError, match="damaged"):
        EventStore(db_path, LANE).start()


