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
import time
from dataclasses import dataclass
from typing import Callable

from common.clock import iso_utc
from common.eventlog.store import EventStore, StoreError, StoreReport
from common.periodic import Periodic, PeriodicPart

log = logging.getLogger(__name__)

DEFAULT_SHARE = 0.1


@dataclass(frozen=True)
class Checked:
    """A verification's report and when it was made (ISO-8601 UTC)."""

    report: StoreReport
    at: str


class ChainWatch(PeriodicPart):
    """Verifies ``store`` on its own daemon thread (see the module doc);
    ``on_change(checked)`` is called (on that thread) when the chain's verdict
    changes: whole, or broken at another seq."""

    def __init__(self, store: EventStore, *, interval: float, share: float = DEFAULT_SHARE,
                 on_change: Callable[[Checked], None] = lambda checked: None,
                 clock: Callable[[], float] = time.time) -> None:
        if interval <= 0:
            raise ValueError("need interval > 0")
        self.store = store
        self._periodic = Periodic(f"chain-watch-{store.lane}", self._check_now, interval, share=share)
        self._on_change = on_change
        self._clock = clock
        self._latest: Checked | None = None

    def latest(self) -> Checked | None:
        """The last check made, or None before the first one ends."""
        return self._latest

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

    def _check_now(self) -> None:
        try:
            self.check()
        except StoreError as exc:  # e.g. the file is unreadable for a moment: try again later
            log.warning("%s: cannot verify the store: %s", self.store.path, exc)


def _verdict(report: StoreReport) -> tuple[bool, int | None]:
    return report.ok, report.first_broken_seq
