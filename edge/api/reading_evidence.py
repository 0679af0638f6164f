"""A device's reading frozen as evidence: the very reading the officer saw, its raw
frame, the device's identity and its calibration standing at that moment.

What an attachment records (edge.api.attachments) and what a seized item weighed
on a bench scale carries (edge.api.seizures), checked the same way: not stale, not
moving, not changed since it was shown.
"""

from __future__ import annotations

import time
from typing import Any

from common.clock import parse_iso
from common.web.errors import conflict
from edge.devices.manager import DeviceState

#: a reading older than this is refused: it no longer shows what is on the lane
MAX_AGE_S = 30.0


def reading_evidence(state: DeviceState, seen_seq: int | None) -> dict[str, Any]:
    """The reading (the one the officer saw, when its seq is given), its raw
    frame and the device's standing, frozen now."""
    found = state.reading(seen_seq)
    if found is None:
        if seen_seq is None:
            raise conflict(f"{state.config.id} has sent no reading yet", "no_reading")
        raise conflict(f"reading {seen_seq} of {state.config.id} is no longer held; attach the current one",
                       "reading_changed")
    reading, raw = found
    age = time.time() - parse_iso(reading["ts"]).timestamp()
    if age > MAX_AGE_S:
        raise conflict(f"the reading of {state.config.id} is {age:.0f} s old", "stale_reading")
    data = reading["data"]
    if state.config.kind == "scale":
        if not data.get("stable") or data.get("status") != "ok":
            raise conflict("the weight is not stable yet; wait for the stable mark", "not_stable")
        if state.latest is not None and state.latest["data"] != data:
            raise conflict("the weight has changed since it was shown; check it and attach again",
                           "reading_changed")
    return {
        "reading": reading,
        "reading_age_s": round(age, 3),
        "raw": {"hex": raw.hex(), "text": raw.decode("latin-1")},
        "device": {"id": state.config.id, "kind": state.config.kind, "driver": state.config.driver,
                   "port": state.config.port, "identity": dict(state.driver.identity)},
        "device_state": state.public_state,
        "calibration": dict(state.calibration),
        "calibration_due": state.calibration.get("status") in ("due", "failed"),
    }
