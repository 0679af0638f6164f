"""The control room's figures over the last hours, from the read model.

Inspections per hour, clearance time (start to close) p50/p90, seizures,
alarms by kind and duty assessed by currency — for all lanes or one. The
rows of the window are read with plain indexed SQL and summed in Python
(exact decimals for money), which keeps the SQL portable.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from common.clock import iso_utc, parse_iso
from sync.hub.store import HubStore


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of ``values``; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _parse(ts: str | None) -> datetime | None:
    try:
        return parse_iso(ts) if ts else None
    except ValueError:
        return None


def metrics(store: HubStore, *, hours: int, now: float, lane: str | None = None) -> dict[str, Any]:
    """``{hours, since, per_hour: [{hour, inspections}], inspections, closed,
    clearance_s: {p50, p90}, seizures, alarms: {kind: n}, duty: {currency: total},
    by_lane: {lane: inspections}}``."""
    end = datetime.fromtimestamp(now, UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours - 1)
    since = iso_utc(start)
    lane_filter, lane_params = (" AND lane = ?", (lane,)) if lane else ("", ())
    with store.read() as conn:
        cases = conn.execute(f"SELECT lane, kind, started_at, closed_at FROM hub_cases "
                             f"WHERE started_at >= ?{lane_filter}", (since, *lane_params)).fetchall()
        alarms = conn.execute(f"SELECT kind, count(*) FROM alarms WHERE at >= ?{lane_filter} "
                              f"GROUP BY kind", (since, *lane_params)).fetchall()
        duty = conn.execute(f"SELECT currency, total FROM hub_duty WHERE at >= ?{lane_filter}",
                            (since, *lane_params)).fetchall()
    buckets = {start + timedelta(hours=i): 0 for i in range(hours)}
    clearance: list[float] = []
    by_lane: dict[str, int] = {}
    seizures = 0
    for case_lane, kind, started_at, closed_at in cases:
        if kind == "seizure":
            seizures += 1
            continue
        started, closed = _parse(started_at), _parse(closed_at)
        if started is None:
            continue
        hour = started.replace(minute=0, second=0, microsecond=0)
        if hour in buckets:
            buckets[hour] += 1
        by_lane[case_lane] = by_lane.get(case_lane, 0) + 1
        if closed is not None:
            clearance.append((closed - started).total_seconds())
    totals: dict[str, Decimal] = {}
    for currency, total in duty:
        try:
            totals[currency or "?"] = totals.get(currency or "?", Decimal(0)) + Decimal(total)
        except (InvalidOperation, TypeError):
            continue
    return {
        "hours": hours, "since": since,
        "per_hour": [{"hour": iso_utc(h), "inspections": n} for h, n in buckets.items()],
        "inspections": sum(by_lane.values()), "closed": len(clearance),
        "clearance_s": {"p50": percentile(clearance, 0.5), "p90": percentile(clearance, 0.9)},
        "seizures": seizures, "alarms": dict(alarms),
        "duty": {currency: f"{amount:.2f}" for currency, amount in sorted(totals.items())},
        "by_lane": dict(sorted(by_lane.items())),
    }
