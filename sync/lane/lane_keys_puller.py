"""The port's lane keys down, lane side: what lets a tablet check a label sealed at any lane.

The lane pulls the hub's signed lane-keys document (:mod:`sync.lane_keys`)
by ETag (:mod:`sync.lane.etag_puller`), on the same interval as the roster,
and keeps it for its tablets (``GET /api/v1/lane/keys``, beside its own keys).
A tablet believes a label because a key in this document signed it, so the
document is believed only if the hub vouches for it: its signature must be
the key the hub proved it holds (the one pinned at registration) over the
very text it carries, and the whole document must read, before anything
the lane holds changes. One that fails is refused whole, logged once per
ETag and counted (``lanebox_hub_documents_refused_total{document="lane
keys"}``); the lane keeps its last good copy.

The copy is kept as received in the lane's data folder (owner-only, like the
store beside it), so a lane restarted while the hub is away still gives its
tablets the port's keys; it was checked against the hub's key before it was
written.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from sync.lane.etag_puller import DEFAULT_INTERVAL_S, EtagPuller, Rejected
from sync.lane.upstream import Upstream
from sync.lane_keys import PortKeys, lane_keys_path, open_document, read_document

log = logging.getLogger(__name__)

KEPT_FILE = "port-lane-keys.json"


class LaneKeysPuller(EtagPuller):
    """Pulls the hub's signed lane-keys document into ``kept`` (a file) and memory, from a thread."""

    what = "lane keys"

    def __init__(self, kept: Path, lane_id: str, hub: str | Upstream, token: str, *,
                 interval: float = DEFAULT_INTERVAL_S,
                 timeout: tuple[float, float] = (5.0, 30.0)) -> None:
        super().__init__(lane_id, hub, token, lane_keys_path(lane_id), interval=interval, timeout=timeout)
        self._kept = kept
        self._port = self._read_kept()

    def port_keys(self) -> PortKeys | None:
        """The last document the hub vouched for, or None before the first."""
        return self._port

    def held_etag(self) -> str | None:
        return self._port.etag if self._port else None

    def apply(self, data: Any, etag: str, source: str) -> bool:
        key = self._hub.hub_key()
        if key is None:
            raise Rejected(f"{source}: no hub key to check its signature against")
        try:
            port = open_document(data, key)
        except ValueError as exc:
            raise Rejected(f"{source}: {exc}") from None
        if self._port is not None and self._port.envelope == port.envelope:
            return False
        self._keep(port)
        self._port = port
        log.info("lane keys from the hub %s: %d key(s) of %d lane(s)", port.hub, len(port.keys),
                 len({k.lane for k in port.keys}))
        return True

    def _keep(self, port: PortKeys) -> None:
        """Write the envelope whole (a crash leaves the old file or the new one), owner-only."""
        partial = self._kept.with_name(f".{self._kept.name}.partial")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(port.envelope, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, self._kept)
        except OSError as exc:  # the tablets still get it from memory until the lane restarts
            log.warning("%s: cannot keep the port's lane keys: %s", self._kept, exc)

    def _read_kept(self) -> PortKeys | None:
        try:
            return read_document(json.loads(self._kept.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("%s: the kept lane keys do not read, ignored until the hub sends them again: %s",
                        self._kept, exc)
            return None
