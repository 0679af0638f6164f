"""The lane→hub wire contract, in one place so agent and receiver agree.

``POST {url}/api/v1/sync/{lane}/events`` with ``Authorization: Bearer
TOKEN`` and ``{"events": [event, ...]}`` (events exactly as the lane store
holds them, ascending by seq) answers ``200 {"ack": n, "stored": k,
"duplicates": d}`` once the batch is durably committed. ``ack`` is the hub's
cursor for the lane: the highest seq up to which it holds every event.
Refusals are ``{"error": {"code", "message"}, "ack": n}``; the codes that
matter to a sender are below. ``GET .../cursor`` answers ``{"ack": n}``.

With the same token, ``POST .../status`` takes the lane's live status
(:mod:`sync.lane.status_reporter`, :mod:`sync.hub.lanes`) and ``GET .../reference``
serves the hub's reference data by ETag (:mod:`sync.lane.reference_puller`,
:mod:`sync.hub.reference`) and ``GET .../roster`` its users (:mod:`sync.hub.roster`).
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
