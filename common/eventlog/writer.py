"""The single writer thread: owns the write connection, commits in groups.

SQLite allows one writer at a time and a durable commit costs an fsync, so
the throughput of a durable log is set by how many writes share a commit.
The writer takes everything queued (up to ``MAX_BATCH`` jobs), runs them in
one ``BEGIN IMMEDIATE`` transaction, commits once, and only then hands
each caller its result. Each job runs under its own savepoint, so one failing
job is rolled back alone and the rest of the group still commits. A job
submitted as ``exclusive`` gets a transaction to itself.

Nothing here knows about events: the store passes the jobs, an
``on_begin`` hook that runs at the start of every transaction and an
``on_commit`` hook that runs after every commit.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from typing import Any, Callable

log = logging.getLogger(__name__)

MAX_BATCH = 1000

Job = Callable[[sqlite3.Connection], Any]


class StoreError(Exception):
    """The store cannot be opened, or a write could not be committed; nothing
    of the failed write is stored (HTTP 503)."""


class Task:
    """A submitted job and its outcome, waited for by the caller.

    A bare lock rather than a ``concurrent.futures.Future``: it halves the cost
    of handing the result back, which bounds throughput once fsync is shared.
    """

    __slots__ = ("fn", "exclusive", "resolved", "_done", "_result", "_error")

    def __init__(self, fn: Job, exclusive: bool) -> None:
        self.fn = fn
        self.exclusive = exclusive
        self.resolved = False
        self._result: Any = None
        self._error: BaseException | None = None
        self._done = threading.Lock()
        self._done.acquire()

    def resolve(self, result: Any = None, error: BaseException | None = None) -> None:
        """Called once, by the writer thread."""
        self._result, self._error = result, error
        self.resolved = True
        self._done.release()

    def wait(self) -> Any:
        """Block until resolved; return the job's result or raise its error."""
        self._done.acquire()
        if self._error is not None:
            raise self._error
        return self._result


_STOP = object()


class Writer:
    """Runs submitted jobs on one thread against ``conn``, in group commits."""

    def __init__(self, conn: sqlite3.Connection, on_begin: Callable[[sqlite3.Connection], None],
                 name: str = "store-writer", on_commit: Callable[[], None] | None = None) -> None:
        self.conn = conn
        self._on_begin = on_begin
        self._on_commit = on_commit
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Job, exclusive: bool = False) -> Task:
        """Queue ``fn(conn)``; the task resolves after its transaction commits."""
        task = Task(fn, exclusive)
        with self._lock:
            if self._stopped:
                raise StoreError("store is closed")
            self._queue.put(task)
        return task

    def stop(self) -> None:
        """Run everything already queued, then end the thread."""
        with self._lock:
            if not self._stopped:
                self._stopped = True
                self._queue.put(_STOP)
        self._thread.join()

    def on_writer_thread(self) -> bool:
        return threading.get_ident() == self._thread.ident

    def _run(self) -> None:
        batch: list[Task] = []
        try:
            while True:
                batch, stop = self._take_batch()
                self._run_batch(batch)
                if stop:
                    return
        except BaseException as exc:  # a bug here must not leave callers waiting forever
            log.exception("store writer crashed")
            with self._lock:
                self._stopped = True
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for task in batch:
                if task is not _STOP and not task.resolved:
                    task.resolve(error=StoreError(f"store writer crashed: {exc!r}"))

    def _take_batch(self) -> tuple[list[Task], bool]:
        first = self._queue.get()
        if first is _STOP:
            return [], True
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                task = self._queue.get_nowait()
            except queue.Empty:
                break
            if task is _STOP:
                return batch, True
            batch.append(task)
        return batch, False

    def _run_batch(self, batch: list[Task]) -> None:
        group: list[Task] = []
        for task in batch:
            if task.exclusive:
                if group:
                    self._commit(group)
                    group = []
                self._commit([task])
            else:
                group.append(task)
        if group:
            self._commit(group)

    def _commit(self, tasks: list[Task]) -> None:
        """One transaction for ``tasks``; resolve them only after COMMIT."""
        conn = self.conn
        outcomes: list[tuple[Task, Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            self._on_begin(conn)
            for task in tasks:
                outcomes.append((task, *self._run_task(task)))
            conn.execute("COMMIT")
        except Exception as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("rollback failed")
            failure = StoreError(f"write not committed: {exc}")
            failure.__cause__ = exc
            done = {id(task): error for task, _, error in outcomes}
            for task in tasks:
                task.resolve(error=done.get(id(task)) or failure)
            return
        if self._on_commit is not None:
            try:
                self._on_commit()
            except Exception:  # a listener's bug must not fail writes that are committed
                log.exception("on_commit hook failed")
        for task, result, error in outcomes:
            task.resolve(result, error)

    def _run_task(self, task: Task) -> tuple[Any, BaseException | None]:
        """Run one job under a savepoint; its failure undoes only its writes.

        If SQLite itself ended the transaction (disk full, I/O error), the
        whole group is lost: that is raised to :meth:`_commit`.
        """
        conn = self.conn
        conn.execute("SAVEPOINT job")
        try:
            result = task.fn(conn)
        except Exception as exc:
            if not conn.in_transaction:
                raise
            conn.execute("ROLLBACK TO job")
            conn.execute("RELEASE job")
            return None, exc
        conn.execute("RELEASE job")
        return result, None
