"""Slowing down repeated failed sign-ins without handing attackers a lockout.

A failure counts against three keys, each with its own rule:

- ``pair``: this username from this address — guessing one account from
  one place: back-off after 3 failures, up to a minute;
- ``remote``: any username from this address — spraying many accounts from
  one place: back-off after 10 failures, up to a minute;
- ``user``: this username from anywhere — guessing one account from many
  places: back-off after 10 failures, but never more than 5 s, so that
  failures from one address cannot keep the account's owner out elsewhere
  (the lockout the issue tracker found: a wrong password typed at one
  tablet blocked the right one at the next).

After the free failures each further attempt waits 1 s, 2 s, 4 s ... up to
the rule's cap; a key that has not failed for ``forget_after_s`` starts
afresh. A success clears the ``pair`` and ``user`` keys, never ``remote``
(an insider's own good sign-ins must not reset a spray from their tablet).

Where the counts live is a :class:`ThrottleBook`: in memory at a lane (one
process), in the hub's database at the hub, so that every hub worker sees
the same counts (sync/hub/signin_throttle.py).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Rule:
    """How many failures are free for a key, and the longest wait after them."""

    free_failures: int
    max_delay_s: float

    def delay(self, failures: int) -> float:
        """Seconds to wait after the last of ``failures`` failures."""
        if failures < self.free_failures:
            return 0.0
        return min(self.max_delay_s, 2.0 ** (failures - self.free_failures))


PAIR, REMOTE, USER = Rule(3, 60.0), Rule(10, 60.0), Rule(10, 5.0)
FORGET_AFTER_S = 900.0


class ThrottleBook(Protocol):
    """Failure counts by key: ``(failures, last_failure)``, shared by whoever must agree on them."""

    def failures(self, key: str) -> tuple[int, float] | None: ...

    def add_failure(self, key: str, now: float, forget_after_s: float) -> None:
        """One more failure now; a count last touched over ``forget_after_s`` ago restarts at one."""

    def clear(self, key: str) -> None: ...


class MemoryBook:
    """A :class:`ThrottleBook` in this process's memory, bounded to ``max_keys``
    keys (the oldest forgotten first) so a flood of made-up names cannot grow it."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self._max_keys = max_keys
        self._counts: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def failures(self, key: str) -> tuple[int, float] | None:
        with self._lock:
            return self._counts.get(key)

    def add_failure(self, key: str, now: float, forget_after_s: float) -> None:
        with self._lock:
            failures, last = self._counts.pop(key, (0, now))
            self._counts[key] = (1 if now - last > forget_after_s else failures + 1, now)
            while len(self._counts) > self._max_keys:
                self._counts.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class LoginThrottle:
    """Back-off for sign-ins by username and address (see the module doc)."""

    def __init__(self, book: ThrottleBook | None = None, forget_after_s: float = FORGET_AFTER_S) -> None:
        self._book = book or MemoryBook()
        self._forget_after = forget_after_s

    def retry_after(self, username: str, address: str, now: float) -> float:
        """Seconds until ``username`` may try again from ``address``; 0 if it may now."""
        waits = [0.0]
        for key, rule in _keys(username, address):
            state = self._book.failures(key)
            if state is not None and now - state[1] <= self._forget_after:
                waits.append(state[1] + rule.delay(state[0]) - now)
        return max(waits)

    def failed(self, username: str, address: str, now: float) -> None:
        for key, _ in _keys(username, address):
            self._book.add_failure(key, now, self._forget_after)

    def succeeded(self, username: str, address: str) -> None:
        for key, rule in _keys(username, address):
            if rule is not REMOTE:
                self._book.clear(key)


def _keys(username: str, address: str) -> tuple[tuple[str, Rule], ...]:
    """The keys a sign-in counts against, as JSON: no username can pose as another key."""
    return ((json.dumps(["pair", username, address]), PAIR), (json.dumps(["remote", address]), REMOTE),
            (json.dumps(["user", username]), USER))
