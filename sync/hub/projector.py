"""The hub's read model: inspections and seizures of every lane, searchable.

Ingest must stay fast (a lane coming back from a week offline sends 100k
events), so the receiver only stores events; this projector follows behind
on its own thread, woken after each batch. Per lane it reads the events
after its cursor and, in one write per chunk, maintains:

* ``hub_cases`` — one row per inspection or seizure (plate, status,
  outcome, when started and closed, a JSON summary);
* ``hub_case_terms`` — what a case is found by, normalised upper case:
  plate, container numbers, declaration, passport/document numbers read at
  it (a sealed one by its blind index only, forgotten when the case is
  erased: :mod:`sync.hub.keys`), evidence bag ids, the inspection a seizure
  came from;
* ``hub_case_events`` — which events tell a case's story (its timeline);
* ``hub_duty`` — duty assessments, for the metrics;
* alarms for the flags the lane recorded (:mod:`sync.hub.alarms`), for a
  radiation portal monitor's alarm (``rpm_alarm``, critical, until the lane
  records its adjudication, which clears it with the code in words), for a
  custody alarm a bag's receipt recorded (``custody_weight``, ``custody_seal``), and for
  a lane that had to repair its store (read models rebuilt because they
  differed from its log, protective triggers put back): someone changed the
  lane's file behind its back.

The cursor moves in the same transaction as the rows it paid for, and every
write is an upsert, so a crash at any point ends in the same tables.
Projections are total, like the lane's: an event the model does not
understand is skipped, never an error — evidence is never refused for the
sake of a read model.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from common.erasure import ERASED
from common.eventlog.store import TRIGGERS_RESTORED, VIEWS_REBUILT
from common.periodic import Periodic, PeriodicPart
from common.radiation import adjudication_words
from sync.hub.alarms import CUSTODY_SEAL, CUSTODY_WEIGHT, RPM_ALARM, STORE_REPAIRED, clear_by_lane, raise_alarm
from sync.hub.keys import forget_document_terms, sealed_document_term
from sync.hub.store import HubStore

CHUNK = 500
#: an attached reading's flag code → the board's alarm kind
FLAG_ALARMS = {"trace_alarm": "trace_alarm", "weight_discrepancy": "weight_discrepancy",
               "document_invalid": "invalid_document", "document_expired": "invalid_document",
               "document_watchlisted": "watchlist_hit"}
#: a custody step's alarm code (common.custody) → the board's alarm kind
CUSTODY_ALARMS = {"weight_differs": CUSTODY_WEIGHT, "seal_broken": CUSTODY_SEAL, "seal_number_differs": CUSTODY_SEAL}
_SUMMARY_KEYS = ("containers", "declaration_ref", "inspection_type", "risk", "reason",
                 "legal_basis", "items")

#: a lane's own repair of its store → (the payload's list of what it repaired, what the board says)
REPAIRS = {VIEWS_REBUILT: ("differences", "found its records differing from its log and rebuilt them"),
           TRIGGERS_RESTORED: ("triggers", "found protective triggers missing and put them back")}

Alarms = Callable[[list[dict[str, Any]]], None]


class HubProjector(PeriodicPart):
    """Keeps the read model up with the events; ``on_alarms`` hears new alarms."""

    def __init__(self, store: HubStore, on_alarms: Alarms = lambda alarms: None,
                 interval: float = 5.0) -> None:
        self._store = store
        self._on_alarms = on_alarms
        self._periodic = Periodic("hub-projector", self.catch_up, interval)

    def catch_up(self) -> int:
        """Project every lane's unprojected events; how many were read."""
        done = 0
        for lane in self._store.lanes():
            while events := self._store.events(lane, self._cursor(lane), CHUNK):
                raised = self._store.write(lambda conn, e=events: self._project(conn, lane, e))
                done += len(events)
                if raised:
                    self._on_alarms(raised)
        return done

    def _project(self, conn: Any, lane: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several hub workers each run a projector: one lane's chunk is projected
        by one of them at a time, the others then find the cursor moved past it."""
        self._store.database.lock_lane(conn, f"projector:{lane}")
        return _project_chunk(conn, lane, events, self._store.database)

    def _cursor(self, lane: str) -> int:
        with self._store.read() as conn:
            row = conn.execute("SELECT seq FROM projector_cursor WHERE lane = ?",
                               (lane,)).fetchone()
        return row[0] if row else 0


def _project_chunk(conn: Any, lane: str, events: list[dict[str, Any]], database: Any) -> list[dict[str, Any]]:
    row = conn.execute("SELECT seq FROM projector_cursor WHERE lane = ?", (lane,)).fetchone()
    held = row[0] if row else 0
    raised: list[dict[str, Any]] = []
    for event in events:
        if event["seq"] > held:
            raised.extend(project_event(conn, event, database))
    conn.execute("INSERT INTO projector_cursor (lane, seq) VALUES (?, ?) ON CONFLICT (lane) "
                 "DO UPDATE SET seq = excluded.seq", (lane, max(held, events[-1]["seq"])))
    return raised


def project_event(conn: Any, event: dict[str, Any], database: Any) -> list[dict[str, Any]]:
    """Fold one event into the read model; the alarms it raised or cleared."""
    kind, payload = event["type"], event["payload"]
    inspection_id, seizure_id = _text(payload.get("inspection_id")), _text(payload.get("seizure_id"))
    if kind.startswith("inspection."):
        if inspection_id:
            _project_inspection(conn, event, inspection_id)
    elif kind.startswith("seizure.") and seizure_id:
        _project_seizure(conn, event, seizure_id, inspection_id)
    for case_id in {c for c in (inspection_id, seizure_id) if c}:
        conn.execute("INSERT INTO hub_case_events (lane, case_id, seq) VALUES (?, ?, ?) "
                     "ON CONFLICT (lane, case_id, seq) DO NOTHING",
                     (event["lane"], case_id, event["seq"]))
    if kind == "inspection.duty_assessed":
        _project_duty(conn, event)
    if kind == "reading.attached":
        return _project_reading(conn, event, inspection_id or seizure_id)
    if kind == ERASED and isinstance(payload.get("case_id"), str):
        forget_document_terms(conn, event["lane"], payload["case_id"])  # a term projected before it arrived
    if kind == "seizure.custody":
        return _project_custody_alarms(conn, event, seizure_id)
    if kind == "rpm.occupancy":
        return _project_occupancy(conn, event)
    if kind == "radiation.adjudicated":
        return _project_adjudication(conn, event, database)
    if kind in REPAIRS:
        listed, said = REPAIRS[kind]
        items = payload.get(listed)
        what = "; ".join(str(item) for item in items) if isinstance(items, list) else "?"
        return [a for a in [_alarm(conn, event, STORE_REPAIRED, f"lane {event['lane']} {said}: {what}", None)]
                if a]
    if kind == "inspection.started":
        return [a for hit in payload.get("watchlist_hits") or [] if isinstance(hit, dict)
                for a in [_alarm(conn, event, "watchlist_hit", f"{hit.get('type')} {hit.get('value')}"
                                 f" on the watchlist: {hit.get('reason')}", inspection_id)] if a]
    return []


def _project_inspection(conn: Any, event: dict[str, Any], case_id: str) -> None:
    lane, kind, payload, ts = event["lane"], event["type"], event["payload"], event["ts"]
    _ensure_case(conn, lane, case_id, "inspection", ts)
    changes: dict[str, Any] = {"updated_at": ts}
    if kind == "inspection.started":
        changes.update(plate=payload.get("plate"), started_at=ts, started_by=event["actor"])
        _terms(conn, lane, case_id, "plate", [payload.get("plate")])
        _terms(conn, lane, case_id, "container", payload.get("containers") or [])
        _terms(conn, lane, case_id, "declaration", [payload.get("declaration_ref")])
    elif kind == "inspection.closed":
        changes.update(status="closed", outcome=payload.get("outcome"), closed_at=ts)
    _update_case(conn, lane, case_id, changes, payload)


def _project_seizure(conn: Any, event: dict[str, Any], case_id: str,
                     inspection_id: str | None) -> None:
    lane, payload, ts = event["lane"], event["payload"], event["ts"]
    _ensure_case(conn, lane, case_id, "seizure", ts)
    changes: dict[str, Any] = {"updated_at": ts}
    if event["type"] == "seizure.created" and inspection_id:
        plate = conn.execute("SELECT plate FROM hub_cases WHERE lane = ? AND id = ?",
                             (lane, inspection_id)).fetchone()
        changes.update(inspection_id=inspection_id, plate=plate[0] if plate else None)
        _terms(conn, lane, case_id, "inspection", [inspection_id])
        _terms(conn, lane, case_id, "plate", [plate[0] if plate else None])
        _terms(conn, lane, inspection_id, "seizure", [case_id])
    _terms(conn, lane, case_id, "bag", [payload.get("bag_id")])
    if event["type"] == "seizure.custody" and payload.get("action") in ("released", "destroyed"):
        changes["status"] = payload["action"]
    _update_case(conn, lane, case_id, changes, payload)


def _project_reading(conn: Any, event: dict[str, Any], case_id: str | None) -> list[dict[str, Any]]:
    payload = event["payload"]
    reading = payload.get("reading") if isinstance(payload.get("reading"), dict) else {}
    data = reading.get("data") if isinstance(reading.get("data"), dict) else {}
    mrz = data.get("mrz") if isinstance(data.get("mrz"), dict) else {}
    number = mrz.get("document_number")
    blind = sealed_document_term(conn, event["lane"], number, normalise_term) if case_id else None
    if blind:  # a sealed number is found by its blind index only (sync.hub.keys)
        conn.execute("INSERT INTO hub_case_terms (lane, case_id, term_type, term) VALUES (?, ?, 'document', ?) "
                     "ON CONFLICT (lane, case_id, term_type, term) DO NOTHING", (event["lane"], case_id, blind))
    elif case_id and isinstance(number, str):  # an event from before sealing: its number is in clear anyway
        _terms(conn, event["lane"], case_id, "document", [number])
    flags = (payload.get("assessment") or {}).get("flags") or []
    raised = [_alarm(conn, event, FLAG_ALARMS[f["code"]], f.get("message", ""), case_id,
                     device_id=(payload.get("device") or {}).get("id"))
              for f in flags if isinstance(f, dict) and f.get("code") in FLAG_ALARMS]
    return [a for a in raised if a]


def _project_custody_alarms(conn: Any, event: dict[str, Any], case_id: str | None) -> list[dict[str, Any]]:
    """A receipt of an evidence bag that found it heavier or lighter than the scales explain
    (``custody_weight``), or its seal broken or another (``custody_seal``), saying which bag."""
    payload = event["payload"]
    found: dict[str, list[str]] = {}
    for alarm in payload.get("alarms") or []:
        if isinstance(alarm, dict) and alarm.get("code") in CUSTODY_ALARMS:
            found.setdefault(CUSTODY_ALARMS[alarm["code"]], []).append(str(alarm.get("message", "")))
    bag = _text(payload.get("bag_id")) or "a bag"
    raised = [_alarm(conn, event, kind, f"{bag}: {'; '.join(messages)}", case_id) for kind, messages in found.items()]
    return [a for a in raised if a]


def _occupancy_ref(event_id: Any) -> str:
    return f"occupancy:{event_id}"


def _project_occupancy(conn: Any, event: dict[str, Any]) -> list[dict[str, Any]]:
    """A portal monitor's scan that alarmed: a critical ``rpm_alarm`` until it is adjudicated."""
    payload = event["payload"]
    occupancy = payload.get("occupancy") if isinstance(payload.get("occupancy"), dict) else {}
    if occupancy.get("alarm") is not True:
        return []
    kinds = " and ".join(k for k in ("gamma", "neutron") if occupancy.get(f"{k}_alarm") is True) or "radiation"
    device = _text(payload.get("device"))
    detail = {"source": "event", "message": f"{kinds} alarm at the portal monitor {device}",
              "case_id": None, "event_id": event["id"], "device_id": device, "by": event["actor"],
              "vehicle": _text(payload.get("vehicle"))}
    alarm = raise_alarm(conn, event["lane"], RPM_ALARM, event["seq"], detail, event["ts"], _occupancy_ref(event["id"]))
    return [alarm] if alarm else []


def _project_adjudication(conn: Any, event: dict[str, Any], database: Any) -> list[dict[str, Any]]:
    """An officer adjudicated a scan at the lane: its ``rpm_alarm`` is cleared, with the code in words."""
    payload, lane = event["payload"], event["lane"]
    code = payload.get("code") if isinstance(payload.get("code"), str) else "?"
    words = adjudication_words(code)
    detail = {"note": f"adjudicated at the lane: {words}", "adjudication": words, "code": code,
              "event_id": event["id"], "inspection_id": _text(payload.get("inspection_id")),
              "secondary": payload.get("secondary")}
    cleared = clear_by_lane(conn, database, lane, RPM_ALARM, _occupancy_ref(payload.get("occupancy_event")),
                            actor=f"{event['actor']}@{lane}", at=event["ts"], detail=detail)
    return [cleared] if cleared else []


def _project_duty(conn: Any, event: dict[str, Any]) -> None:
    """``inspection.duty_assessed``: one row for the duty metrics."""
    assessment = event["payload"].get("assessment") or {}
    conn.execute("INSERT INTO hub_duty (lane, seq, inspection_id, at, currency, total) "
                 "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lane, seq) DO NOTHING",
                 (event["lane"], event["seq"], event["payload"].get("inspection_id"), event["ts"],
                  assessment.get("local_currency"), _text(assessment.get("total"))))


def _alarm(conn: Any, event: dict[str, Any], kind: str, message: str, case_id: str | None,
           device_id: str | None = None) -> dict[str, Any] | None:
    detail = {"source": "event", "message": message, "case_id": case_id, "event_id": event["id"],
              "device_id": device_id, "by": event["actor"]}
    return raise_alarm(conn, event["lane"], kind, event["seq"], detail, event["ts"],
                       f"seq:{event['seq']}")


def _ensure_case(conn: Any, lane: str, case_id: str, kind: str, ts: str) -> None:
    conn.execute("INSERT INTO hub_cases (lane, id, kind, status, started_at, updated_at, data) "
                 "VALUES (?, ?, ?, 'open', ?, ?, '{}') ON CONFLICT (lane, id) DO NOTHING",
                 (lane, case_id, kind, ts, ts))


def _update_case(conn: Any, lane: str, case_id: str, changes: dict[str, Any],
                 payload: dict[str, Any]) -> None:
    held = conn.execute("SELECT data FROM hub_cases WHERE lane = ? AND id = ?",
                        (lane, case_id)).fetchone()
    data = json.loads(held[0]) if held else {}
    data.update((k, payload[k]) for k in _SUMMARY_KEYS if k in payload)
    changes["data"] = json.dumps(data, sort_keys=True)
    columns = ", ".join(f"{name} = ?" for name in changes)
    conn.execute(f"UPDATE hub_cases SET {columns} WHERE lane = ? AND id = ?",
                 (*changes.values(), lane, case_id))


def _terms(conn: Any, lane: str, case_id: str, term_type: str, values: list[Any]) -> None:
    for value in values:
        term = normalise_term(value) if isinstance(value, str) else ""
        if term:
            conn.execute("INSERT INTO hub_case_terms (lane, case_id, term_type, term) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT (lane, case_id, term_type, term) "
                         "DO NOTHING", (lane, case_id, term_type, term))


def normalise_term(text: str) -> str:
    """How a search term and a stored term compare: upper case, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[:64]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 128 else None
