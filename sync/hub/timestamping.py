"""Asking the port's RFC 3161 time-stamp authority (TSA) to stamp a chain head.

Where a port runs a TSA, ``[timestamping] url`` in the hub's config names
it, and the hub asks it for a token over each chain head it countersigns
(:mod:`sync.hub.countersign`): a party outside lanebox then vouches that the
head — and so every event before it — existed by that time. It sits at the
hub, not the lanes: the hub is the one part on the port's network with the
port's services, countersigns on its own schedule, and one TSA account for
the port is simpler than one per lane.

The request is DER built with asn1crypto (SHA-256 imprint of the head's own
32 bytes, a fresh nonce, the TSA's certificate asked for, so the token
carries what a verifier needs); the answer is checked whole — status
granted, the nonce echoed, and the token verified as any verifier will
(:func:`common.timestamp_token.verify_token`) — before it is kept.
"""

from __future__ import annotations

import secrets

import requests
from asn1crypto import cms, tsp

from common.timestamp_token import TokenRefused, imprint_of, read_all, verify_token

QUERY, REPLY = "application/timestamp-query", "application/timestamp-reply"
MAX_REPLY_BYTES = 64 << 10


class TimestampFailed(Exception):
    """The TSA gave no usable token; the message says why."""


def request_token(url: str, head_hash: str, timeout_s: float) -> bytes:
    """A verified DER TimeStampToken over ``head_hash`` from the TSA at ``url``."""
    nonce = secrets.randbits(63)
    query = tsp.TimeStampReq({"version": "v1", "nonce": nonce, "cert_req": True, "message_imprint": {
        "hash_algorithm": {"algorithm": "sha256"}, "hashed_message": imprint_of(head_hash)}})
    try:
        response = requests.post(url, data=query.dump(), headers={"Content-Type": QUERY}, timeout=timeout_s)
    except requests.RequestException as exc:
        raise TimestampFailed(f"the TSA at {url} did not answer: {exc}") from None
    if response.status_code != 200 or len(response.content) > MAX_REPLY_BYTES:
        raise TimestampFailed(f"the TSA at {url} answered HTTP {response.status_code}")
    try:  # the status first: a refusal carries no token, which asn1crypto's TimeStampResp cannot load
        parts = read_all(response.content)[0].children() if response.content else []
        status = tsp.PKIStatusInfo.load(parts[0].encoded)["status"].native
        if status not in ("granted", "granted_with_mods") or len(parts) < 2:
            raise TimestampFailed(f"the TSA refused to stamp: {status}")
        der = parts[1].encoded
        echoed = cms.ContentInfo.load(der)["content"]["encap_content_info"]["content"].parsed["nonce"].native
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise TimestampFailed(f"the TSA's answer is not a time-stamp response: {exc}") from None
    if echoed != nonce:
        raise TimestampFailed("the TSA's token does not answer this request (another nonce)")
    try:
        verify_token(der, imprint_of(head_hash))
    except TokenRefused as exc:
        raise TimestampFailed(f"the TSA's token does not verify: {exc}") from None
    return der
