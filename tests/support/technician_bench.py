"""An in-process lane with simulated devices on real ptys and the four test
users: the technician routes, tried through Flask's test client."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from flask.testing import FlaskClient

from drivers.simulators.aim_barcode import BarcodeSimulator
from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.load import LoadModel
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort
from edge.config import parse_config
from edge.server import LaneServer
from tests.support.lane_process import by_id_link
from tests.support.officer_app import PASSWORD, USERS
from tests.support.waiting import wait_for


class MovableClock:
    """The lane's clock in a test: real time plus however far the test has moved it."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by


@dataclass
class Bench:
    root: Path
    sims: dict[str, Any]
    ports: dict[str, PtyPort]
    server: LaneServer | None = None
    client: FlaskClient | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    config_devices: tuple[str, ...] = ("scale-1", "trace-1")
    clock: MovableClock = field(default_factory=MovableClock)

    def config(self) -> dict[str, Any]:
        return {"lane": {"id": "TECH-1", "name": "Technician bench"},
                "server": {"data_dir": str(self.root), "serial_by_id_dir": str(self.root / "by-id")},
                "terminal_servers": {"hosts": ["127.0.0.1"]},  # where a test's TcpPort simulators listen
                "devices": [{"id": d, "kind": self.sims[d].kind, "driver": self.sims[d].driver,
                             "port": self.ports[d].path, "calibration_interval_days": 30,
                             **({"use": "bench"} if d.startswith("bench-") else {})}
                            for d in self.config_devices]}

    def start(self) -> "Bench":
        """(Re)start the lane on the same store, as a reboot of the box would."""
        self.server = LaneServer(parse_config(self.config()), clock=self.clock)
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

    def run_check(self, body: dict[str, Any], present: Callable[[int], None]) -> dict[str, Any]:
        """Start a check, and for each step arm it, then act on the device (``present(step index)``)."""
        session = self.ok("POST", "/checks", body, status=201)["session"]
        path = f"/calibrations/sessions/{session['id']}"
        for index in range(len(session["steps"])):
            armed = self.ok("POST", f"{path}/arm")["session"]
            assert armed["steps"][index]["state"] == "waiting"
            present(index)
            wait_for(lambda: self.ok("GET", path)["session"]["steps"][index]["state"] == "done",
                     message=f"step {index} judged")
        return self.ok("GET", path)

    def inspection(self) -> str:
        """An officer's inspection (no reference data on the bench: it starts all the same)."""
        inspection_id = str(uuid.uuid4())
        self.ok("POST", "/inspections", {"id": inspection_id, "plate": "KHN 512", "containers": ["MAEU7362056"],
                                         "inspection_type": "standard"}, status=201, user="olga")
        return inspection_id

    def latest_seq(self, device_id: str) -> int:
        """The sequence number of the device's latest reading (0 before any)."""
        latest = self.server.devices.get(device_id).latest
        return latest["seq"] if latest is not None else 0

    def attach(self, device_id: str, inspection_id: str, ready: Callable[[dict[str, Any]], Any],
               newer_than: int = 0) -> dict[str, Any]:
        """The officer attaches the device's reading once ``ready(its data)`` holds for a reading after
        ``newer_than`` (a seq: the one a module-wide bench still shows from a test before is not this
        vehicle's, and the lane refuses it as read before the start); returns the event."""
        state = self.server.devices.get(device_id)
        wait_for(lambda: state.latest is not None and state.latest["seq"] > newer_than
                 and ready(state.latest["data"]), message=f"the reading of {device_id}")
        return self.ok("POST", "/attachments", {"id": str(uuid.uuid4()), "device_id": device_id,
                                                "record_type": "inspection", "record_id": inspection_id},
                       status=201, user="olga")["event"]


def make_bench(root: Path) -> Bench:
    scale = MtSicsSimulator(internal_weight=True)
    scale.adjust_seconds = 0.3
    sims = {"scale-1": scale, "trace-1": EtdSimulator(), "barcode-1": BarcodeSimulator(),
            "bench-1": MtSicsSimulator(LoadModel(capacity=60.0, d=0.02), type_name="SIM-BENCH60")}  # use = "bench"
    ports = {device_id: PtyPort(sim, link=by_id_link(root, device_id)).start() for device_id, sim in sims.items()}
    return Bench(root=root, sims=sims, ports=ports)


def close_bench(bench: Bench) -> None:
    bench.stop()
    for port in bench.ports.values():
        port.close()


@contextmanager
def running_bench(root: Path, devices: tuple[str, ...]) -> Iterator[Bench]:
    """A started bench with ``devices`` in its config, each connected; closed afterwards."""
    bench = make_bench(root)
    bench.config_devices = devices
    try:
        bench.start()
        for device_id in devices:
            bench.connected(device_id)
        yield bench
    finally:
        close_bench(bench)
