"""Whether a device is in calibration right now (docs/architecture.md, "calibration gates evidence").

Derived, never stored: from the device's ``calibration.recorded`` events
(the ``calibrations`` view) and its configured interval. A device with an
interval and no passing calibration within it is ``due``; one whose last
calibration failed is ``failed``; without an interval and without records
the lane cannot say (``unknown``) and does not gate it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from common.clock import iso_utc, parse_iso
from edge.calibration.checks import ETD_DAILY, READER_FUNCTIONAL

OK, DUE, FAILED, UNKNOWN = "ok", "due", "failed", "unknown"
WORDS = {ETD_DAILY: "daily verification", READER_FUNCTIONAL: "reader check"}
"""What a record of each check kind is called (edge.calibration.checks); any other is a calibration."""


def calibration_status(records: list[dict[str, Any]], interval_days: int | None, now: datetime) -> dict[str, Any]:
    """``{"status", "due_at", "last"}`` from the device's calibration rows (oldest first).

    ``due_at`` is the record's own ``due_at`` when it gives one, else its
    time plus the interval.
    """
    if not records:
        return {"status": DUE if interval_days else UNKNOWN, "due_at": None, "last": None}
    last = records[-1]
    summary = {"id": last["id"], "at": last["at"], "kind": last.get("kind"), "passed": bool(last["passed"])}
    if not last["passed"]:
        return {"status": FAILED, "due_at": None, "last": summary}
    due_at = last.get("due_at") or (
        iso_utc(parse_iso(last["at"]) + timedelta(days=interval_days), "seconds")
        if interval_days else None)
    overdue = due_at is not None and now >= parse_iso(due_at)
    return {"status": DUE if overdue else OK, "due_at": due_at, "last": summary}


def describe(calibration: dict[str, Any]) -> str:
    """The standing in words for a tile's detail line, e.g. "calibration overdue since 2026-11-18 04:42 UTC"."""
    status, due_at = calibration.get("status"), calibration.get("due_at")
    what = WORDS.get((calibration.get("last") or {}).get("kind"), "calibration")
    if status == FAILED:
        return f"{what} failed"
    if status == DUE and due_at:
        return f"{what} overdue since {parse_iso(due_at):%Y-%m-%d %H:%M} UTC"
    return f"{what} due" if status == DUE else f"{what} {status}"

