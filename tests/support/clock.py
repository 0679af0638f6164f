"""A clock for tests: epoch seconds that move only when the test moves them."""

from __future__ import annotations


class EpochClock:
    """Call it for "now"; set or add to ``now`` to let time pass."""

    def __init__(self, now: float = 1_900_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
