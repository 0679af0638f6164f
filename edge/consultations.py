"""The lane's consultation log: who consulted or disclosed personal data, and why.

Every entry :class:`common.web.consultation.Consultation` makes at the lane is
an ``access.consulted`` event in the lane's own log, the actor the user: it
is hash-chained with the evidence it is about (so ``lanebox verify`` checks
it, and an edit anywhere breaks the chain), written durably before the data
is served, and synced to the hub like every event, so the hub holds the
lane's consultations too. Its payload names no ``inspection_id`` or
``seizure_id`` on purpose: consulting a record is not part of the record's
story, and a report printed after a consultation must not change because of it.
"""

from __future__ import annotations

import json
from typing import Any

from common.clock import parse_iso, utc_now
from common.eventlog.store import EventStore
from common.web.consultation import OPTIONAL, Consultation
from common.web.routing import current_session, lane_server

CONSULTED = "access.consulted"
MAX_PAGE = 200


class ConsultationLog:
    """Writes and reads the lane's ``access.consulted`` events."""

    def __init__(self, store: EventStore) -> None:
        self._store = store

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Append one consultation, durably; :class:`StoreError` if it could not be written."""
        payload = {name: value for name, value in entry.items() if name != "user"}
        return self._store.append(CONSULTED, payload, entry["user"]).event

    def review(self, *, user: str | None = None, record: str | None = None, since: str | None = None,
               until: str | None = None, before: int | None = None, limit: int = 50) -> dict[str, Any]:
        """Entries matching every filter given, newest first, ``limit`` at a time;
        ``next_before`` pages on (None: no more)."""
        given = [(sql, value) for sql, value in (
            ("lower(actor) = ?", user and user.lower()), ("ts >= ?", since), ("ts < ?", until),
            ("seq < ?", before),
            ("EXISTS (SELECT 1 FROM json_each(payload, '$.records') WHERE value = ?)", record)) if value]
        where = " AND ".join(["type = ?", *(sql for sql, _ in given)])
        rows = self._store.query(f"SELECT seq, id, ts, actor, payload, hash FROM events WHERE {where} "
                                 f"ORDER BY seq DESC LIMIT ?",
                                 (CONSULTED, *(value for _, value in given), limit + 1))
        entries = [entry_of(row) for row in rows[:limit]]
        plates = self._plates(entries)
        for entry in entries:
            entry["plates"] = {record: plates[record] for record in entry.get("records", []) if record in plates}
        return {"entries": entries, "next_before": entries[-1]["seq"] if len(rows) > limit else None}

    def _plates(self, entries: list[dict[str, Any]]) -> dict[str, str]:
        """The vehicle's plate of each inspection or seizure the entries name, so a
        reviewer reads "inspection EK48213" rather than an id."""
        records = json.dumps(sorted({record for entry in entries for record in entry.get("records", [])}))
        rows = self._store.query(
            "SELECT id, plate FROM inspections WHERE id IN (SELECT value FROM json_each(?)) AND plate IS NOT NULL "
            "UNION ALL SELECT seizures.id, inspections.plate FROM seizures JOIN inspections "
            "ON inspections.id = seizures.inspection_id WHERE seizures.id IN (SELECT value FROM json_each(?)) "
            "AND inspections.plate IS NOT NULL", (records, records))
        return {row["id"]: row["plate"] for row in rows}


def entry_of(row: dict[str, Any]) -> dict[str, Any]:
    """An ``access.consulted`` event as the review shows it: who, when, what, why, from where."""
    payload = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
    return {"seq": row["seq"], "event_id": row["id"], "at": row["ts"], "user": row["actor"], **payload,
            "hash": row["hash"]}


# -- what the lane's routes serve of people (the ``consultation=`` on each) ----

PERSONAL_DOCUMENT_FIELDS = ("surname", "given_names", "document_number", "birth_date", "sex", "nationality",
                            "personal_number", "optional_data")
"""What a travel document's reading holds of its holder (an ICAO 9303 MRZ; a
Regula reader's fields by the same names). Kept apart from the rest of an
inspection: a plate, a container number and a weight are not a person."""


def _inspections(result: Any) -> list[dict[str, Any]]:
    if isinstance(result, tuple):  # (answer, status)
        result = result[0]
    if not isinstance(result, dict):
        return []
    listed = result.get("inspections")
    return listed if isinstance(listed, list) else [result.get("inspection", result)]


def _holding_documents(result: Any) -> list[dict[str, Any]]:
    return [view for view in _inspections(result) if isinstance(view, dict) and view.get("document")]


def document_fields(_path_args: dict[str, Any], result: Any) -> list[str]:
    """The holder's fields an answer of inspections shows (empty: it shows nobody's document)."""
    found: set[str] = set()
    for view in _holding_documents(result):
        data = view["document"].get("data") or {}
        mrz = data.get("mrz") if isinstance(data.get("mrz"), dict) else data
        found.update([name for name in PERSONAL_DOCUMENT_FIELDS if mrz.get(name)] or ["document"])
    return sorted(found)


def inspections_with_documents(_path_args: dict[str, Any], result: Any) -> list[str]:
    """The inspections whose document an answer shows."""
    return [view["id"] for view in _holding_documents(result)]


#: how long after its outcome an inspection is still its officer's own work: who released
#: or seized sees the record and prints the report with the lorry still there
JUST_CLOSED_S = 15 * 60


def _at_the_lane(view: dict[str, Any]) -> bool:
    """Open, or closed by the officer asking within :data:`JUST_CLOSED_S`: the inspection
    that officer is working on. Anyone else, or later, needs a reason."""
    if view.get("status") == "open":
        return True
    if not view.get("closed_at") or view.get("closed_by") != current_session().username:
        return False
    try:
        return (utc_now() - parse_iso(view["closed_at"])).total_seconds() <= JUST_CLOSED_S
    except ValueError:
        return False


def open_inspections(_path_args: dict[str, Any], result: Any) -> str | None:
    """An inspection open (or just closed by the officer asking) is the one that officer is
    working on: its own reason, "this inspection", with no extra tap. Otherwise it needs a reason."""
    views = _holding_documents(result)
    return "this_inspection" if views and all(_at_the_lane(view) for view in views) else None


def open_inspection_report(path_args: dict[str, Any], _result: Any) -> str | None:
    """The report of an inspection open (or just closed by the officer asking) is printed for
    it ("this inspection"); printing it again later is a disclosure that needs its own reason."""
    store = lane_server().store
    inspection_id = str(path_args.get("inspection_id", "")).lower()
    rows = store.query("SELECT status, closed_at FROM inspections WHERE id = ?", (inspection_id,))
    if not rows:
        return None
    closed_by = next((event["actor"] for event in reversed(store.record_events([inspection_id]))
                      if event["type"] == "inspection.closed"), None)
    return "this_inspection" if _at_the_lane({**rows[0], "closed_by": closed_by}) else None


def handed_to_the_driver(_path_args: dict[str, Any], _result: Any) -> str:
    """A duty receipt or a weighbridge ticket is the driver's own copy, printed as
    part of the inspection: logged, its reason "this inspection"."""
    return "this_inspection"


def evidence_photo(path_args: dict[str, Any], _result: Any) -> list[str]:
    """A photo an officer took (a ``photo.stored`` event) may show a person; a
    camera's plate crop shows a vehicle and is not logged."""
    rows = lane_server().store.query("SELECT 1 FROM events WHERE type = 'photo.stored' AND "
                                     "json_extract(payload, '$.sha256') = ? LIMIT 1",
                                     (str(path_args.get("sha256", "")),))
    return ["photo"] if rows else []


