"""ONVIF Profile M license-plate events carried over MQTT as JSON.

Profile M devices may publish their events to an MQTT broker as JSON. Two
envelopes are read:

- the Axis MQTT event bridge's (developer.axis.com/vapix/network-video/
  mqtt-event-bridge): ``{"topic": "onvif:RuleEngine/...", "timestamp":
  <ms since 1970>, "serial": ..., "message": {"source": {...}, "key":
  {...}, "data": {...}}}``;
- an ONVIF ``tt:Message`` written as JSON: ``{"UtcTime": ISO 8601,
  "Source": {...}, "Data": {...}}`` (the element's own names; the XML
  form is in the ONVIF Core and Analytics specifications, e.g. topic
  ``tns1:RuleEngine/LicensePlateDetector/LicensePlate``).

In ``data``/``Data`` the plate is ``PlateNumber`` (ONVIF Analytics'
LicensePlateInfo), ``LicensePlate`` or ``text`` (AXIS License Plate
Verifier); ``Likelihood`` is 0..1 as ONVIF defines it; ``Image`` is an
optional base64 crop; ``CountryCode`` is read past. The MQTT topic names
the camera (:mod:`edge.cameras.mqtt`), never the payload.
"""

from __future__ import annotations

from typing import Any

from edge.cameras.push import Push, base64_image, json_object
from edge.cameras.reads import CameraRead, NotARead, ReadRefused, claimed_time, confidence, epoch_ms_time, plate_read

NAME = "onvif"
MEDIA_TYPES = ("application/json",)
PLATE_KEYS = ("PlateNumber", "LicensePlate", "text")


def parse(push: Push) -> CameraRead:
    body = json_object(push.body)
    message = body.get("message")
    if isinstance(message, dict):  # the Axis bridge's envelope
        data, captured_at = message.get("data"), epoch_ms_time(body.get("timestamp"))
    else:
        data, captured_at = body.get("Data"), claimed_time(body.get("UtcTime"))
    if not isinstance(data, dict):
        raise ReadRefused("the event has no data object")
    raw = next((data[key] for key in PLATE_KEYS if key in data), None)
    if raw is None:
        raise NotARead("the event carries no plate")
    plate = plate_read(raw, confidence(data.get("Likelihood", 0)))
    if plate is None:
        raise NotARead("the event's plate is empty")
    image: Any = data.get("Image")
    return CameraRead(format=NAME, plate=plate, image=None if image in (None, "") else base64_image(image),
                      captured_at=captured_at)
