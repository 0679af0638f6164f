"""An in-process lane with simulated devices on real ptys and the four test
users: the technician routes, tried through Flask's test client."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from drivers.simulators.aim_barcode import BarcodeSimulator
from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort
from edge.app import LaneServer
from edge.config import parse_config
from tests.edge.lane_process import by_id_link
from tests.edge.officer_app import PASSWORD, USERS
from tests.waiting import wait_for


@dataclass
class Bench:
    root: Path
    sims: dict[str, Any]
    ports: dict[str, PtyPort]
    server: LaneServer | None = None
    client: FlaskClient | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    config_devices: tuple[str, ...] = ("scale-1", "trace-1")

    def config(self) -> dict[str, Any]:
        return {"lane": {"id": "TECH-1", "name": "Technician bench"},
                "server": {"data_dir": str(self.root), "serial_by_id_dir": str(self.root / "by-id")},
                "devices": [{"id": d, "kind": self.sims[d].kind, "driver": self.sims[d].driver,
                             "port": self.ports[d].path, "calibration_interval_days": 30}
                            for d in self.config_devices]}

    def start(self) -> "Bench":
        """(Re)start the lane on the same store, as a reboot of the box would."""
        self.server = LaneServer(parse_config(self.config()))
        self.server.start()
        if not self.server.users.list():
            for username, role in USERS.items():
                self.server.users.add(username, role, PASSWORD, actor="test")
        self.client = self.server.app.test_client()
        for username in USERS:
            response = self.client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
            self.tokens[username] = response.get_json()["token"]
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def call(self, method: str, path: str, user: str = "tom", **kwargs: Any) -> Any:
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self.tokens[user]}"}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None, status: int = 200,
           user: str = "tom") -> Any:
        response = self.call(method, path, user=user, json=body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def connected(self, device_id: str) -> None:
        state = self.server.devices.get(device_id)
        wait_for(lambda: state.driver.state == "connected", timeout=10, message=f"{device_id} connected")


def make_bench(root: Path) -> Bench:
    scale = MtSicsSimulator(internal_weight=True)
    scale.adjust_seconds = 0.3
    sims = {"scale-1": scale, "trace-1": EtdSimulator(), "barcode-1": BarcodeSimulator()}
    ports = {device_id: PtyPort(sim, link=by_id_link(root, device_id)).start() for device_id, sim in sims.items()}
    return Bench(root=root, sims=sims, ports=ports)


def close_bench(bench: Bench) -> None:
    bench.stop()
    for port in bench.ports.values():
        port.close()
