"""The lane's read models (inspections, seizures, calibrations), derived from events.

These tables only exist so screens and reports can ask "what is open on this
lane" without replaying the log (see :mod:`common.eventlog.views`).

Projections are total: an event for an inspection or seizure the view has
not seen yet creates its row instead of being refused, because evidence must
never be rejected for the sake of a read model. The one thing they insist on
is the payload convention (``inspection_id`` / ``seizure_id`` /
``device_id``): without it an event cannot be placed, so the projection
raises ``ValueError`` and the store refuses the event as invalid.

``record_events`` is the index behind every record's story: one row per
event and record it names (``inspection_id``, ``seizure_id``, ``bag_id`` in
its payload, whatever its type), so the view of one inspection reads its
own events instead of scanning the log.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlite_utils import Database

from common.erasure import ERASED
from common.eventlog.case_keys import destroy_on_erasure
from common.eventlog.chain import canonical_json
from common.eventlog.views import Projection, Views
from edge.vehicles.projection import create_vehicles_table, project_vehicle

MAX_REF_LEN = 128
#: payload keys that tie an event to a record (see ``project_record_events``); a vehicle at the
#: lane is one too (its own events name it ``vehicle``, the inspection started from it ``vehicle_id``)
RECORD_KEYS = ("inspection_id", "seizure_id", "bag_id", "vehicle", "vehicle_id")


def create_tables(db: Database) -> None:
    """Create the view tables (idempotent) on the connection ``db`` wraps."""
    db["inspections"].create(
        {"id": str, "lane": str, "started_at": str, "started_by": str, "plate": str,
         "status": str, "outcome": str, "closed_at": str, "updated_at": str, "data": str},
        pk="id", not_null=["lane", "status", "updated_at", "data"], if_not_exists=True)
    db["inspections"].create_index(["status", "updated_at"], if_not_exists=True)
    db["seizures"].create(
        {"id": str, "inspection_id": str, "created_at": str, "status": str, "data": str},
        pk="id", not_null=["created_at", "status", "data"], if_not_exists=True)
    db["seizures"].create_index(["inspection_id"], if_not_exists=True)
    db["calibrations"].create(
        {"id": str, "device_id": str, "at": str, "kind": str, "passed": int, "due_at": str,
         "data": str},
        pk="id", not_null=["device_id", "at", "passed", "data"], if_not_exists=True)
    db["calibrations"].create_index(["device_id", "at"], if_not_exists=True)
    db["record_events"].create({"record_id": str, "seq": int}, pk=("record_id", "seq"),
                               not_null=["record_id", "seq"], if_not_exists=True)
    create_vehicles_table(db)


def _ref(payload: dict[str, Any], key: str, event_type: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_REF_LEN:
        raise ValueError(f"{event_type} needs payload.{key}: a string of 1-{MAX_REF_LEN} chars")
    return value


def _merged(row: tuple | None, payload: dict[str, Any], drop: str) -> str:
    """The row's data with the payload's fields laid over it (shallow)."""
    data = json.loads(row[0]) if row else {}
    data.update((k, v) for k, v in payload.items() if k != drop)
    return canonical_json(data).decode()


def project_inspection(conn: sqlite3.Connection, event: dict[str, Any]) -> None:
    """``inspection.started`` opens, ``inspection.closed`` closes (with
    ``outcome``); every ``inspection.*`` event merges its payload into
    ``data`` and may set ``plate`` or ``status``."""
    payload, kind, ts = event["payload"], event["type"], event["ts"]
    inspection_id = _ref(payload, "inspection_id", kind)
    row = conn.execute("SELECT data FROM inspections WHERE id = ?", (inspection_id,)).fetchone()
    if row is None:
        conn.execute("INSERT INTO inspections (id, lane, status, updated_at, data) "
                     "VALUES (?, ?, 'open', ?, '{}')", (inspection_id, event["lane"], ts))
    changes: dict[str, Any] = {"updated_at": ts, "data": _merged(row, payload, "inspection_id")}
    if "plate" in payload:
        changes["plate"] = payload["plate"]
    if kind == "inspection.started":
        changes.update(started_at=ts, started_by=event["actor"])
    if kind == "inspection.closed":
        changes.update(status="closed", outcome=payload.get("outcome"), closed_at=ts)
    elif "status" in payload:
        changes["status"] = payload["status"]
    _update(conn, "inspections", inspection_id, changes)


def project_seizure(conn: sqlite3.Connection, event: dict[str, Any]) -> None:
    """Any ``seizure.*`` event creates the seizure if new (status ``open``),
    then merges its payload and may set ``status`` and ``inspection_id``."""
    payload, ts = event["payload"], event["ts"]
    seizure_id = _ref(payload, "seizure_id", event["type"])
    row = conn.execute("SELECT data FROM seizures WHERE id = ?", (seizure_id,)).fetchone()
    if row is None:
        conn.execute("INSERT INTO seizures (id, created_at, status, data) "
                     "VALUES (?, ?, 'open', '{}')", (seizure_id, ts))
    changes: dict[str, Any] = {"data": _merged(row, payload, "seizure_id")}
    for column in ("status", "inspection_id"):
        if column in payload:
            changes[column] = payload[column]
    _update(conn, "seizures", seizure_id, changes)


def project_calibration(conn: sqlite3.Connection, event: dict[str, Any]) -> None:
    """One row per ``calibration.recorded`` event: ``device_id`` and
    ``passed`` (bool) are required, ``kind`` and ``due_at`` optional."""
    payload = event["payload"]
    device_id = _ref(payload, "device_id", event["type"])
    if not isinstance(payload.get("passed"), bool):
        raise ValueError(f"{event['type']} needs payload.passed: true or false")
    conn.execute(
        "INSERT INTO calibrations (id, device_id, at, kind, passed, due_at, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (event["id"], device_id, event["ts"], _column_value(payload.get("kind")),
         int(payload["passed"]), _column_value(payload.get("due_at")),
         canonical_json(payload).decode()))


def project_record_events(conn: sqlite3.Connection, event: dict[str, Any]) -> None:
    """Index the event under every record its payload names. Total: an event
    naming none (or a malformed one) is simply not indexed."""
    for key in RECORD_KEYS:
        value = event["payload"].get(key)
        if isinstance(value, str) and 0 < len(value) <= MAX_REF_LEN:
            conn.execute("INSERT OR IGNORE INTO record_events (record_id, seq) VALUES (?, ?)",
                         (value, event["seq"]))


def _update(conn: sqlite3.Connection, table: str, row_id: str, changes: dict[str, Any]) -> None:
    columns = ", ".join(f"{name} = ?" for name in changes)
    values = [_column_value(v) for v in changes.values()]
    conn.execute(f"UPDATE {table} SET {columns} WHERE id = ?", (*values, row_id))


def _column_value(value: Any) -> Any:
    """SQLite takes scalars; a list or object a client put in a field goes in as JSON."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    return canonical_json(value).decode()


LANE_VIEWS = Views(create=create_tables, projections=(
    Projection("inspection.", project_inspection, ("inspections",)),
    Projection("seizure.", project_seizure, ("seizures",)),
    Projection("calibration.recorded", project_calibration, ("calibrations",)),
    *(Projection(prefix, project_vehicle, ("vehicles",))
      for prefix in ("vehicle.", "rpm.occupancy", "inspection.started")),
    Projection("", project_record_events, ("record_events",)),
    Projection(ERASED, destroy_on_erasure),  # crypto-shredding: the case's key goes with the erasure's event
))
"""The lane's read models, kept by every lane store (:func:`edge.store.open_lane_store`)."""
