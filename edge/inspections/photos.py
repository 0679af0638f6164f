"""Evidence photos, stored by their SHA-256 under ``data_dir/photos``.

A photo is named by the hash of its bytes, so the finding that cites it
(an event in the hash chain) pins exactly those bytes: a changed file no
longer matches its name, and a photo uploaded twice is stored once. Files
are written to a temporary name, flushed to disk and then renamed, so a
photo is either whole under its name or not there at all.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

MAX_PHOTO_BYTES = 10 << 20
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
_MAGIC = (("image/jpeg", b"\xff\xd8\xff"), ("image/png", b"\x89PNG\r\n\x1a\n"))


class PhotoRefused(ValueError):
    """The bytes are not a photo of the type claimed."""


def sniff_content_type(data: bytes) -> str | None:
    """The image type the bytes really are (by their magic numbers), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((content_type for content_type, magic in _MAGIC if data.startswith(magic)), None)


class PhotoStore:
    """Content-addressed photo files in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, sha256: str) -> Path | None:
        """The file of a stored photo, or None (also for anything not a hash)."""
        if not SHA256_HEX.fullmatch(sha256):
            return None
        path = self.folder / sha256
        return path if path.is_file() else None

    def put(self, data: bytes, content_type: str) -> str:
        """Store ``data`` (once, however often it is put); returns its SHA-256.

        Raises :class:`PhotoRefused` if the bytes are not a ``content_type`` image.
        """
        if not data:
            raise PhotoRefused("the body is empty: send the image bytes")
        actual = sniff_content_type(data)
        if actual != content_type:
            raise PhotoRefused(f"the bytes are {actual or 'not a JPEG, PNG or WebP image'}, not {content_type}")
        sha256 = hashlib.sha256(data).hexdigest()
        if self.path(sha256) is not None:
            return sha256
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, self.folder / sha256)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.folder)
        return sha256


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
