"""Shared fixtures for driver tests: real ptys, a recorder, and cleanup."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.waiting import Recorder, wait_for  # noqa: F401  (re-exported for driver tests)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def stop_later() -> Iterator[list]:
    """Append drivers/ports here; they are stopped/closed after the test."""
    things: list = []
    yield things
    for thing in reversed(things):
        (getattr(thing, "stop", None) or thing.close)()
