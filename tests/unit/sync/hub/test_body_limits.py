"""The hub reads big bodies on one route only, and only for a lane holding
its token: anyone else's 32 MiB is refused from the request head, before a
byte of it is read (one such request once took a hub from 91 to 1,069 MB)."""

from __future__ import annotations

import json
import socket
from typing import Iterator

import pytest
import requests

from sync.protocol import MAX_BODY_BYTES, events_path, status_path
from tests.support.hub_rig import LANE, InProcessHub

HUGE = 32 << 20


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessHub]:
    running = InProcessHub(tmp_path_factory.mktemp("limits"))
    try:
        yield running
    finally:
        running.close()


def answer_to_head(hub: InProcessHub, path: str, length: int, token: str | None = None) -> int:
    """Send only a request head announcing ``length`` bytes of JSON (and 1 KiB of
    it), and return the status the hub answers with without waiting for the rest:
    a hub that tried to read the body would leave this waiting until the timeout."""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{hub.port}\r\nContent-Type: application/json\r\n"
            f"{auth}Content-Length: {length}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", hub.port), timeout=5) as conn:
        conn.sendall(head + b"[" * 1024)
        status_line = conn.makefile("rb").readline()
    return int(status_line.split()[1])


def test_sign_in_is_refused_a_huge_body_from_its_head(hub: InProcessHub) -> None:
    assert answer_to_head(hub, "/api/v1/session", HUGE) == 413


def test_a_batch_without_the_lane_token_is_refused_before_its_body(hub: InProcessHub) -> None:
    hub.store.add_lane(LANE)
    assert answer_to_head(hub, events_path(LANE), HUGE) == 401
    assert answer_to_head(hub, events_path(LANE), HUGE, token="not-the-token") == 401
    assert hub.store.cursor(LANE) == 0


def test_other_lane_routes_take_small_bodies_only(hub: InProcessHub) -> None:
    token = hub.store.add_lane("TEST-IN-09")
    assert answer_to_head(hub, status_path("TEST-IN-09"), 1 << 20, token=token) == 413


def test_the_batch_route_still_takes_big_batches_with_the_token(hub: InProcessHub) -> None:
    token = hub.store.add_lane("TEST-IN-08")
    padded = json.dumps({"events": [{"seq": 0}]}) + " " * (MAX_BODY_BYTES // 2)
    response = requests.post(hub.url + events_path("TEST-IN-08"), data=padded, timeout=30,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 400  # read and judged: the event is wrong, not the size
    assert response.json()["error"]["code"] == "invalid_event"
    assert answer_to_head(hub, events_path("TEST-IN-08"), MAX_BODY_BYTES + 1, token=token) == 413
