"""The port's lane keys as one document the hub signs, so any lane's label can be checked anywhere.

A bag sealed at one lane is received at another, at the port's evidence
store or in the control room, so a tablet must hold every lane's label key,
not only its own lane's. The hub hears each lane's keys in its status
(:mod:`sync.hub.lanes`) and publishes them as one document signed with its
Ed25519 identity key (:mod:`sync.hub.identity`); each lane pulls it by ETag
like the roster, believes it only if it verifies against the hub key it
pinned at registration, and hands it to its tablets (docs/sync-protocol.md,
"The port's lane keys"; docs/security.md, "Evidence labels").

The signature travels inside the body, not in a header as a roster's does,
because the document must stay checkable once saved to a file: a lab or the
defence downloads it from the hub and gives it to ``lanebox verify-label
--keys``. As with a label (:mod:`sync.labels`) the signed text is carried
as it was signed, so a verifier never re-encodes JSON::

    {"document": "{\\"format\\":\\"lanebox lane keys v1\\",\\"hub\\":...,\\"keys\\":[...]}",
     "signature": "<base64 of the hub's signature of 'lanebox lane keys v1\\n' + document>"}

``document`` is JSON text (UTF-8, keys sorted, no spaces) of ``{"format",
"hub", "keys": [{"lane", "key", "kid", "since", "since_seq"}]}``: each
lane's keys, oldest first, each valid for labels from ``since`` (the time
and seq of the lane's ``lane.key_created`` event) on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sync.identity import lane_keys_message, signed_by
from sync.labels import LaneKey, parse_keys
from sync.protocol import API_PREFIX

FORMAT = "lanebox lane keys v1"
SIGNED_KEYS_PATH = "/api/v1/hub/lane-keys/signed"
"""Where the hub serves the signed document to a signed-in user (a lab, the defence, a board)."""


def lane_keys_path(lane: str) -> str:
    """Where ``lane`` pulls the signed document with its sync token."""
    return f"{API_PREFIX}/{lane}/lane-keys"


@dataclass(frozen=True)
class PortKeys:
    """The port's lane keys as one signed document: what it says and the envelope it came in."""

    hub: str
    keys: list[LaneKey]
    envelope: dict[str, str]
    """``{"document", "signature"}`` exactly as the hub served it, to keep and to pass on."""

    @property
    def etag(self) -> str:
        return document_etag(self.envelope["document"])


def document_etag(document: str) -> str:
    """The document's entity tag: a hash of its text, the same at the hub and the lane."""
    return hashlib.sha256(document.encode()).hexdigest()[:32]


def make_document(hub: str, keys: list[LaneKey], sign: Callable[[bytes], str]) -> dict[str, str]:
    """The envelope of ``keys`` as ``hub`` publishes them, signed by ``sign`` (the hub's key)."""
    document = json.dumps({"format": FORMAT, "hub": hub, "keys": [key.as_dict() for key in keys]},
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"document": document, "signature": sign(document.encode())}


def is_signed_document(data: Any) -> bool:
    """Whether ``data`` (parsed JSON) has the shape of a signed lane-keys envelope."""
    return isinstance(data, dict) and set(data) == {"document", "signature"}


def read_document(envelope: Any) -> PortKeys:
    """What the envelope says, NOT verified; ``ValueError`` saying what is wrong with its shape."""
    if not is_signed_document(envelope) or not all(isinstance(v, str) for v in envelope.values()):
        raise ValueError('not a signed lane-keys document: expected {"document": "...", "signature": "..."}')
    try:
        document = json.loads(envelope["document"])
    except ValueError:
        raise ValueError("the signed document is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"the signed document is not in the format {FORMAT!r}")
    if not isinstance(document.get("hub"), str):
        raise ValueError("the signed document does not name its hub")
    return PortKeys(document["hub"], parse_keys(document), dict(envelope))


def open_document(envelope: Any, hub_key: Ed25519PublicKey) -> PortKeys:
    """What the envelope says, once its signature is ``hub_key``'s over the very text it carries;
    ``ValueError`` when the signature is missing, another key's, or the text was changed."""
    if not is_signed_document(envelope) or not isinstance(envelope.get("document"), str):
        raise ValueError('not a signed lane-keys document: expected {"document": "...", "signature": "..."}')
    if not signed_by(hub_key, lane_keys_message(envelope["document"].encode()), envelope.get("signature")):
        raise ValueError("its signature is not the hub's (made with another key, or the document was changed)")
    return read_document(envelope)
