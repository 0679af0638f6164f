"""Fixtures of the lane's in-process tests: a lane server with users and the demo reference data."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.officer_app import OfficerApp, start_officer_app


@pytest.fixture(scope="module")
def officer_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficerApp]:
    """An in-process lane with users and the demo reference data (no devices)."""
    app = start_officer_app(tmp_path_factory.mktemp("officer"))
    try:
        yield app
    finally:
        app.server.stop()
