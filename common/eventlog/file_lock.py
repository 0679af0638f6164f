"""An exclusive lock on a file beside a store, held while the store is created.

Two commands may open a store that does not exist yet at the same moment
(``lanebox users add`` while ``lanebox serve`` starts, ``hub add-lane`` for
many lanes at once). SQLite writes nothing to a new file until its first
transaction, so the second would find an empty file and — rightly, for a
store that should hold evidence — refuse it. With this lock, one creates the
store while the others wait, then find it whole.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from common.eventlog.writer import StoreError


@contextmanager
def creation_lock(store: Path) -> Iterator[None]:
    """Hold ``<store>.lock`` (created if missing) exclusively for the block;
    :class:`StoreError` if the lock file cannot be made."""
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        # read-only is enough for flock, and opens a lock file another user (root) made
        handle = os.fdopen(os.open(store.with_name(store.name + ".lock"), os.O_RDONLY | os.O_CREAT, 0o644))
    except OSError as exc:
        raise StoreError(f"{store}: cannot make its creation lock: {exc}") from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
