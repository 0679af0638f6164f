"""The hub's identity on the wire: its Ed25519 key, and what it signs.

A lane must know it talks to its own hub before it sends its sync token
or takes a roster (docs/sync-protocol.md, "Authenticating the hub"). The
hub holds an Ed25519 signing key (:mod:`sync.hub.identity`); ``lanebox hub
add-lane`` prints its public key, and the lane's config pins it as
``[upstream] hub_key = "ed25519:<base64>"``. Both ends build the signed
messages here, each starting with its own purpose, so that a signature
made for one purpose can never be replayed as another:

- the proof of identity: the hub signs the lane's fresh nonce, the lane id
  and the address the challenge reached it at (:func:`proof_message`),
  before the lane sends anything secret. The address is the hub's own end
  of the TCP connection, so a stranger who passes a lane's challenge on to
  the real hub gets back a proof naming the real hub's address, not its own;
- a roster: the hub signs the exact bytes of the body it sends
  (:func:`roster_message`), which name the lane it is for;
- the port's lane keys: the hub signs the exact text of the document that
  lists every lane's label keys (:func:`lane_keys_message`,
  :mod:`sync.lane_keys`).
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

KEY_PREFIX = "ed25519:"
SIGNATURE_HEADER = "Lanebox-Signature"
"""The response header carrying the hub's signature of a roster body (base64)."""

NONCE_PATTERN = "^[0-9a-f]{64}$"
"""A lane's challenge: 32 random bytes in lowercase hex (:func:`new_nonce`)."""

_PROOF = b"lanebox hub identity v1\n"
_ROSTER = b"lanebox roster v1\n"
_LANE_KEYS = b"lanebox lane keys v1\n"


def key_text(key: Ed25519PublicKey) -> str:
    """The key as a config value and on the wire: ``ed25519:`` + base64 of its 32 bytes."""
    return KEY_PREFIX + base64.b64encode(key.public_bytes_raw()).decode()


def parse_key(text: object) -> Ed25519PublicKey:
    """The public key ``text`` names; ``ValueError`` saying what is wrong."""
    if not isinstance(text, str) or not text.startswith(KEY_PREFIX):
        raise ValueError(f"must start with {KEY_PREFIX!r} (as `lanebox hub add-lane` prints it)")
    try:
        raw = base64.b64decode(text[len(KEY_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64 after 'ed25519:'") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 key is 32 bytes, this is {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def new_nonce() -> str:
    return secrets.token_hex(32)


def proof_message(lane: str, nonce: str, at: str) -> bytes:
    """What the hub signs to prove, to ``lane``, that it holds its key now,
    at ``at`` (``"ip:port"`` of its end of the connection; empty if unknown)."""
    return _PROOF + lane.encode() + b"\n" + nonce.encode() + b"\n" + at.encode()


def roster_message(body: bytes) -> bytes:
    """What the hub signs to vouch for a roster body."""
    return _ROSTER + body


def lane_keys_message(document: bytes) -> bytes:
    """What the hub signs to vouch for the port's lane-keys document."""
    return _LANE_KEYS + document


def signature_text(signature: bytes) -> str:
    return base64.b64encode(signature).decode()


def signed_by(key: Ed25519PublicKey, message: bytes, signature: object) -> bool:
    """Whether ``signature`` (base64 text) is ``key``'s over ``message``."""
    if not isinstance(signature, str):
        return False
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
