"""What a driver says about the frames it drops: counted always, logged sparingly, never their bytes.

A device that sends garbage — a wrong baud rate, a hostile box on a
terminal server — sends it as fast as the line goes, and a reader's
"garbage" may be part of a passport's machine-readable zone. So a dropped
frame is never logged with its bytes, only its length and why; a reason
quotes no device text (:func:`reason_label`); and each device logs at most
two drop lines per interval: the first drop, then one line with how many
more there were and why, once the interval is over.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from typing import Callable

INTERVAL_S = 60.0
"""How often a device's further drops are summed up in one line."""
MAX_REASONS = 32
"""Distinct reasons a device's counters keep; a device inventing more has the rest counted as ``other``."""
OTHER = "other"
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|['\"].*$")
"""Quoted text, and what follows a quote left open: what a parser's message quotes from the line."""


def reason_label(reason: str) -> str:
    """``reason`` with any quoted text (what a parser quotes from the line) masked: ``"'…'"``."""
    return QUOTED.sub("'…'", reason)[:120]


class DropLog:
    """Counts one device's drops by reason and logs them within bounds (see the module)."""

    def __init__(self, log: logging.LoggerAdapter, device_id: str, reasons: dict[str, int],
                 clock: Callable[[], float] = time.monotonic, interval_s: float = INTERVAL_S) -> None:
        """``reasons`` is the counters' drops by reason, counted here."""
        self._log, self._device_id, self._clock, self._interval_s = log, device_id, clock, interval_s
        self.reasons = reasons
        self._since: float | None = None  # when the interval of the last logged drop began
        self._pending: Counter[str] = Counter()

    def note(self, reason: str, length: int) -> str:
        """Count one dropped frame of ``length`` bytes; returns the reason it was counted under."""
        label = reason_label(reason)
        if label not in self.reasons and len(self.reasons) >= MAX_REASONS:
            label = OTHER
        self.reasons[label] = self.reasons.get(label, 0) + 1
        self.flush()
        if self._since is None:
            self._since = self._clock()
            self._log.warning("%s: dropped a %d-byte frame (%s); further drops are summed up every %.0f s",
                              self._device_id, length, label, self._interval_s)
        else:
            self._pending[label] += 1
        return label

    def flush(self) -> None:
        """Once the interval is over: one line for the drops not logged yet (if any), and a new interval."""
        if self._since is None or self._clock() - self._since < self._interval_s:
            return
        if self._pending:
            count = sum(self._pending.values())
            why = ", ".join(f"{label}: {n}" for label, n in self._pending.most_common())
            self._log.warning("%s: dropped %d more frames in the last %.0f s (%s)",
                              self._device_id, count, self._interval_s, why)
            self._pending.clear()
            self._since = self._clock()
        else:
            self._since = None
