"""The production server under ``lanebox serve`` (common/web/server.py):
a half-sent request is dropped after ``read_timeout_s`` while others are
served, ``max_connections`` holds (websockets that came and went included),
websockets and long-polling outlive the read timeout, and SIGTERM stops the
lane cleanly — exit 0, clients sent away, the store closed."""

from __future__ import annotations

import os
import select
import signal
import socket
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests
import socketio

from common.web.server import DRAIN_S
from tests.support.lane_process import LaneRig, make_rig
from tests.support.tablet import Tablet
from tests.support.waiting import wait_for

READ_TIMEOUT_S = 2


def with_server_keys(rig: LaneRig, **keys: int) -> None:
    """Add ``keys`` to the rig's ``[server]`` table."""
    table = "".join(f"{key} = {value}\n" for key, value in keys.items())
    config = rig.config_path.read_text()
    rig.config_path.write_text(config.replace('data_dir = "data"\n', f'data_dir = "data"\n{table}'))


@pytest.fixture(scope="module")
def strict_lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    """A lane with devices, a short read timeout and room for three connections."""
    rig = make_rig(tmp_path_factory.mktemp("strict"))
    with_server_keys(rig, read_timeout_s=READ_TIMEOUT_S, max_connections=3)
    try:
        rig.start()
        yield rig
    finally:
        rig.close()


def address(rig: LaneRig) -> tuple[str, int]:
    host, port = rig.url.split("//", 1)[1].rsplit(":", 1)
    return host, int(port)


def half_request(rig: LaneRig) -> socket.socket:
    """A connection that sends a request head without its end (slowloris)."""
    sock = socket.create_connection(address(rig), timeout=10)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: lane\r\n")
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has ended this connection (without waiting)."""
    if not select.select([sock], [], [], 0)[0]:
        return False
    try:
        return sock.recv(1024) == b""
    except ConnectionError:
        return True


def raw_get(sock: socket.socket) -> None:
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: lane\r\nConnection: close\r\n\r\n")


def answered(sock: socket.socket) -> bool:
    return bool(select.select([sock], [], [], 0)[0]) and sock.recv(64).startswith(b"HTTP/1.1 200")


def test_a_half_sent_request_is_dropped_after_the_read_timeout_while_others_are_served(strict_lane):
    started = time.monotonic()
    idle = half_request(strict_lane)
    trickling = half_request(strict_lane)  # a byte now and then: the deadline is for the whole head
    try:
        assert requests.get(f"{strict_lane.url}/healthz", timeout=5).status_code == 200

        def both_dropped() -> bool:
            if not closed_by_server(trickling):
                try:
                    trickling.sendall(b"X")
                except ConnectionError:
                    return closed_by_server(idle)
                return False
            return closed_by_server(idle)

        wait_for(both_dropped, timeout=READ_TIMEOUT_S + 8, interval=0.3, message="both half requests dropped")
        assert time.monotonic() - started >= READ_TIMEOUT_S - 0.1
        assert requests.get(f"{strict_lane.url}/healthz", timeout=5).status_code == 200
    finally:
        idle.close()
        trickling.close()


def connections_taken_in(rig: LaneRig) -> int:
    """The sockets the lane's worker process holds (its master's one child): a
    connection the server has not taken in is only in the kernel's queue."""
    master = rig.process.pid
    [worker] = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sum(1 for fd in Path(f"/proc/{worker}/fd").iterdir() if os.readlink(fd).startswith("socket:"))


def test_no_more_connections_than_max_connections_are_taken_in(strict_lane):
    token = strict_lane.token("vic")
    for _ in range(4):  # websockets that came and went leave the count as it was
        Tablet(strict_lane.url, token).close()
    holders = [Tablet(strict_lane.url, token) for _ in range(3)]  # connected: three connections served
    before = connections_taken_in(strict_lane)
    waiting = [socket.create_connection(address(strict_lane), timeout=10) for _ in range(3)]
    try:
        for sock in waiting:
            raw_get(sock)
        # neither answered nor even taken in while the three are open
        assert not select.select(waiting, [], [], 1.0)[0], "a fourth connection was served"
        assert connections_taken_in(strict_lane) == before
        holders.pop().close()
        served: set[socket.socket] = set()

        def all_served() -> bool:
            served.update(sock for sock in waiting if sock not in served and answered(sock))
            return len(served) == len(waiting)

        wait_for(all_served, timeout=10, message="the waiting connections served, in turn, once a place was free")
    finally:
        for sock in waiting:
            sock.close()
        for holder in holders:
            holder.close()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_live_readings_outlast_the_read_timeout(strict_lane, transport):
    client = socketio.Client(reconnection=False)
    readings: list[dict] = []
    client.on("reading", readings.append, namespace="/live")
    client.connect(strict_lane.url, namespaces=["/live"], auth={"token": strict_lane.token("olga")},
                   transports=[transport], wait_timeout=10)
    try:
        assert client.transport() == transport
        connected_at = time.monotonic()
        wait_for(lambda: readings, timeout=10, message="a first reading")
        # the scale is polled continuously; readings still come three read timeouts later
        later = connected_at + 3 * READ_TIMEOUT_S
        wait_for(lambda: time.monotonic() > later and len(readings) > 1 and client.connected, timeout=20,
                 interval=0.1, message="readings long after the read timeout")
        count = len(readings)
        wait_for(lambda: len(readings) > count, timeout=10, message="one more reading")
        assert client.connected
    finally:
        client.disconnect()


def test_sigterm_sends_clients_away_and_stops_with_a_closed_store(tmp_path: Path):
    rig = make_rig(tmp_path)
    try:
        rig.start()
        tablet = Tablet(rig.url, rig.token("olga"))
        wait_for(lambda: tablet.readings, timeout=10, message="a reading")
        inspection = rig.api("POST", "/inspections", user="olga", json={
            "id": str(uuid.uuid4()), "plate": "SIG 7ERM", "containers": [], "inspection_type": "standard"})
        assert inspection.status_code == 201
        wal = tmp_path / "data" / "lane.sqlite3-wal"
        assert wal.stat().st_size > 0  # the write is in the WAL until a checkpoint
        asked = time.monotonic()
        assert rig.stop(signal.SIGTERM) == 0
        # the open websocket was sent away, not waited for until the drain gives up (DRAIN_S)
        assert time.monotonic() - asked < DRAIN_S / 2
        assert not wal.exists() or wal.stat().st_size == 0  # checkpointed: the store was closed
        assert "Traceback" not in "".join(rig.output)
    finally:
        rig.close()
