"""Hikvision ANPR cameras: the ISAPI ``EventNotificationAlert`` pushed by
the camera's "HTTP listening" (alarm server) to this route.

The camera posts either the XML alone (``application/xml``) or, with
pictures, ``multipart/form-data`` whose part ``anpr.xml`` is the XML and
``licensePlatePicture.jpg`` the plate crop (``detectionPicture.jpg`` the
scene, used when no crop is sent). Only ``eventType`` ``ANPR`` is a read;
heartbeats and other alarms are answered and not stored. Fields used:
``ANPR/licensePlate`` (``unknown`` when no plate was read),
``ANPR/confidenceLevel`` (0-100, divided by 100), ``dateTime`` (ISO 8601
with the camera's offset) and ``UUID`` (the event's id, so a resend is one
read). Element names are matched whatever the namespace: older firmware
uses ``http://www.hikvision.com/ver20/XMLSchema``, newer
``http://www.isapi.org/ver20/XMLSchema``.

Sources: Hikvision ISAPI "Intelligent Traffic" / HTTP listening event
format, and Plate Recognizer's own Hikvision receiver
(github.com/parkpow/deep-license-plate-recognition, ``webhooks`` Hikvision
integration: parts ``anpr.xml`` and ``licensePlatePicture.jpg``,
``confidenceLevel`` divided by 100).
"""

from __future__ import annotations

from edge.cameras.push import Push, image_part
from edge.cameras.reads import CameraRead, NotARead, ReadRefused, claimed_time, confidence, plate_read
from edge.cameras.xml import child, local, parse_xml, text

NAME = "hikvision"
MEDIA_TYPES = ("application/xml", "text/xml", "multipart/form-data")
XML_PART = "anpr.xml"
PICTURES = ("licensePlatePicture.jpg", "detectionPicture.jpg")
NO_PLATE = ("unknown", "")


def parse(push: Push) -> CameraRead:
    if push.media_type == "multipart/form-data":
        xml_part = push.part(XML_PART)
        if xml_part is None:
            raise ReadRefused(f"the multipart body has no {XML_PART} part")
        document, image = xml_part.data, image_part(push.part(*PICTURES))
    else:
        document, image = push.body, None
    root = parse_xml(document)
    if local(root.tag) != "EventNotificationAlert":
        raise ReadRefused(f"expected an EventNotificationAlert, not {local(root.tag)[:40]}")
    if (text(root, "eventType") or "").upper() != "ANPR":
        raise NotARead(f"a Hikvision {text(root, 'eventType') or 'untyped'} event, not an ANPR read")
    anpr = child(root, "ANPR")
    if anpr is None:
        raise ReadRefused("the ANPR event has no ANPR element")
    plate_element = child(anpr, "licensePlate")
    raw_plate = (plate_element.text or "") if plate_element is not None else ""
    plate = None if raw_plate.strip().lower() in NO_PLATE else plate_read(
        raw_plate, confidence(text(anpr, "confidenceLevel") or "0", 100))
    if plate is None:
        raise NotARead("the camera read no plate")
    return CameraRead(format=NAME, plate=plate, image=image, captured_at=claimed_time(text(root, "dateTime")),
                      vendor_event_id=text(root, "UUID") or None)
