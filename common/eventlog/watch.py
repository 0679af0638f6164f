"""Re-verifying a live store now and again, in the background.

An edit made to the store file behind the server's back (an event changed
after it was synced, a row deleted from a read model) shows only when
someone verifies. So a running store is verified at start and then again
and again: every ``interval`` seconds, but never spending more than
``share`` of the time verifying (a big log is checked less often rather
than eating the box: with the lane's figures, ``bench/verify.py``). Each
check also mends read models that differ from a whole chain
(:meth:`EventStore.mend_views`), so screens and reports show what the chain
holds again and the tampering is recorded as an event.

Whoever must hear of the result (the lane's status report to its hub) reads
:meth:`ChainWatch.latest` and is called back when the verdict changes.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from common.clock import iso_utc
from common.eventlog.store import EventStore, StoreError, StoreReport

log = logging.getLogger(__name__)

DEFAULT_SHARE = 0.1


@dataclass(frozen=True)
class Checked:
    """A verification's report and when it was made (ISO-8601 UTC)."""

    report: StoreReport
    at: str


class ChainWatch:
    """Verifies ``store`` on its own daemon thread (see the module doc);
    ``on_change(checked)`` is called (on that thread) when the chain's verdict
    changes: whole, or broken at another seq."""

    def __init__(self, store: EventStore, *, interval: float, share: float = DEFAULT_SHARE,
                 on_change: Callable[[Checked], None] = lambda checked: None,
                 clock: Callable[[], float] = time.time) -> None:
        if interval <= 0 or not 0 < share <= 1:
            raise ValueError("need interval > 0 and 0 < share <= 1")
        self.store = store
        self._interval = interval
        self._share = share
        self._on_change = on_change
        self._clock = clock
        self._latest: Checked | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def latest(self) -> Checked | None:
        """The last check made, or None before the first one ends."""
        return self._latest

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("chain watch already started")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"chain-watch-{self.store.lane}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop; a check in progress finishes first (up to ``timeout``)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        thread.join(timeout)

    def check(self) -> Checked:
        """Verify (and mend read models) now; keep and return the result."""
        report = self.store.mend_views()
        if report.views:  # mended: say what the store is now, not what it was
            report = self.store.verify()
        checked = Checked(report, iso_utc(self._clock()))
        before, self._latest = self._latest, checked
        if before is None or _verdict(before.report) != _verdict(report):
            if not report.ok:
                log.error("%s: the store does not verify: %s", self.store.path, report.reason)
            self._on_change(checked)
        return checked

    def _run(self) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                self.check()
            except StoreError as exc:  # e.g. the file is unreadable for a moment: try again later
                log.warning("%s: cannot verify the store: %s", self.store.path, exc)
            took = time.monotonic() - started
            self._stopping.wait(max(self._interval - took, took * (1 / self._share - 1)))


def _verdict(report: StoreReport) -> tuple[bool, int | None]:
    return report.ok, report.first_broken_seq
