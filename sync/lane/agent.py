"""The lane's end of lane→hub sync: push the event log upstream, in order.

The event log itself is the outbox (every event is committed before anyone
sees it, and ``seq`` orders it), and the hub's ack — the highest seq up to
which it holds everything — is the only cursor that counts. So the agent
keeps no queue that could be lost or expire: it asks the hub for its ack,
sends the events after it in batches, and takes each answer's ack as the
new start. Whatever happens in between (a dropped connection, a lost
answer, a hub restart, a kill -9 here) ends in a resend that the hub,
being idempotent, stores once. Nothing is ever dropped: a refusal is
retried, with capped exponential backoff and full jitter (a sleep drawn
between 0 and the cap, so lanes coming back from a port-wide outage do not
hit the hub in step), until the hub takes it or a person resolves it.

The last ack the hub gave is also kept in a small file beside the store,
only so that the backlog a lane reports after a restart during an outage
is right; sending always starts from the hub's own answer.

Where the hub is comes from an :class:`~sync.lane.upstream.Upstream`, asked
before every round: the typed URL, or the hub found by mDNS — which may be
none yet (the agent waits, state ``discovering``) or move (the agent asks
the new address for its ack and goes on from there).
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import requests

from common.clock import iso_utc, parse_iso
from common.eventlog.case_keys import batch_keys
from common.eventlog.store import EventStore
from sync.identity import key_text
from sync.lane.checkpoints import keep_checkpoint, newest_kept
from sync.lane.upstream import Upstream, as_upstream
from sync.protocol import CHECKPOINT_AFTER, GAP, MAX_BATCH_EVENTS, MAX_BODY_BYTES, cursor_path, events_path

log = logging.getLogger(__name__)

BATCH_BYTES = 8 << 20
"""Default byte budget of one batch: bounds both the request and what the
agent reads from the store for it, whatever the payload sizes."""

EVENT_OVERHEAD = 1024
"""Bytes an event's JSON takes beyond its payload, at most (seq, ids, hashes, keys)."""


class HubRefused(Exception):
    """The hub answered, but not with an ack for what was sent."""


@dataclass
class Backoff:
    """Capped exponential backoff with full jitter (AWS architecture blog's
    "Exponential Backoff and Jitter"): the n-th consecutive failure waits a
    random time in ``[0, min(cap, base * 2**n))``."""

    base: float
    cap: float
    rng: Callable[[], float] = random.random
    failures: int = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * 2.0 ** min(self.failures, 60))
        self.failures += 1
        return self.rng() * ceiling

    def reset(self) -> None:
        self.failures = 0


