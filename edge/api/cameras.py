"""``POST /api/v1/cameras/<camera_id>/reads``: cameras and OCR gates push their reads.

The caller is a machine with its own credential: the camera's token
(:data:`CAMERA_TOKEN`), checked before a byte of the body is read, and a
wrong token and an unknown camera get the same 401. The body is bounded by
the route (:data:`MAX_PUSH_BYTES`, a 413 from the declared length without
reading it) and is what the camera's configured format sends: lanebox's
generic JSON, a Hikvision ``EventNotificationAlert`` (XML, or multipart with
its pictures) or a Plate Recognizer webhook (JSON, or multipart with the
image). The adapter (:mod:`edge.cameras.formats`) and the service
(:mod:`edge.cameras.service`) do the rest; this module only turns the HTTP
request into a :class:`~edge.cameras.push.Push` and their refusals into
answers. docs/cameras.md is the installer's side of it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request

from common.web.errors import ApiError
from common.web.routing import TokenScheme, endpoint, lane_server
from edge.api import records
from edge.cameras.formats import FORMATS, generic, hikvision, platerecognizer
from edge.cameras.push import Part, Push
from edge.cameras.reads import MAX_IMAGE_BYTES, NotARead, ReadRefused

bp = Blueprint("cameras", __name__, url_prefix="/api/v1")

MAX_PUSH_BYTES = MAX_IMAGE_BYTES * 3 // 2 + (64 << 10)
"""The largest picture, base64-encoded in JSON, and room for the rest of the read."""
MAX_PARTS = 16


def check_camera_token(camera_id: str) -> None:
    """401 unless the request carries ``camera_id``'s token (the same answer for an unknown camera)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    camera = None
    if scheme.lower() == "bearer" and token.strip():
        camera = lane_server().cameras.authenticate(camera_id, token.strip())
    if camera is None or FORMATS[camera.format].transport != "http":
        raise ApiError(401, "unauthorized", "send this camera's token as Authorization: Bearer <token>")
    g.camera = camera


CAMERA_TOKEN = TokenScheme(
    "cameraToken", "A camera's own token, made by `lanebox camera-token` (the lane keeps only its SHA-256 in "
                   "[[cameras]]); it opens that camera's POST /api/v1/cameras/{camera_id}/reads and nothing else.",
    check_camera_token)

_PART = {"type": "string", "format": "binary"}
CONTENT: dict[str, dict[str, Any]] = {
    "application/json": {**generic.SCHEMA, "properties": {**generic.SCHEMA["properties"], **platerecognizer.ENVELOPE},
                         "description": "The generic JSON read (id, plate, containers, image, captured_at) or, "
                                        "from a camera configured as platerecognizer, its webhook (hook, data); "
                                        "docs/cameras.md"},
    "application/xml": {"type": "string", "description": "hikvision: an ISAPI EventNotificationAlert (eventType "
                                                         "ANPR); text/xml is taken too"},
    "multipart/form-data": {"type": "object", "description": "hikvision: anpr.xml with licensePlatePicture.jpg "
                                                             "or detectionPicture.jpg; platerecognizer: json "
                                                             "with upload. Other parts are read past.",
                            "properties": {"anpr.xml": _PART, **{name: _PART for name in hikvision.PICTURES},
                                           "json": {"type": "string"}, "upload": _PART}},
}


@endpoint(bp, "/cameras/<camera_id>/reads", "POST", token=CAMERA_TOKEN, status=201, max_body=MAX_PUSH_BYTES,
          content=CONTENT,
          responses={200: "a resend of a stored read (answered with it), or a push that holds no read "
                          "(a heartbeat, no plate found): stored false",
                     409: "id_reused: the camera's event id was already used for another read; nothing stored",
                     413: "the body is over 8 MiB or its image over 5 MiB; nothing stored",
                     415: "not a content type the camera's format sends",
                     422: "invalid_image (the image is not a JPEG, PNG or WebP) or outside_role; nothing stored"},
          summary="A camera pushes one plate / container-code read (its configured format); stored as camera.read")
def push_read(camera_id: str) -> Any:
    camera, service = g.camera, lane_server().cameras
    adapter = FORMATS[camera.format]
    media_type = (request.mimetype or "").lower()
    if media_type not in adapter.media_types:
        sends = ", ".join(adapter.media_types)
        raise ApiError(415, "unsupported_media_type", f"a {camera.format} camera sends {sends}")
    try:
        push = _push(media_type)
        read = adapter.parse(push)
        stored = service.accept(camera, read, push.fingerprint())
    except NotARead as exc:
        return {"stored": False, "why": str(exc)}, 200
    except ReadRefused as exc:
        service.drop(camera.id, exc.code, str(exc))
        raise ApiError(exc.status, exc.code, str(exc)) from None
    event = stored.event
    return {"stored": True, "id": event["id"], "ts": event["ts"], "read": event["payload"]}, \
        records.status(stored.created)


def _push(media_type: str) -> Push:
    """The request as an adapter reads it; a multipart body as its parts (each bounded by the body's limit)."""
    if media_type != "multipart/form-data":
        return Push(media_type, request.get_data(cache=False))
    request.max_form_parts = MAX_PARTS
    parts = [Part(name, "text/plain", value.encode("utf-8")) for name, value in request.form.items(multi=True)]
    parts += [Part(name, (file.mimetype or "").lower(), file.read()) for name, file in request.files.items(multi=True)]
    return Push(media_type, parts=tuple(parts))
