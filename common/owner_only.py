"""Stores only their owner may read: files 0600, folders 0700.

A lane's store holds passport lines and the users' password and session
hashes; a hub's holds every lane's events and its users. Their files and
folders are made owner-only whatever umask the process inherited: the
systemd units set ``UMask=0077``, but a lane started by hand (the demo, a
technician's shell, a cron job) inherits a shell's 022, and SQLite makes
its files, the ``-wal`` and ``-shm`` beside them included, with the mode
the umask leaves (0644).

Changing a mode is not always ours to do (an auditor's ``lanebox verify``
on a store it does not own): then the mode stays and a warning says so;
whether the store can be read is for the file system to decide.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
STORE_COMPANIONS = ("-wal", "-shm", "-journal", ".lock", ".in-use")
"""What SQLite and :mod:`common.eventlog` keep beside a store file, named after it."""


def owner_only_folder(folder: Path, *, create: bool = True) -> None:
    """Make ``folder`` (and, with ``create``, any missing parents) and set it to 0700.

    Only ``folder`` itself is changed: its parents (``/var/lib``) are not ours.
    """
    if create:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _set_mode(folder, FOLDER_MODE)


def owner_only_store(store: Path) -> None:
    """Set a store file and its companions (:data:`STORE_COMPANIONS`) that exist to 0600.

    SQLite makes a new ``-wal`` or ``-shm`` with the mode of the store file,
    so once the store is 0600 the ones it makes later are too.
    """
    for suffix in ("", *STORE_COMPANIONS):
        _set_mode(store.with_name(store.name + suffix), FILE_MODE)


def owner_only_file(path: Path) -> None:
    """Set one file (a lane's signing key) to 0600."""
    _set_mode(path, FILE_MODE)


def owner_only_tree(folder: Path) -> None:
    """``folder``, every folder in it 0700 and every file 0600 (a backup, restored photos)."""
    owner_only_folder(folder)
    for root, folders, files in os.walk(folder):
        for name in folders:
            _set_mode(Path(root) / name, FOLDER_MODE)
        for name in files:
            _set_mode(Path(root) / name, FILE_MODE)


def _set_mode(path: Path, mode: int) -> None:
    try:
        if path.is_symlink():  # chmod would follow it out of the folder
            return
        path.chmod(mode)
    except FileNotFoundError:
        return
    except PermissionError as exc:
        log.warning("%s: cannot make it owner-only (%o): %s", path, mode, exc.strerror)
