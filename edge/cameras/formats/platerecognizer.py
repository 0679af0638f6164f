"""Plate Recognizer (ParkPow) webhooks: Snapshot and Stream posting their
recognition results.

"Data only" webhooks post the JSON (``application/json``); "webhook with
image" posts ``multipart/form-data`` with a ``json`` field (the same JSON)
and an ``upload`` file (the JPEG). The JSON is ``{"hook": {...}, "data":
{"timestamp", "camera_id", "results": [{"plate", "score", "dscore",
"box", "region", "vehicle", ...}], ...}}``. Fields used: the result with
the highest ``score`` (0..1, kept as is: the OCR's confidence; ``dscore``
is the detector's and is not used), its ``plate`` (lower case in their
output; upper-cased here) and ``data.timestamp`` (ISO 8601, UTC).
Fields inside ``hook`` and ``data`` other than these are read past, not
refused (the vendor adds fields between versions); at the top level there
is nothing but ``hook`` and ``data``. A push with no result (Snapshot posts one per image, plate or
not) is answered and not stored.

Sources: guides.platerecognizer.com/docs/snapshot/results ("Webhooks for
Snapshot": data-only vs. with-image, fields ``json`` and ``upload``) and
the Stream webhook examples published by Plate Recognizer
(gist.github.com/danleyb2, "recognition" hook payload).
"""

from __future__ import annotations

from typing import Any

from edge.cameras.push import Push, image_part, json_object
from edge.cameras.reads import CameraRead, NotARead, ReadRefused, claimed_time, confidence, plate_read

NAME = "platerecognizer"
MEDIA_TYPES = ("application/json", "multipart/form-data")
ENVELOPE: dict[str, Any] = {
    "hook": {"type": "object", "description": "Plate Recognizer: the webhook's target, id and event"},
    "data": {"type": "object", "description": "Plate Recognizer: timestamp, camera_id and results [{plate, "
                                              "score 0..1, ...}]"},
}


def parse(push: Push) -> CameraRead:
    if push.media_type == "multipart/form-data":
        json_part = push.part("json")
        if json_part is None:
            raise ReadRefused("the multipart body has no json field")
        body, image = json_object(json_part.data), image_part(push.part("upload"))
    else:
        body, image = json_object(push.body), None
    unknown = sorted(set(body) - set(ENVELOPE))
    if unknown:
        raise ReadRefused(f"a Plate Recognizer webhook has only hook and data, not {unknown[0][:40]!r}")
    data = body.get("data")
    if not isinstance(data, dict):
        raise ReadRefused("the webhook has no data object")
    results = data.get("results")
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise ReadRefused("data.results must be a list of results")
    if not results:
        raise NotARead("the webhook found no plate")
    best: dict[str, Any] = max(results, key=lambda r: confidence(r.get("score")))
    plate = plate_read(best.get("plate"), confidence(best.get("score")))
    if plate is None:
        raise NotARead("the webhook's best result has an empty plate")
    return CameraRead(format=NAME, plate=plate, image=image, captured_at=claimed_time(data.get("timestamp")))
