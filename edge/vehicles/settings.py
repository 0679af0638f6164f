"""``[vehicles]``: how the lane tells the vehicles at it apart (docs/contract.md).

The matching of camera reads to vehicles is a judgement of time: a read
belongs to a vehicle seen within ``match_window_s`` of it. A read the camera
itself doubts (confidence under ``confirm_below``) must be confirmed by the
officer. A vehicle nobody inspected leaves the tablets' queue after
``waiting_min`` minutes (most vehicles drive on uninspected; the log keeps
them all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.config import Section


@dataclass(frozen=True)
class VehicleSettings:
    match_window_s: float = 30.0
    confirm_below: float = 0.8
    waiting_min: int = 60


def parse_vehicle_settings(top: Section) -> VehicleSettings:
    """The optional ``[vehicles]`` table of a lane's config."""
    table: Any = top.get("vehicles", dict, None)
    if table is None:
        return VehicleSettings()
    section = Section(top.source, "vehicles", table)
    window = float(section.get("match_window_s", (int, float), VehicleSettings.match_window_s))
    if not 1 <= window <= 600:
        raise section.fail("match_window_s", "must be between 1 and 600 seconds")
    below = float(section.get("confirm_below", (int, float), VehicleSettings.confirm_below))
    if not 0 <= below <= 1:
        raise section.fail("confirm_below", "must be a confidence between 0 and 1")
    waiting = section.get("waiting_min", int, VehicleSettings.waiting_min)
    if not 1 <= waiting <= 24 * 60:
        raise section.fail("waiting_min", "must be between 1 and 1440 minutes")
    section.done()
    return VehicleSettings(match_window_s=window, confirm_below=below, waiting_min=waiting)
