"""Searching every lane's inspections and seizures, and one case's story.

Reads only the projector's read model (:mod:`sync.hub.projector`) and the
events it points at, so a search is a few indexed reads however large the
logs grow. Filters are added to the SQL only when given (no ``? IS NULL``
tricks, which PostgreSQL cannot type), and a term matches by prefix on the
normalised terms, so ``MSKU 123`` finds ``MSKU1234565``; a sealed document
number is found whole, by its blind index (:mod:`sync.hub.keys`). A case's
personal fields are shown opened with the hub's copy of its key, and as
nothing once the case was erased.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common.clock import iso_utc
from common.custody import custody_entry
from common.erasure import case_standing, erasure_words
from common.personal_data import unreadable_to_none
from common.web.errors import ApiError, not_found
from sync.hub.alarms import alarms_of_case
from sync.hub.keys import BLIND_PREFIX, blind_term, opened_payload, search_key
from sync.hub.projector import normalise_term
from sync.hub.retention import erased_by_hub
from sync.hub.store import HubStore

MAX_RESULTS = 500
CASE_COLUMNS = ("lane", "id", "kind", "inspection_id", "plate", "status", "outcome", "started_at",
                "started_by", "closed_at", "data")
CSV_COLUMNS = ("lane", "kind", "id", "plate", "status", "outcome", "started_at", "closed_at",
               "started_by", "containers", "documents", "bags")
_BULKY = ("raw", "declaration", "checklist", "container_checks", "device")
SEARCH_QUERY = {
    "q": {"type": "string", "description": "container, plate, passport/document number, bag id, "
                                           "declaration or case id (prefix)"},
    "lane": {"type": "string", "description": "one lane"},
    "kind": {"type": "string", "description": "inspection or seizure"},
    "from": {"type": "string", "description": "started on or after this date (YYYY-MM-DD)"},
    "to": {"type": "string", "description": "started on or before this date (YYYY-MM-DD)"},
    "limit": {"type": "integer", "description": f"at most this many (1-{MAX_RESULTS}, default 100)"},
}


def parse_day(name: str, text: str | None, end: bool = False) -> str | None:
    """``YYYY-MM-DD`` as the ISO-8601 instant a search compares with (the end
    of a ``to`` day is the next day's start); ``ApiError`` 400 if not a date."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "invalid_field", f"{name}: not a date (YYYY-MM-DD)", field=name) from None
    return iso_utc(datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time(), UTC))


def search(store: HubStore, *, q: str | None = None, lane: str | None = None,
           kind: str | None = None, since: str | None = None, until: str | None = None,
           limit: int = 100) -> list[dict[str, Any]]:
    """Cases matching every filter given, newest first, each with its terms."""
    given = [(sql, value) for sql, value in (("c.lane = ?", lane), ("c.kind = ?", kind),
                                              ("c.started_at >= ?", since),
                                              ("c.started_at < ?", until)) if value]
    where, params = [sql for sql, _ in given], [value for _, value in given]
    term = normalise_term(q) if q else ""
    if q and not term:
        return []
    with store.read() as conn:
        if term:  # a sealed document number is found by its blind index, whole (sync.hub.keys)
            port_key = search_key(conn)
            where.append("EXISTS (SELECT 1 FROM hub_case_terms t WHERE t.lane = c.lane AND "
                         "t.case_id = c.id AND (t.term LIKE ? OR t.term = ?))")
            params.extend([term + "%", blind_term(port_key, term) if port_key else ""])
        sql = (f"SELECT {', '.join('c.' + c for c in CASE_COLUMNS)} FROM hub_cases c "
               f"{'WHERE ' + ' AND '.join(where) if where else ''} "
               f"ORDER BY c.started_at DESC, c.id LIMIT ?")
        rows = conn.execute(sql, (*params, limit)).fetchall()
        cases = [_case(row) for row in rows]
        _attach_terms(conn, cases)
    return cases


def _case(row: tuple[Any, ...]) -> dict[str, Any]:
    case = dict(zip(CASE_COLUMNS, row))
    case["data"] = json.loads(case["data"])
    return case


