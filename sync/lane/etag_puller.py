"""Pulling one document down from the hub by ETag, keeping the last good copy.

Reference data and the user roster come down the same way: at start and
every ``interval`` seconds the lane asks with ``If-None-Match`` naming what
it holds, so an unchanged document costs a 304 and no body; a new one is
checked whole and applied whole by the subclass. When the hub is away (or
not found yet), answers an error, or sends something that fails the
checks, the lane keeps what it has — a bad document is logged once per
ETag, an unreachable hub once until it answers again.
"""

from __future__ import annotations

import logging
from typing import Any

import requests

from common.periodic import Periodic, PeriodicPart
from sync.lane.upstream import Upstream, as_upstream

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 30.0

STORED, UNCHANGED, REJECTED, UNREACHABLE, NONE = (
    "stored", "unchanged", "rejected", "unreachable", "none")
"""What a :meth:`EtagPuller.pull` did: applied a new document; the lane has
the hub's already; the hub's document failed the checks; the hub could not
be asked (or answered an error); the hub has nothing to send yet."""


class Rejected(ValueError):
    """The hub's document fails the lane's checks (one line: what and where)."""


class EtagPuller(PeriodicPart):
    """Pulls ``path`` from the hub into the lane from a background thread.

    Subclasses say what they hold (:meth:`held_etag`) and check and apply a
    new document (:meth:`apply`); ``what`` names the document in the log;
    ``max_bytes`` bounds what is read.
    """

    what = "document"
    max_bytes = 1 << 20
    none_code: str | None = None  # a 404 with this error code means "nothing yet"

    def __init__(self, lane_id: str, hub: str | Upstream, token: str, path: str, *,
                 interval: float = DEFAULT_INTERVAL_S,
                 timeout: tuple[float, float] = (5.0, 30.0)) -> None:
        self.lane_id = lane_id
        self._hub = as_upstream(hub)
        self._path = path
        self._token = token
        self._timeout = timeout
        self._rejected: str | None = None  # the ETag last refused, so it is logged once
        self._unreachable = False
        self.last_result: str | None = None
        self.refused = 0  # documents that failed the checks, since start (a metric)
        self._periodic = Periodic(f"{self.what.replace(' ', '-')}-{lane_id}", self.pull, interval)

    def pull(self) -> str:
        """Ask the hub once; returns one of the module's result names."""
        result = self._pull()
        self.last_result = result
        return result

    def held_etag(self) -> str | None:
        """The (unquoted) ETag of what the lane holds, or None."""
        raise NotImplementedError

    def apply(self, data: Any, etag: str, source: str) -> bool:
        """Check ``data`` whole and apply it; False if the lane had it already.
        Raises :class:`Rejected` (or another ``ValueError``) if it fails the checks."""
        raise NotImplementedError

    def check_origin(self, response: requests.Response, source: str) -> None:
        """Raise :class:`Rejected` unless the hub vouches for the body as sent
        (a subclass whose document is signed checks it here; by default nothing)."""

    def _pull(self) -> str:
        base = self._hub.url()
        if base is None:
            return self._away("no hub found on mDNS yet")
        url = base + self._path
        held = self.held_etag()
        headers = {"If-None-Match": f'"{held}"'} if held else {}
        try:
            with self._hub.session(self._token) as session:
                response = session.get(url, headers=headers, timeout=self._timeout)
        except requests.RequestException as exc:
            return self._away(f"{type(exc).__name__}: {exc}")
        if response.status_code == 304:
            return self._heard(UNCHANGED)
        if response.status_code == 404 and self.none_code and _error_code(response) == self.none_code:
            return self._heard(NONE)
        if response.status_code != 200:
            return self._away(f"HTTP {response.status_code}: {response.text[:200]}")
        return self._heard(self._take(response, url))

    def _take(self, response: requests.Response, url: str) -> str:
        etag = (response.headers.get("ETag") or "").strip('"')
        source = f"{self.what} from the hub ({url}, ETag {etag or 'none'})"
        try:
            if len(response.content) > self.max_bytes:
                raise Rejected(f"{source}: larger than {self.max_bytes} bytes")
            self.check_origin(response, source)
            try:
                data = response.json()
            except ValueError as exc:
                raise Rejected(f"{source}: not valid JSON: {exc}") from None
            applied = self.apply(data, etag, source)
        except ValueError as exc:
            self.refused += 1
            if etag != self._rejected:
                log.error("ignored, keeping the lane's last good copy: %s", exc)
                self._rejected = etag
            return REJECTED
        return STORED if applied else UNCHANGED

    def _heard(self, result: str) -> str:
        if self._unreachable:
            log.info("%s: the hub answers again", self.what)
            self._unreachable = False
        return result

    def _away(self, message: str) -> str:
        if not self._unreachable:
            log.warning("%s: cannot ask the hub (keeping the lane's copy): %s", self.what, message)
            self._unreachable = True
        return UNREACHABLE


def _error_code(response: requests.Response) -> Any:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
