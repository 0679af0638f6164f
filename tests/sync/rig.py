"""What the sync tests share: a lane store filled fast, a hub served in this
process or run as a real ``lanebox hub`` process, and the one check that
matters — the hub holds exactly the lane's events, in order, chain verified."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from edge.chain import verify_events
from edge.store import EventStore
from sync.hub import create_hub_app
from sync.hub_store import HubStore

HUB_CLI = [sys.executable, "-m", "edge.cli", "hub"]
LANE = "TEST-IN-01"
HUB_ID = "TEST-HUB"


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


class InProcessHub:
    """A hub store and its app on a real 127.0.0.1 socket, in this process."""

    def __init__(self, root: Path, offline_after_s: float = 15.0) -> None:
        self.store = HubStore(root / "hub.sqlite3", HUB_ID).start()
        self._http = make_server("127.0.0.1", 0, create_hub_app(self.store, offline_after_s),
                                 threaded=True)
        self.port = self._http.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self.store.close()


class HubProcess:
    """``lanebox hub`` as a real process (``python -m edge.cli hub``), restartable."""

    def __init__(self, root: Path, offline_after_s: float | None = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.config = root / "hub.toml"
        offline = f"offline_after_s = {offline_after_s}\n" if offline_after_s is not None else ""
        self.config.write_text(f'[hub]\nid = "{HUB_ID}"\nhost = "127.0.0.1"\nport = 0\n'
                               f'data_dir = "hub-data"\n{offline}')
        self.store = HubStore(root / "hub-data" / "hub.sqlite3", HUB_ID)  # for reading only
        self.process: subprocess.Popen[str] | None = None
        self.port = 0
        self.output: list[str] = []

    def add_lane(self, lane: str = LANE) -> str:
        result = subprocess.run([*HUB_CLI, "add-lane", "--config", str(self.config),
                                 "--lane", lane], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    def start(self, timeout: float = 20.0) -> int:
        self.process = subprocess.Popen([*HUB_CLI, "--config", str(self.config)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        ready = threading.Event()
        process = self.process

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.output.append(line)
                if " serving on " in line:
                    self.port = int(line.rsplit(":", 1)[1])
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
