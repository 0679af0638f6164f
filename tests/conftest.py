"""Fixtures every part of the suite may use, and the markers that let a quick loop leave parts out.

``tests/unit`` mirrors the packages and runs in-process; ``tests/scenario``
starts real ``lanebox`` processes; ``tests/browser`` drives the apps in
Chromium; ``tests/support`` holds the rigs. Markers are set here from where
a test lives and what it needs, so ``make quick`` can leave out the browser,
PostgreSQL, Redis and nginx (docs/testing.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from common.eventlog.store import EventStore
from edge.store import open_lane_store
from tests.support.hub_rig import LANE, InProcessHub
from tests.support.services import new_postgres_database

pytest_plugins = ["tests.support.tls"]  # the port_ca fixture

TESTS = Path(__file__).resolve().parent
BY_FOLDER = {"browser": "browser", "scenario": "scenario"}


ONE_AT_A_TIME = ("tests/unit/common/test_discovery.py", "tests/unit/sync/lane/test_hub_identity.py",
                 "tests/unit/edge/cameras/test_mqtt.py")
"""In-process tests that share the machine with others all the same (loopback mDNS, a mosquitto process)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath)).resolve()
        folder = path.relative_to(TESTS).parts[0]
        if folder in BY_FOLDER:
            item.add_marker(BY_FOLDER[folder])
        # with `make test`'s two workers (pytest-xdist, --dist loadgroup): the browser tests run
        # one at a time on one worker, and whatever else starts processes, uses Redis or nginx,
        # or announces on mDNS one at a time on the other; the in-process rest fills in beside
        # them. The two groups are the suite's long poles: side by side, it stays under 15 minutes.
        if folder == "browser":
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif folder in BY_FOLDER or str(path.relative_to(TESTS.parent)) in ONE_AT_A_TIME \
                or item.get_closest_marker("redis") or item.get_closest_marker("nginx"):
            item.add_marker(pytest.mark.xdist_group("processes"))


@pytest.fixture
def lane_store(tmp_path: Path) -> Iterator[EventStore]:
    """A lane's evidence store, as its sync agent and reporters read it."""
    with open_lane_store(tmp_path / "lane" / "lane.sqlite3", LANE) as store:
        yield store


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub_database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Each hub test runs on both engines: None is the embedded SQLite file,
    else the URL of a PostgreSQL database of the test's own."""
    if request.param == "sqlite":
        yield None
    else:
        yield from new_postgres_database()


@pytest.fixture
def hub(tmp_path: Path, hub_database: str | None) -> Iterator[InProcessHub]:
    """A hub served in-process on 127.0.0.1, on either engine."""
    running = InProcessHub(tmp_path / "hub", database=hub_database)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def stop_later() -> Iterator[list]:
    """Append drivers/ports here; they are stopped/closed after the test."""
    things: list = []
    yield things
    for thing in reversed(things):
        (getattr(thing, "stop", None) or thing.close)()
