"""Is the server at this URL our hub? Asked before the lane's token goes there.

A lane hears of its hub by mDNS, which anyone on the network can answer,
or has its URL typed, which a spoofed address can answer. So before any
request that carries the lane's sync token, the lane sends a fresh nonce
to ``POST .../identity`` — with no token — and the server must answer with
a signature over that nonce and the lane id made with the hub's key
(:mod:`sync.identity`). The lane checks it against the key it pinned at
registration (``[upstream] hub_key``). A server that cannot sign is not
our hub: it never sees the token, and the lane takes nothing from it.
The hub signs the address it was reached at too, and for a hub heard on
mDNS the lane checks it is the address it asked: a stranger who passes the
challenge on to the real hub gets back a proof naming the real hub's
address, not its own.

A lane with no pinned key may only use a typed ``https://`` URL: there the
hub's TLS certificate, checked against the trust store or ``ca_file``, is
what authenticates it, and the key the hub presents over that connection
is the one its rosters are checked against.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sync.identity import new_nonce, parse_key, proof_message, signed_by
from sync.protocol import identity_path

log = logging.getLogger(__name__)


class HubProver:
    """Asks a server to prove it is this lane's hub; ``pinned`` is the key
    from the lane's config (None: trust an https URL's certificate instead)."""

    def __init__(self, lane_id: str, pinned: Ed25519PublicKey | None,
                 timeout: tuple[float, float] = (3.0, 5.0)) -> None:
        self.lane_id = lane_id
        self.pinned = pinned
        self._timeout = timeout

    def prove(self, url: str, session: requests.Session, *,
              bound: bool) -> tuple[Ed25519PublicKey | None, str]:
        """The hub's key if the server at ``url`` proves it holds it, else None;
        and, for the log, why not. ``session`` must carry no token. ``bound``:
        the proof must also name ``url``'s address as where the hub was reached
        (a URL announced on mDNS is the hub's own address; a typed one may be
        a name, a proxy or a NAT in front of it)."""
        if self.pinned is None and not url.startswith("https://"):
            return None, "no [upstream] hub_key is pinned and the URL is not https"
        nonce = new_nonce()
        try:
            response = session.post(url + identity_path(self.lane_id), json={"nonce": nonce},
                                    timeout=self._timeout)
            answer: Any = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            return None, f"no proof of identity: {type(exc).__name__}: {exc}"
        if not isinstance(answer, dict):
            return None, f"no proof of identity (HTTP {response.status_code})"
        try:
            key = self.pinned or parse_key(answer.get("key"))
        except ValueError as exc:
            return None, f"its key {exc}"
        at = answer.get("at")
        if not isinstance(at, str) or not signed_by(key, proof_message(self.lane_id, nonce, at),
                                                   answer.get("signature")):
            return None, ("it does not hold the pinned hub key" if self.pinned is not None
                          else "its proof does not match the key it presents")
        if bound and at != endpoint(url):
            return None, f"its proof comes from the hub at {at or 'an unknown address'}, not from {url}"
        return key, ""


def endpoint(url: str) -> str:
    """``"ip:port"`` of a URL, as a server names its own end of a connection."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
