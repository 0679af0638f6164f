"""Shared fixtures for the end-to-end edge tests: a running lane server."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.edge.lane_process import LaneRig, make_rig


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    """A real ``lanebox serve`` with simulated devices and the demo users."""
    rig = make_rig(tmp_path_factory.mktemp("lane"))
    try:
        rig.start()
        yield rig
    finally:
        rig.close()
