"""Camera events from an MQTT broker (ONVIF Profile M style, JSON).

:class:`CameraSubscriber` subscribes to ``<topic_prefix>/<camera id>/#``
on the ``[mqtt]`` broker and hands each message to the camera's adapter and
then to :meth:`CameraService.accept`. It runs on paho-mqtt's own network
thread (``loop_start``), so nothing here ever blocks the lane server, and
paho reconnects by itself when the broker goes away (backing off from 1 to
30 s). Messages are untrusted like any push:

- the topic must name a configured MQTT camera (``format = "onvif"``);
  anything else is dropped and counted (``unknown_topic``) — the payload
  never says which camera it is;
- the broker is asked (MQTT 5 ``Maximum Packet Size``) not to send more
  than :data:`MAX_MESSAGE_BYTES`, and anything bigger that arrives anyway
  is dropped (``too_large``);
- retained messages are dropped (``retained``): they are old reads replayed
  at every (re)connection, not new ones;
- a refused read is dropped and counted by its reason, as the HTTP route
  would answer it.

Who may publish to a camera's topic is the broker's business (its users,
ACLs and TLS); docs/security.md says what that does and does not defend.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections import Counter
from typing import Any, Protocol

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from edge.cameras.config import CameraConfig, MqttConfig
from edge.cameras.formats import FORMATS
from edge.cameras.push import Push
from edge.cameras.reads import MAX_IMAGE_BYTES, CameraRead, NotARead, ReadRefused

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = MAX_IMAGE_BYTES * 3 // 2
"""A base64 picture of the largest size with its JSON around it."""
KEEPALIVE_S = 30


class ReadSink(Protocol):
    """What the subscriber hands reads to (:class:`edge.cameras.service.CameraService`)."""

    cameras: dict[str, CameraConfig]
    drops: Counter[str]

    def accept(self, camera: CameraConfig, read: CameraRead, fingerprint: str) -> Any: ...

    def drop(self, camera_id: str, reason: str, detail: str) -> None: ...


class CameraSubscriber:
    """The lane's MQTT client for camera events."""

    def __init__(self, config: MqttConfig, service: ReadSink) -> None:
        self.config, self.service = config, service
        self.connected = threading.Event()
        self.connections = 0
        self.not_reads = 0
        self._client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=config.client_id,
                                   protocol=paho.MQTTv5)
        if config.username is not None:
            self._client.username_pw_set(config.username, config.password)
        if config.tls:
            self._client.tls_set(ca_certs=str(config.ca_file) if config.ca_file else None,
                                 tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message

    @property
    def topic(self) -> str:
        return f"{self.config.topic_prefix}/+/#"

    def start(self) -> None:
        """Connect in the background: a broker that is not there yet is retried, never waited for."""
        properties = Properties(PacketTypes.CONNECT)
        properties.MaximumPacketSize = MAX_MESSAGE_BYTES + 1024  # the topic and headers beside the payload
        self._client.connect_async(self.config.host, self.config.port, keepalive=KEEPALIVE_S,
                                   properties=properties)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if reason.is_failure:
            log.warning("MQTT broker %s:%s refused the lane: %s", self.config.host, self.config.port, reason)
            return
        self.connections += 1
        client.subscribe(self.topic, qos=1)
        self.connected.set()
        log.info("MQTT: subscribed to %s on %s:%s", self.topic, self.config.host, self.config.port)

    def _on_disconnect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        self.connected.clear()
        log.warning("MQTT: lost the broker %s:%s (%s); reconnecting", self.config.host, self.config.port, reason)

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        try:
            self.handle(message.topic, message.payload, retained=bool(message.retain))
        except Exception:  # paho's thread must survive whatever one message does
            log.exception("MQTT: message on %r failed", message.topic)
            self.service.drops["failed"] += 1

    def handle(self, topic: str, payload: bytes, *, retained: bool = False) -> None:
        """One message: its camera from the topic, its read from the payload."""
        camera_id = self.camera_id(topic)
        camera = self.service.cameras.get(camera_id or "")
        if camera is None or FORMATS[camera.format].transport != "mqtt":
            self.service.drop(camera_id or "?", "unknown_topic", f"no MQTT camera publishes to {topic[:200]!r}")
            return
        if retained:
            self.service.drop(camera.id, "retained", "a retained message is an old read, not a new one")
            return
        if len(payload) > MAX_MESSAGE_BYTES:
            self.service.drop(camera.id, "too_large", f"{len(payload)} bytes")
            return
        try:
            push = Push("application/json", payload)
            self.service.accept(camera, FORMATS[camera.format].parse(push), push.fingerprint())
        except NotARead as exc:
            self.not_reads += 1
            log.debug("MQTT: camera %s: %s", camera.id, exc)
        except ReadRefused as exc:
            self.service.drop(camera.id, exc.code, str(exc))

    def camera_id(self, topic: str) -> str | None:
        """``<prefix>/<camera id>/...`` → the camera id (None if the topic is not under the prefix)."""
        prefix = self.config.topic_prefix + "/"
        if not topic.startswith(prefix):
            return None
        camera_id = topic[len(prefix):].split("/", 1)[0]
        return camera_id or None
