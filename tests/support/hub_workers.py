"""Several ``lanebox hub`` workers sharing PostgreSQL and Redis, and nginx in front.

What the multi-worker tests and ``bench/hub.py`` share: real processes,
each with a config file of its own naming the same database and Redis, and
the repository's own nginx config (deploy/nginx/lanebox-hub.conf) run by
Debian's nginx with the workers' real ports put in.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path
from typing import Any, Callable

import socketio

from tests.support.hub_rig import HUB_CLI, HubProcess
from tests.support.services import require_nginx
from tests.support.signin import session_token
from tests.support.waiting import wait_for

SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "lanebox-hub.conf"
BOARD_USER, BOARD_PASSWORD = "control", "control room teal kite"


class HubWorkers:
    """``count`` hub worker processes on one PostgreSQL database and one Redis."""

    def __init__(self, root: Path, database: str, redis_url: str, count: int = 2) -> None:
        self.workers = [HubProcess(root / f"worker-{index}", database=database,
                                   extra=f'redis_url = "{redis_url}"\ntrusted_proxies = ["127.0.0.1"]\n')
                        for index in range(count)]
        self.urls: list[str] = []

    def add_lane(self, lane: str) -> str:
        return self.workers[0].add_lane(lane)

    def add_user(self, username: str, role: str, password: str) -> None:
        result = subprocess.run(
            [*HUB_CLI, "users", "add", "--config", str(self.workers[0].config),
             "--username", username, "--role", role, "--password-stdin"],
            input=password + "\n", capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr

    def start(self) -> list[str]:
        self.urls = [f"http://127.0.0.1:{worker.start()}" for worker in self.workers]
        return self.urls

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


def sign_in(url: str, username: str = BOARD_USER, password: str = BOARD_PASSWORD) -> str:
    return session_token(url, username, password)


def board_client(url: str, on_lane: Callable[[dict[str, Any]], None],
                 on_alarm: Callable[[dict[str, Any]], None] | None = None) -> socketio.Client:
    """A control-room board's live connection (websocket only, as behind nginx)."""
    client = socketio.Client(reconnection=False)
    client.on("lane", on_lane, namespace="/board")
    if on_alarm is not None:
        client.on("alarm", on_alarm, namespace="/board")
    client.connect(url, namespaces=["/board"], transports=["websocket"],
                   auth={"token": sign_in(url)}, wait_timeout=10)
    return client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Nginx:
    """Debian's nginx running the repository's hub site config, on 127.0.0.1."""

    def __init__(self, root: Path, worker_ports: list[int]) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        site = SITE.read_text()
        site = site.replace("127.0.0.1:9091", f"127.0.0.1:{worker_ports[0]}")
        site = site.replace("127.0.0.1:9092", f"127.0.0.1:{worker_ports[1]}")
        site = site.replace("listen 9090;", f"listen 127.0.0.1:{self.port};")
        (root / "site.conf").write_text(site)
        (root / "nginx.conf").write_text(
            # run as root (CI), nginx's workers would drop to nobody, who cannot
            # enter pytest's private temp folders
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"daemon off;\npid {root}/nginx.pid;\nerror_log {root}/error.log warn;\n"
            f"events {{ worker_connections 512; }}\n"
            f"http {{\n  access_log {root}/access.log;\n"
            + "".join(f"  {kind}_temp_path {root}/{kind};\n"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + f"  include {root}/site.conf;\n}}\n")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        self.process = subprocess.Popen([require_nginx(), "-p", str(self.root), "-c",
                                         str(self.root / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for(self._listening, timeout=10, message="nginx to listen")
        return self.url

    def _listening(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"nginx exited: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
