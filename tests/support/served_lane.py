"""A lane server in this process on a real 127.0.0.1 socket (HTTP and
Socket.IO), no devices, a few users, and a clock its sessions expire by."""

from __future__ import annotations

import threading
from pathlib import Path

import requests
from werkzeug.serving import make_server

from edge.config import parse_config
from edge.server import LaneServer
from tests.support.clock import EpochClock
from tests.support.signin import session_token

PASSWORD = "lane test kettle drum"
USERS = {"olga": "officer", "oscar": "officer", "tom": "technician", "sue": "supervisor"}
TTL_S = 3600


class Lane:
    """The served lane; ``clock.now`` moves its sessions' time."""

    def __init__(self, root: Path) -> None:
        self.clock = EpochClock()
        self.server = LaneServer(parse_config({"lane": {"id": "TEST-IN-03"}, "server": {
            "data_dir": str(root), "session_ttl_s": TTL_S}}), session_clock=self.clock)
        self.server.start()
        for username, role in USERS.items():
            self.server.users.add(username, role, PASSWORD, actor="test")
        self.http = make_server("127.0.0.1", 0, self.server.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()

    def sign_in(self, username: str) -> str:
        return session_token(self.url, username, PASSWORD)

    def api(self, method: str, path: str, token: str, **kwargs: object) -> requests.Response:
        return requests.request(method, f"{self.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
                                timeout=10, **kwargs)

    def stream(self, marker: str) -> None:
        """A live message every tablet should get (a device's state)."""
        self.server.live.publish("device_status", {"device_id": marker, "state": "online"})

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.server.stop()
