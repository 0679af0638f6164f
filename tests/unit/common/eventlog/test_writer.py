"""The group-commit writer on a real SQLite file: queued jobs share one
transaction, a failing job is undone alone, a failed COMMIT fails them all."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Iterator

import pytest

from common.eventlog.writer import StoreError, Writer


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "w.db", isolation_level=None,
                                 check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    connection.execute("CREATE TABLE t (name TEXT, parent INTEGER REFERENCES parent(id) "
                       "DEFERRABLE INITIALLY DEFERRED)")
    yield connection
    connection.close()


class Begins:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, conn: sqlite3.Connection) -> None:
        self.count += 1


def names(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT name FROM t ORDER BY rowid")]


def insert(name: str, parent: int | None = None):
    def job(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO t VALUES (?, ?)", (name, parent))
        return name
    return job


def fail_after_insert(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO t VALUES ('undone', NULL)")
    raise LookupError("this job changed its mind")


def hold(gate: threading.Event):
    def job(conn: sqlite3.Connection) -> None:
        assert gate.wait(10)
    return job


def test_queued_jobs_share_a_transaction_and_fail_alone(conn: sqlite3.Connection) -> None:
    begins = Begins()
    writer = Writer(conn, begins)
    gate = threading.Event()
    blocker = writer.submit(hold(gate), exclusive=True)
    tasks = [writer.submit(insert("a")), writer.submit(fail_after_insert),
             writer.submit(insert("c"))]
    gate.set()
    blocker.wait()
    assert tasks[0].wait() == "a" and tasks[2].wait() == "c"
    with pytest.raises(LookupError):
        tasks[1].wait()
    writer.stop()
    assert names(conn) == ["a", "c"]
    assert begins.count == 2  # the exclusive job alone, then one group of three


def test_a_failed_commit_fails_the_whole_group(conn: sqlite3.Connection) -> None:
    writer = Writer(conn, Begins())
    gate = threading.Event()
    writer.submit(hold(gate), exclusive=True)
    good = writer.submit(insert("good"))
    orphan = writer.submit(insert("orphan", parent=42))  # caught only at COMMIT
    gate.set()
    for task in (good, orphan):
        with pytest.raises(StoreError, match="not committed"):
            task.wait()
    assert writer.submit(insert("later")).wait() == "later"  # the writer carries on
    writer.stop()
    assert names(conn) == ["later"]


def test_stop_finishes_what_is_queued_then_refuses(conn: sqlite3.Connection) -> None:
    writer = Writer(conn, Begins())
    tasks = [writer.submit(insert(str(n))) for n in range(50)]
    writer.stop()
    assert [task.wait() for task in tasks] == [str(n) for n in range(50)]
    with pytest.raises(StoreError, match="closed"):
        writer.submit(insert("too late"))
    assert len(names(conn)) == 50
