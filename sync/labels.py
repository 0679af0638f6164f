"""Self-verifying evidence-bag labels: the signed text a sealed bag's QR code carries.

A label must say, to anyone holding the bag and the port's lane keys — an
officer at another lane, a lab, the defence — what was sealed, and prove it
came from the lane that sealed it, with no box to ask. So the QR code of a
sealed bag carries the facts and the sealing lane's Ed25519 signature of
them (docs/evidence.md, "Labels"; docs/security.md). The format, version 1::

    LBX1.<payload>.<signature>

- ``payload``: base64url, unpadded, of the label's JSON (UTF-8, keys
  sorted, no spaces; the fields are :data:`FIELDS`);
- ``signature``: base64url, unpadded, of the lane key's Ed25519 signature
  of the ASCII bytes ``LBX1.<payload>`` — the very characters scanned, so
  a verifier never re-encodes JSON (Python and a browser agree byte for
  byte) and the version is signed with the facts.

Why not JSON in the clear, or CBOR/COSE: a handheld scanner types what it
reads into a field as keystrokes, and quotes and braces come out wrong on
many keyboard layouts; base64url is letters, digits, ``-`` and ``_`` only.
COSE_Sign1 in CBOR would be some 30% shorter, but needs a CBOR decoder on
the tablet and in every verifier the defence might write; this is JWS's
shape (compact, three dot-separated parts) that any language reads with
base64 and Ed25519 alone. About 490 characters: a version 17 QR code at
error correction M (15% of it may be lost to a scratch or rain), 85
modules, which a tablet camera and a 2D imager read at 0.5 mm a module (a
45 mm square on the label).

Keys travel as ``sync.identity`` writes them (``ed25519:<base64>``); a
label names its key by :func:`key_id`, so a lane's old and new keys (after a
rotation) both verify the labels they signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.identity import parse_key

PREFIX = "LBX1"
MAX_LABEL_CHARS = 1500
"""Longest text taken as a label: more cannot fit a QR code a scanner reads at a glance."""

FIELDS: dict[str, tuple[type, ...]] = {
    "bag": (str,),            # the bag id, BAG-XXXXXXXX
    "seal": (str, type(None)),  # the seal number it was sealed with (null if none was recorded)
    "kg": (str, type(None)),  # the sealed gross weight in kg, as recorded (decimal text), or null
    "scale": (str, type(None)),  # the bench scale that weighed it, or null
    "cal": (str, type(None)),    # the scale's calibration record (event id) it stood on, or null
    "cal_due": (bool, type(None)),  # whether that scale's calibration was due or failed then
    "seq": (int,),            # the chain head at sealing: the sealed event's seq ...
    "hash": (str,),           # ... and its hash
    "lane": (str,),           # the lane that sealed and signed
    "at": (str,),             # when the bag was sealed (the box's time, UTC)
    "kid": (str,),            # the signing key's id (key_id)
}
"""Every field of a label's payload and the JSON types it may take (all are required)."""

#: why a label is refused (``LabelRefused.code``)
MALFORMED, UNKNOWN_LANE, UNKNOWN_KEY, BAD_SIGNATURE = "malformed", "unknown_lane", "unknown_key", "bad_signature"


class LabelRefused(ValueError):
    """The label does not verify; ``code`` says why (one of the module's codes), the message in words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class LaneKey:
    """A lane's public signing key, as registered: since when (seq and time of its ``lane.key_created``)."""

    lane: str
    key: str
    since: str | None = None
    since_seq: int | None = None

    @property
    def kid(self) -> str:
        return key_id(parse_key(self.key))

    def as_dict(self) -> dict[str, Any]:
        return {"lane": self.lane, "key": self.key, "kid": self.kid, "since": self.since,
                "since_seq": self.since_seq}


def key_id(key: Ed25519PublicKey) -> str:
    """A short name for a key: base64url of the first 8 bytes of SHA-256 of its 32 bytes."""
    return _b64(hashlib.sha256(key.public_bytes_raw()).digest()[:8])


