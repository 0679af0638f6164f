"""Cameras' reads, stored: the one place a read becomes evidence.

:class:`CameraService` is what the push route and the MQTT subscriber hand
a parsed read to. For each read it

1. keeps only what the camera's ``role`` trusts it to read (a container
   camera's "plate" is some other text it saw; counted as a drop),
2. stores the picture in the lane's :class:`~edge.inspections.photos.PhotoStore`
   only if its bytes really are a JPEG, PNG or WebP image (else the read is
   refused whole: no photo, no event),
3. writes one ``camera.read`` event (actor ``camera:<id>``),
4. publishes a ``camera_read`` live message and calls ``on_read(event)``
   (the vehicle queue).

A camera that resends a read stores it once: a read with the vendor's own
event id gets an event id derived from it (so even a resend after a
restart is the same event), and one without is recognised by the hash of
its body for :data:`DEDUPE_WINDOW_S`. Refusals are counted per reason
(:attr:`CameraService.drops`) and logged, like a driver's dropped frames.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import Counter, OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Callable

from common.eventlog.store import ConflictError, EventStore
from edge.cameras.config import CameraConfig, MqttConfig
from edge.cameras.mqtt import CameraSubscriber
from edge.cameras.reads import CameraRead, ReadRefused, read_payload
from edge.cameras.tokens import token_matches
from edge.inspections.photos import PhotoStore, sniff_content_type

log = logging.getLogger(__name__)

CAMERA_READ = "camera.read"
LIVE_MESSAGE = "camera_read"
DEDUPE_WINDOW_S = 300.0
_DEDUPE_MAX = 4096
#: camera.read event ids for reads with a vendor event id: uuid5 of "<camera>/<vendor id>"
CAMERA_EVENTS = uuid.UUID("3d6f1c52-8f0e-4b7a-9b61-2f4c8a0e5d17")

OnRead = Callable[[dict[str, Any]], None]
Publish = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class Stored:
    event: dict[str, Any]
    created: bool  # False: a resend, answered with the event stored the first time


class CameraService:
    """The lane's cameras: who they are, and storing what they read."""

    def __init__(self, cameras: tuple[CameraConfig, ...], store: EventStore, photos: PhotoStore,
                 on_read: OnRead | None = None, *, publish: Publish | None = None,
                 mqtt: MqttConfig | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.cameras = {camera.id: camera for camera in cameras}
        self.store, self.photos = store, photos
        self.on_read, self.publish, self.clock = on_read, publish, clock
        self.drops: Counter[str] = Counter()
        self._recent: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()
        self.mqtt = CameraSubscriber(mqtt, self) if mqtt is not None else None

    def start(self) -> None:
        if self.mqtt is not None:
            self.mqtt.start()

    def stop(self) -> None:
        if self.mqtt is not None:
            self.mqtt.stop()

    def authenticate(self, camera_id: str, token: str) -> CameraConfig | None:
        """The camera if ``token`` is its token (None for a wrong token and an
        unknown camera alike, in the same time)."""
        camera = self.cameras.get(camera_id)
        expected = camera.token_sha256 if camera is not None else None
        return camera if token_matches(token, expected) and camera is not None else None

    def drop(self, camera_id: str, reason: str, detail: str) -> None:
        """Count and log a push that was not stored."""
        self.drops[reason] += 1
        log.warning("camera %s: push dropped (%s): %s", camera_id, reason, detail)

    def accept(self, camera: CameraConfig, read: CameraRead, fingerprint: str) -> Stored:
        """Store ``read`` (``fingerprint``: the push's :meth:`~edge.cameras.push.Push.fingerprint`,
        to recognise a resend);
        raises :class:`ReadRefused` having stored nothing."""
        read = self._within_role(camera, read)
        content_type = None
        if read.image is not None:
            content_type = sniff_content_type(read.image)
            if content_type is None:
                raise ReadRefused("the image is not a JPEG, PNG or WebP picture; nothing stored", "invalid_image", 422)
        if read.vendor_event_id is not None:  # the store itself tells a resend from a reused id
            stored = self._store(camera, read, content_type,
                                 str(uuid.uuid5(CAMERA_EVENTS, f"{camera.id}/{read.vendor_event_id}")))
        else:
            key = f"{camera.id}/{fingerprint}"
            with self._lock:
                stored = self._resent(key) or self._store(camera, read, content_type, None)
                self._recent[key] = (self.clock(), stored.event["id"])
        if stored.created:
            self._announce(stored.event)
        return stored

    def _within_role(self, camera: CameraConfig, read: CameraRead) -> CameraRead:
        plate = read.plate if camera.reads("plate") else None
        containers = read.containers if camera.reads("container") else ()
        if plate is None and not containers:
            raise ReadRefused(f"camera {camera.id} reads {camera.role}s only and this read holds none",
                              "outside_role", 422)
        if (plate, containers) != (read.plate, read.containers):
            self.drop(camera.id, "outside_role", f"a {camera.role} camera's read held more; left out")
        return replace(read, plate=plate, containers=containers)

    def _resent(self, key: str) -> Stored | None:
        """The event this same push was stored as within the window, if any."""
        now = self.clock()
        while self._recent and (now - next(iter(self._recent.values()))[0] > DEDUPE_WINDOW_S
                                or len(self._recent) > _DEDUPE_MAX):
            self._recent.popitem(last=False)
        seen = self._recent.get(key)
        event = self.store.get(seen[1]) if seen is not None else None
        return Stored(event, created=False) if event is not None else None

    def _store(self, camera: CameraConfig, read: CameraRead, content_type: str | None,
               event_id: str | None) -> Stored:
        photo = None
        if read.image is not None and content_type is not None:
            photo = {"sha256": hashlib.sha256(read.image).hexdigest(), "content_type": content_type}
        payload = read_payload(read, camera.id, photo)
        earlier = self.store.get(event_id) if event_id is not None else None
        if earlier is not None and earlier["payload"] != payload:  # refused before its photo is kept: no orphan
            raise self._reused(read)
        if photo is not None:
            self.photos.put(read.image, content_type)
        try:
            result = self.store.append(CAMERA_READ, payload, f"camera:{camera.id}", id=event_id)
        except ConflictError:
            raise self._reused(read) from None
        return Stored(result.event, result.created)

    @staticmethod
    def _reused(read: CameraRead) -> ReadRefused:
        return ReadRefused(f"the camera's event id {read.vendor_event_id!r} was already used for another "
                           f"read; nothing stored", "id_reused", 409)

    def _announce(self, event: dict[str, Any]) -> None:
        """Tell the tablets and the vehicle queue; the read is stored whatever they do."""
        if self.publish is not None:
            self.publish(LIVE_MESSAGE, {"id": event["id"], "ts": event["ts"], **event["payload"]})
        if self.on_read is not None:
            try:
                self.on_read(event)
            except Exception:  # the read is evidence already; a listener's bug must not turn it into a 500
                log.exception("on_read failed for camera read %s", event["id"])
