"""Failed sign-ins, kept for audit as counts rather than one event per attempt.

Anyone who can reach the sign-in form can fail to sign in, without any
token, as fast as the network allows. Were each failure a permanent chained
event (as it once was at the lane), a script could grow the evidence log —
and the hub's copy of it — without bound. What an auditor needs is who was
attacked, from where, how often and when: so failures are tallied in
memory by (username, address), and every ``interval_s`` the tally becomes
**one** summary written by the caller (the lane: one chained event), with
per pair the count, the reasons and the first and last time.

Bounded whatever the flood: at most ``max_pairs`` pairs are tallied per
window; failures beyond them still count in ``others`` (how many, and from
how many more pairs is not kept). A failure tallied but not yet written is
lost if the process is killed (at most one window); a clean stop writes it.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from common.clock import iso_utc
from common.periodic import Periodic

log = logging.getLogger(__name__)

MAX_PAIRS = 200
INTERVAL_S = 300.0


@dataclass
class _Pair:
    first: float
    last: float
    reasons: Counter[str] = field(default_factory=Counter)


class FailedSignIns:
    """The tally of one window (see the module doc); ``clock`` in epoch seconds."""

    def __init__(self, clock: Callable[[], float], max_pairs: int = MAX_PAIRS) -> None:
        self._clock = clock
        self._max_pairs = max_pairs
        self._lock = threading.Lock()
        self._pairs: dict[tuple[str, str], _Pair] = {}
        self._others = 0
        self._since: float | None = None

    def record(self, username: str, remote: str, reason: str) -> None:
        """One refused sign-in (by a :class:`common.accounts.signin.SignInCheck`)."""
        now = self._clock()
        with self._lock:
            self._since = now if self._since is None else self._since
            pair = self._pairs.get((username, remote))
            if pair is None and len(self._pairs) >= self._max_pairs:
                self._others += 1
                return
            if pair is None:
                pair = self._pairs[(username, remote)] = _Pair(now, now)
            pair.last = now
            pair.reasons[reason] += 1

    def take(self) -> dict[str, Any] | None:
        """The window's summary, and a new window; None if nothing failed."""
        with self._lock:
            pairs, others, since = self._pairs, self._others, self._since
            self._pairs, self._others, self._since = {}, 0, None
        if since is None:
            return None
        rows = [{"username": username, "remote": remote, "count": sum(pair.reasons.values()),
                 "reasons": dict(sorted(pair.reasons.items())), "first": iso_utc(pair.first),
                 "last": iso_utc(pair.last)}
                for (username, remote), pair in sorted(pairs.items(), key=lambda item: item[1].first)]
        return {"from": iso_utc(since), "to": iso_utc(self._clock()), "pairs": rows,
                "count": sum(row["count"] for row in rows) + others, "others": others}


class FailedSignInLog:
    """Writes ``tally``'s summary with ``write`` every ``interval_s`` and at stop."""

    def __init__(self, tally: FailedSignIns, write: Callable[[dict[str, Any]], object],
                 interval_s: float = INTERVAL_S) -> None:
        self._tally = tally
        self._write = write
        self._periodic = Periodic("sign-in failures", self.flush, interval_s)

    def start(self) -> None:
        self._periodic.start()

    def stop(self) -> None:
        self._periodic.stop()
        self.flush()

    def flush(self) -> None:
        """Write the current window now, if anything failed in it."""
        summary = self._tally.take()
        if summary is not None:
            log.warning("%d failed sign-ins between %s and %s (%d username/address pairs)",
                        summary["count"], summary["from"], summary["to"], len(summary["pairs"]))
            self._write(summary)
