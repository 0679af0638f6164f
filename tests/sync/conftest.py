"""Fixtures for the sync tests: a lane store and a hub served in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from edge.store import EventStore
from tests.sync.rig import LANE, InProcessHub


@pytest.fixture
def lane_store(tmp_path: Path) -> Iterator[EventStore]:
    with EventStore(tmp_path / "lane" / "lane.sqlite3", LANE) as store:
        yield store


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[InProcessHub]:
    running = InProcessHub(tmp_path / "hub")
    try:
        yield running
    finally:
        running.close()
