"""Shared fixtures for the edge tests: a running lane server, and an in-process one for fast API tests."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.edge.lane_process import LaneRig, make_rig
from tests.edge.officer_app import OfficerApp, start_officer_app


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    """A real ``lanebox serve`` with simulated devices and the demo users."""
    rig = make_rig(tmp_path_factory.mktemp("lane"))
    try:
        rig.start()
        yield rig
    finally:
        rig.close()


@pytest.fixture(scope="module")
def officer_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficerApp]:
    """An in-process lane with users and the demo reference data (no devices)."""
    app = start_officer_app(tmp_path_factory.mktemp("officer"))
    try:
        yield app
    finally:
        app.server.stop()
