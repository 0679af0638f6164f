"""What the sync tests share: a lane store filled fast, a hub served in this
process or run as a real ``lanebox hub`` process, and the one check that
matters — the hub holds exactly the lane's events, in order, chain verified."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import requests
import socketio
from werkzeug.serving import make_server

from common.eventlog.chain import verify_events
from common.eventlog.store import EventStore
from sync.hub.app import Hub
from sync.hub.identity import HubIdentity
from sync.hub.store import HubStore
from sync.identity import parse_key
from sync.lane.upstream import Upstream, make_upstream
from tests.support.lane_process import SERVING, LaneRig
from tests.support.signin import session_token

HUB_CLI = [sys.executable, "-m", "lanebox", "hub"]
LANE = "TEST-IN-01"
HUB_ID = "TEST-HUB"
HUB_USERS = {"carol": ("supervisor", "carol teal kite signal"), "vera": ("viewer", "vic maple drizzle")}
"""Control-room users the rigs add on first use: username → (role, password)."""


def hub_sign_in(url: str, username: str) -> str:
    """A hub session token for one of ``HUB_USERS`` (added already)."""
    return session_token(url, username, HUB_USERS[username][1])


def fill(store: EventStore, count: int, chunk: int = 5000, note: str = "") -> None:
    """Append ``count`` events, many per transaction (fast, still one chain)."""
    while count > 0:
        n = min(chunk, count)

        def write(conn: sqlite3.Connection, n: int = n) -> None:
            for i in range(n):
                store.append_in(conn, "test.event", {"i": i, "note": note or "x" * 80}, "tester")

        store.run_write(write)
        count -= n


def lane_rows(path: Path) -> list[tuple[int, str, str]]:
    """(seq, id, hash) of every event in a lane store file, read-only."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return conn.execute("SELECT seq, id, hash FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


def hub_events(hub: HubStore, lane: str = LANE) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while batch := hub.events(lane, after_seq=events[-1]["seq"] if events else 0, limit=5000):
        events.extend(batch)
    return events


def assert_hub_holds_exactly(hub: HubStore, lane_path: Path, lane: str = LANE) -> int:
    """The hub's copy is the lane's log event for event, and a whole chain."""
    events = hub_events(hub, lane)
    held = [(e["seq"], e["id"], e["hash"]) for e in events]
    expected = lane_rows(lane_path)
    assert len(held) == len(expected), f"hub holds {len(held)} events, lane has {len(expected)}"
    for got, want in zip(held, expected):
        assert got == want, f"hub {got} != lane {want}"
    report = verify_events(events)
    assert report.ok, report
    return len(held)


def lane_with_upstream(root: Path, lane_id: str = LANE, **upstream: Any) -> LaneRig:
    """A lane rig (no devices, config written) whose ``[upstream]`` table
    holds exactly ``upstream``'s keys — e.g. a token and no url."""
    rig = LaneRig(root=root, lane_id=lane_id)
    root.mkdir(parents=True, exist_ok=True)
    rig.write_config()
    table = "".join(f"{key} = {json.dumps(value)}\n" for key, value in upstream.items())
    rig.config_path.write_text(rig.config_path.read_text() + f"\n[upstream]\n{table}")
    return rig


class InProcessHub:
    """A hub store and its app on a real 127.0.0.1 socket, in this process
    (over HTTPS when given an ``ssl_context``)."""

    def __init__(self, root: Path, offline_after_s: float = 15.0,
                 database: str | None = None, ssl_context: ssl.SSLContext | None = None) -> None:
        self.root, self.database = root, database  # database: a PostgreSQL URL, else SQLite
        self.store = HubStore(database or root / "hub.sqlite3", HUB_ID).start()
        self.hub = Hub(self.store, offline_after_s).start()
        self._http = make_server("127.0.0.1", 0, self.hub.app, threaded=True, ssl_context=ssl_context)
        self.port = self._http.server_port
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    @property
    def hub_key(self) -> str:
        """The hub's public key, as ``lanebox hub add-lane`` prints it for a lane to pin."""
        return HubIdentity.of(self.store).public_text

    def upstream(self, url: str | None = None, lane: str = LANE) -> Upstream:
        """This hub as a lane that pinned its key reaches it: at its URL, or at
        ``url`` (a proxy in front of it)."""
        return make_upstream(lane, url or self.url, "", "127.0.0.1", None, parse_key(self.hub_key))

    def user_token(self, username: str = "carol") -> str:
        """Sign ``username`` (of ``HUB_USERS``) in, adding the account first if new."""
        if username not in {u["username"] for u in self.hub.users.list()}:
            role, password = HUB_USERS[username]
            self.hub.users.add(username, role, password)
        return hub_sign_in(self.url, username)

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self.hub.stop()
        self.store.close()


