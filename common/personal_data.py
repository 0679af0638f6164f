"""Personal fields sealed inside events, so that they can be erased without
touching the hash chain ("crypto-shredding", docs/evidence.md "Retention and
erasure").

An event is never rewritten: its hash covers its payload for ever. So a
person's data (names, document numbers, dates of birth, the raw document
frame) goes into the payload *already encrypted* with the case's own key, as
``{"sealed": "<base64 nonce + ciphertext>", "key": "<key id>"}``; the chain
hashes the ciphertext. The key is kept outside the log (the lane's and the
hub's key tables). Erasing a case destroys its key: the ciphertext stays in
the log, still hashed and verifiable, and can no longer be read by anyone.

The cipher is AES-256-GCM (``cryptography``): a fresh 96-bit nonce per
value, and the key id as associated data, so a sealed value cannot be moved
under another case's key id and still open. What is sealed is the canonical
JSON of the value, so any JSON value (a name, a list of mismatches, a whole
raw frame) round-trips exactly.

Everything here is pure: where the keys live is the caller's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from common.eventlog.chain import canonical_json

KEY_BYTES = 32
NONCE_BYTES = 12
SEALED, KEY = "sealed", "key"

#: a path into a payload: keys of objects, ``"*"`` for every item of a list
Path = tuple[str, ...]

#: what is personal in a travel document's ``reading.attached`` event (docs/evidence.md):
#: the holder's fields of the MRZ, the reader's comparisons (they quote the fields), the raw
#: frame (it is the MRZ itself), and what the assessment repeats of the number. The rest
#: (format, check digits' results, expiry, issuing state, flags) stays in clear: the lane's
#: rules, the board's alarms and the reports need it, and it names no one.
DOCUMENT_READING_PATHS: tuple[Path, ...] = (
    *(("reading", "data", "mrz", name) for name in (
        "surname", "given_names", "document_number", "birth_date", "nationality", "sex",
        "personal_number", "optional_data", "optional_data_2", "errors")),
    ("reading", "data", "verification", "mrz_visual", "mismatches"),
    ("reading", "data", "verification", "chip", "mrz_match", "mismatches"),
    ("raw",),
    ("assessment", "document_number"),
    ("assessment", "errors"),
    ("assessment", "watchlist_hits", "*", "value"),
)


class SealBroken(ValueError):
    """A sealed value that does not open with its key: altered, or under another key id."""


def new_key() -> bytes:
    """A fresh random AES-256 key for one case."""
    return os.urandom(KEY_BYTES)


def seal(value: Any, key_id: str, key: bytes) -> dict[str, str]:
    """``value`` (any JSON value) encrypted under ``key``, named by ``key_id``."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, canonical_json(value), key_id.encode())
    return {SEALED: base64.b64encode(nonce + sealed).decode("ascii"), KEY: key_id}


def is_sealed(value: Any) -> bool:
    """True for a value :func:`seal` made (exactly its two fields, both strings)."""
    return (isinstance(value, dict) and set(value) == {SEALED, KEY}
            and isinstance(value[SEALED], str) and isinstance(value[KEY], str))


def open_value(sealed: dict[str, str], key: bytes) -> Any:
    """The value a :func:`seal` made; :class:`SealBroken` if it does not open."""
    try:
        blob = base64.b64decode(sealed[SEALED], validate=True)
        plain = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], sealed[KEY].encode())
        return json.loads(plain)
    except (binascii.Error, InvalidTag, ValueError) as exc:
        raise SealBroken(f"a value sealed under key {sealed[KEY]} does not open: {exc or 'altered'}") from None


#: how a sealed file (a photo of a person) begins, so a reader (and a backup) can tell it from an image
SEALED_FILE = b"lanebox sealed\n"


def seal_bytes(data: bytes, key_id: str, key: bytes) -> bytes:
    """A file's bytes sealed under ``key``: :data:`SEALED_FILE`, the key id and a newline,
    the nonce, the ciphertext (the key id bound in, as for :func:`seal`)."""
    nonce = os.urandom(NONCE_BYTES)
    return SEALED_FILE + key_id.encode() + b"\n" + nonce + AESGCM(key).encrypt(nonce, data, key_id.encode())


