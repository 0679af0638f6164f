"""lanebox's own push format: one JSON object per read (docs/cameras.md).

For a camera or OCR gate that can be told what to send (most can post a
JSON template) and for integrators. Confidences are already 0..1; the image
is base64 in the body, so one request carries the whole read. The schema is
closed (an unknown field is a 400), as every lanebox JSON body is.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from common.web.schema_words import plain
from edge.cameras.push import Push, base64_image, json_object
from edge.cameras.reads import (
    MAX_CONTAINERS,
    MAX_IMAGE_BYTES,
    CameraRead,
    ReadRefused,
    claimed_time,
    confidence,
    container_read,
    plate_read,
)

NAME = "generic"
MEDIA_TYPES = ("application/json",)

_SCORE = {"type": "number", "minimum": 0, "maximum": 1, "description": "0 (a guess) to 1 (certain)"}
SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "description": "A read in lanebox's generic JSON (docs/cameras.md); a camera configured with a vendor's "
                   "format sends that vendor's body instead (application/xml or multipart/form-data).",
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9_.:-]+$",
               "description": "The camera's own id for this read: a resend with the same id is stored once"},
        "plate": {"type": ["object", "null"], "additionalProperties": False, "required": ["text", "confidence"],
                  "properties": {"text": {"type": "string", "maxLength": 64}, "confidence": _SCORE}},
        "containers": {"type": "array", "maxItems": MAX_CONTAINERS, "items": {
            "type": "object", "additionalProperties": False, "required": ["code", "confidence"],
            "properties": {"code": {"type": "string", "maxLength": 32}, "confidence": _SCORE}}},
        "image": {"type": ["string", "null"],
                  "description": f"The plate or container crop, base64: a JPEG, PNG or WebP of at most "
                                 f"{MAX_IMAGE_BYTES >> 20} MiB (a bigger one is a 413)"},
        "captured_at": {"type": ["string", "null"], "maxLength": 40,
                        "description": "When the camera took it, ISO 8601 (with an offset; none means UTC)"},
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)


def parse(push: Push) -> CameraRead:
    body = json_object(push.body)
    error = next(iter(sorted(_VALIDATOR.iter_errors(body), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        raise ReadRefused(plain(error)[1], "invalid_field")
    plate = body.get("plate")
    containers = tuple(container_read(c["code"], confidence(c["confidence"])) for c in body.get("containers", ()))
    read_plate = None if plate is None else plate_read(plate["text"], confidence(plate["confidence"]))
    if read_plate is None and not containers:
        raise ReadRefused("the read holds neither a plate nor a container code")
    image = body.get("image")
    return CameraRead(format=NAME, plate=read_plate, containers=containers,
                      image=None if image is None else base64_image(image),
                      captured_at=claimed_time(body.get("captured_at")), vendor_event_id=body.get("id"))
