"""A store is whole only when its chain is whole and every table derived from
the chain matches a replay of it: a row deleted from, added to or changed in
a read model is named, never hidden behind "the chain is whole"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from common.eventlog.chain import GENESIS_HASH
from common.eventlog.store import EventStore, verify_file
from common.eventlog.views import Projection, Views


def create(db: Database) -> None:
    db["tags"].create({"tag": str, "seq": int}, pk=("tag", "seq"), if_not_exists=True)


def project_tags(conn: sqlite3.Connection, event: dict) -> None:
    for tag in event["payload"].get("tags", []):
        conn.execute("INSERT INTO tags (tag, seq) VALUES (?, ?)", (tag, event["seq"]))


TAGS = Views(create=create, projections=(Projection("note.", project_tags, ("tags",)),))


@pytest.fixture
def store(tmp_path: Path):
    with EventStore(tmp_path / "lane.sqlite3", "L-1", views=TAGS) as store:
        for tags in (["bag-1"], ["bag-1", "bag-2"], ["bag-2"]):
            store.append("note.added", {"tags": tags}, "olga")
        yield store


def tamper(path: Path, sql: str) -> None:
    """What someone with the file can do: SQL typed at it, beside the running store."""
    database = sqlite3.connect(path)
    database.execute(sql)
    database.commit()
    database.close()


def test_a_store_that_matches_its_chain_is_whole(store: EventStore) -> None:
    report = store.verify()
    assert (report.ok, report.checked, report.views, report.reason) == (True, 3, (), None)
    assert (report.head_seq, report.head_hash) == (3, store.get_seq(3)["hash"])


def test_a_deleted_index_row_is_named_and_the_store_is_not_whole(store: EventStore) -> None:
    tamper(store.path, "DELETE FROM tags WHERE tag = 'bag-2' AND seq = 2")
    report = store.verify()
    assert report.ok is False and report.first_broken_seq is None and report.checked == 3
    assert report.views == ("tags: 1 row missing (tag='bag-2', seq=2)",)
    assert "derived tables differ from the chain" in report.reason and "tags" in report.reason


def test_added_and_changed_rows_are_named_too(store: EventStore) -> None:
    tamper(store.path, "INSERT INTO tags (tag, seq) VALUES ('bag-9', 3)")
    assert store.verify().views == ("tags: 1 row not derived from any event (tag='bag-9', seq=3)",)
    tamper(store.path, "DELETE FROM tags WHERE tag = 'bag-9'")
    tamper(store.path, "ALTER TABLE tags ADD COLUMN note TEXT")
    assert store.verify().views == ("tags: its columns are not the ones the lane makes",)


def test_a_changed_row_is_told_from_a_missing_one(tmp_path: Path) -> None:
    def create_state(db: Database) -> None:
        db["state"].create({"id": str, "value": str}, pk="id", if_not_exists=True)

    def project_state(conn: sqlite3.Connection, event: dict) -> None:
        conn.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (event["payload"]["id"], event["payload"]["v"]))

    views = Views(create_state, (Projection("set", project_state, ("state",)),))
    with EventStore(tmp_path / "s.sqlite3", "L-1", views=views) as store:
        store.append("set", {"id": "a", "v": "handed_over"}, "olga")
        tamper(store.path, "UPDATE state SET value = 'sealed'")
        assert store.verify().views == ("state: 1 row changed (id='a')",)
        tamper(store.path, "DROP TABLE state")
        assert store.verify().views == ("state: the table is missing",)


def test_the_rebuilt_views_make_the_store_whole_again(store: EventStore) -> None:
    tamper(store.path, "DELETE FROM tags")
    assert store.verify().views == ("tags: 4 rows missing (tag='bag-1', seq=1; tag='bag-1', seq=2; "
                                    "tag='bag-2', seq=2; and 1 more)",)
    store.rebuild_views()
    assert store.verify().ok


def test_a_broken_chain_is_reported_first_with_the_last_sound_head(store: EventStore) -> None:
    second = store.get_seq(2)["hash"]
    tamper(store.path, "DROP TRIGGER events_no_update")
    tamper(store.path, """UPDATE events SET payload = '{"tags":["bag-3"]}' WHERE seq = 3""")
    report = store.verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 3, 2)
    assert (report.head_seq, report.head_hash, report.views) == (2, second, ())


def test_an_empty_store_is_whole_at_the_genesis_hash(tmp_path: Path) -> None:
    with EventStore(tmp_path / "e.sqlite3", "L-1", views=TAGS) as store:
        report = store.verify()
    assert (report.ok, report.head_seq, report.head_hash) == (True, 0, GENESIS_HASH)


def test_verify_file_checks_the_views_it_is_given_and_writes_nothing(store: EventStore) -> None:
    tamper(store.path, "DELETE FROM tags WHERE seq = 1")
    store.close()
    before = store.path.read_bytes()
    assert verify_file(store.path).ok  # a bare log: the chain alone
    report = verify_file(store.path, TAGS)
    assert report.views == ("tags: 1 row missing (tag='bag-1', seq=1)",)
    assert store.path.read_bytes() == before


def test_a_projection_registered_at_run_time_is_checked_with_its_own_table(store: EventStore) -> None:
    store.run_write(lambda conn: conn.execute("CREATE TABLE actors (name TEXT PRIMARY KEY)"))
    store.register_projection("note.", lambda conn, event: conn.execute(
        "INSERT OR IGNORE INTO actors VALUES (?)", (event["actor"],)), tables=["actors"])
    assert store.verify().views == ("actors: 1 row missing (name='olga')",)  # registered after the events
    store.rebuild_views()
    assert store.verify().ok
