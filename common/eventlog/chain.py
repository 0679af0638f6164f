"""The hash chain that makes the event log tamper-evident.

Each event's hash covers its own fields and the hash of the event before it,
so changing, removing or reordering any stored event breaks every link from
that point on. Everything here is a pure function of its inputs, so the lane,
the hub and a court's expert can recompute the same hashes independently.

The hashed bytes are the canonical JSON of the event: keys sorted, no
whitespace, UTF-8 (not ``\\u`` escapes), floats written as Python's ``repr``.
Values JSON cannot carry faithfully (NaN, infinities, non-string keys) are
refused rather than quietly turned into something else.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any, Iterable

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event (seq 1)."""

HASHED_FIELDS = ("seq", "id", "lane", "type", "ts", "actor", "payload", "prev_hash")
"""The event fields the hash covers (everything but the hash itself)."""

MAX_DEPTH = 64
"""Deepest nesting accepted: far beyond any real payload, well below Python's
recursion limit, so a hostile document fails with a message, not a crash."""


def canonical_json(obj: Any) -> bytes:
    """Serialise ``obj`` to the one byte string every party hashes.

    Raises ``ValueError`` for NaN/infinite floats, over-deep nesting and
    strings that are not valid Unicode, ``TypeError`` for keys that are not
    strings and values that are not JSON (json would silently turn ``{1: x}``
    into ``{"1": x}``, so the stored event would differ from the one given).
    """
    _check_jsonable(obj, 0)
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"string is not valid Unicode: {exc.reason}") from None


def _check_jsonable(obj: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    if obj is None or isinstance(obj, (str, bool, int)):
        return
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"{obj!r} is not a JSON number")
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(f"object key {key!r} is not a string")
            _check_jsonable(value, depth + 1)
        return
    if isinstance(obj, (list, tuple)):
        for value in obj:
            _check_jsonable(value, depth + 1)
        return
    raise TypeError(f"{type(obj).__name__} is not a JSON value")


def event_hash(event_fields: dict[str, Any], prev_hash: str) -> str:
    """Hex SHA-256 of the canonical JSON of the event's hashed fields.

    ``prev_hash`` is passed separately so the writer can hash an event before
    it is stored; a ``prev_hash`` key in ``event_fields`` is ignored. Raises
    ``KeyError`` if a hashed field is missing.
    """
    hashed = {name: event_fields[name] for name in HASHED_FIELDS if name != "prev_hash"}
    hashed["prev_hash"] = prev_hash
    return hashlib.sha256(canonical_json(hashed)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """Outcome of walking a chain: whole, or where the first link breaks.

    ``checked`` counts the events found sound before the first break (all of
    them when ``ok``).
    """

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None


def verify_events(events: Iterable[dict[str, Any]]) -> ChainReport:
    """Walk events in seq order and report the first broken link.

    Checks that seq runs 1, 2, 3... without gaps, that each ``prev_hash`` is
    the previous event's ``hash`` (``GENESIS_HASH`` for seq 1), and that each
    ``hash`` matches the event's content. Streams: holds one event at a time.
    A chain cut short at the end is not detectable from the chain alone;
    the hub's copy is what anchors the tail.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in events:
        seq = event.get("seq")
        if seq != expected_seq:
            return ChainReport(False, checked, expected_seq,
                               f"expected seq {expected_seq}, found {seq!r}")
        if event.get("prev_hash") != prev_hash:
            return ChainReport(False, checked, expected_seq,
                               "prev_hash is not the hash of the event before")
        try:
            recomputed = event_hash(event, prev_hash)
        except (KeyError, TypeError, ValueError) as exc:
            return ChainReport(False, checked, expected_seq, f"malformed event: {exc!r}")
        if event.get("hash") != recomputed:
            return ChainReport(False, checked, expected_seq,
                               "hash does not match the event's content")
        prev_hash = recomputed
        checked += 1
        expected_seq += 1
    return ChainReport(True, checked)
