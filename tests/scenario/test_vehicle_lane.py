"""The lane opens the inspection (issue #15), end to end over real sockets: a real ``lanebox serve``
with a radiation portal monitor simulator behind a TCP terminal server and a camera pushing its read
over HTTP, syncing to a hub in this process. A lorry drives through with a gamma alarm, the camera
pushes its plate and container: the vehicle with plate, container and alarm is in GET /vehicles and on
a tablet's /live socket; the officer starts from it and adjudicates "innocent — NORM"; the board's
critical alarm clears with that code, and the N42.42 export validates. Bad camera input on the real
server and a real broker: a 50 MB push is a 413 from its declared length, bad MQTT messages are counted
drops on /metrics, and none of them leaves a vehicle or a photo behind."""

from __future__ import annotations

import hashlib
import json
import socket
import uuid
from http.client import HTTPResponse
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from edge.cameras.mqtt import MAX_MESSAGE_BYTES
from edge.radiation.n42 import validate
from tests.support.hub_rig import LANE, InProcessHub, board_alarms, next_alarm
from tests.support.lane_process import LaneRig
from tests.support.metrics import metric_value
from tests.support.mqtt import Mosquitto
from tests.support.socket_client import Listener
from tests.support.vehicle_lane import (
    CAMERA,
    CAMERA_TOKEN,
    PLATE_TOPIC,
    publish_plate,
    push,
    vehicle_lane,
    waiting_vehicle,
)
from tests.support.waiting import wait_for

PLATE, CONTAINER = "GA24MMA", "MSCU1234566"


def test_a_lorry_with_a_gamma_alarm_from_the_portal_to_the_board(tmp_path) -> None:
    hub = InProcessHub(tmp_path / "hub")
    control_room, alarms = board_alarms(hub)
    try:
        with vehicle_lane(tmp_path / "lane", hub=hub) as rig:
            tablet = Listener(rig.url, "/live", rig.token("olga"))
            wait_for(lambda: tablet.connected, message="the tablet on /live")
            rig.sims["rpm-1"].drive_vehicle("norm", seconds=2.0)
            push(rig, "GA24 MMA", (CONTAINER,), confidence=0.96, container_confidence=0.93)

            def scanned(vehicle: dict[str, Any] | None) -> dict[str, Any] | None:
                """The lorry, once the box has its plate and the portal's alarm (else None)."""
                plate, radiation = (vehicle or {}).get("plate") or {}, (vehicle or {}).get("radiation") or {}
                return vehicle if plate.get("text") == PLATE and radiation.get("state") == "alarm" else None

            vehicle = wait_for(lambda: scanned(waiting_vehicle(rig, PLATE)), timeout=20, message="the lorry at the box")
            assert [c["code"] for c in vehicle["containers"]] == [CONTAINER]
            assert vehicle["radiation"]["gamma_alarm"] is True
            wait_for(lambda: any(scanned(v) and v["id"] == vehicle["id"] for v in tablet.received("vehicle")),
                     message="the lorry on the tablet's /live")
            raised = next_alarm(alarms, lambda a: a["kind"] == "rpm_alarm" and a["lane"] == LANE)
            assert raised["severity"] == "critical"

            started = rig.api("POST", "/inspections", user="olga", json={
                "id": str(uuid.uuid4()), "plate": PLATE, "containers": [CONTAINER], "inspection_type": "standard",
                "vehicle_id": vehicle["id"]})
            assert started.status_code == 201, started.text
            inspection = started.json()["inspection"]
            wait_for(lambda: {"id": vehicle["id"]} in tablet.received("vehicle_gone"), message="the lorry taken")
            occupancy = inspection["radiation"]["occupancies"][0]
            assert occupancy["calibration_due"] is False and occupancy["device_id"] == "rpm-1"
            judged = rig.api("POST", f"/inspections/{inspection['id']}/radiation", user="olga", json={
                "id": str(uuid.uuid4()), "occupancy_event": occupancy["event_id"], "code": "innocent_norm",
                "secondary": {"performed": True, "result": "source_identified", "nuclide": "K-40"}})
            assert judged.status_code == 201, judged.text

            cleared = next_alarm(alarms, lambda a: a["id"] == raised["id"] and a["state"] == "cleared")
            assert cleared["adjudication"] == "Innocent alarm — NORM (naturally occurring radioactive material)"
            document = rig.api("GET", occupancy["n42_url"].removeprefix("/api/v1"), user="olga")
            assert document.status_code == 200
            validate(document.content)
            assert b"adjudication: innocent_norm" in document.content
            tablet.close()
    finally:
        control_room.disconnect()
        hub.close()


def push_50_mb(rig: LaneRig) -> tuple[int, dict[str, Any], int]:
    """A runaway camera declares a 50 MB push over a real socket: the lane's answer (status, JSON)
    before any of the body is sent, and how much of the body the lane took after that."""
    size, url = 50 << 20, urlsplit(rig.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(f"POST /api/v1/cameras/{CAMERA}/reads HTTP/1.1\r\nHost: {url.netloc}\r\n"
                     f"Authorization: Bearer {CAMERA_TOKEN}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {size}\r\n\r\n".encode("ascii"))
        answer = HTTPResponse(conn)
        answer.begin()
        status, body = answer.status, json.loads(answer.read())
        sent, chunk = 0, b"A" * (1 << 20)
        try:
            while sent < size:
                conn.sendall(chunk)
                sent += len(chunk)
        except OSError:  # the lane closed the connection: it reads none of what it refused
            pass
    return status, body, sent


def camera_drops(rig: LaneRig, *reasons: str) -> dict[str, float]:
    """The lane's count of camera reads not stored, per reason, as Prometheus scrapes it."""
    page = requests.get(f"{rig.url}/metrics", timeout=5).text
    return {reason: metric_value(page, "lanebox_camera_drops_total", reason=reason) for reason in reasons}


def test_bad_camera_input_is_a_clear_4xx_or_a_counted_drop_on_the_real_lane(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path / "broker")
    try:
        with vehicle_lane(tmp_path / "lane", broker=broker) as rig:
            status, body, sent = push_50_mb(rig)
            assert (status, body["error"]["code"]) == (413, "too_large"), body
            assert sent < 50 << 20, "the lane kept reading a push it had refused"

            not_a_picture = b"%PDF-1.7 not a picture at all"
            publish_plate(broker, "PD01FAK", image=not_a_picture)
            publish_plate(broker, "GA24\x1bMMA")  # a plate with ESC in it: refused whole, never cleaned
            broker.publish(PLATE_TOPIC, b"x" * (MAX_MESSAGE_BYTES + 1))
            publish_plate(broker, "OK15AAA")  # the one good read, published last
            wait_for(lambda: waiting_vehicle(rig, "OK15AAA"), timeout=10, message="the good read at the lane")
            assert camera_drops(rig, "invalid_image", "unprintable_text", "too_large") == {
                "invalid_image": 1, "unprintable_text": 1, "too_large": 1}
            vehicles = rig.api("GET", "/vehicles", user="olga").json()["vehicles"]
            assert [v["plate"]["text"] for v in vehicles] == ["OK15AAA"]
            fake = rig.api("GET", f"/photos/{hashlib.sha256(not_a_picture).hexdigest()}", user="olga")
            assert fake.status_code == 404
    finally:
        broker.stop()
