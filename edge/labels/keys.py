"""The lane's label-signing key: made at first start, kept beside the store, never in the log.

Every sealed bag's label is signed with it (:mod:`edge.labels.label`), so
whoever holds it can make labels the port believes. It is an Ed25519 key in
its own file in the lane's data folder, owner-only (0600, like the store),
written whole with ``O_EXCL`` so two processes starting at once agree on the
first one; it is never put in an event (events go to the hub, backups and
court bundles). Its public half is what the lane records: a
``lane.key_created`` event whenever the key in the file is not the last one
recorded — the first start, or after a technician removed a lost or
compromised key (docs/security.md, "Label keys") — so the chain says from
which event on a key signs, and the hub learns it with the lane's status.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from common.eventlog.store import EventStore, StoreError
from common.owner_only import owner_only_file
from sync.identity import key_text
from sync.labels import LaneKey, key_id, sign_label

KEY_FILE = "label-signing.key"
KEY_CREATED = "lane.key_created"
ACTOR = "lane"


class KeyFileError(StoreError):
    """The key file is there but is not a key (damaged, or not ours): the lane must not sign
    with another one silently, so it does not start (one line, as a damaged store)."""


class LaneSigner:
    """Signs labels for one lane; knows every key the lane has recorded (its own history)."""

    def __init__(self, lane: str, private: Ed25519PrivateKey, keys: list[LaneKey]) -> None:
        self.lane = lane
        self._private = private
        self.public_text = key_text(private.public_key())
        """The public key as registered and printed (``ed25519:...``)."""
        self.kid = key_id(private.public_key())
        self.keys = keys
        """Every key the lane has recorded, oldest first; the last is this one."""

    def sign(self, fields: dict[str, Any]) -> str:
        return sign_label({**fields, "lane": self.lane}, self._private)

    def sign_message(self, message: bytes) -> bytes:
        """The lane key's signature of ``message``, which must begin with its purpose (a case
        bundle's manifest does: common.bundle_verify), so it can never pass for a label's."""
        return self._private.sign(message)


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE


def open_signer(data_dir: Path, store: EventStore, lane: str) -> LaneSigner:
    """The lane's signer: its key (made now if the folder has none) recorded in ``store``
    (a ``lane.key_created`` event if it is not the last key recorded)."""
    private = load_or_make_key(key_path(data_dir))
    public = key_text(private.public_key())

    def record(conn: sqlite3.Connection) -> list[LaneKey]:
        keys = _recorded(conn, lane)
        if not keys or keys[-1].key != public:
            event = store.append_in(conn, KEY_CREATED, {
                "key": public, "kid": key_id(private.public_key()), "purpose": "evidence labels",
                "replaces": keys[-1].kid if keys else None}, ACTOR).event
            keys.append(LaneKey(lane, public, event["ts"], event["seq"]))
        return keys

    return LaneSigner(lane, private, store.run_write(record))


def load_or_make_key(path: Path) -> Ed25519PrivateKey:
    """The private key in ``path``; a new one written there (0600) when there is none."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode() + "\n")
            out.flush()
            os.fsync(out.fileno())
    owner_only_file(path)  # one made by hand, or copied in by a restore, is set right too
    try:
        raw = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError(f"{path}: not a lanebox label key (base64 of 32 bytes)") from None
    if len(raw) != 32:
        raise KeyFileError(f"{path}: not a lanebox label key (it holds {len(raw)} bytes, not 32)")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _recorded(conn: sqlite3.Connection, lane: str) -> list[LaneKey]:
    rows = conn.execute("SELECT seq, ts, payload FROM events WHERE type = ? ORDER BY seq", (KEY_CREATED,))
    return [LaneKey(lane, json.loads(payload)["key"], ts, seq) for seq, ts, payload in rows]
