"""The lane→hub wire contract, in one place so agent and receiver agree.

The protocol is described for its users in docs/sync-protocol.md: the
endpoints under ``/api/v1/sync/{lane}/`` (events, cursor, status,
reference, roster), the lane token, the batch, the ack as cursor, the
refusal codes below and what a sender does with each. Here are the paths
and limits both ends import: the lane's end in :mod:`sync.lane`, the hub's
in :mod:`sync.hub.receiver`, :mod:`sync.hub.lanes`, :mod:`sync.hub.reference`
and :mod:`sync.hub.roster`.
"""

from __future__ import annotations

API_PREFIX = "/api/v1/sync"

MAX_BATCH_EVENTS = 5000
"""Most events one POST may carry (the agent's batch size must not exceed it)."""

MAX_BODY_BYTES = 32 << 20
"""Largest request body the hub reads. The lane store allows 1 MiB payloads,
so one event always fits; the agent packs batches below this."""

GAP = "gap"
"""The batch starts beyond the hub's ack + 1: resend from ``ack``. Not an error."""

CONFLICT = "conflict"
"""A seq the hub holds arrived with another id or content (alarm raised)."""

CHAIN_BROKEN = "chain_broken"
"""An event's ``prev_hash`` is not the hash the hub holds for seq - 1 (alarm raised)."""

HASH_MISMATCH = "hash_mismatch"
"""An event's ``hash`` does not match its content (alarm raised)."""


def events_path(lane: str) -> str:
    return f"{API_PREFIX}/{lane}/events"


def cursor_path(lane: str) -> str:
    return f"{API_PREFIX}/{lane}/cursor"


def status_path(lane: str) -> str:
    """``POST`` the lane's live status (see :mod:`sync.lane.status_reporter`)."""
    return f"{API_PREFIX}/{lane}/status"


def reference_path(lane: str) -> str:
    """``GET`` the hub's reference data, by ETag (see :mod:`sync.lane.reference_puller`)."""
    return f"{API_PREFIX}/{lane}/reference"


def roster_path(lane: str) -> str:
    """``GET`` the hub's user roster, by ETag (see :mod:`sync.hub.roster`)."""
    return f"{API_PREFIX}/{lane}/roster"


def reference_etag(version: str) -> str:
    """The ETag (unquoted) of reference data ``version``: the version itself,
    percent-encoded so any version string is a valid entity tag."""
    from urllib.parse import quote

    return quote(version, safe="-._~+")
