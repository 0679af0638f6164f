"""What a browser is told by every answer of a lane and of the hub — pages,
API answers and errors alike — and who may open a socket: a page elsewhere
can neither frame the apps, run script in them, have a file sniffed into a
script, nor open a Socket.IO connection from the user's browser."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import socketio
from flask import Flask

from edge.config import parse_config
from edge.server import LaneServer
from sync.hub.app import Hub
from sync.hub.store import HubStore
from tests.support.hub_rig import HUB_ID
from tests.support.served_lane import Lane
from tests.support.socket_client import Listener

LANE_PATHS = ("/", "/app/js/main.js", "/api/v1/openapi.json", "/api/v1/session", "/no/such/page", "/healthz")
HUB_PATHS = ("/board/", "/board/js/main.js", "/api/v1/openapi.json", "/api/v1/hub/lanes", "/no/such/page")


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Flask, tuple[str, ...]]]]:
    lane = LaneServer(parse_config({"lane": {"id": "HDR-1"},
                                    "server": {"data_dir": str(tmp_path_factory.mktemp("lane"))}}))
    lane.start()
    store = HubStore(tmp_path_factory.mktemp("hub") / "hub.sqlite3", HUB_ID).start()
    try:
        yield {"lane": (lane.app, LANE_PATHS), "hub": (Hub(store).app, HUB_PATHS)}
    finally:
        store.close()
        lane.stop()


def answers(apps: dict, side: str, base_url: str = "http://localhost") -> Iterator[tuple[str, object]]:
    app, paths = apps[side]
    client = app.test_client()
    for path in paths:
        yield path, client.get(path, base_url=base_url)


@pytest.mark.parametrize("side", ["lane", "hub"])
def test_content_security_policy_allows_this_box_only(apps: dict, side: str) -> None:
    for path, response in answers(apps, side):
        policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'self'", path
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'", path  # nothing inline
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'", path


@pytest.mark.parametrize("side", ["lane", "hub"])
def test_no_page_elsewhere_may_frame_the_apps(apps: dict, side: str) -> None:
    for path, response in answers(apps, side):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path


@pytest.mark.parametrize("side", ["lane", "hub"])
def test_no_file_is_sniffed_into_another_type(apps: dict, side: str) -> None:
    for path, response in answers(apps, side):
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path


@pytest.mark.parametrize("side", ["lane", "hub"])
def test_hsts_over_tls_only(apps: dict, side: str) -> None:
    for path, response in answers(apps, side, base_url="https://localhost"):
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000", path
    for path, response in answers(apps, side):
        assert "Strict-Transport-Security" not in response.headers, path  # plain HTTP cannot promise it


@pytest.fixture
def lane(tmp_path: Path) -> Iterator[Lane]:
    running = Lane(tmp_path)
    try:
        yield running
    finally:
        running.close()


def test_a_socket_from_a_page_elsewhere_is_refused(lane: Lane) -> None:
    token = lane.sign_in("olga")
    for namespace in ("/live", "/badge"):
        for origin in ("http://evil.example", "http://127.0.0.1:1", lane.url.replace("http:", "https:")):
            with pytest.raises(socketio.exceptions.ConnectionError):
                Listener(lane.url, namespace, token, headers={"Origin": origin}, transport="polling")
    assert lane.server.sockets.open == 0


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_socket_from_the_lanes_own_page_connects(lane: Lane, transport: str) -> None:
    own = Listener(lane.url, "/live", lane.sign_in("olga"), headers={"Origin": lane.url} if transport == "polling"
                   else {}, transport=transport)
    try:
        assert own.connected and lane.server.sockets.open == 1
    finally:
        own.close()
