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

from common.accounts import passwords
from common.eventlog.store import EventStore
from edge.store import open_lane_store
from tests.support.hub_rig import LANE, InProcessHub
from tests.support.passwords import cheap_hasher
from tests.support.run_wide import run_wide
from tests.support.services import new_postgres_database

pytest_plugins = ["tests.support.tls"]  # the port_ca fixture

TESTS = Path(__file__).resolve().parent
BY_FOLDER = {"browser": "browser", "scenario": "scenario"}


ONE_AT_A_TIME = ("tests/unit/common/test_discovery.py", "tests/unit/sync/lane/test_hub_identity.py",
                 "tests/scenario/test_discovery.py", "tests/unit/edge/cameras/test_mqtt.py")
"""Tests that announce and browse on loopback mDNS, or start a mosquitto: marked ``one_at_a_time``, so
that with ``make test``'s workers (pytest-xdist) they never run beside each other (the fixture below)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath)).resolve()
        folder = path.relative_to(TESTS).parts[0]
        if folder in BY_FOLDER:
            item.add_marker(BY_FOLDER[folder])
        if str(path.relative_to(TESTS.parent)) in ONE_AT_A_TIME:
            item.add_marker("one_at_a_time")


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Lanes, hubs and user directories made in the test process hash at the least cost
    (tests/support/passwords.py); lanebox processes the tests start keep the real one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "PasswordHasher", cheap_hasher)
        yield


@pytest.fixture(autouse=True)
def one_at_a_time(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A lock all workers of a run share around each test marked ``one_at_a_time``. Not xdist's
    ``--dist loadgroup``: with pytest 9 its group marks are silently ignored (xdist 3.8 renames
    ``item._nodeid``, which pytest 9 no longer reads)."""
    if request.node.get_closest_marker("one_at_a_time") is None:
        yield
        return
    with run_wide(tmp_path_factory, "one-at-a-time"):
        yield


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
