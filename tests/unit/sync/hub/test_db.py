"""The hub's two storage engines (the same migrations and rules in the database), and Redis."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

import pytest

from common.eventlog.chain import GENESIS_HASH
from common.eventlog.writer import StoreError
from sync.hub.db import HubDatabase, PostgresDatabase, open_database, wait_for_database
from sync.hub.message_queue import RedisUnavailable, redis_problem, wait_for_redis
from sync.hub.migrations import postgres_migrations, sqlite_migrations
from tests.support.services import new_postgres_database, require_redis

NEWEST = sqlite_migrations()[-1].version


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "hub.sqlite3")
    else:
        yield from new_postgres_database()


@pytest.fixture
def db(database_url: str) -> Iterator[HubDatabase]:
    database = open_database(database_url)
    database.open()
    try:
        yield database
    finally:
        database.close()


def _event(seq: int, prev_hash: str, hash_: str, lane: str = "L1") -> tuple:
    return (lane, seq, f"id-{lane}-{seq}", "t", "2026-01-01T00:00:00.000Z", None, "{}",
            prev_hash, hash_, "2026-01-01T00:00:00.000Z")


def _insert(db: HubDatabase, event: tuple) -> None:
    db.write(lambda conn: conn.execute(
        "INSERT INTO events (lane, seq, id, type, ts, actor, payload, prev_hash, hash, "
        "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", event))


def _count(db: HubDatabase) -> int:
    with db.read() as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


def test_both_engines_know_the_same_schema_history() -> None:
    assert ([(m.version, m.summary) for m in sqlite_migrations()]
            == [(m.version, m.summary) for m in postgres_migrations()])


def test_a_new_store_is_migrated_to_the_newest_schema_and_reopens_unchanged(
        database_url: str) -> None:
    first = open_database(database_url)
    assert first.open() == NEWEST
    _insert(first, _event(1, GENESIS_HASH, "a" * 64))
    first.close()
    again = open_database(database_url)
    assert again.open() == NEWEST
    try:
        assert _count(again) == 1
    finally:
        again.close()


def test_the_database_refuses_an_event_that_does_not_continue_the_chain(db: HubDatabase) -> None:
    with pytest.raises(Exception, match="continue its lane"):
        _insert(db, _event(1, "b" * 64, "a" * 64))  # seq 1 not on the genesis hash
    _insert(db, _event(1, GENESIS_HASH, "a" * 64))
    with pytest.raises(Exception, match="continue its lane"):
        _insert(db, _event(3, "a" * 64, "c" * 64))  # a gap
    with pytest.raises(Exception, match="continue its lane"):
        _insert(db, _event(2, "f" * 64, "c" * 64))  # a broken link
    _insert(db, _event(2, "a" * 64, "c" * 64))
    _insert(db, _event(1, GENESIS_HASH, "d" * 64, lane="L2"))  # each lane has its own chain
    assert _count(db) == 3


def test_stored_events_cannot_be_changed_or_deleted(db: HubDatabase) -> None:
    _insert(db, _event(1, GENESIS_HASH, "a" * 64))
    for sql in ("UPDATE events SET payload = '{\"x\":1}'", "DELETE FROM events"):
        with pytest.raises(Exception, match="append-only"):
            db.write(lambda conn, sql=sql: conn.execute(sql))
    assert _count(db) == 1


def test_a_failed_write_leaves_nothing_behind(db: HubDatabase) -> None:
    def half_then_fail(conn: object) -> None:
        conn.execute("INSERT INTO meta VALUES ('half', 'written')")  # type: ignore[attr-defined]
        raise ValueError("changed my mind")

    with pytest.raises(ValueError):
        db.write(half_then_fail)
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'half'").fetchone()[0] == 0


def test_a_store_newer_than_this_lanebox_is_refused(database_url: str) -> None:
    first = open_database(database_url)
    first.open()
    if first.kind == "sqlite":
        first.write(lambda conn: conn.execute(f"PRAGMA user_version = {NEWEST + 1}"),
                    exclusive=True)
    else:
        first.write(lambda conn: conn.execute("UPDATE schema_version SET version = ?",
                                              (NEWEST + 1,)))
    first.close()
    with pytest.raises(StoreError, match=f"schema version {NEWEST + 1}.*upgrade lanebox"):
        open_database(database_url).open()


@pytest.mark.postgres
def test_a_postgresql_database_holding_other_tables_is_refused() -> None:
    import psycopg

    for url in new_postgres_database():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE invoices (id INTEGER)")
        with pytest.raises(StoreError, match="holds other tables"):
            open_database(url).open()


def test_an_unreachable_postgresql_is_one_clear_line_and_retried(
        caplog: pytest.LogCaptureFixture) -> None:
    url = "postgresql://lanebox:secret@127.0.0.1:1/hub"  # nothing listens on port 1
    db = PostgresDatabase(url)
    naps: list[float] = []
    with caplog.at_level(logging.ERROR), pytest.raises(StoreError) as raised:
        wait_for_database(db, retry_s=0.5, attempts=3, sleep=naps.append)
    assert "PostgreSQL at 127.0.0.1:1/hub: cannot connect" in str(raised.value)
    assert "secret" not in str(raised.value)
    assert naps == [0.5, 0.5]
    retries = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert len(retries) == 2 and all("cannot connect" in line for line in retries)


def test_an_unreachable_redis_is_one_clear_line_and_retried(
        caplog: pytest.LogCaptureFixture) -> None:
    url = "redis://:secret@127.0.0.1:1/0"  # nothing listens on port 1
    naps: list[float] = []
    with caplog.at_level(logging.ERROR), pytest.raises(RedisUnavailable) as raised:
        wait_for_redis(url, retry_s=0.5, attempts=3, sleep=naps.append)
    assert str(raised.value).startswith("Redis at 127.0.0.1:1/0: ")
    assert "secret" not in str(raised.value) and naps == [0.5, 0.5]
    assert sum("retrying in" in r.getMessage() for r in caplog.records) == 2


@pytest.mark.redis
def test_a_reachable_redis_has_no_problem() -> None:
    assert redis_problem(require_redis()) is None


def test_a_store_of_the_first_schema_is_upgraded_in_place(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import sync.hub.db as hub_db
    from sync.hub.store import HubStore
    from sync.hub.users import HubUsers

    first = hub_db.sqlite_migrations()[:1], hub_db.postgres_migrations()[:1]
    monkeypatch.setattr(hub_db, "sqlite_migrations", lambda: first[0])
    monkeypatch.setattr(hub_db, "postgres_migrations", lambda: first[1])
    old = open_database(database_url)
    assert old.open() == 1  # a hub as the first lanebox release left it
    old.write(lambda conn: conn.execute("INSERT INTO meta VALUES ('hub', 'OLD-HUB')"))
    old.write(lambda conn: conn.execute("INSERT INTO lanes VALUES ('L1', 'x', 'then')"))
    _insert(old, _event(1, GENESIS_HASH, "a" * 64, lane="L1"))
    old.close()
    monkeypatch.undo()

    with HubStore(database_url, "OLD-HUB") as store:
        assert store.cursor("L1") == 1  # what it held is still there
        with store.read() as conn:
            version = (conn.execute("PRAGMA user_version") if store.database.kind == "sqlite"
                       else conn.execute("SELECT version FROM schema_version")).fetchone()[0]
        assert version == NEWEST
        HubUsers(store).add("carol", "supervisor", "a long passphrase")  # a table of schema 2
        assert [u["username"] for u in HubUsers(store).list()] == ["carol"]
        with pytest.raises(Exception, match="continue its lane"):  # a rule of schema 3
            store.write(lambda conn: conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ("L1", 3, "id-3", "t", "ts", None, "{}", "a" * 64, "c" * 64, "now")))
