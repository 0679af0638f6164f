"""What a lane's radiation monitor and cameras tell the vehicle queue, sent the way they send it:
``reading`` messages of kind radiation through the lane's fan-out (as edge/devices/manager.py publishes
a driver's readings) and stored ``camera.read`` events through the cameras' ``on_read``."""

from __future__ import annotations

from typing import Any

from common.clock import utc_now_iso
from edge.server import LaneServer

GAMMA = {"max_cps": [2100, 2400, 900, 800], "background_cps": [300, 310, 295, 305]}
NEUTRON = {"max_counts": [2, 3, 1, 2], "background_counts": [2, 2, 1, 2]}


class Sightings:
    def __init__(self, server: LaneServer, device_id: str = "rpm-1") -> None:
        self.server, self.device_id, self.seq = server, device_id, 0
        self.started_at = utc_now_iso()

    def _reading(self, data: dict[str, Any]) -> None:
        self.seq += 1
        self.server.messages.publish("reading", {"device_id": self.device_id, "kind": "radiation", "seq": self.seq,
                                                 "ts": utc_now_iso(), "data": data})

    def occupied(self) -> None:
        self.started_at = utc_now_iso()
        self._reading({"phase": "occupied", "started_at": self.started_at})

    def left(self, gamma_alarm: bool = False, neutron_alarm: bool = False) -> None:
        self._reading({"phase": "occupancy", "occupancy": self.seq, "started_at": self.started_at,
                       "ended_at": utc_now_iso(), "gamma": GAMMA, "neutron": NEUTRON, "gamma_alarm": gamma_alarm,
                       "neutron_alarm": neutron_alarm, "alarm": gamma_alarm or neutron_alarm, "speed_kmh": 7.5})

    def read(self, plate: str | None, containers: list[tuple[str, float]] = (), confidence: float = 0.95,
             camera: str = "gate-1") -> dict[str, Any]:
        payload = {"camera": camera, "plate": {"text": plate, "confidence": confidence} if plate else None,
                   "containers": [{"code": code, "check_ok": True, "confidence": c} for code, c in containers],
                   "photo": None, "captured_at": None, "format": "generic"}
        event = self.server.store.append("camera.read", payload, f"camera:{camera}").event
        self.server.vehicles.on_read(event)
        return event