class HubProcess:
    """``lanebox hub`` as a real process (``python -m lanebox.cli hub``), restartable."""

    def __init__(self, root: Path, offline_after_s: float | None = None,
                 database: str | None = None, extra: str = "") -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.config = root / "hub.toml"
        offline = f"offline_after_s = {offline_after_s}\n" if offline_after_s is not None else ""
        engine = f'database = "{database}"\n' if database else ""
        self.config.write_text(f'[hub]\nid = "{HUB_ID}"\nhost = "127.0.0.1"\nport = 0\n'
                               f'data_dir = "hub-data"\n{offline}{engine}{extra}')
        # for reading only: the hub process owns the writing
        self.store = HubStore(database or root / "hub-data" / "hub.sqlite3", HUB_ID)
        self.process: subprocess.Popen[str] | None = None
        self.port = 0
        self.output: list[str] = []

    def add_lane(self, lane: str = LANE) -> str:
        result = subprocess.run([*HUB_CLI, "add-lane", "--config", str(self.config),
                                 "--lane", lane], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    def hub_key(self) -> str:
        """The hub's key as ``lanebox hub key`` prints it, for a lane's ``[upstream] hub_key``."""
        result = subprocess.run([*HUB_CLI, "key", "--config", str(self.config)], capture_output=True,
                                text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def user_token(self, username: str = "carol") -> str:
        """Add ``username`` (of ``HUB_USERS``) with ``lanebox hub users add``, sign in."""
        role, password = HUB_USERS[username]
        subprocess.run([*HUB_CLI, "users", "add", "--config", str(self.config), "--username",
                        username, "--role", role, "--password-stdin"], input=password + "\n",
                       capture_output=True, text=True, timeout=30)  # exists already: fine
        return hub_sign_in(f"http://127.0.0.1:{self.port}", username)

    def start(self, timeout: float = 20.0, port: int | None = None) -> int:
        """Start the hub (on ``port`` by ``--port``, else the config's); its port."""
        port_args = ["--port", str(port)] if port is not None else []
        self.process = subprocess.Popen([*HUB_CLI, "--config", str(self.config), *port_args],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        ready = threading.Event()
        process = self.process

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.output.append(line)
                serving = SERVING.search(line)
                if serving and not ready.is_set():
                    self.port = int(serving.group(1).rsplit(":", 1)[1])
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(timeout):
            self.stop()
            raise AssertionError("hub did not start:\n" + "".join(self.output))
        return self.port

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(sig)
            self.process.wait(15)
            self.process = None


def lanes(hub: InProcessHub | HubProcess, url: str | None = None) -> dict[str, dict[str, Any]]:
    """The hub's lane listing, read as a control-room user."""
    if not hasattr(hub, "_token"):
        hub._token = hub.user_token()  # type: ignore[union-attr]
    response = requests.get(f"{url or hub.url}/api/v1/hub/lanes", timeout=5,  # type: ignore[union-attr]
                            headers={"Authorization": f"Bearer {hub._token}"})  # type: ignore[union-attr]
    assert response.status_code == 200, response.text
    return {row["lane"]: row for row in response.json()["lanes"]}


Alarms = queue.Queue[dict[str, Any]]


def board_alarms(hub: InProcessHub | HubProcess, user: str = "vera") -> tuple[socketio.Client, Alarms]:
    """A control-room board's real /board Socket.IO connection, and the alarms it hears."""
    heard: Alarms = queue.Queue()
    board = socketio.Client(reconnection=False)
    board.on("alarm", heard.put, namespace="/board")
    board.connect(hub.url, namespaces=["/board"], auth={"token": hub.user_token(user)},
                  transports=["websocket"], wait_timeout=5)
    return board, heard


def next_alarm(heard: Alarms, test: Any, timeout: float = 30.0) -> dict[str, Any]:
    """The next alarm heard that passes ``test`` (others are skipped); queue.Empty after ``timeout`` s of silence."""
    while not test(alarm := heard.get(timeout=timeout)):
        pass
    return alarm
