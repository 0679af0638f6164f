"""Reference data down, lane side: pull the hub's reference data by version.

At start and every ``interval`` seconds the lane asks the hub for its
reference data with ``If-None-Match`` naming the version the lane holds
(:mod:`sync.lane.etag_puller`). A new version is checked with the very rules
``lanebox reference load`` uses (:func:`common.reference.parse_reference`)
and stored the same way (:func:`common.reference.store_reference`, a
``reference.loaded`` event), so the running lane's ReferenceCache picks it
up and the log shows which data every later decision was made against.

Nothing the hub does can take the lane's data away: when the hub is away,
answers an error, or sends a document that fails the checks, the lane keeps
its last good copy (a bad document is logged once per version).
"""

from __future__ import annotations

import logging
from typing import Any

from common.eventlog.store import EventStore
from common.reference import MAX_FILE_BYTES, latest_reference_event, parse_reference, store_reference
from sync.lane.etag_puller import DEFAULT_INTERVAL_S, NONE, REJECTED, STORED, UNCHANGED, UNREACHABLE, EtagPuller
from sync.lane.upstream import Upstream
from sync.protocol import reference_etag, reference_path

log = logging.getLogger(__name__)

__all__ = ["NONE", "REJECTED", "STORED", "UNCHANGED", "UNREACHABLE", "ReferencePuller"]


class ReferencePuller(EtagPuller):
    """Pulls the hub's reference data into one lane's store from a thread."""

    what = "reference data"
    max_bytes = MAX_FILE_BYTES
    none_code = "no_reference"

    def __init__(self, store: EventStore, lane_id: str, hub: str | Upstream, token: str, *,
                 interval: float = DEFAULT_INTERVAL_S,
                 timeout: tuple[float, float] = (5.0, 30.0)) -> None:
        super().__init__(lane_id, hub, token, reference_path(lane_id), interval=interval,
                         timeout=timeout)
        self.store = store

    def held_etag(self) -> str | None:
        latest = latest_reference_event(self.store)
        version = latest["payload"].get("version") if latest else None
        return reference_etag(version) if isinstance(version, str) else None

    def apply(self, data: Any, etag: str, source: str) -> bool:
        reference = parse_reference(data, source)
        if not store_reference(self.store, reference, actor="hub"):
            return False
        log.info("reference data %s pulled from the hub", reference.version)
        return True
