"""A background thread that does one small job now, every so often, and on demand.

The lane's status reporter and reference puller both need exactly this: run
at start, then every ``interval`` seconds, sooner when woken — but never
twice within ``min_gap`` seconds, so a burst of wakes (a flapping device)
costs one run, not one per wake. A job that may take long (verifying a big
store) can be held to a ``share`` of the time: after a run that took t
seconds the next waits at least t × (1/share − 1). A failing run is logged and the thread
lives on: these jobs only report or fetch, and the next run tries again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Self

log = logging.getLogger(__name__)


class Periodic:
    """Runs ``job`` on its own daemon thread (see the module doc)."""

    def __init__(self, name: str, job: Callable[[], object], interval: float,
                 min_gap: float = 0.0, share: float = 1.0) -> None:
        if not 0 <= min_gap <= interval or not 0 < share <= 1:
            raise ValueError("need 0 <= min_gap <= interval and 0 < share <= 1")
        self.name = name
        self._job = job
        self._interval = interval
        self._min_gap = min_gap
        self._share = share
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} already started")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop; waits up to ``timeout`` for a run in progress."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join(timeout)

    def wake(self) -> None:
        """Run again soon (after ``min_gap`` since the last run at the latest)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before the run: a wake during it means run again
            started = time.monotonic()
            try:
                self._job()
            except Exception:  # the thread must outlive any one bad run
                log.exception("%s failed; trying again later", self.name)
            quiet = max(self._min_gap, (time.monotonic() - started) * (1 / self._share - 1))
            if self._stopping.wait(quiet):
                break
            self._wake.wait(max(0.0, self._interval - quiet))


class PeriodicPart:
    """A part whose work is one :class:`Periodic` job (a puller, a reporter, a
    projector): its ``start``, ``stop`` and ``wake`` are the job's."""

    _periodic: Periodic

    def start(self) -> Self:
        self._periodic.start()
        return self

    def stop(self) -> None:
        self._periodic.stop()

    def wake(self) -> None:
        """Run the job soon (something it reacts to has happened)."""
        self._periodic.wake()
