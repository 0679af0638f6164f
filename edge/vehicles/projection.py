"""The ``vehicles`` read model: every vehicle the lane has seen, folded from its events.

The queue of vehicles at the lane must survive a restart and never disagree
with the log, so it is a read model like the inspections table
(:mod:`edge.projections`): written in the transaction of each vehicle event,
rebuilt by replaying the log, checked by ``verify``. One row per vehicle:
its status (waiting, taken, dismissed), when it was last seen (what the
matching window and the queue's age limit judge by), its plate, and the
folded state (:mod:`edge.vehicles.fold`) as JSON.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlite_utils import Database

from common.eventlog.chain import canonical_json
from edge.vehicles.fold import apply

TABLE = "vehicles"
MAX_REF_LEN = 128


def create_vehicles_table(db: Database) -> None:
    """Create the table (idempotent)."""
    db[TABLE].create({"id": str, "arrived_at": str, "last_seen": str, "status": str, "plate": str,
                      "inspection_id": str, "data": str},
                     pk="id", not_null=["arrived_at", "last_seen", "status", "data"], if_not_exists=True)
    db[TABLE].create_index(["status", "last_seen"], if_not_exists=True)


def _vehicle_ref(payload: dict[str, Any], key: str, event_type: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_REF_LEN:
        raise ValueError(f"{event_type} needs payload.{key}: a string of 1-{MAX_REF_LEN} chars")
    return value


def _camera_read(conn: sqlite3.Connection, event_id: Any) -> dict[str, Any] | None:
    """The ``camera.read`` event a ``vehicle.read`` names (stored before it)."""
    row = conn.execute("SELECT id, ts, payload FROM events WHERE id = ? AND type = 'camera.read'",
                       (event_id,)).fetchone() if isinstance(event_id, str) else None
    return {"id": row[0], "ts": row[1], "payload": json.loads(row[2])} if row else None


def project_vehicle(conn: sqlite3.Connection, event: dict[str, Any]) -> None:
    """Fold a vehicle event (or the ``inspection.started`` that takes one) into its row.
    Total, like every projection: an event for a vehicle the table has not seen is skipped."""
    payload, kind = event["payload"], event["type"]
    if kind == "inspection.started":
        if "vehicle_id" not in payload:
            return
        vehicle_id = _vehicle_ref(payload, "vehicle_id", kind)
    else:
        vehicle_id = _vehicle_ref(payload, "vehicle", kind)
    row = conn.execute(f"SELECT data FROM {TABLE} WHERE id = ?", (vehicle_id,)).fetchone()
    state = apply(json.loads(row[0]) if row else None, event,
                  _camera_read(conn, payload.get("camera_read")) if kind == "vehicle.read" else None)
    if state is None:
        return
    conn.execute(f"INSERT INTO {TABLE} (id, arrived_at, last_seen, status, plate, inspection_id, data) "
                 f"VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, "
                 f"status = excluded.status, plate = excluded.plate, inspection_id = excluded.inspection_id, "
                 f"data = excluded.data",
                 (vehicle_id, state["arrived_at"], state["last_seen"], state["status"],
                  (state["plate"] or {}).get("text"), state["inspection_id"], canonical_json(state).decode()))
