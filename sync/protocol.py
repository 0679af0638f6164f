"""The lane→hub wire contract, in one place so agent and receiver agree.

The protocol is described for its users in docs/sync-protocol.md: the
endpoints under ``/api/v1/sync/{lane}/`` (events, cursor, status,
reference, roster, identity), the lane token, the batch, the ack as cursor, the
refusal codes below and what a sender does with each. Here are the paths
and limits both ends import: the lane's end in :mod:`sync.lane`, the hub's
in :mod:`sync.hub.receiver`, :mod:`sync.hub.lanes`, :mod:`sync.hub.reference`
and :mod:`sync.hub.roster`.
"""

from __future__ import annotations

from typing import Any

API_PREFIX = "/api/v1/sync"

MAX_BATCH_EVENTS = 5000
"""Most events one POST may carry (the agent's batch size must not exceed it)."""

MAX_BODY_BYTES = 32 << 20
"""Largest request body the hub reads. The lane store allows 1 MiB payloads,
so one event always fits; the agent packs batches below this."""

CHECKPOINT_AFTER = "checkpoint_after"
"""A batch's optional field: the seq of the newest hub countersignature of its chain the lane
keeps (0: none). A 200 answer then carries ``checkpoint``, the hub's newest countersignature of
the lane's head, when it is newer (sync.hub.countersign, sync.lane.checkpoints)."""

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


def identity_path(lane: str) -> str:
    """``POST`` a nonce; the hub proves it holds its key (see :mod:`sync.identity`).
    The one sync route that takes no token: the lane asks it before it sends one."""
    return f"{API_PREFIX}/{lane}/identity"


def reference_etag(version: str) -> str:
    """The ETag (unquoted) of reference data ``version``: the version itself,
    percent-encoded so any version string is a valid entity tag."""
    from urllib.parse import quote

    return quote(version, safe="-._~+")


# -- the lane's status report (POST status_path) ------------------------------
# Every field bounded: the hub keeps the report, shows it on every board and
# compares its chain head with the lane's events, so a report is refused whole
# (400, nothing kept) if any string, array or number is out of bounds. The lane
# clips what it sends to these (sync.lane.status_reporter), so a device's long
# error text never costs it its heartbeat.

MAX_STATUS_TEXT = 500
"""Longest free text in a status (a device's detail, an error message, a reason)."""
MAX_STATUS_NAME = 128
"""Longest name or id in a status (a device, an inspection, a sample, a substance)."""
MAX_STATUS_LISTED = 100
"""Most devices, open inspections or trace alarms one status lists."""
MAX_SUBSTANCES = 20
"""Most substances one trace alarm lists."""
MAX_SEQ = 2 ** 53
"""Largest seq or count a status may carry (exact in every JSON parser)."""
CHAIN_STATES = ("whole", "broken", "records_differ")
"""What the lane's last verification of its store found: the chain whole and its
read models matching it, the chain broken, or the chain whole but read models
differing (and not mended)."""


def _closed(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


def _text(limit: int = MAX_STATUS_TEXT, nullable: bool = True) -> dict[str, Any]:
    return {"type": ["string", "null"] if nullable else "string", "maxLength": limit}


def _count(nullable: bool = False, minimum: int = 0) -> dict[str, Any]:
    return {"type": ["integer", "null"] if nullable else "integer", "minimum": minimum, "maximum": MAX_SEQ}


def _listed(items: dict[str, Any], limit: int = MAX_STATUS_LISTED) -> dict[str, Any]:
    return {"type": "array", "maxItems": limit, "items": items}


_NUMBER = {"type": ["number", "null"], "minimum": -1e12, "maximum": 1e12}
_TIME = _text(64)
_NAME = _text(MAX_STATUS_NAME)
_LINK = _closed({"seq": _count(), "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}, ("seq", "hash"))

STATUS_SCHEMA = _closed({
    "lane": _text(64, nullable=False),
    "ts": _text(64, nullable=False),
    "devices": _listed(_closed({"id": _text(MAX_STATUS_NAME, nullable=False), "kind": _NAME,
                                "state": _text(64, nullable=False), "detail": _text()}, ("id", "state"))),
    "sync": {"oneOf": [{"type": "null"}, _closed({
        "state": _text(64), "upstream": {"oneOf": [{"type": "null"}, _closed(
            {"source": _text(16), "url": _text(2048)})]},
        "acked_seq": _count(nullable=True), "lane_seq": _count(), "backlog": _count(),
        "oldest_unsent_age_s": _NUMBER, "last_success": _TIME,
        "last_error": {"oneOf": [{"type": "null"}, _closed({"at": _TIME, "message": _text()})]},
        "consecutive_failures": _count()})]},
    "inspections": _listed(_closed({"id": _text(MAX_STATUS_NAME, nullable=False), "plate": _NAME,
                                    "started_at": _TIME}, ("id",))),
    "alarms": _listed(_closed({
        "kind": _text(64, nullable=False), "device_id": _NAME, "ts": _TIME, "sample_id": _NAME,
        "substances": _listed(_closed({"name": _NAME, "class": _NAME, "amplitude": _NUMBER, "k0": _NUMBER}),
                              MAX_SUBSTANCES)}, ("kind",))),
    "chain": {"oneOf": [{"type": "null"}, _closed({
        "state": {"type": "string", "enum": list(CHAIN_STATES)}, "verified_at": _TIME,
        "checked": _count(), "broken_at": _count(nullable=True, minimum=1), "reason": _text(),
        "head": _LINK, "acked": {"oneOf": [{"type": "null"}, _LINK]}}, ("state", "checked", "head"))]},
    "label_keys": _listed(_closed({
        "lane": _text(64, nullable=False),
        "key": {"type": "string", "pattern": "^ed25519:[A-Za-z0-9+/]{43}=$", "maxLength": 52},
        "kid": _text(16, nullable=False), "since": _TIME, "since_seq": _count(nullable=True)}, ("lane", "key"))),
}, ("lane", "ts", "devices"))
"""The status report, as JSON Schema: what the hub accepts and documents."""
