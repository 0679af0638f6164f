"""The hub's copy of the lanes' case keys, and erasure at the hub
(docs/hub.md "Personal data and erasure", docs/evidence.md "Retention and erasure").

A lane seals a case's personal fields in its events with the case's key
(common.personal_data) and sends the keys its batch's events are sealed
under with the batch, over the lane's authenticated sync route. The hub
keeps them in ``hub_case_keys``, apart from the events, so the board can
read a case and find it by its document number. The events themselves
are stored verbatim, as always: the hub's verification of a lane's chain
never needs a key.

When a ``case.erased`` event arrives, the hub destroys its copy of the
case's keys in the same transaction that records the erasure, forgets the
case's document search terms, and from then on refuses to hold a key for
that case (a lane resending an old batch cannot bring one back).

Searching by document number without keeping the number: the term is a
keyed blind index, HMAC-SHA-256 of the normalised number under the port's
search key (made once per hub, kept in ``meta``), stored as ``#`` and the
hex digest, which no typed search term can look like.
"""

from __future__ import annotations

import secrets
from typing import Any

from common.clock import utc_now_iso
from common.erasure import ERASED
from common.eventlog.case_keys import wipe_freed
from common.personal_data import KEY_BYTES, blind_index, decode_key, is_sealed, key_ids, opened
from common.web.routing import obj
from sync.hub.db import Connection
from sync.hub.store import HubStore
from sync.protocol import MAX_BATCH_EVENTS

SEARCH_KEY = "search_key"
BLIND_PREFIX = "#"
KEYS_SCHEMA = {
    "type": "array", "maxItems": MAX_BATCH_EVENTS,
    "description": "the keys (common.personal_data) the batch's events are sealed under, that the lane still holds",
    "items": obj({"key_id": {"type": "string", "minLength": 1, "maxLength": 128},
                  "key": {"type": "string", "pattern": "^[A-Za-z0-9+/]{43}=$",
                          "description": "the 32-byte AES-256 key, base64"}},
                 required=("key_id", "key")),
}


def take_batch(store: HubStore, lane: str, stored: list[dict[str, Any]], keys: list[dict[str, str]]) -> None:
    """After a batch was ingested: record the erasures among its ``stored`` events (destroying the
    keys they name) and keep the batch's keys, but never one of an erased case."""
    erasures = [event for event in stored if event["type"] == ERASED]
    if not erasures and not keys:
        return
    sqlite = store.database.kind == "sqlite"

    def write(conn: Connection) -> None:
        if erasures and sqlite:
            conn.execute("PRAGMA secure_delete = ON")  # the deleted key's bytes are overwritten in the page
        for event in erasures:
            _erase_in(conn, lane, event)
        now = utc_now_iso()
        for entry in keys:
            erased = conn.execute("SELECT 1 FROM hub_case_erasures WHERE lane = ? AND case_id = ?",
                                  (lane, entry["key_id"])).fetchone()
            if erased is None:
                conn.execute("INSERT INTO hub_case_keys (lane, key_id, key, received_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (lane, key_id) DO NOTHING", (lane, entry["key_id"], entry["key"], now))

    store.write(write)
    if erasures and sqlite:
        wipe_freed(store.path)  # and the WAL that still held the pages from before


def _erase_in(conn: Connection, lane: str, event: dict[str, Any]) -> None:
    payload = event["payload"]
    case_id = payload.get("case_id")
    if not isinstance(case_id, str) or not case_id:
        return  # malformed: stored as sent, nothing to act on
    destroyed = [k for k in payload.get("keys_destroyed") or [] if isinstance(k, str)]
    conn.execute("INSERT INTO hub_case_erasures (lane, case_id, seq, at) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT (lane, case_id) DO NOTHING", (lane, case_id, event["seq"], event["ts"]))
    for key_id in {case_id, *destroyed}:
        conn.execute("DELETE FROM hub_case_keys WHERE lane = ? AND key_id = ?", (lane, key_id))
    forget_document_terms(conn, lane, case_id)


def forget_document_terms(conn: Connection, lane: str, case_id: str) -> None:
    """Remove the document search terms of an erased case and of its seizures."""
    conn.execute("DELETE FROM hub_case_terms WHERE lane = ? AND term_type = 'document' AND (case_id = ? OR "
                 "case_id IN (SELECT id FROM hub_cases WHERE lane = ? AND inspection_id = ?))",
                 (lane, case_id, lane, case_id))


def keys_of(conn: Connection, lane: str, ids: set[str]) -> dict[str, bytes]:
    """The keys among ``ids`` the hub holds for the lane."""
    found: dict[str, bytes] = {}
    for key_id in sorted(ids):
        row = conn.execute("SELECT key FROM hub_case_keys WHERE lane = ? AND key_id = ?", (lane, key_id)).fetchone()
        if row is not None:
            found[key_id] = decode_key(row[0])
    return found


def opened_payload(conn: Connection, lane: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with the sealed fields whose keys the hub holds opened (an erased case's stay sealed)."""
    keys = keys_of(conn, lane, key_ids(payload))
    return opened(payload, keys) if keys else payload


def search_key(conn: Connection, make: bool = False) -> bytes | None:
    """The port's search key; made now (inside a write) when ``make`` and there is none yet."""
    if make:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                     (SEARCH_KEY, secrets.token_hex(KEY_BYTES)))
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (SEARCH_KEY,)).fetchone()
    return bytes.fromhex(row[0]) if row else None


def blind_term(key: bytes, normalised: str) -> str:
    """The stored search term of a document number: never the number itself."""
    return BLIND_PREFIX + blind_index(key, normalised)


def sealed_document_term(conn: Connection, lane: str, number: Any, normalise: Any) -> str | None:
    """The blind search term of a sealed document number, if the hub holds its key (inside a write)."""
    if not is_sealed(number):
        return None
    text = opened(number, keys_of(conn, lane, {number["key"]}))
    if not isinstance(text, str) or not normalise(text):
        return None
    return blind_term(search_key(conn, make=True) or b"", normalise(text))
