"""The lane's OpenAPI document matches its routes, both ways, and tells the
truth about which need a session (the hub's: tests/unit/sync/hub/test_openapi.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from edge.config import parse_config
from edge.server import LaneServer
from tests.support.openapi import api_routes, assert_credentials_required, assert_document_matches_routes, operations


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LaneServer]:
    """A lane with no devices, its store started (tokens are looked up in it)."""
    lane = LaneServer(parse_config({"lane": {"id": "DOC-1"}, "server": {"data_dir": str(tmp_path)}}))
    lane.start()
    try:
        yield lane
    finally:
        lane.stop()


def test_every_api_route_is_in_the_document_and_nothing_else(server: LaneServer):
    document = server.app.test_client().get("/api/v1/openapi.json").get_json()
    assert_document_matches_routes(server.app, document)
    assert len(api_routes(server.app)) >= 15


def test_every_lane_route_takes_a_user_session_or_nothing_but_the_cameras_push(server: LaneServer):
    client = server.app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    assert set(document["components"]["securitySchemes"]) == {"bearer", "cameraToken"}
    public = {(path, method) for path, method, op in operations(document) if not op["security"]}
    assert public == {("/api/v1/session", "post"), ("/api/v1/session/badge", "post"), ("/api/v1/openapi.json", "get")}
    by_camera = {(path, method) for path, method, op in operations(document) if op["security"] == [{"cameraToken": []}]}
    assert by_camera == {("/api/v1/cameras/{camera_id}/reads", "post")}
    assert all(op["security"] in ([], [{"bearer": []}]) for path, method, op in operations(document)
               if (path, method) not in by_camera)
    secured = len(api_routes(server.app)) - len(public)
    assert assert_credentials_required(client, document) == secured
    assert assert_credentials_required(client, document, {"Authorization": "Bearer not-a-session"}) == secured
