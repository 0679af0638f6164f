"""Retention at the hub: the hub's own ``[retention]`` periods applied to its copy
of the lanes' case keys (docs/hub.md "Personal data and erasure").

A lane erases its cases when their periods end and the erasure reaches the
hub as an event (sync.hub.keys). The hub does not rely on that alone: a lane
may be offline for weeks, or gone. So the hub, on its own clock, destroys its
copy of the key of every closed case whose period has ended, unless the case
is under legal hold (its ``case.legal_hold`` events, synced from the lane).
It writes no event (the log is the lane's), and records the erasure in
``hub_case_erasures`` with seq 0 ("by the hub's retention"), so the case
says so and a key sent again later is refused.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from common.clock import Clock, iso_utc, parse_iso, utc_now
from common.erasure import LEGAL_HOLD, RetentionPeriods, case_standing, record_type
from common.eventlog.case_keys import wipe_freed
from common.periodic import Periodic, PeriodicPart
from sync.hub.db import Connection
from sync.hub.keys import forget_document_terms
from sync.hub.store import HubStore

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 3600.0
#: ``hub_case_erasures.seq`` of an erasure the hub's own retention made (no event of the lane's)
BY_HUB_RETENTION = 0


def _held(conn: Connection, lane: str, case_id: str) -> bool:
    rows = conn.execute("SELECT e.id, e.type, e.ts, e.actor, e.payload FROM hub_case_events ce JOIN events e "
                        "ON e.lane = ce.lane AND e.seq = ce.seq WHERE ce.lane = ? AND ce.case_id = ? AND e.type = ? "
                        "ORDER BY e.seq", (lane, case_id, LEGAL_HOLD)).fetchall()
    events = [{"id": i, "type": t, "ts": ts, "actor": a, "payload": json.loads(p)} for i, t, ts, a, p in rows]
    return case_standing(events).hold is not None


def due_at_hub(store: HubStore, periods: RetentionPeriods, now: datetime) -> list[tuple[str, str]]:
    """``(lane, case)`` of the closed cases whose key the hub holds, past their period and not held."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT c.lane, c.id, c.status, c.outcome, c.closed_at, EXISTS (SELECT 1 FROM hub_cases s WHERE "
            "s.lane = c.lane AND s.kind = 'seizure' AND s.inspection_id = c.id) FROM hub_cases c "
            "WHERE c.kind = 'inspection' AND c.status = 'closed' AND c.closed_at IS NOT NULL AND EXISTS "
            "(SELECT 1 FROM hub_case_keys k WHERE k.lane = c.lane AND k.key_id = c.id)").fetchall()
        due = []
        for lane, case_id, status, outcome, closed_at, seized in rows:
            days = periods.period(record_type(status, outcome, bool(seized)))
            if days is not None and parse_iso(closed_at) + timedelta(days=days) <= now \
                    and not _held(conn, lane, case_id):
                due.append((lane, case_id))
    return due


def apply_hub_retention(store: HubStore, periods: RetentionPeriods, clock: Clock = utc_now) -> list[tuple[str, str]]:
    """Destroy the hub's keys of every case past its period (not held); the cases erased."""
    now = clock()
    due = due_at_hub(store, periods, now)
    if not due:
        return []
    sqlite = store.database.kind == "sqlite"

    def write(conn: Connection) -> None:
        if sqlite:
            conn.execute("PRAGMA secure_delete = ON")
        for lane, case_id in due:
            conn.execute("INSERT INTO hub_case_erasures (lane, case_id, seq, at) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (lane, case_id) DO NOTHING", (lane, case_id, BY_HUB_RETENTION, iso_utc(now)))
            conn.execute("DELETE FROM hub_case_keys WHERE lane = ? AND key_id = ?", (lane, case_id))
            forget_document_terms(conn, lane, case_id)

    store.write(write)
    if sqlite:
        wipe_freed(store.path)
    log.info("hub retention: destroyed the keys of %d case(s)", len(due))
    return due


def erased_by_hub(conn: Connection, lane: str, case_id: str) -> dict[str, Any] | None:
    """The hub's own retention erasure of a case (no lane event says it), or None."""
    row = conn.execute("SELECT at FROM hub_case_erasures WHERE lane = ? AND case_id = ? AND seq = ?",
                       (lane, case_id, BY_HUB_RETENTION)).fetchone()
    return None if row is None else {"at": row[0], "by": None, "why": "retention_ended",
                                     "reason": "the hub's retention period for its record type ended"}


class HubRetention(PeriodicPart):
    """Applies the hub's ``[retention]`` periods at start and every hour."""

    def __init__(self, store: HubStore, periods: RetentionPeriods, clock: Clock = utc_now,
                 interval: float = CHECK_INTERVAL_S) -> None:
        self._periodic = Periodic("hub-retention", lambda: apply_hub_retention(store, periods, clock), interval)
