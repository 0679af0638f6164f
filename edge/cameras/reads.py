"""What one camera read is, whichever vendor format it came in.

Every adapter turns a push into a :class:`CameraRead` with the helpers here,
so the rules are the same for all of them:

- a plate is upper case without the spaces and dashes cameras put in, A-Z
  and 0-9 only, at most 15 characters; text with control or other
  non-printable characters is refused whole (:class:`ReadRefused`), never
  cleaned, since a cleaned plate is a changed record;
- a container code is checked by ISO 6346 (``drivers.validation``): a bad
  check digit is kept with ``check_ok: false`` — flagged for the officer to
  confirm, neither silently accepted nor "corrected";
- a confidence is a number from 0 to 1 (each adapter says how its vendor's
  scale maps onto it);
- ``captured_at`` is the camera's claim, kept as ISO-8601 UTC.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from common.clock import iso_utc, parse_iso
from drivers.validation.iso6346 import parse_container_number

MAX_PLATE = 15
MAX_CONTAINERS = 8
MAX_IMAGE_BYTES = 5 << 20
"""The largest picture a camera may send with a read (a plate or container crop is far smaller)."""

_SEPARATORS = re.compile(r"[ \-]+")
_PLATE = re.compile(rf"[A-Z0-9]{{1,{MAX_PLATE}}}")


class ReadRefused(ValueError):
    """The push is not a read this lane may store: ``status`` and ``code`` for the answer."""

    def __init__(self, message: str, code: str = "invalid_read", status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class NotARead(Exception):
    """The push is well formed but carries no read (a vendor's heartbeat or another event type)."""


@dataclass(frozen=True)
class PlateRead:
    text: str
    confidence: float


@dataclass(frozen=True)
class ContainerRead:
    code: str
    check_ok: bool
    confidence: float


@dataclass(frozen=True)
class CameraRead:
    """One read, as the adapter of ``format`` understood the push.

    ``vendor_event_id`` is the camera's own id for the read when its format
    has one (a resend carries the same id); ``image`` is the raw picture
    bytes, not yet checked to be an image (the photo store sniffs them)."""

    format: str
    plate: PlateRead | None = None
    containers: tuple[ContainerRead, ...] = ()
    image: bytes | None = None
    captured_at: str | None = None
    vendor_event_id: str | None = None


def refuse_unprintable(text: str, what: str) -> None:
    """Refuse text holding control, format or other non-printable characters (not clean them)."""
    bad = next((ch for ch in text if unicodedata.category(ch)[0] in "CZ" and ch != " "), None)
    if bad is not None:
        raise ReadRefused(f"the {what} holds a non-printable character (U+{ord(bad):04X}); nothing stored",
                          "unprintable_text")


def plate_read(text: Any, confidence: float) -> PlateRead | None:
    """The normalised plate (None for an empty one: the camera saw no plate)."""
    if not isinstance(text, str):
        raise ReadRefused("the plate must be text")
    refuse_unprintable(text, "plate")
    plate = _SEPARATORS.sub("", text).upper()
    if not plate:
        return None
    if not _PLATE.fullmatch(plate):
        raise ReadRefused(f"the plate {plate[:40]!r} is not 1-{MAX_PLATE} letters A-Z and digits "
                          f"(spaces and dashes aside)", "invalid_plate")
    return PlateRead(plate, confidence)


def container_read(code: Any, confidence: float) -> ContainerRead:
    """The normalised container code and whether its ISO 6346 checks hold."""
    if not isinstance(code, str):
        raise ReadRefused("a container code must be text")
    refuse_unprintable(code, "container code")
    text = _SEPARATORS.sub("", code).upper()
    if not _PLATE.fullmatch(text):
        raise ReadRefused(f"the container code {text[:40]!r} is not 1-{MAX_PLATE} letters A-Z and digits",
                          "invalid_container")
    return ContainerRead(text, bool(parse_container_number(text)["valid"]), confidence)


def confidence(value: Any, scale: float = 1.0) -> float:
    """``value`` on a ``0..scale`` vendor scale as 0..1; refused outside it or not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ReadRefused(f"the confidence {str(value)[:20]!r} is not a number") from None
    if not 0 <= number <= scale:  # also refuses NaN
        raise ReadRefused(f"the confidence {number} is not between 0 and {scale:g}")
    return round(number / scale, 4)


def claimed_time(value: Any) -> str | None:
    """The camera's ISO-8601 time (an offset, ``Z``, or none for UTC) as lanebox writes times."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise ReadRefused("captured_at must be an ISO-8601 time")
    try:
        return iso_utc(parse_iso(value.strip().replace(" ", "T", 1)))
    except ValueError:
        raise ReadRefused(f"captured_at {value!r} is not an ISO-8601 time") from None


def epoch_ms_time(value: Any) -> str | None:
    """A time given as milliseconds since the epoch (as Axis's event bridge sends it)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 10**14:
        raise ReadRefused("the timestamp must be milliseconds since 1970")
    return iso_utc(datetime.fromtimestamp(value / 1000, UTC))


def read_payload(read: CameraRead, camera_id: str, photo: dict[str, str] | None) -> dict[str, Any]:
    """The ``camera.read`` event's payload (the shape the vehicle queue reads)."""
    plate = read.plate
    return {"camera": camera_id,
            "plate": None if plate is None else {"text": plate.text, "confidence": plate.confidence},
            "containers": [{"code": c.code, "check_ok": c.check_ok, "confidence": c.confidence}
                           for c in read.containers],
            "photo": photo, "captured_at": read.captured_at, "format": read.format}
