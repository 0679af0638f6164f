"""The hub's outside parts going away: PostgreSQL or Redis down at start, or
the database lost while serving. A TCP proxy stands between the hub and the
real server, so a test can make the server unreachable and bring it back."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests

from sync.hub.db import POOL_MAX
from tests.support.fault_proxy import FaultProxy
from tests.support.hub_rig import HubProcess, InProcessHub
from tests.support.metrics import metric_value
from tests.support.services import POSTGRES_URL, new_postgres_database, require_redis
from tests.support.waiting import wait_for

NOWHERE = 1  # nothing listens on port 1: the proxy then resets every connection


def _through(proxy: FaultProxy, url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


@pytest.fixture
def database() -> Iterator[str]:
    yield from new_postgres_database()


def _start_in_background(hub: HubProcess) -> tuple[threading.Thread, list[int]]:
    port: list[int] = []
    thread = threading.Thread(target=lambda: port.append(hub.start(timeout=60)), daemon=True)
    thread.start()
    return thread, port


def _retrying(hub: HubProcess, what: str) -> bool:
    return any(what in line and "retrying in" in line for line in hub.output)


@pytest.mark.postgres
def test_a_hub_started_before_its_database_says_so_and_waits(tmp_path: Path,
                                                            database: str) -> None:
    proxy = FaultProxy(NOWHERE).start()
    hub = HubProcess(tmp_path / "hub", database=_through(proxy, database))
    try:
        thread, port = _start_in_background(hub)
        wait_for(lambda: _retrying(hub, "cannot connect"), timeout=20,
                 message="the hub to say it cannot reach PostgreSQL")
        line = next(line for line in hub.output if "retrying in" in line)
        assert f"PostgreSQL at 127.0.0.1:{proxy.port}/" in line
        proxy.target_port = urlsplit(POSTGRES_URL).port or 5432  # the database comes up
        thread.join(60)
        assert port, "the hub did not start once its database was up:\n" + "".join(hub.output)
        health = requests.get(f"http://127.0.0.1:{port[0]}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["database"] == "ok"
    finally:
        hub.stop()
        proxy.close()


@pytest.mark.redis
def test_a_hub_started_before_redis_says_so_and_waits(tmp_path: Path) -> None:
    redis_url = require_redis()
    proxy = FaultProxy(NOWHERE).start()
    hub = HubProcess(tmp_path / "hub", extra=f'redis_url = "redis://127.0.0.1:{proxy.port}/0"\n')
    try:
        thread, port = _start_in_background(hub)
        wait_for(lambda: _retrying(hub, f"Redis at 127.0.0.1:{proxy.port}/0"), timeout=20,
                 message="the hub to say it cannot reach Redis")
        proxy.target_port = urlsplit(redis_url).port or 6379
        thread.join(60)
        assert port, "the hub did not start once Redis was up:\n" + "".join(hub.output)
        health = requests.get(f"http://127.0.0.1:{port[0]}/healthz", timeout=10).json()
        assert (health["status"], health["redis"]) == ("ok", "ok")
    finally:
        hub.stop()
        proxy.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers: a database host gone quiet (a cut
    cable, a frozen VM) rather than one that refuses."""
    with socket.create_server(("127.0.0.1", 0), backlog=64) as quiet:  # never accepted, never answered
        yield quiet.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.parametrize("lost", ["refused", "silent"])
def test_health_and_metrics_show_a_database_lost_while_serving(tmp_path: Path, database: str, lost: str,
                                                               silent_port: int) -> None:
    real_port = urlsplit(database).port or 5432
    proxy = FaultProxy(real_port).start()
    hub = InProcessHub(tmp_path / "hub", database=_through(proxy, database))
    try:
        assert requests.get(f"{hub.url}/healthz", timeout=10).status_code == 200
        proxy.target_port = NOWHERE if lost == "refused" else silent_port
        with psycopg.connect(database, autocommit=True) as admin:  # cut the pooled connections
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        # answered within a probe's patience, again and again: once the pool's broken connections are
        # spent, it would wait 30 s for a new one from a silent host (a refusing one fails at once)
        for _ in range(POOL_MAX + 2 if lost == "silent" else 1):
            down = requests.get(f"{hub.url}/healthz", timeout=10)
            assert down.status_code == 503
        assert down.json()["status"] == "unavailable" and down.json()["database"] != "ok"
        metrics = requests.get(f"{hub.url}/metrics", timeout=10).text
        assert metric_value(metrics, "lanebox_hub_database_up") == 0
        proxy.target_port = real_port
        wait_for(lambda: requests.get(f"{hub.url}/healthz", timeout=30).status_code == 200,
                 timeout=30, message="the hub to find its database again")
        assert metric_value(requests.get(f"{hub.url}/metrics", timeout=30).text, "lanebox_hub_database_up") == 1
    finally:
        hub.close()
        proxy.close()
