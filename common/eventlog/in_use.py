"""Whether a store is open anywhere: a lock file every open store shares.

``lanebox restore`` puts a copy in place of a lane's store, which is only
safe while no process has the store open: a running server would go on
writing to the file that was moved aside. So every started
:class:`~common.eventlog.store.EventStore` holds a shared lock on
``<store>.in-use`` (taken before it connects, released at close or when
the process dies), and a restore takes it exclusively without waiting:
if anyone holds it, the restore is refused and nothing is touched.

This is a separate file from the creation lock
(:mod:`common.eventlog.file_lock`): a server holds this one for as long as
it runs, and commands creating the store must not wait for that.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from common.eventlog.writer import StoreError


def in_use_path(store: Path) -> Path:
    """The lock file beside ``store``."""
    return store.with_name(store.name + ".in-use")


def hold_open(store: Path) -> IO[str]:
    """Take the shared lock of an open store (waiting out a restore under way);
    closing the returned handle releases it."""
    handle = _lock_file(store)
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


@contextmanager
def sole_use(store: Path) -> Iterator[None]:
    """Hold ``store`` exclusively for the block: no process can open it
    meanwhile. :class:`StoreError` at once if a process has it open now."""
    with _lock_file(store) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"{store}: the store is open in a running lanebox (the lane's "
                             f"server or another lanebox command); stop it first") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_file(store: Path) -> IO[str]:
    """The lock file, opened read-only (all a lock needs): one made by another
    user (a restore run as root) does not shut the service's user out."""
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        return os.fdopen(os.open(in_use_path(store), os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644))
    except OSError as exc:
        raise StoreError(f"{store}: cannot make its lock file: {exc}") from exc
