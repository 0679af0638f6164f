"""Evidence photos, stored by their SHA-256 under ``data_dir/photos``.

A photo is named by the hash of its bytes, so the finding that cites it
(an event in the hash chain) pins exactly those bytes: a changed file no
longer matches its name, and a photo uploaded twice is stored once. Files
are written to a temporary name, flushed to disk and then renamed, so a
photo is either whole under its name or not there at all.

A photo an officer marks as showing a person is personal data: it is kept
**sealed under its case's key** (common.personal_data.seal_bytes), never
in clear, not even in the temporary file. It is still named by the SHA-256
of the image, so the finding pins the same bytes; :meth:`PhotoStore.read`
opens it and checks that hash while the key exists. Once the case is erased
the key is gone and the file can no longer be read by anyone
(docs/evidence.md "Retention and erasure").
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common.erasure import case_standing, erasure_words
from common.eventlog.case_keys import held_keys
from common.eventlog.store import EventStore
from common.personal_data import SealBroken, open_bytes, seal_bytes, sealed_file_key

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


class PhotoDamaged(ValueError):
    """A stored photo that no longer opens, or no longer matches its name."""


@dataclass(frozen=True)
class PhotoErased:
    """A photo of a person whose case's key was destroyed: it can never be read again."""

    case_id: str


#: the key a sealed photo names, if it is still held (None: destroyed)
KeyLookup = Callable[[str], bytes | None]


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

    def is_sealed(self, sha256: str) -> bool:
        """True if the stored photo is a photo of a person, sealed under its case's key."""
        path = self.path(sha256)
        return path is not None and _sealed_key(path) is not None

    def read(self, sha256: str, key_of: KeyLookup) -> bytes | PhotoErased | None:
        """The photo's image bytes (a sealed one opened with its case's key and checked
        against its name); :class:`PhotoErased` if that key is gone; None if there is no
        such photo. :class:`PhotoDamaged` if a sealed photo does not open or match."""
        path = self.path(sha256)
        if path is None:
            return None
        blob = path.read_bytes()
        key_id = sealed_file_key(blob)
        if key_id is None:
            return blob
        key = key_of(key_id)
        if key is None:
            return PhotoErased(key_id)
        try:
            data = open_bytes(blob, key)
        except SealBroken as exc:
            raise PhotoDamaged(str(exc)) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise PhotoDamaged(f"the photo sealed as {sha256} no longer matches its name")
        return data

    def put(self, data: bytes, content_type: str, sealed_under: tuple[str, bytes] | None = None) -> str:
        """Store ``data`` (once, however often it is put); returns its SHA-256.
        With ``sealed_under`` (a case's key id and key) only the sealed bytes are written;
        a photo kept in clear before is sealed then (an officer marked it later).

        Raises :class:`PhotoRefused` if the bytes are not a ``content_type`` image.
        """
        if not data:
            raise PhotoRefused("the body is empty: send the image bytes")
        actual = sniff_content_type(data)
        if actual != content_type:
            raise PhotoRefused(f"the bytes are {actual or 'not a JPEG, PNG or WebP image'}, not {content_type}")
        sha256 = hashlib.sha256(data).hexdigest()
        if self.path(sha256) is not None and (sealed_under is None or self.is_sealed(sha256)):
            return sha256
        self._write(sha256, data if sealed_under is None else seal_bytes(data, *sealed_under))
        return sha256

    def _write(self, sha256: str, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, self.folder / sha256)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.folder)


def key_lookup(store: EventStore) -> KeyLookup:
    """The case keys the lane's store still holds, one at a time."""
    return lambda key_id: held_keys(store, [key_id]).get(key_id)


def erased_words(store: EventStore, erased: PhotoErased) -> str:
    """What is said in place of an erased photo of a person (when, and why)."""
    erasure = case_standing(store.record_events([erased.case_id])).erased
    return f"photo of a person, {erasure_words(erasure) if erasure else 'erased'}"


def photo_reader(photos: PhotoStore, store: EventStore) -> Callable[[str], bytes | str | None]:
    """What a report prints for each photo: its bytes, words in its place (erased, damaged),
    or None when it is not on this lane."""

    def read(sha256: str) -> bytes | str | None:
        try:
            found = photos.read(sha256, key_lookup(store))
        except PhotoDamaged:
            return "damaged: it no longer matches its SHA-256"
        return erased_words(store, found) if isinstance(found, PhotoErased) else found

    return read


def _sealed_key(path: Path) -> str | None:
    with path.open("rb") as file:
        return sealed_file_key(file.read(512))


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
