"""Evidence photos: upload the bytes, get them back by their SHA-256.

The upload is the one raw (non-JSON) body of the API and may be up to
10 MiB; the app-wide limit stays at 1 MiB for JSON, and only this route
raises it, for its own request. The first upload of a photo is recorded as
a ``photo.stored`` event (who, when, its hash); its id is derived from the
hash, so the same photo uploaded again, by anyone, is one event. Event
ids are made by clients too, so that id may already be another event's
(made so on purpose, even): the upload is then refused with a 409 before
the photo is kept.

A photo that shows a person is uploaded with ``?person=1&case=<inspection or
seizure id>``: it is kept sealed under that case's key
(edge.inspections.photos), served opened while the key exists, and
answered 410 ``erased`` once the case's personal data was erased.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

from flask import Blueprint, request, send_file

from common.eventlog.store import ConflictError
from common.roles import RECORD_WRITERS
from common.web.errors import ApiError, conflict, not_found
from common.web.routing import current_session, endpoint, lane_server
from edge import consultations as consulted
from edge.api import records
from edge.inspections.photos import (
    CONTENT_TYPES,
    MAX_PHOTO_BYTES,
    PhotoDamaged,
    PhotoErased,
    PhotoRefused,
    erased_words,
    key_lookup,
    sniff_content_type,
)
from edge.retention import ErasureRefused, case_of, sealing_key

bp = Blueprint("photos", __name__, url_prefix="/api/v1")

#: photo.stored event ids: uuid5 of the photo's hash in this namespace
PHOTO_EVENTS = uuid.UUID("5c0f6a3e-0b7e-4f0e-9a53-6d2f0b1c7e41")


UPLOAD_QUERY = {
    "person": {"type": "string", "enum": ["0", "1"],
               "description": "1: the photo shows a person (face, body, ID); it is kept sealed under the case's key"},
    "case": {"type": "string", "description": "the inspection (or seizure) the person photo belongs to; "
                                              "required with person=1, refused without it"},
}


@endpoint(bp, "/photos", "POST", roles=RECORD_WRITERS, status=201, query=UPLOAD_QUERY,
          responses={409: "the photo's event id is already another event's (photo_id_taken), or the case's "
                          "personal data was erased (case_erased); nothing stored",
                     404: "person=1 names no case at this lane; nothing stored"},
          summary="Upload a photo (raw JPEG, PNG or WebP body, at most 10 MiB); returns its SHA-256")
def upload_photo() -> Any:
    person_case = _person_case()
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
    sealing = None if person_case is None else _sealing(server.store, person_case)
    try:
        sha256 = server.photos.put(data, content_type, sealing)
    except PhotoRefused as exc:
        raise ApiError(400, "invalid_photo", str(exc)) from None
    photo = {"sha256": sha256, "size": len(data), "content_type": content_type}
    try:
        stored = server.store.append("photo.stored", photo, current_session().username, id=event_id)
    except ConflictError:  # taken between the look and the write: the file is kept, cited by nothing
        raise _id_taken(event_id) from None
    return photo, records.status(stored.created)


def _person_case() -> str | None:
    """The case a photo of a person belongs to (404 if none at this lane), or None for a photo
    not marked; 400 for a query that is not exactly that."""
    if set(request.args) - set(UPLOAD_QUERY) or any(len(request.args.getlist(name)) > 1 for name in request.args):
        raise ApiError(400, "invalid_request", "the only query parameters are person=0|1 and case=<id>, each once")
    person, case = request.args.get("person", "0"), request.args.get("case")
    if person not in ("0", "1"):
        raise ApiError(400, "invalid_request", "person is 1 (the photo shows a person) or 0")
    if person == "0":
        if case is not None:
            raise ApiError(400, "invalid_request", "case is given only with person=1")
        return None
    if not case:
        raise ApiError(400, "invalid_request", "a photo of a person needs case=<the inspection it belongs to>")
    case_id = case_of(lane_server().store, case)
    if case_id is None:
        raise not_found(f"case {case!r}")
    return case_id


def _sealing(store: Any, case_id: str) -> tuple[str, bytes]:
    """The case's key id and key (made now if it has none); 409 ``case_erased`` once erased."""
    try:
        return case_id, sealing_key(store, case_id)
    except ErasureRefused as refused:
        raise conflict(refused.message, refused.code) from None


def _id_taken(event_id: str) -> ApiError:
    return conflict(f"this photo's event id {event_id} is already another event's; the photo is not "
                    f"stored", "photo_id_taken")


@endpoint(bp, "/photos/<sha256>", "GET", summary="A stored photo by its SHA-256",
          responses={410: "a photo of a person whose case's personal data was erased (erased)",
                     409: "a photo of a person that no longer opens or matches its SHA-256 (photo_damaged)"},
          consultation=consulted.EVIDENCE_PHOTO)
def get_photo(sha256: str) -> Any:
    server = lane_server()
    try:
        found = server.photos.read(sha256, key_lookup(server.store))
    except PhotoDamaged as exc:
        raise conflict(f"this photo is damaged: {exc}", "photo_damaged") from None
    if found is None:
        raise not_found(f"photo {sha256!r}")
    if isinstance(found, PhotoErased):
        raise ApiError(410, "erased", f"This {erased_words(server.store, found)}; it can no longer be shown.")
    content_type = sniff_content_type(found[:12]) or "application/octet-stream"
    personal = server.photos.is_sealed(sha256)
    response = send_file(io.BytesIO(found), mimetype=content_type, etag=sha256, max_age=None if personal else 31536000)
    if personal:  # no copy may outlive an erasure in a browser's cache
        response.headers["Cache-Control"] = "no-store"
    return response
