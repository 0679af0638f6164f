"""The user roster down, lane side: hub users become lane users.

An officer registered once at the hub (``lanebox hub users add``) must be
able to sign in at the lanes it is scoped to, so the lane pulls ``GET
.../roster`` by ETag (:mod:`sync.lane.etag_puller`) and merges it into its
own accounts with the lane's ``merge`` (its user directory's
``merge_roster``) — each account added, changed or disabled is an event by
``hub-roster``, all in one transaction.

Nothing is merged unless the hub vouches for it: the body must carry a
signature (``Lanebox-Signature``) made with the key the hub proved it holds
before the lane sent it its token (:meth:`Upstream.hub_key`), and must name
this lane. A roster that fails is refused whole, logged once per ETag and
counted (``lanebox_hub_documents_refused_total``). The lane's accounts are
the last good copy: when the hub is away they stay as they are.

The ETag held is kept in memory only: after a restart the first pull
fetches the whole roster, and merging an unchanged roster writes nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import requests

from sync.identity import SIGNATURE_HEADER, roster_message, signed_by
from sync.lane.etag_puller import DEFAULT_INTERVAL_S, EtagPuller, Rejected
from sync.lane.upstream import Upstream
from sync.protocol import roster_path
from sync.roster import RosterUser, parse_roster

log = logging.getLogger(__name__)

MAX_ROSTER_BYTES = 8 << 20


MergeRoster = Callable[[list[RosterUser]], dict[str, int]]
"""Merges a checked roster into the lane's accounts; returns how many were
added, changed, disabled, and refused (a lane-local account of that name kept)."""


class RosterPuller(EtagPuller):
    """Pulls the hub's user roster into one lane's accounts (through ``merge``) from a thread."""

    what = "user roster"
    max_bytes = MAX_ROSTER_BYTES

    def __init__(self, merge: MergeRoster, lane_id: str, hub: str | Upstream, token: str, *,
                 interval: float = DEFAULT_INTERVAL_S,
                 timeout: tuple[float, float] = (5.0, 30.0)) -> None:
        super().__init__(lane_id, hub, token, roster_path(lane_id), interval=interval, timeout=timeout)
        self._merge = merge
        self._etag: str | None = None

    def held_etag(self) -> str | None:
        return self._etag

    def check_origin(self, response: requests.Response, source: str) -> None:
        key = self._hub.hub_key()
        if key is None:
            raise Rejected(f"{source}: no hub key to check its signature against")
        if not signed_by(key, roster_message(response.content), response.headers.get(SIGNATURE_HEADER)):
            raise Rejected(f"{source}: its signature is not the hub's (missing, or made with "
                           f"another key, or the body was changed)")

    def apply(self, data: Any, etag: str, source: str) -> bool:
        try:
            roster = parse_roster(data, self.lane_id)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
        counts = self._merge(roster)
        self._etag = etag or None
        if counts.get("refused"):
            log.warning("user roster from the hub: %(refused)d user(s) not taken, a lane account of the "
                        "same name is kept (see the user.roster_refused events)", counts)
        if any(counts.get(k) for k in ("added", "changed", "disabled")):
            log.info("user roster from the hub merged: %(added)d added, %(changed)d changed, "
                     "%(disabled)d disabled", counts)
            return True
        return False
