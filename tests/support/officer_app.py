"""An in-process lane (Flask test client, no devices) with users and the demo
reference data: fast enough to try every route with every kind of bad input."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from common.custody import WITNESSED
from common.reference import load_reference_file, store_reference
from edge.cameras.tokens import token_sha256
from edge.config import parse_config
from edge.server import LaneServer
from lanebox.demo import DEMO_REFERENCE

USERS = {"olga": "officer", "sue": "supervisor", "tom": "technician", "vic": "viewer"}
PASSWORD = "lane test kettle drum"
CAMERA, CAMERA_TOKEN = "gate", "officer-app-camera-token"  # a camera pushing generic JSON reads


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class OfficerApp:
    server: LaneServer
    client: FlaskClient
    tokens: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, user: str = "olga", **kwargs: Any) -> Any:
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self.tokens[user]}"}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None, status: int = 201,
           user: str = "olga") -> dict[str, Any]:
        response = self.call(method, path, user=user, json=body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def events(self) -> int:
        return self.server.store.count()

    def inspection(self, plate: str = "KHN 512", containers: tuple[str, ...] = ("MAEU7362056",),
                   inspection_type: str = "standard") -> str:
        inspection_id = new_id()
        self.ok("POST", "/inspections", {"id": inspection_id, "plate": plate, "containers": list(containers),
                                         "inspection_type": inspection_type})
        return inspection_id

    def seizure(self, inspection_id: str | None = None, items: int = 2) -> str:
        seizure_id = new_id()
        self.ok("POST", "/seizures", {"id": seizure_id, "inspection_id": inspection_id or self.inspection(),
                                      "legal_basis": "Customs and Excise Management Act 1979 s.139",
                                      "items": [ITEM] * items})
        return seizure_id

    def bag(self, seizure_id: str | None = None) -> str:
        body = {"id": new_id(), "description": "cartons 1-40", "items": [0]}
        return self.ok("POST", f"/seizures/{seizure_id or self.seizure()}/bags", body)["bag"]["bag_id"]

    def sealed_bag(self) -> str:
        """A new bag, sealed before a witness."""
        bag_id = self.bag()
        self.custody(bag_id, "sealed")
        return bag_id

    def custody(self, bag_id: str, action: str, status: int = 201, witness: str | None = "sue",
                **extra: Any) -> dict[str, Any]:
        """A custody step by olga; sealing, release and destruction countersigned by ``witness``."""
        body = {"id": new_id(), "action": action, "confirmation": "typed", **extra}
        if action == "sealed":
            body.setdefault("seal_number", "GB 000001")
        if action == "received":
            body.setdefault("seal_intact", True)
            body.setdefault("seal_number", "GB 000001")
        headers = {"X-Witness-Token": self.tokens[witness]} if witness and action in WITNESSED else {}
        response = self.call("POST", f"/bags/{bag_id}/custody", json=body, headers=headers)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()


ITEM = {"description": "Cigarettes, king size, in master cases", "hs_code": "240220", "quantity": 400,
        "unit": "cartons", "weight_kg": 210.5, "value": 15200.0, "currency": "EUR"}


def start_officer_app(data_dir: Path) -> OfficerApp:
    server = LaneServer(parse_config({"lane": {"id": "TEST-IN-02", "name": "Test lane 2 (Łódź)"},
                                      "server": {"data_dir": str(data_dir)},
                                      "cameras": [{"id": CAMERA, "format": "generic",
                                                   "token_sha256": token_sha256(CAMERA_TOKEN)}]}))
    server.start()
    for username, role in USERS.items():
        server.users.add(username, role, PASSWORD, actor="test")
    store_reference(server.store, load_reference_file(DEMO_REFERENCE), actor="test")
    app = OfficerApp(server, server.app.test_client())
    for username in USERS:
        response = app.client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
        app.tokens[username] = response.get_json()["token"]
    return app