def sign_label(fields: dict[str, Any], private: Ed25519PrivateKey) -> str:
    """The label text of ``fields`` (all of :data:`FIELDS` but ``kid``) signed with ``private``."""
    payload = {**fields, "kid": key_id(private.public_key())}
    _check_fields(payload)
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    signed = f"{PREFIX}.{_b64(body)}"
    return f"{signed}.{_b64(private.sign(signed.encode()))}"


def is_label(text: str) -> bool:
    """Whether ``text`` (a scan) claims to be a signed label — it may still be forged."""
    return text.strip().startswith(PREFIX + ".")


def read_label(text: str) -> dict[str, Any]:
    """The payload of a label, NOT verified (what it claims); :class:`LabelRefused` if malformed."""
    return _split(text)[1]


def verify_label(text: str, keys: list[LaneKey]) -> dict[str, Any]:
    """The payload of the label ``text`` if one of ``keys`` of the lane it names signed it;
    :class:`LabelRefused` saying why otherwise."""
    signed, payload, signature = _split(text)
    lane_keys = [k for k in keys if k.lane == payload["lane"]]
    if not lane_keys:
        raise LabelRefused(UNKNOWN_LANE, f"lane {payload['lane']!r} has no registered key here: "
                                         "the label cannot be checked (refresh the port's lane keys)")
    key = next((k for k in lane_keys if k.kid == payload["kid"]), None)
    if key is None:
        raise LabelRefused(UNKNOWN_KEY, f"the label names key {payload['kid']}, which is not a key of lane "
                                        f"{payload['lane']!r}: forged, or signed with a key not registered")
    try:
        parse_key(key.key).verify(signature, signed.encode())
    except InvalidSignature:
        raise LabelRefused(BAD_SIGNATURE, "the signature does not match the label: forged or altered") from None
    return payload


def parse_keys(document: Any) -> list[LaneKey]:
    """The keys of a lane-keys document (``{"keys": [{"lane", "key", ...}]}``, as the lane's
    ``GET /api/v1/lane/keys`` and the hub's ``GET /api/v1/hub/lane-keys`` serve it);
    ``ValueError`` saying what is wrong."""
    rows = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise ValueError('not a lane-keys document: expected {"keys": [...]}')
    keys = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("lane"), str):
            raise ValueError(f"keys.{i}: needs a lane and a key")
        try:
            parse_key(row.get("key"))
        except ValueError as exc:
            raise ValueError(f"keys.{i}.key: {exc}") from None
        since_seq = row.get("since_seq")
        keys.append(LaneKey(row["lane"], row["key"], row.get("since"),
                            since_seq if isinstance(since_seq, int) else None))
    return keys


def _split(text: str) -> tuple[str, dict[str, Any], bytes]:
    """The signed part, the payload and the signature bytes of a label; :class:`LabelRefused` if malformed."""
    if not isinstance(text, str) or len(text) > MAX_LABEL_CHARS:
        raise LabelRefused(MALFORMED, "not a lanebox label (too long)")
    parts = text.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise LabelRefused(MALFORMED, f"not a signed lanebox label (expected {PREFIX}.<payload>.<signature>)")
    try:
        payload = json.loads(_unb64(parts[1]).decode("utf-8"))
        signature = _unb64(parts[2])
    except (ValueError, UnicodeDecodeError):
        raise LabelRefused(MALFORMED, "the label is damaged: its parts do not decode") from None
    if len(signature) != 64:
        raise LabelRefused(MALFORMED, "the label is damaged: its signature is not 64 bytes")
    try:
        _check_fields(payload)
    except ValueError as exc:
        raise LabelRefused(MALFORMED, f"the label is damaged: {exc}") from None
    return f"{parts[0]}.{parts[1]}", payload, signature


def _check_fields(payload: Any) -> None:
    if not isinstance(payload, dict) or set(payload) != set(FIELDS):
        raise ValueError(f"its fields must be exactly {', '.join(sorted(FIELDS))}")
    for name, types in FIELDS.items():
        value = payload[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ValueError(f"{name} has the wrong type")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """base64url without padding, strictly (no other characters, canonical last bits)."""
    if not text or any(not (c.isascii() and (c.isalnum() or c in "-_")) for c in text):
        raise ValueError("not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None
    if _b64(raw) != text:  # a changed last character may decode to the same bytes
        raise ValueError("not canonical base64url")
    return raw
