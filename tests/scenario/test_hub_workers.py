"""Several hub workers behind one address: PostgreSQL holds the truth, Redis
carries live pushes between workers, nginx (the repository's config) fronts them."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import requests.adapters

from common.eventlog.store import EventStore
from sync.lane.agent import SyncAgent
from tests.support.hub_rig import LANE, assert_hub_holds_exactly, fill
from tests.support.hub_workers import BOARD_PASSWORD, BOARD_USER, HubWorkers, Nginx, board_client, sign_in
from tests.support.services import new_postgres_database, require_redis
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[HubWorkers]:
    redis_url = require_redis()
    for database in new_postgres_database():
        running = HubWorkers(tmp_path / "hub", database, redis_url, count=2)
        try:
            yield running
        finally:
            running.stop()


def _status(ts: str, trace_state: str) -> dict[str, Any]:
    return {"lane": LANE, "ts": ts, "devices": [{"id": "trace-1", "kind": "trace",
                                                 "state": trace_state, "detail": None}]}


def test_a_board_on_one_worker_sees_a_lane_reporting_to_another(workers: HubWorkers) -> None:
    token = workers.add_lane(LANE)
    workers.add_user(BOARD_USER, "supervisor", BOARD_PASSWORD)
    first, second = workers.start()
    pushed: list[dict[str, Any]] = []
    seen = threading.Event()

    def on_lane(row: dict[str, Any]) -> None:
        pushed.append(row)
        if (row.get("status") or {}).get("ts") == "2026-11-28T10:00:01.000Z":
            seen.set()

    board = board_client(second, on_lane)
    try:
        for ts, state in (("2026-11-28T10:00:00.000Z", "connected"),
                          ("2026-11-28T10:00:01.000Z", "error")):
            answer = requests.post(f"{first}/api/v1/sync/{LANE}/status", json=_status(ts, state),
                                   headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert answer.status_code == 200, answer.text
        assert seen.wait(5), f"the board on worker B got only {pushed}"
    finally:
        board.disconnect()
    row = next(r for r in pushed if r["status"]["ts"] == "2026-11-28T10:00:01.000Z")
    assert row["lane"] == LANE and row["online"] is True
    assert row["status"]["devices"][0]["state"] == "error"
    # and the other worker's API answers from the same database
    listed = requests.get(f"{second}/api/v1/hub/lanes", timeout=10,
                          headers={"Authorization": f"Bearer {sign_in(second)}"}).json()
    [lane] = [r for r in listed["lanes"] if r["lane"] == LANE]
    assert lane["status"]["devices"][0]["state"] == "error"


@pytest.mark.nginx
def test_a_worker_killed_mid_ingest_loses_and_doubles_nothing(workers: HubWorkers,
                                                               tmp_path: Path) -> None:
    token = workers.add_lane(LANE)
    ports = [int(url.rsplit(":", 1)[1]) for url in workers.start()]
    front = Nginx(tmp_path / "nginx", ports)
    front.start()
    try:
        with EventStore(tmp_path / "lane" / "lane.sqlite3", LANE) as store:
            fill(store, 6_000)
            agent = SyncAgent(store, LANE, front.url, token, batch_size=200).start()
            try:
                hub = workers.workers[0].store  # a reader on the shared database
                wait_for(lambda: hub.cursor(LANE) >= 1_000, timeout=60,
                         message="the workers to hold 1,000 events")
                workers.workers[0].stop(signal.SIGKILL)
                assert hub.cursor(LANE) < 6_000, "the kill came after the ingest, not during"
                wait_for(lambda: agent.status()["backlog"] == 0, timeout=120,
                         message="the lane to drain through the surviving worker")
                assert agent.status()["acked_seq"] == 6_000
            finally:
                agent.stop()
            assert assert_hub_holds_exactly(hub, store.path) == 6_000
            assert hub.alarms() == []
    finally:
        front.stop()


@pytest.mark.nginx
def test_a_board_through_nginx_sees_lanes_reporting_to_either_worker(workers: HubWorkers,
                                                                    tmp_path: Path) -> None:
    token = workers.add_lane(LANE)
    workers.add_user(BOARD_USER, "supervisor", BOARD_PASSWORD)
    urls = workers.start()
    front = Nginx(tmp_path / "nginx", [int(url.rsplit(":", 1)[1]) for url in urls])
    front.start()
    seen: dict[str, threading.Event] = {url: threading.Event() for url in urls}
    expected = {f"2026-11-28T11:00:0{index}.000Z": url for index, url in enumerate(urls)}

    def on_lane(row: dict[str, Any]) -> None:
        url = expected.get((row.get("status") or {}).get("ts"))
        if url is not None:
            seen[url].set()

    board = board_client(front.url, on_lane)  # the websocket goes through nginx's /socket.io/
    try:
        assert board.transport() == "websocket"
        for ts, url in expected.items():
            answer = requests.post(f"{url}/api/v1/sync/{LANE}/status", json=_status(ts, "connected"),
                                   headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert answer.status_code == 200, answer.text
        for url, event in seen.items():
            assert event.wait(5), f"the board behind nginx missed the report to {url}"
    finally:
        board.disconnect()
        front.stop()


def _sign_in_from(url: str, source: str, password: str) -> int:
    """A board at address ``source`` (a loopback alias) signing in through ``url``: the status code."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter()
    adapter.init_poolmanager(1, 1, source_address=(source, 0))
    session.mount("http://", adapter)
    return session.post(f"{url}/api/v1/session", json={"username": BOARD_USER, "password": password},
                        timeout=10).status_code


@pytest.mark.nginx
def test_behind_nginx_one_boards_failures_neither_lock_out_another_nor_escape_by_changing_worker(
        workers: HubWorkers, tmp_path: Path) -> None:
    workers.add_user(BOARD_USER, "supervisor", BOARD_PASSWORD)
    front = Nginx(tmp_path / "nginx", [int(url.rsplit(":", 1)[1]) for url in workers.start()])
    front.start()
    try:
        # nginx spreads these over both workers; the count is the database's, so the fourth is held back
        assert [_sign_in_from(front.url, "127.0.0.2", "not the password") for _ in range(4)] == [401, 401, 401, 429]
        assert _sign_in_from(front.url, "127.0.0.2", BOARD_PASSWORD) == 429
        # another control-room screen, with the right password, is not held back by the first one's failures
        assert _sign_in_from(front.url, "127.0.0.3", BOARD_PASSWORD) == 200
    finally:
        front.stop()
