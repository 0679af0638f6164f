"""A push as the adapters see it: its media type, its bytes and, for a
multipart body, its parts — no Flask, no sockets, so every adapter is a
pure function of what the camera sent."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from common.web import strict_json
from edge.cameras.reads import MAX_IMAGE_BYTES, ReadRefused


@dataclass(frozen=True)
class Part:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Push:
    media_type: str            # "application/json", "application/xml", "multipart/form-data" ...
    body: bytes = b""          # the whole body (empty for multipart: see parts)
    parts: tuple[Part, ...] = ()

    def fingerprint(self) -> str:
        """A hash of everything the push carried: the same push resent has the same one."""
        digest = hashlib.sha256(self.body)
        for part in self.parts:
            for field in (part.name.encode(), part.content_type.encode(), part.data):
                digest.update(len(field).to_bytes(8, "big") + field)
        return digest.hexdigest()

    def part(self, *names: str) -> Part | None:
        """The first part with one of ``names`` (in the order given)."""
        return next((p for name in names for p in self.parts if p.name == name), None)


def json_object(data: bytes) -> dict:
    """A JSON object, parsed strictly (no NaN, no duplicate keys, bounded depth)."""
    try:
        value = strict_json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ReadRefused(f"the body is not valid JSON: {exc}", "invalid_json") from None
    if not isinstance(value, dict):
        raise ReadRefused("the body must be a JSON object", "invalid_json")
    return value


def base64_image(text: object) -> bytes:
    """A base64 picture, bounded before it is decoded."""
    if not isinstance(text, str):
        raise ReadRefused("the image must be base64 text")
    if len(text) > (MAX_IMAGE_BYTES // 3 + 1) * 4:
        raise ReadRefused(f"the image is over {MAX_IMAGE_BYTES >> 20} MiB", "image_too_large", 413)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ReadRefused("the image is not valid base64") from None


def image_part(part: Part | None) -> bytes | None:
    if part is None:
        return None
    if len(part.data) > MAX_IMAGE_BYTES:
        raise ReadRefused(f"the image is over {MAX_IMAGE_BYTES >> 20} MiB", "image_too_large", 413)
    return part.data

