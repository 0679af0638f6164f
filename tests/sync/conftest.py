"""Fixtures for the sync tests: a lane store and a hub served in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from edge.store import EventStore
from tests.services import new_postgres_database
from tests.sync.rig import LANE, InProcessHub


@pytest.fixture
def lane_store(tmp_path: Path) -> Iterator[EventStore]:
    with EventStore(tmp_path / "lane" / "lane.sqlite3", LANE) as store:
        yield store


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Each hub test runs on both engines: None is the embedded SQLite file,
    else the URL of a PostgreSQL database of the test's own."""
    if request.param == "sqlite":
        yield None
    else:
        yield from new_postgres_database()


@pytest.fixture
def hub(tmp_path: Path, hub_database: str | None) -> Iterator[InProcessHub]:
    running = InProcessHub(tmp_path / "hub", database=hub_database)
    try:
        yield running
    finally:
        running.close()
