"""Fixtures of the process-level tests: a real ``lanebox serve``."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.lane_process import LaneRig, make_rig


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    """A real ``lanebox serve`` with simulated devices and the test users."""
    rig = make_rig(tmp_path_factory.mktemp("lane"))
    try:
        rig.start()
        yield rig
    finally:
        rig.close()
