"""Evidence photos: upload the bytes, get them back by their SHA-256.

The upload is the one raw (non-JSON) body of the API and may be up to
10 MiB; the app-wide limit stays at 1 MiB for JSON, and only this route
raises it, for its own request. The first upload of a photo is recorded as
a ``photo.stored`` event (who, when, its hash); its id is derived from the
hash, so the same photo uploaded again, by anyone, is one event. Event
ids are made by clients too, so that id may already be another event's
(made so on purpose, even): the upload is then refused with a 409 before
the photo is kept.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from flask import Blueprint, request, send_file

from common.eventlog.store import ConflictError
from common.roles import RECORD_WRITERS
from common.web.errors import ApiError, conflict, not_found
from common.web.routing import current_session, endpoint, lane_server
from edge import consultations as consulted
from edge.api import records
from edge.inspections.photos import CONTENT_TYPES, MAX_PHOTO_BYTES, PhotoRefused, sniff_content_type

bp = Blueprint("photos", __name__, url_prefix="/api/v1")

#: photo.stored event ids: uuid5 of the photo's hash in this namespace
PHOTO_EVENTS = uuid.UUID("5c0f6a3e-0b7e-4f0e-9a53-6d2f0b1c7e41")


@endpoint(bp, "/photos", "POST", roles=RECORD_WRITERS, status=201,
          responses={409: "the photo's event id is already another event's (photo_id_taken); nothing stored"},
          summary="Upload a photo (raw JPEG, PNG or WebP body, at most 10 MiB); returns its SHA-256")
def upload_photo() -> Any:
    content_type = (request.mimetype or "").lower()
    if content_type not in CONTENT_TYPES:
        raise ApiError(415, "unsupported_media_type", f"send the photo as {', '.join(CONTENT_TYPES)}")
    request.max_content_length = MAX_PHOTO_BYTES  # this request only; werkzeug answers 413 beyond it
    data = request.get_data(cache=False)
    server = lane_server()
    event_id = str(uuid.uuid5(PHOTO_EVENTS, hashlib.sha256(data).hexdigest()))
    taken = server.store.get(event_id)
    if taken is not None and taken["type"] != "photo.stored":
        raise _id_taken(event_id)
    try:
        sha256 = server.photos.put(data, content_type)
    except PhotoRefused as exc:
        raise ApiError(400, "invalid_photo", str(exc)) from None
    photo = {"sha256": sha256, "size": len(data), "content_type": content_type}
    try:
        stored = server.store.append("photo.stored", photo, current_session().username, id=event_id)
    except ConflictError:  # taken between the look and the write: the file is kept, cited by nothing
        raise _id_taken(event_id) from None
    return photo, records.status(stored.created)


def _id_taken(event_id: str) -> ApiError:
    return conflict(f"this photo's event id {event_id} is already another event's; the photo is not "
                    f"stored", "photo_id_taken")


@endpoint(bp, "/photos/<sha256>", "GET", summary="A stored photo by its SHA-256",
          consultation=consulted.EVIDENCE_PHOTO)
def get_photo(sha256: str) -> Any:
    path = lane_server().photos.path(sha256)
    if path is None:
        raise not_found(f"photo {sha256!r}")
    with path.open("rb") as file:
        content_type = sniff_content_type(file.read(12)) or "application/octet-stream"
    return send_file(path, mimetype=content_type, max_age=31536000, etag=sha256)
