"""Camera events over MQTT, with a real Mosquitto of the test's own: published
with paho as a camera would, stored as camera.read; bad messages dropped and
counted; the lane's subscriber comes back after the broker restarts."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Iterator

import pytest

from edge.cameras.mqtt import MAX_MESSAGE_BYTES
from edge.server import LaneServer
from tests.support.mqtt import Mosquitto
from tests.support.waiting import wait_for
from tests.unit.edge.cameras.conftest import jpeg, sample, start_camera_lane

PREFIX = "port/lane3"
TOPIC = f"{PREFIX}/mq/tns1:RuleEngine/LicensePlateDetector/LicensePlate"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    mosquitto = Mosquitto(tmp_path / "broker")
    try:
        yield mosquitto
    finally:
        mosquitto.stop()


@pytest.fixture
def lane(tmp_path: Path, broker: Mosquitto) -> Iterator[LaneServer]:
    server = start_camera_lane(tmp_path, mqtt={"url": f"mqtt://127.0.0.1:{broker.port}", "topic_prefix": PREFIX,
                                               "client_id": "lane3-test"})
    try:
        assert server.cameras.mqtt is not None
        wait_for(server.cameras.mqtt.connected.is_set, timeout=10, message="the lane subscribed")
        yield server
    finally:
        server.stop()


def reads(server: LaneServer) -> list[dict]:
    return [json.loads(e["payload"]) for e in server.store.query(
        "SELECT payload FROM events WHERE type = 'camera.read' ORDER BY seq")]


def test_an_axis_bridge_event_with_its_image_becomes_a_camera_read(lane: LaneServer, broker: Mosquitto):
    event = json.loads(sample("onvif_axis_bridge.json"))
    picture = jpeg()
    event["message"]["data"]["Image"] = base64.b64encode(picture).decode()
    broker.publish(TOPIC, json.dumps(event).encode())
    [read] = wait_for(lambda: reads(lane), message="the read stored")
    assert read["camera"] == "mq" and read["format"] == "onvif"
    assert read["plate"] == {"text": "KHN512", "confidence": 0.88}
    assert read["captured_at"] == "2025-03-14T08:47:05.509Z"
    assert lane.photos.path(read["photo"]["sha256"]).read_bytes() == picture
    actor = lane.store.query("SELECT actor FROM events WHERE type = 'camera.read'")[0]["actor"]
    assert actor == "camera:mq"


def test_bad_messages_are_dropped_and_counted_never_stored(lane: LaneServer, broker: Mosquitto):
    good = sample("onvif_message.json")
    broker.publish(f"{PREFIX}/gate/tns1:RuleEngine/LicensePlate", good)  # an HTTP camera's id: not an MQTT camera
    broker.publish(f"{PREFIX}/nobody/x", good)
    broker.publish(TOPIC, good.replace(b"KHN-512", b"KHN\\u0000512"))
    broker.publish(TOPIC, b"{not json")
    broker.publish(TOPIC, b"x" * (MAX_MESSAGE_BYTES + 10))
    broker.publish(TOPIC, good)  # the one good one, published last
    wait_for(lambda: reads(lane), message="the good read stored")
    drops = lane.cameras.drops
    assert drops["unknown_topic"] == 2 and drops["unprintable_text"] == 1 and drops["invalid_json"] == 1
    assert [r["plate"]["text"] for r in reads(lane)] == ["KHN512"]


def test_a_retained_read_is_not_replayed_as_a_new_one(tmp_path: Path, broker: Mosquitto):
    """A read left retained on the broker reaches every (re)subscription again: dropped, counted."""
    broker.publish(TOPIC, sample("onvif_message.json"), retain=True)
    server = start_camera_lane(tmp_path, mqtt={"url": f"mqtt://127.0.0.1:{broker.port}", "topic_prefix": PREFIX})
    try:
        wait_for(lambda: server.cameras.drops["retained"] == 1, timeout=10, message="the retained message dropped")
        assert reads(server) == []
    finally:
        server.stop()


def test_the_subscriber_reconnects_when_the_broker_comes_back(lane: LaneServer, broker: Mosquitto):
    subscriber = lane.cameras.mqtt
    assert subscriber is not None
    broker.stop()
    wait_for(lambda: not subscriber.connected.is_set(), timeout=10, message="the lane saw the broker go")
    broker.start()
    wait_for(lambda: subscriber.connections >= 2, timeout=40, message="the lane reconnected")
    broker.publish(TOPIC, sample("onvif_message.json"))
    [read] = wait_for(lambda: reads(lane), message="a read after the restart stored")
    assert read["plate"]["text"] == "KHN512" and read["captured_at"] == "2025-03-14T08:47:05.509Z"
