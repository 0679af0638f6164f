"""Slowing down repeated failed sign-ins, in memory.

After ``FREE_FAILURES`` consecutive failures for a key (a username, a
remote address) each further attempt is refused unchecked for 1 s, 2 s,
4 s ... up to ``MAX_DELAY_S``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Hashable

FREE_FAILURES = 3
MAX_DELAY_S = 60.0


class LoginThrottle:
    """Exponential back-off per key after repeated failures.

    A key that has not failed for ``forget_after_s`` starts afresh, and at
    most ``max_keys`` keys are remembered, so a flood of made-up usernames
    cannot grow memory without bound.
    """

    def __init__(self, free_failures: int = FREE_FAILURES, max_delay_s: float = MAX_DELAY_S,
                 forget_after_s: float = 900.0, max_keys: int = 10_000) -> None:
        self._free = free_failures
        self._max_delay = max_delay_s
        self._forget_after = forget_after_s
        self._max_keys = max_keys
        self._state: OrderedDict[Hashable, tuple[int, float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: Hashable, now: float) -> float:
        """Seconds until ``key`` may try again; 0 if it may now."""
        with self._lock:
            state = self._state.get(key)
            if state is None:
                return 0.0
            _, blocked_until, last_failure = state
            if now - last_failure > self._forget_after:
                del self._state[key]
                return 0.0
            return max(0.0, blocked_until - now)

    def failed(self, key: Hashable, now: float) -> None:
        with self._lock:
            failures = self._state.pop(key, (0, 0.0, 0.0))[0] + 1
            blocked_until = now
            if failures >= self._free:
                blocked_until += min(self._max_delay, 2.0 ** (failures - self._free))
            self._state[key] = (failures, blocked_until, now)
            while len(self._state) > self._max_keys:
                self._state.popitem(last=False)

    def succeeded(self, key: Hashable) -> None:
        with self._lock:
            self._state.pop(key, None)
