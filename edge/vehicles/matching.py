"""Which vehicle a camera read or a radiation scan belongs to — pure rules.

A lane sees a vehicle through several eyes at different moments: the portal
monitor's occupancy starts when it drives in and ends when it leaves, a
plate camera and a container camera read it somewhere along the way. Each
sighting is matched to a vehicle seen within the match window; what fits
none is a new vehicle. The one rule never bent: a vehicle has one plate. A
read whose plate differs from a vehicle's is another vehicle, so two lorries
queued close together are never folded into one record.

Candidates are the vehicles not dismissed and seen lately (taken ones
included: a lorry whose inspection was started while it was still in the
portal still gets its scan and its container read).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Seen:
    """What matching needs to know of one vehicle."""

    id: str
    last_seen: datetime
    plate: str | None
    trigger: str          # "occupancy" | "plate": what made it arrive
    scan: str             # "none", "open" (in the portal now) or "done" (a scan ended for it)


def _near(vehicles: Iterable[Seen], at: datetime, window_s: float) -> list[Seen]:
    """The vehicles seen within the window of ``at``, newest first."""
    near = [v for v in vehicles if abs((at - v.last_seen).total_seconds()) <= window_s]
    return sorted(near, key=lambda v: v.last_seen, reverse=True)


def vehicle_for_read(vehicles: Iterable[Seen], plate: str | None, at: datetime, window_s: float) -> str | None:
    """The vehicle a camera read at ``at`` belongs to, or None for a new one: the one with this plate;
    else (a plate nobody has) the newest without a plate; else (containers only) the newest."""
    near = _near(vehicles, at, window_s)
    if plate is None:
        return near[0].id if near else None
    same = next((v for v in near if v.plate == plate), None)
    if same is not None:
        return same.id
    unplated = next((v for v in near if v.plate is None), None)
    return unplated.id if unplated is not None else None


def vehicle_for_scan_start(vehicles: Iterable[Seen], at: datetime, window_s: float) -> str | None:
    """The vehicle a scan starting at ``at`` is of: the newest a camera read just before (trigger
    ``plate``) that has had no scan; None: a new vehicle drove in."""
    return next((v.id for v in _near(vehicles, at, window_s) if v.trigger == "plate" and v.scan == "none"), None)


def vehicle_for_scan_end(vehicles: Iterable[Seen], started: datetime, window_s: float,
                         scanning: str | None) -> str | None:
    """The vehicle a finished scan (started at ``started``) is of: the one this lane saw it start on
    (``scanning``) if still a candidate; else (the lane restarted meanwhile) the newest vehicle seen
    around its start that has no finished scan; None: none, a new vehicle."""
    candidates = list(vehicles)
    if scanning is not None and any(v.id == scanning for v in candidates):
        return scanning
    return next((v.id for v in _near(candidates, started, window_s) if v.scan != "done"), None)
