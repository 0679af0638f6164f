"""Reference data down, lane side: pull the hub's reference data by version.

At start and every ``interval`` seconds the lane asks the hub for its
reference data with ``If-None-Match`` naming the version the lane holds, so
an unchanged copy costs a 304 and no body. A new version is checked with
the very rules ``lanebox reference load`` uses (:func:`edge.reference.parse_reference`)
and stored the same way (:func:`edge.reference.store_reference`, a
``reference.loaded`` event), so the running lane's ReferenceCache picks it
up and the log shows which data every later decision was made against.

Nothing the hub does can take the lane's data away: when the hub is away,
answers an error, or sends a document that fails the checks, the lane keeps
its last good copy (a bad document is logged once per version).
"""

from __future__ import annotations

import logging
from typing import Any

import requests

from edge.reference import (MAX_FILE_BYTES, ReferenceProblem, latest_reference_event,
                            parse_reference, store_reference)
from edge.store import EventStore
from sync.periodic import Periodic
from sync.protocol import hub_session, reference_etag, reference_path

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 30.0

STORED, UNCHANGED, REJECTED, UNREACHABLE, NONE = (
    "stored", "unchanged", "rejected", "unreachable", "none")
"""What a :meth:`ReferencePuller.pull` did: stored a new version; the lane
has the hub's version already; the hub's document failed the checks; the
hub could not be asked (or answered an error); the hub has no data yet."""


class ReferencePuller:
    """Pulls the hub's reference data into one lane's store from a thread."""

    def __init__(self, store: EventStore, lane_id: str, url: str, token: str, *,
                 interval: float = DEFAULT_INTERVAL_S,
                 timeout: tuple[float, float] = (5.0, 30.0)) -> None:
        self.store = store
        self._url = url.rstrip("/") + reference_path(lane_id)
        self._token = token
        self._timeout = timeout
        self._rejected: str | None = None  # the ETag last refused, so it is logged once
        self._unreachable = False
        self.last_result: str | None = None
        self._periodic = Periodic(f"reference-{lane_id}", self.pull, interval)

    def start(self) -> "ReferencePuller":
        self._periodic.start()
        return self

    def stop(self) -> None:
        self._periodic.stop()

    def pull(self) -> str:
        """Ask the hub once; returns one of the module's result names."""
        result = self._pull()
        self.last_result = result
        return result

    def _pull(self) -> str:
        latest = latest_reference_event(self.store)
        version = latest["payload"].get("version") if latest else None
        headers = ({"If-None-Match": f'"{reference_etag(version)}"'}
                   if isinstance(version, str) else {})
        try:
            with hub_session(self._token) as session:
                response = session.get(self._url, headers=headers, timeout=self._timeout)
        except requests.RequestException as exc:
            return self._away(f"{type(exc).__name__}: {exc}")
        if response.status_code == 304:
            return self._heard(UNCHANGED)
        if response.status_code == 404 and _error_code(response) == "no_reference":
            return self._heard(NONE)
        if response.status_code != 200:
            return self._away(f"HTTP {response.status_code}: {response.text[:200]}")
        return self._heard(self._take(response))

    def _take(self, response: requests.Response) -> str:
        """Check the hub's document and store it unless it is the lane's already."""
        etag = response.headers.get("ETag", "")
        source = f"reference data from the hub ({self._url}, ETag {etag or 'none'})"
        try:
            if len(response.content) > MAX_FILE_BYTES:
                raise ReferenceProblem(source, "", f"larger than {MAX_FILE_BYTES} bytes")
            try:
                data = response.json()
            except ValueError as exc:
                raise ReferenceProblem(source, "", f"not valid JSON: {exc}") from None
            reference = parse_reference(data, source)
        except ReferenceProblem as exc:
            if etag != self._rejected:
                log.error("ignored, keeping the lane's last good copy: %s", exc)
                self._rejected = etag
            return REJECTED
        if not store_reference(self.store, reference, actor="hub"):
            return UNCHANGED
        log.info("reference data %s pulled from the hub", reference.version)
        return STORED

    def _heard(self, result: str) -> str:
        if self._unreachable:
            log.info("reference data: the hub answers again")
            self._unreachable = False
        return result

    def _away(self, message: str) -> str:
        if not self._unreachable:
            log.warning("reference data: cannot ask the hub (keeping the lane's copy): %s",
                        message)
            self._unreachable = True
        return UNREACHABLE


def _error_code(response: requests.Response) -> Any:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
