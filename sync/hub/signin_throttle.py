"""The hub's sign-in throttle counts, in its database, shared by every worker.

A hub may run several worker processes behind nginx; with counts in each
worker's memory an attacker got ``workers`` times the guesses, and a
back-off in one worker did nothing in the next. Here every failure is one
upsert of the ``signin_throttle`` table (keys as
:mod:`common.accounts.throttle` makes them), atomic on both engines, so all
workers see one count. Rows idle for longer than the forget window are
deleted now and then, so a flood of made-up usernames leaves no lasting
trace in the table.
"""

from __future__ import annotations

import random
from typing import Any

from sync.hub.store import HubStore

_UPSERT = ("INSERT INTO signin_throttle (key, failures, last_failure) VALUES (?, 1, ?) "
           "ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN ? - signin_throttle.last_failure > ? "
           "THEN 1 ELSE signin_throttle.failures + 1 END, last_failure = excluded.last_failure")
PRUNE_ONE_IN = 100
"""About one failure in this many also deletes idle rows."""


class DatabaseBook:
    """A :class:`common.accounts.throttle.ThrottleBook` in the hub's database."""

    def __init__(self, store: HubStore) -> None:
        self._store = store

    def failures(self, key: str) -> tuple[int, float] | None:
        with self._store.read() as conn:
            row = conn.execute("SELECT failures, last_failure FROM signin_throttle WHERE key = ?",
                               (key,)).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def add_failure(self, key: str, now: float, forget_after_s: float) -> None:
        prune = random.randrange(PRUNE_ONE_IN) == 0  # noqa: S311 - housekeeping, not security

        def upsert(conn: Any) -> None:
            conn.execute(_UPSERT, (key, now, now, forget_after_s))
            if prune:
                conn.execute("DELETE FROM signin_throttle WHERE last_failure < ?", (now - forget_after_s,))

        self._store.write(upsert)

    def clear(self, key: str) -> None:
        self._store.write(lambda conn: conn.execute("DELETE FROM signin_throttle WHERE key = ?", (key,)))
