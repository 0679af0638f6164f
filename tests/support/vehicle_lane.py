"""A lane for the vehicle tests (issue #15): the real ``lanebox serve`` of
:mod:`tests.support.lane_process` with its four devices, plus a radiation
portal monitor simulator (``rpm-1``) behind a TCP terminal server and a gate
camera (``gate-1``) pushing lanebox's generic JSON reads over HTTP with its
bearer token. Optionally the lane syncs to a hub, subscribes to a Mosquitto
broker for an ONVIF plate camera (``anpr-1``), or has the weighbridge
interlock on — one rig, so the browser, scenario and acceptance tests drive
the same lane the same way."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import requests
from playwright.sync_api import Locator, Page, expect

from drivers.simulators.ports import TcpPort
from drivers.simulators.rapiscan_lines import RapiscanSimulator
from drivers.validation.iso6346 import container_check_digit
from edge.cameras.tokens import new_token, token_sha256
from tests.support.browser import photo_bytes
from tests.support.hub_rig import LANE, InProcessHub
from tests.support.lane_process import LaneRig, make_rig
from tests.support.mqtt import Mosquitto
from tests.support.waiting import wait_for

CAMERA = "gate-1"
CAMERA_TOKEN = new_token()
MQTT_CAMERA = "anpr-1"
MQTT_PREFIX = "lanebox/cameras"
PLATE_TOPIC = f"{MQTT_PREFIX}/{MQTT_CAMERA}/tns1:RuleEngine/LicensePlateDetector/LicensePlate"


def vehicle_rig(root: Path, *, interlock: bool = False, hub: InProcessHub | None = None,
                broker: Mosquitto | None = None) -> LaneRig:
    """The lane, configured and not yet started (a test may listen to its hub first): with
    ``hub``, it syncs there with the hub's key pinned; with ``broker``, its ``[mqtt]`` points
    there and ``anpr-1`` is an ONVIF plate camera publishing on it."""
    root.mkdir(parents=True, exist_ok=True)
    rig = make_rig(root)
    if hub is not None:
        rig.lane_id, rig.upstream, rig.hub_key = LANE, (hub.url, hub.store.add_lane(LANE)), hub.hub_key
    rig.sims["rpm-1"] = RapiscanSimulator(seed=15)
    rig.ports["rpm-1"] = TcpPort(rig.sims["rpm-1"]).start()
    rig.write_config()
    config = rig.config_path.read_text()
    if interlock:
        config = config.replace("[lane]\n", "[lane]\ninterlock = true\n", 1)
    config += (f'\n[[cameras]]\nid = "{CAMERA}"\nformat = "generic"\nrole = "both"\n'
               f'token_sha256 = "{token_sha256(CAMERA_TOKEN)}"\n')
    if broker is not None:
        config += (f'\n[[cameras]]\nid = "{MQTT_CAMERA}"\nformat = "onvif"\nrole = "plate"\n'
                   f'\n[mqtt]\nurl = "mqtt://127.0.0.1:{broker.port}"\ntopic_prefix = "{MQTT_PREFIX}"\n'
                   f'client_id = "lanebox-{rig.lane_id}"\n')
    rig.config_path.write_text(config)
    return rig


@contextmanager
def vehicle_lane(root: Path, **options: Any) -> Iterator[LaneRig]:
    """:func:`vehicle_rig` (same ``options``) started — subscribed to the broker, if given — and closed after."""
    rig = vehicle_rig(root, **options)
    try:
        rig.start()
        if options.get("broker") is not None:
            wait_for(lambda: any("MQTT: subscribed" in line for line in rig.output), timeout=15,
                     message="the lane subscribed to the broker")
        yield rig
    finally:
        rig.close()


def container(owner_serial: str) -> str:
    """A container number with its right ISO 6346 check digit ("MSCU123456" → "MSCU1234565")."""
    return f"{owner_serial}{container_check_digit(owner_serial)}"


def push(rig: LaneRig, plate: str | None, containers: tuple[str, ...] = (), *, confidence: float = 0.97,
         container_confidence: float = 0.97) -> dict[str, Any]:
    """``gate-1`` pushes one read with its crop, as a gate camera would; the lane's answer (201)."""
    body: dict[str, Any] = {
        "id": f"read-{uuid.uuid4().hex[:12]}",
        "plate": {"text": plate, "confidence": confidence} if plate else None,
        "containers": [{"code": code, "confidence": container_confidence} for code in containers],
        "image": base64.b64encode(photo_bytes()).decode("ascii"),
    }
    response = requests.post(f"{rig.url}/api/v1/cameras/{CAMERA}/reads", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {CAMERA_TOKEN}"})
    assert response.status_code == 201, response.text
    return response.json()


def publish_plate(broker: Mosquitto, plate: str, likelihood: float = 0.93, image: bytes | None = None) -> None:
    """``anpr-1`` publishes a license-plate event with its crop (``image``, else a real JPEG) in the
    Axis MQTT event bridge's envelope (docs/cameras.md, ``onvif``); returns once the broker has it."""
    event = {"topic": "onvif:RuleEngine/LicensePlateDetector/LicensePlate", "timestamp": int(time.time() * 1000),
             "serial": "ACCC8E000015", "message": {
                 "source": {"VideoSource": "0", "Rule": "LicensePlate"}, "key": {},
                 "data": {"PlateNumber": plate, "Likelihood": likelihood, "CountryCode": "GB",
                          "Image": base64.b64encode(image or photo_bytes()).decode("ascii")}}}
    broker.publish(PLATE_TOPIC, json.dumps(event).encode("utf-8"))


def waiting_vehicle(rig: LaneRig, plate: str) -> dict[str, Any] | None:
    """The vehicle with ``plate`` in the lane's GET /vehicles, as a tablet would ask; None if not waiting."""
    vehicles = rig.api("GET", "/vehicles", user="olga").json()["vehicles"]
    return next((v for v in vehicles if v["plate"] and v["plate"]["text"] == plate), None)


# ----- the tablet's lane screen and start form (Chromium) -------------------------------------------------
def on_lane_screen(page: Page) -> None:
    page.goto("/#/lane")
    expect(page.locator("#vehicles-title")).to_contain_text("Vehicles at the lane")


def card(page: Page, plate: str) -> Locator:
    """The vehicle card on the lane screen showing ``plate``."""
    plate_text = page.locator(".plate-text", has_text=re.compile(f"^{plate}$"))
    return page.locator("#vehicle-list .vehicle-card").filter(has=plate_text)


def started_inspection(page: Page) -> str:
    """The id of the inspection the start form opened (not the form's own ?vehicle= address)."""
    page.wait_for_url(re.compile(r"#/inspections/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]
