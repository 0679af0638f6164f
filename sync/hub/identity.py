"""The hub's Ed25519 signing key: made once, kept in the hub store.

Lanes pin the public half (``[upstream] hub_key``, printed by ``lanebox hub
add-lane`` and ``lanebox hub key``) and believe only a hub that signs with
the private half (:mod:`sync.identity`). The key lives in the store's
``meta`` table, so every hub worker signs with the same key on SQLite or
PostgreSQL alike, and a backup restored from keeps the identity its lanes
pinned. The first worker or command that needs it makes it; workers
racing to do so agree on the one stored first (``ON CONFLICT DO NOTHING``,
then read back in the same transaction).
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from common.bundle_verify import countersign_message
from sync.hub.db import Connection
from sync.hub.receiver import hub_store
from sync.hub.store import HubStore
from sync.identity import key_text, lane_keys_message, proof_message, roster_message, signature_text

META_KEY = "identity_ed25519"
EXTENSION = "lanebox_hub_identity"


class HubIdentity:
    """Signs for the hub: proofs of identity, rosters and the port's lane keys."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_text = key_text(private.public_key())
        """The public key as lanes pin it (``ed25519:...``)."""

    @classmethod
    def of(cls, store: HubStore) -> "HubIdentity":
        """The hub's identity, made and stored on first use."""
        fresh = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()

        def load(conn: Connection) -> str:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
                         (META_KEY, fresh))
            return conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()[0]

        raw = base64.b64decode(store.write(load, exclusive=True))
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def prove(self, lane: str, nonce: str, at: str) -> str:
        """The signature that answers ``lane``'s challenge ``nonce``, reached at ``at``."""
        return signature_text(self._private.sign(proof_message(lane, nonce, at)))

    def sign_roster(self, body: bytes) -> str:
        """The signature a lane checks before it merges ``body``."""
        return signature_text(self._private.sign(roster_message(body)))

    def countersign(self, checkpoint: dict[str, Any]) -> str:
        """The hub's word that a lane's chain reached ``checkpoint``'s seq and hash by its time
        (sync.hub.countersign; checked by common.bundle_verify)."""
        return signature_text(self._private.sign(countersign_message(checkpoint)))

    def sign_lane_keys(self, document: bytes) -> str:
        """The signature lanes and verifiers check before they believe the port's lane keys."""
        return signature_text(self._private.sign(lane_keys_message(document)))


def current_identity() -> HubIdentity:
    """The identity of the hub serving this request (read from its store once)."""
    extensions = current_app.extensions
    if EXTENSION not in extensions:
        extensions[EXTENSION] = HubIdentity.of(hub_store())
    return extensions[EXTENSION]


def arrived_at(environ: dict[str, Any]) -> str:
    """``"ip:port"`` of the hub's own end of the request's TCP connection (from
    the socket gunicorn or werkzeug serves it on, never from a header a client
    writes), or ``""`` when the server does not say."""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    try:
        host, port = sock.getsockname()[:2]
    except (AttributeError, OSError, TypeError, ValueError):
        return ""
    return f"{host.removeprefix('::ffff:')}:{port}"  # an IPv4 peer on a dual-stack socket