def sealed_file_key(blob: bytes) -> str | None:
    """The key id a :func:`seal_bytes` file is sealed under, or None if it is not sealed."""
    if not blob.startswith(SEALED_FILE):
        return None
    key_id, newline, _ = blob[len(SEALED_FILE):len(SEALED_FILE) + 256].partition(b"\n")
    return key_id.decode("ascii", "replace") if newline else None


def open_bytes(blob: bytes, key: bytes) -> bytes:
    """The bytes a :func:`seal_bytes` made; :class:`SealBroken` if they do not open."""
    key_id = sealed_file_key(blob)
    if key_id is None:
        raise SealBroken("not a sealed file")
    body = blob[len(SEALED_FILE) + len(key_id.encode()) + 1:]
    try:
        return AESGCM(key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], key_id.encode())
    except (InvalidTag, ValueError):
        raise SealBroken(f"a file sealed under key {key_id} does not open: altered") from None


def seal_paths(payload: dict[str, Any], paths: Sequence[Path], key_id: str, key: bytes) -> dict[str, Any]:
    """A copy of ``payload`` with the value at each path sealed (paths it lacks are skipped;
    a ``None`` stays ``None``: there is nothing of anyone's in it)."""
    copy = json.loads(canonical_json(payload))
    for path in paths:
        _seal_at(copy, path, key_id, key)
    return copy


def _seal_at(node: Any, path: Path, key_id: str, key: bytes) -> None:
    head, rest = path[0], path[1:]
    if head == "*":
        children = list(range(len(node))) if isinstance(node, list) else []
    else:
        children = [head] if isinstance(node, dict) and head in node else []
    for child in children:
        if rest:
            _seal_at(node[child], rest, key_id, key)
        elif node[child] is not None and not is_sealed(node[child]):
            node[child] = seal(node[child], key_id, key)


def key_ids(value: Any) -> set[str]:
    """Every key id a sealed value anywhere in ``value`` names."""
    if is_sealed(value):
        return {value[KEY]}
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return set().union(*(key_ids(child) for child in children))


def opened(value: Any, keys: Mapping[str, bytes]) -> Any:
    """``value`` with every sealed value whose key is in ``keys`` opened; the others
    (their key destroyed: erased) are left sealed. A value that does not open with
    its own key is left sealed too: it is shown as unreadable, never as something else."""
    if is_sealed(value):
        key = keys.get(value[KEY])
        if key is None:
            return value
        try:
            return open_value(value, key)
        except SealBroken:
            return value
    if isinstance(value, dict):
        return {name: opened(child, keys) for name, child in value.items()}
    if isinstance(value, list):
        return [opened(child, keys) for child in value]
    return value


def unreadable_to_none(value: Any) -> tuple[Any, bool]:
    """``value`` with every value still sealed (erased) replaced by ``None``, and whether
    there was any: what a screen or a report shows in place of erased data."""
    if is_sealed(value):
        return None, True
    if isinstance(value, dict):
        pairs = [(name, unreadable_to_none(child)) for name, child in value.items()]
        return {name: child for name, (child, _) in pairs}, any(erased for _, (_, erased) in pairs)
    if isinstance(value, list):
        items = [unreadable_to_none(child) for child in value]
        return [child for child, _ in items], any(erased for _, erased in items)
    return value, False


def blind_index(search_key: bytes, normalised: str) -> str:
    """What the hub finds a document number by without holding it: HMAC-SHA-256 of the
    normalised number under the port's search key (hex). Equal numbers give equal
    indexes; the index says nothing of the number to anyone without the key."""
    return hmac.new(search_key, normalised.encode(), hashlib.sha256).hexdigest()


def encode_key(key: bytes) -> str:
    """A key as it travels to the hub (base64)."""
    return base64.b64encode(key).decode("ascii")


def decode_key(text: str) -> bytes:
    """A key from the wire; ``ValueError`` unless it is 32 bytes of base64."""
    try:
        key = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("a case key is base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"a case key is {KEY_BYTES} bytes")
    return key
