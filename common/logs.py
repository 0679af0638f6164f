"""Where lanebox's log lines go, and in what form.

Every lanebox process logs to stdout, one line per record:
``[time] LEVEL logger: message``. Under systemd the journal takes stdout
(it sets ``JOURNAL_STREAM`` to that stream): it stamps each line itself,
so the time is left out, and each line starts with its syslog priority
(``<4>``), which the journal reads, so ``journalctl -p warning`` works.
A record's own newlines (a traceback) are escaped: one record is one
journal entry, never a traceback torn into unrelated lines.

Device records are rate-limited per device (:class:`DeviceRateLimit`), a
backstop behind the drivers' own bounds (:mod:`drivers.drop_log`: a
dropped frame is logged without its bytes, at most two lines per device a
minute): a device that garbles every frame must never write a line per
frame and bury everything else, nor fill the disk. Only the log is
limited: the drivers' counters still count every drop.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, TextIO

DEVICE_LIMIT = 10
"""Records one device may log per window."""
DEVICE_WINDOW_S = 60.0

_PRIORITY = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))
"""syslog priorities (sd-daemon(3)) by level: the first whose level the record reaches; else 7 (debug)."""


@dataclass
class _Window:
    start: float
    passed: int = 0
    suppressed: int = 0


class DeviceRateLimit(logging.Filter):
    """Let ``limit`` records per device through per ``window_s`` seconds.

    A record names its device by a ``device`` attribute (what
    :class:`drivers.base.SerialDriver` logs with); others always pass. The
    window starts at a device's first record; past the limit its records
    are counted, not written, and the first record of its next window is
    preceded by one line saying how many were left out (as the kernel's
    ``printk_ratelimit`` does).
    """

    def __init__(self, limit: int = DEVICE_LIMIT, window_s: float = DEVICE_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._limit, self._window_s, self._clock = limit, window_s, clock
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        device = getattr(record, "device", None)
        if device is None:
            return True
        with self._lock:
            now = self._clock()
            window = self._windows.get(device)
            if window is None or now - window.start >= self._window_s:
                left_out = window.suppressed if window is not None else 0
                window = self._windows[device] = _Window(now)
            else:
                left_out = 0
            window.passed += 1
            allowed = window.passed <= self._limit
            if not allowed:
                window.suppressed += 1
        if left_out:  # outside the lock: this line passes through the handlers too
            logging.getLogger(record.name).warning(
                "suppressed %d messages from device %s in the last %.0f s (over %d per %.0f s; "
                "its counters count them all)", left_out, device, self._window_s, self._limit,
                self._window_s)
        return allowed


class OneLineFormatter(logging.Formatter):
    """``[time] LEVEL logger: message`` as one line; for the journal, its
    priority first and no time."""

    def __init__(self, journal: bool) -> None:
        time_part = "" if journal else "%(asctime)s "
        super().__init__(f"{time_part}%(levelname)s %(name)s: %(message)s")
        self._journal = journal

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record).replace("\n", "\\n")
        if not self._journal:
            return line
        priority = next((p for level, p in _PRIORITY if record.levelno >= level), 7)
        return f"<{priority}>{line}"


def to_journal(stream: TextIO) -> bool:
    """Whether ``stream`` is the one systemd connected to its journal."""
    expected = os.environ.get("JOURNAL_STREAM")
    if not expected:
        return False
    try:
        status = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False
    return expected == f"{status.st_dev}:{status.st_ino}"


class LogHandler(logging.StreamHandler):
    """Lanebox's lines on ``stream``: one per record, device records rate-limited."""

    def __init__(self, stream: TextIO, rate_limit: DeviceRateLimit | None = None) -> None:
        super().__init__(stream)
        self.setFormatter(OneLineFormatter(journal=to_journal(stream)))
        self.addFilter(rate_limit or DeviceRateLimit())


def setup_logging(level: int = logging.INFO) -> None:
    """Send the process's log records at ``level`` and above to stdout (see the
    module); the web server's request lines only when they matter."""
    root = logging.getLogger()
    for earlier in [h for h in root.handlers if isinstance(h, LogHandler)]:
        root.removeHandler(earlier)  # set up twice, still one line per record
    root.addHandler(LogHandler(sys.stdout))
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
