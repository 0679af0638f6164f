"""What the workers of one test run share (pytest-xdist runs each in its own process): a folder
made once per run, and a lock around it."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def run_wide(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """The folder ``name`` of this run, with its lock held until the block ends: the first worker
    makes what goes in it (a wheel, a venv), the others wait and find it made; a test that must not
    run beside another (loopback mDNS) holds it for its whole run."""
    base = tmp_path_factory.getbasetemp()
    run_root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # xdist: pytest-N/popen-gwK
    folder = run_root / name
    with open(run_root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        folder.mkdir(exist_ok=True)
        yield folder