def _attach_terms(conn: Any, cases: list[dict[str, Any]]) -> None:
    by_key = {(c["lane"], c["id"]): c for c in cases}
    for case in cases:
        case["terms"] = {}
    ids = sorted({c["id"] for c in cases})
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        rows = conn.execute(f"SELECT lane, case_id, term_type, term FROM hub_case_terms "
                            f"WHERE case_id IN ({', '.join('?' * len(chunk))}) "
                            f"ORDER BY term_type, term", chunk).fetchall()
        for lane, case_id, term_type, term in rows:
            if (lane, case_id) in by_key and not term.startswith(BLIND_PREFIX):  # a blind index tells no one
                by_key[(lane, case_id)]["terms"].setdefault(term_type, []).append(term)


def case_view(store: HubStore, lane: str, case_id: str) -> dict[str, Any]:
    """One case with its timeline (its events, bulky evidence left out), the
    custody of its bags, the cases it is tied to, and the alarms raised at it
    with every step the control room took on them (who and when). 404 if unknown."""
    with store.read() as conn:
        row = conn.execute(f"SELECT {', '.join(CASE_COLUMNS)} FROM hub_cases "
                           f"WHERE lane = ? AND id = ?", (lane, case_id)).fetchone()
        if row is None:
            raise not_found(f"case {case_id} at lane {lane}")
        case = _case(row)
        _attach_terms(conn, [case])
        related = sorted({*case["terms"].get("seizure", []), *case["terms"].get("inspection", [])})
        linked = [case_id] + [r[0] for r in conn.execute(
            "SELECT id FROM hub_cases WHERE lane = ? AND kind = 'seizure' AND inspection_id = ?",
            (lane, case_id)).fetchall()]
        rows = conn.execute(
            f"SELECT e.seq, e.id, e.type, e.ts, e.actor, e.payload, e.hash FROM hub_case_events ce "
            f"JOIN events e ON e.lane = ce.lane AND e.seq = ce.seq WHERE ce.lane = ? AND "
            f"ce.case_id IN ({', '.join('?' * len(linked))}) ORDER BY e.seq",
            (lane, *linked)).fetchall()
        alarms = [alarm for linked_id in linked for alarm in alarms_of_case(conn, lane, linked_id)]
        payloads = {row[0]: opened_payload(conn, lane, json.loads(row[5])) for row in rows}
        erased_here = erased_by_hub(conn, lane, case_id)
    timeline, custody = [], {}
    seen = set()
    for seq, event_id, kind, ts, actor, _, event_hash in rows:
        if seq in seen:
            continue
        seen.add(seq)
        payload, _ = unreadable_to_none(payloads[seq])  # an erased case's fields: gone, shown as nothing
        event = {"seq": seq, "id": event_id, "type": kind, "ts": ts, "actor": actor,
                 "hash": event_hash, "payload": {k: v for k, v in payload.items() if k not in _BULKY}}
        timeline.append(event)
        if kind == "seizure.custody":
            try:
                custody.setdefault(payload["bag_id"], []).append(custody_entry({**event, "payload": payload}))
            except (KeyError, TypeError):
                continue  # a malformed step is still on the timeline
    case["related"] = related
    standing = case_standing(timeline)
    case["legal_hold"] = standing.hold
    erased = standing.erased or erased_here  # the lane's erasure, else the hub's own retention's
    case["erasure"] = erased and {**erased, "words": erasure_words(erased)}
    return {"case": case, "timeline": timeline, "custody": custody,
            "seizures": [c for c in linked if c != case_id], "alarms": alarms}


def to_csv(cases: list[dict[str, Any]]) -> str:
    """Search results as CSV, one case a line; cells that a spreadsheet would
    take for a formula are quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for case in cases:
        terms = case.get("terms", {})
        values = {**case, "containers": " ".join(terms.get("container", [])),
                  "documents": " ".join(terms.get("document", [])),
                  "bags": " ".join(terms.get("bag", []))}
        writer.writerow([_cell(values.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
