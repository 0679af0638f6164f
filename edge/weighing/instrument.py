"""Which weighbridge a scale is, as its last calibration record on the lane states it.

The weighing routes and the inspection's attached weights both judge a
weight by the instrument's own Min and Max (:mod:`edge.weighing.rules`);
this finds the record they come from.
"""

from __future__ import annotations

from common.eventlog.store import EventStore
from edge.weighing.rules import ScaleData


def last_scale_data(store: EventStore, device_id: str) -> ScaleData | None:
    """Max, e, Min and unit from the scale's last R 76-1 calibration on this lane; None without one."""
    rows = store.query("SELECT id FROM calibrations WHERE device_id = ? AND kind = 'scale-r76' "
                       "ORDER BY at DESC, rowid DESC LIMIT 1", (device_id,))
    event = store.get(rows[0]["id"]) if rows else None
    if event is None or "record" not in event["payload"]:
        return None
    return ScaleData.from_calibration(event)