class SyncAgent:
    """Pushes one lane's event log to the hub from a background thread.

    ``hub`` is the hub's URL or the lane's :class:`~sync.lane.upstream.Upstream`.
    ``clock`` (epoch seconds) dates the status (ages, last success); waits
    use the monotonic clock. ``timeout`` is requests' ``(connect, read)``.
    """

    def __init__(self, store: EventStore, lane_id: str, hub: str | Upstream, token: str, *,
                 batch_size: int = 500, backoff_base: float = 0.5, backoff_max: float = 30.0,
                 poll_interval: float = 5.0, timeout: tuple[float, float] = (5.0, 60.0),
                 batch_bytes: int = BATCH_BYTES, clock: Callable[[], float] = time.time,
                 rng: Callable[[], float] = random.random) -> None:
        if lane_id != store.lane:
            raise ValueError(f"lane {lane_id!r} does not match the store's lane {store.lane!r}")
        if not hub or not token:
            raise ValueError("the hub's url and this lane's sync token are both needed")
        if not 1 <= batch_size <= MAX_BATCH_EVENTS:
            raise ValueError(f"batch_size must be 1-{MAX_BATCH_EVENTS}")
        if not 0 < batch_bytes <= MAX_BODY_BYTES // 2:  # half: room for the one big event
            raise ValueError(f"batch_bytes must be 1-{MAX_BODY_BYTES // 2}")
        self.store = store
        self.lane_id = lane_id
        self._hub = as_upstream(hub)
        self._base: str | None = None  # the hub URL the ack below came from
        self._session = self._hub.session(token)
        self._batch_size = batch_size
        self._backoff = Backoff(backoff_base, backoff_max, rng)
        self._poll_interval = poll_interval
        self._timeout = timeout
        self._batch_bytes = batch_bytes
        self._clock = clock
        self._hint = AckHint(store.path.with_name(store.path.name + ".hub-ack"))
        hint = self._hint.read()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._interrupt = threading.Event()  # cuts a backoff short: stopping, or the hub moved
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state = "stopped"
        self._ack: int | None = None  # where the next batch starts; None: ask the hub first
        self._hub_ack: int | None = hint["ack"] if hint else None  # what the hub last said
        self._last_success: str | None = hint["at"] if hint else None
        self._last_error: dict[str, str] | None = None

    # -- control -------------------------------------------------------------

    def start(self) -> "SyncAgent":
        if self._thread is not None:
            raise RuntimeError("sync agent already started")
        self._stopping.clear()
        self._state = "starting"
        self._thread = threading.Thread(target=self._run, name=f"sync-{self.lane_id}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop pushing; waits up to ``timeout`` for a request in flight."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        self._interrupt.set()
        self._wake.set()
        thread.join(timeout)
        self._session.close()
        with self._lock:
            self._state = "stopped"

    def wake(self) -> None:
        """Send new events now rather than at the next poll (call after an append).
        Does not cut a backoff short: a lane busy appending must not hammer a hub
        that is down."""
        self._wake.set()

    def hub_moved(self) -> None:
        """The upstream has a new URL: try it now, even in the middle of a backoff."""
        self._interrupt.set()
        self._wake.set()

    def status(self) -> dict[str, Any]:
        """What the lane shows about its sync.

        ``state``: starting, discovering (no hub found on mDNS yet), sending,
        idle (caught up), backoff (waiting to retry) or stopped; ``upstream``:
        ``{"source": "config"|"mdns", "url"}``; ``acked_seq``: the hub's last ack (kept across
        restarts, None before the hub ever answered); ``lane_seq``: the log's
        last seq; ``backlog``: events the hub has not acked; ``oldest_unsent_age_s``:
        how old the first of them is (None when there are none);
        ``last_success``: when the hub last answered with its ack (ISO-8601);
        ``last_error``: ``{"at", "message"}`` of the latest failure, or None;
        ``consecutive_failures``: failures since the last success.
        """
        with self._lock:
            status = {"state": self._state, "upstream": self._hub.describe(), "acked_seq": self._hub_ack,
                      "last_success": self._last_success, "last_error": self._last_error,
                      "consecutive_failures": self._backoff.failures}
        acked = status["acked_seq"] or 0
        last_seq = self.store.last_seq()
        oldest = self.store.get_seq(acked + 1) if last_seq > acked else None
        return {**status, "lane_seq": last_seq, "backlog": max(0, last_seq - acked),
                "oldest_unsent_age_s": (round(self._clock() - _epoch(oldest["ts"]), 3)
                                        if oldest else None)}

    # -- the loop ------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before reading the log: a later append wakes us again
            base = self._hub.url()
            if base is None:
                self._set_state("discovering")
                self._wake.wait(self._poll_interval)
                continue
            if base != self._base:
                with self._lock:
                    self._base, self._ack = base, None  # another hub: ask it where it stands
            try:
                if self._ack is None:
                    self._fetch_cursor(base)
                sent = self._push_batch(base)
            except Exception as exc:  # whatever it was, the thread must live on and retry
                self._failed(exc)
                continue
            if self._backoff.failures:
                log.info("lane %s: sync to the hub works again", self.lane_id)
                self._backoff.reset()
            if not sent:
                self._set_state("idle")
                self._wake.wait(self._poll_interval)

    def _failed(self, exc: Exception) -> None:
        """Record the error, ask the hub's ack afresh next time, wait."""
        message = f"{type(exc).__name__}: {exc}"
        level = logging.WARNING if not self._backoff.failures else logging.DEBUG
        log.log(level, "lane %s: sync failed (will retry): %s", self.lane_id, message,
                exc_info=not isinstance(exc, (requests.RequestException, HubRefused)))
        delay = self._backoff.next_delay()
        with self._lock:
            self._ack = None
            self._state = "backoff"
            self._last_error = {"at": iso_utc(self._clock()), "message": message}
        self._interrupt.wait(delay)
        self._interrupt.clear()

    def _fetch_cursor(self, base: str) -> None:
        response = self._session.get(base + cursor_path(self.lane_id), timeout=self._timeout)
        ack = _reply(response).get("ack")
        if response.status_code != 200 or not _is_seq(ack):
            raise HubRefused(f"cursor: HTTP {response.status_code}: {_describe(response)}")
        self._heard(ack, success=True)
        last_seq = self.store.last_seq()
        if ack > last_seq:  # the lane's log was replaced by an older one?
            with self._lock:
                self._ack = last_seq  # so new events are sent, and the hub raises its alarm
                self._last_error = {"at": iso_utc(self._clock()),
                                    "message": f"the hub holds seq {ack}, beyond this lane's "
                                               f"last seq {last_seq}; new events will be "
                                               f"refused there as conflicts"}

    def _push_batch(self, base: str) -> bool:
        """Send the next batch after the ack; False if there was nothing to send."""
        ack = self._ack or 0
        count = self._batch_count(ack)
        if not count:
            return False
        self._set_state("sending")
        events = self.store.page(after_seq=ack, limit=count)
        keys = batch_keys(self.store, events)  # the hub opens sealed personal fields with them (docs/sync-protocol.md)
        kept = newest_kept(self.store)
        body = json.dumps({CHECKPOINT_AFTER: kept, "events": events, **({"keys": keys} if keys else {})},
                          ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        response = self._session.post(base + events_path(self.lane_id), data=body.encode(),
                                      headers={"Content-Type": "application/json"},
                                      timeout=self._timeout)
        reply = _reply(response)
        new_ack = reply.get("ack")
        if not _is_seq(new_ack):
            raise HubRefused(f"HTTP {response.status_code} without an ack: "
                             f"{_describe(response)}")
        self._heard(new_ack, success=response.status_code == 200)
        if response.status_code == 200:
            if "checkpoint" in reply:  # the hub's countersignature of this chain's head
                hub_key = self._hub.hub_key()
                keep_checkpoint(self.store, self.lane_id, reply["checkpoint"], key_text(hub_key) if hub_key else None)
            return True
        if response.status_code == 409 and _error(reply).get("code") == GAP and new_ack != ack:
            return True  # the hub holds less than we thought: go on from its ack
        raise HubRefused(f"HTTP {response.status_code}: {_describe(response)}")

    def _batch_count(self, ack: int) -> int:
        """How many events after ``ack`` go in the next batch: up to
        ``batch_size``, as many as fit ``batch_bytes`` by their stored size
        (at least one: the store's 1 MiB payload limit keeps it well within
        the hub's body limit). Sizes come from SQL, so big payloads are never
        read just to find they do not fit."""
        rows = self.store.query("SELECT length(CAST(payload AS BLOB)) AS size FROM events "
                                "WHERE seq > ? ORDER BY seq LIMIT ?", (ack, self._batch_size))
        count = total = 0
        for row in rows:
            total += row["size"] + EVENT_OVERHEAD
            if count and total > self._batch_bytes:
                break
            count += 1
        return count

    def _heard(self, ack: int, success: bool) -> None:
        """The hub said its ack: go on from there; on a success, note when."""
        now = iso_utc(self._clock())
        with self._lock:
            self._ack = self._hub_ack = ack
            if success:
                self._last_success = now
        if success:
            self._hint.write(ack, now)

    def _set_state(self, state: str) -> None:
        with self._lock:
            self._state = state


class AckHint:
    """The last ack the hub gave and when, in a file beside the store.

    Written atomically (rename), not fsynced: it only feeds :meth:`SyncAgent.status`,
    and a stale value is corrected at the hub's next answer.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, Any] | None:
        try:
            hint = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        valid = isinstance(hint, dict) and _is_seq(hint.get("ack")) and isinstance(
            hint.get("at"), str)
        return hint if valid else None

    def write(self, ack: int, at: str) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            temporary.write_text(json.dumps({"ack": ack, "at": at}), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:
            log.warning("%s: cannot record the hub's ack: %s", self.path, exc)


def _reply(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error(reply: dict[str, Any]) -> dict[str, Any]:
    error = reply.get("error")
    return error if isinstance(error, dict) else {}


def _describe(response: requests.Response) -> str:
    error = _error(_reply(response))
    if error:
        return f"{error.get('code')}: {error.get('message')}"
    return response.text[:200] or "empty answer"


def _is_seq(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _epoch(ts: str) -> float:
    return parse_iso(ts).timestamp()
