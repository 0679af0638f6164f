"""The push formats a camera may be configured with (``[[cameras]] format``).

Each module is a pure adapter: ``parse(push) -> CameraRead``, raising
:class:`~edge.cameras.reads.ReadRefused` for what must not be stored and
:class:`~edge.cameras.reads.NotARead` for a well-formed push that holds no
read. ``MEDIA_TYPES`` are the content types its vendor sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from edge.cameras.formats import generic, hikvision, onvif, platerecognizer
from edge.cameras.push import Push
from edge.cameras.reads import CameraRead


@dataclass(frozen=True)
class Format:
    name: str
    parse: Callable[[Push], CameraRead]
    media_types: tuple[str, ...]
    transport: str  # "http": pushed to /api/v1/cameras/<id>/reads; "mqtt": published to the broker


FORMATS = {module.NAME: Format(module.NAME, module.parse, module.MEDIA_TYPES, transport)
           for module, transport in ((generic, "http"), (hikvision, "http"), (platerecognizer, "http"),
                                     (onvif, "mqtt"))}
HTTP_MEDIA_TYPES = tuple(sorted({t for f in FORMATS.values() if f.transport == "http" for t in f.media_types}))
