"""The hub's countersignature of each lane's chain head, with an RFC 3161 token where the port has a TSA.

A lane's chain proves its own order, but a lane that rewrote its whole log
would hold a chain as whole as the true one. The hub checks every event's
hash and link as it arrives, so its word on a lane's head is independent
evidence: now and then — after a batch, once ``[countersign] interval_s``
has passed since the lane's last checkpoint (default an hour), or at once
when a supervisor asks (``POST /api/v1/hub/lanes/{lane}/countersign``) —
the hub signs ``{lane, seq, hash, at}`` of the lane's acknowledged head
with its Ed25519 key (:mod:`sync.hub.identity`), asks the port's TSA for a
token over that head when ``[timestamping] url`` is set
(:mod:`sync.hub.timestamping`), keeps both in ``chain_checkpoints`` and
sends the latest back to the lane in every batch's answer; the lane keeps
it in its log (:mod:`sync.lane.checkpoints`) and its case bundles carry it.

A TSA that does not answer costs the checkpoint its token, never the batch
its ack: the failure is logged and the checkpoint kept without one.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from flask import Blueprint

from common.clock import iso_utc, parse_iso
from common.config import Section
from common.roles import SUPERVISORS
from common.web.errors import not_found
from common.web.routing import endpoint, lane_server
from sync.hub.db import Connection
from sync.hub.identity import HubIdentity
from sync.hub.store import HubStore
from sync.hub.timestamping import TimestampFailed, request_token

log = logging.getLogger(__name__)

bp = Blueprint("countersign", __name__, url_prefix="/api/v1/hub")

COLUMNS = ("lane", "seq", "hash", "at", "hub_key", "signature", "timestamp")


@dataclass(frozen=True)
class CountersignSettings:
    """``[countersign] interval_s`` and ``[timestamping] url``, ``timeout_s`` of the hub's config."""

    interval_s: float = 3600.0
    tsa_url: str | None = None
    tsa_timeout_s: float = 10.0


def parse_countersign_settings(top: Section) -> CountersignSettings:
    """The two sections, checked (``top`` is the whole config)."""
    countersign = Section(top.source, "countersign", top.get("countersign", dict, {}))
    interval = float(countersign.get("interval_s", (int, float), CountersignSettings.interval_s))
    if not 10 <= interval <= 7 * 86400:
        raise countersign.fail("interval_s", "must be 10 seconds to 7 days")
    countersign.done()
    stamping = Section(top.source, "timestamping", top.get("timestamping", dict, {}))
    url = stamping.get("url", str, None)
    if url is not None and not url.startswith(("http://", "https://")):
        raise stamping.fail("url", "must be the TSA's http:// or https:// URL (RFC 3161 over HTTP)")
    timeout = float(stamping.get("timeout_s", (int, float), CountersignSettings.tsa_timeout_s))
    if not 0 < timeout <= 60:
        raise stamping.fail("timeout_s", "must be more than 0 and at most 60 seconds")
    stamping.done()
    return CountersignSettings(interval, url, timeout)


class Countersigner:
    """Signs, stamps and keeps lanes' chain heads (see the module)."""

    def __init__(self, store: HubStore, settings: CountersignSettings = CountersignSettings(),
                 clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self.settings = settings
        self._clock = clock
        self._identity: HubIdentity | None = None
        self._lock = threading.Lock()  # one countersigning at a time in a worker: one TSA request per head

    def latest(self, lane: str) -> dict[str, Any] | None:
        """The lane's newest checkpoint, or None."""
        with self._store.read() as conn:
            row = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM chain_checkpoints WHERE lane = ? "
                               f"ORDER BY seq DESC LIMIT 1", (lane,)).fetchone()
        return dict(zip(COLUMNS, row)) if row else None

    def after_batch(self, lane: str) -> dict[str, Any] | None:
        """The lane's newest checkpoint, made now if one is due; what the batch's answer carries."""
        return self.countersign(lane, force=False)

    def countersign(self, lane: str, force: bool = True) -> dict[str, Any] | None:
        """Countersign the lane's acknowledged head if it moved since the last checkpoint (and, unless
        ``force``, the interval has passed); the newest checkpoint either way (None: nothing held)."""
        with self._lock:
            latest = self.latest(lane)
            now = self._clock()
            recent = latest is not None and now - parse_iso(latest["at"]).timestamp() < self.settings.interval_s
            if recent and not force:
                return latest
            head = self._head(lane)
            if head is None or (latest is not None and latest["seq"] >= head[0]):
                return latest
            return self._sign(lane, head, iso_utc(now))

    def _head(self, lane: str) -> tuple[int, str] | None:
        with self._store.read() as conn:
            row = conn.execute("SELECT seq, hash FROM events WHERE lane = ? ORDER BY seq DESC LIMIT 1",
                               (lane,)).fetchone()
        return (row[0], row[1]) if row else None

    def _sign(self, lane: str, head: tuple[int, str], at: str) -> dict[str, Any]:
        if self._identity is None:
            self._identity = HubIdentity.of(self._store)
        checkpoint: dict[str, Any] = {"lane": lane, "seq": head[0], "hash": head[1], "at": at,
                                      "hub_key": self._identity.public_text}
        checkpoint["signature"] = self._identity.countersign(checkpoint)
        checkpoint["timestamp"] = self._token(lane, head[1])

        def keep(conn: Connection) -> None:
            conn.execute(f"INSERT INTO chain_checkpoints ({', '.join(COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(COLUMNS))}) ON CONFLICT DO NOTHING",
                         tuple(checkpoint[name] for name in COLUMNS))

        self._store.write(keep)
        return checkpoint

    def _token(self, lane: str, head_hash: str) -> str | None:
        """The TSA's token over the head (base64 DER), or None: no TSA, or it failed (logged)."""
        if self.settings.tsa_url is None:
            return None
        try:
            return base64.b64encode(request_token(self.settings.tsa_url, head_hash,
                                                  self.settings.tsa_timeout_s)).decode()
        except TimestampFailed as exc:
            log.warning("lane %s: chain head countersigned without a time-stamp: %s", lane, exc)
            return None


@endpoint(bp, "/lanes/<lane>/countersign", "POST", roles=SUPERVISORS, status=201,
          summary="Countersign the lane's chain head now (and time-stamp it where the port has a TSA); "
                  "the newest checkpoint")
def countersign_now(lane: str) -> Any:
    hub = lane_server()
    if lane not in hub.store.lanes():
        raise not_found(f"lane {lane!r}")
    checkpoint = hub.countersigner.countersign(lane)
    if checkpoint is None:
        raise not_found(f"events of lane {lane!r}: nothing to countersign yet")
    return {"checkpoint": checkpoint}