def event_range(_path_args: dict[str, Any], result: Any) -> list[str]:
    """The events an export handed out, by seq range (or the one event's id)."""
    if isinstance(result, dict) and isinstance(result.get("events"), list):
        events = result["events"]
        return [f"seq {events[0]['seq']}-{events[-1]['seq']}"] if events else []
    return [result["id"]] if isinstance(result, dict) and "id" in result else []


# -- the declarations the routes carry --------------------------------------------

INSPECTION_DOCUMENT = Consultation(what="document", personal=document_fields, records=inspections_with_documents,
                                   implicit=open_inspections)
"""An inspection (or a list of them) showing a holder's document data."""

INSPECTION_REPORT = Consultation(what="inspection report", action="export", fields=("document", "findings", "photos"),
                                 implicit=open_inspection_report)
SEIZURE_REPORT = Consultation(what="seizure report", action="export", fields=("document", "items", "photos"))
DRIVER_COPY = Consultation(what="driver's copy", action="export", fields=("plate",), implicit=handed_to_the_driver)
EVIDENCE_PHOTO = Consultation(what="photo", justification=OPTIONAL, personal=evidence_photo)
EVENTS_EXPORT = Consultation(what="events", action="export", fields=("events",), records=event_range, query=True)
"""The log itself, page by page: every payload, documents and all."""
