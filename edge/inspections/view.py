"""An inspection as the officer app shows it, folded from its own events.

The events are the record; this is only a way to read them. Everything in
the view is taken from the events of the inspection (the ``record_events``
index), in seq order, so two lanes replaying the same log show the same
inspection, and a view can always be traced back to the events behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.clock import differing_claim
from common.erasure import case_standing, erasure_words
from common.personal_data import unreadable_to_none
from edge.inspections.risk import RiskFactor, score_risk
from edge.inspections.rules import calibration_flag, flag_factors
from edge.vehicles.inspection import radiation_flags, vehicle_sections


def event_summary(event: dict[str, Any]) -> dict[str, Any]:
    """How an event is listed under a record: enough to find and check it, and
    when the officer says they acted if that was not when the box received it."""
    return {**{key: event[key] for key in ("seq", "id", "type", "ts", "actor", "hash")},
            "acted_at": acted_at(event)}


def acted_at(event: dict[str, Any]) -> str | None:
    """When the officer says they acted (``payload.acted_at``, edge/api/records.py),
    where that is not when the box received it (common.clock.differing_claim)."""
    return differing_claim(event["ts"], event["payload"].get("acted_at"))


def _reading_entry(event: dict[str, Any]) -> dict[str, Any]:
    """One attached reading; personal fields still sealed (their case erased) read as None,
    and ``erased`` says so (common.personal_data)."""
    payload, erased = unreadable_to_none(event["payload"])
    reading = payload["reading"]
    return {"event_id": event["id"], "at": event["ts"], "by": event["actor"], "device_id": reading["device_id"],
            "reading_ts": reading["ts"], "data": reading["data"], "calibration_due": payload.get("calibration_due"),
            "assessment": payload.get("assessment"), "overrides": payload.get("overrides", []),
            "erased": erased}


def inspection_view(events: list[dict[str, Any]],
                    vehicle_events: Sequence[dict[str, Any]] = ()) -> dict[str, Any] | None:
    """The VIEW of docs/officer-api.md, or None without an ``inspection.started``. An inspection
    started from a vehicle at the lane shows it from ``vehicle_events`` (its own events and the
    camera reads they name: :func:`edge.vehicles.records.vehicle_events`)."""
    start = next((e for e in events if e["type"] == "inspection.started"), None)
    if start is None:
        return None
    started = start["payload"]
    view: dict[str, Any] = {
        "id": started["inspection_id"], "plate": started["plate"], "containers": started["containers"],
        "declaration_ref": started["declaration_ref"], "inspection_type": started["inspection_type"],
        "status": "open", "outcome": None, "outcome_reason": None, "flags_answered": [],
        "started_at": start["ts"], "started_acted_at": acted_at(start), "started_by": start["actor"],
        "closed_at": None, "closed_acted_at": None, "closed_by": None,
        "declaration": started["declaration"], "reference_version": started["reference_version"],
        "risk": None, "flags": [], "document": None, "weights": [], "weighings": [], "traces": [], "findings": [],
        "checklist": {"items": started["checklist"], "done": {}}, "duty": [], "seizures": [],
        "events": [event_summary(e) for e in events],
    }
    standing = case_standing(events)
    view["legal_hold"] = standing.hold
    view["erasure"] = standing.erased and {**standing.erased, "words": erasure_words(standing.erased)}
    view["vehicle"], view["radiation"] = vehicle_sections(list(vehicle_events), events)
    flags = view["flags"]
    for hit in started["watchlist_hits"]:
        flags.append({"code": "watchlist_hit", "message": f"{hit['type']} {hit['value']} on the watchlist "
                                                          f"({hit['severity']}): {hit['reason']}",
                      "event_id": start["id"]})
    later_flags: list[dict[str, Any]] = []
    net_flags: list[dict[str, Any]] = []  # from weighbridge transactions (gross - tare)
    for event in events:
        payload, kind = event["payload"], event["type"]
        if kind == "reading.attached" and "reading" in payload:
            entry = _reading_entry(event)
            device_kind = payload["reading"].get("kind")
            if device_kind == "scale":
                view["weights"].append(entry)
            elif device_kind == "trace":
                view["traces"].append(entry)
            elif device_kind == "document":
                view["document"] = entry
            raised = [{**f, "event_id": event["id"]} for f in (payload.get("assessment") or {}).get("flags", [])]
            flags.extend(raised)
            later_flags.extend(raised)
            if payload.get("calibration_due"):
                flags.append({**calibration_flag(entry["device_id"], payload.get("calibration") or {}),
                              "event_id": event["id"]})
        elif kind == "inspection.finding_added":
            view["findings"].append({"event_id": event["id"], "at": event["ts"], "acted_at": acted_at(event),
                                     "by": event["actor"],
                                     "category": payload["category"], "note": payload["note"],
                                     "photos": payload["photos"]})
        elif kind == "inspection.checklist_item":
            view["checklist"]["done"][payload["item"]] = {"checked": payload["checked"], "by": event["actor"],
                                                          "at": event["ts"], "acted_at": acted_at(event),
                                                          "note": payload.get("note"),
                                                          "event_id": event["id"]}
        elif kind == "inspection.duty_assessed":
            view["duty"].append({"event_id": event["id"], "at": event["ts"], "acted_at": acted_at(event),
                                 "by": event["actor"],
                                 **payload["assessment"]})
        elif kind in ("weighing.first", "weighing.second") and "assessment" in payload:
            view["weighings"].append({"event_id": event["id"], "at": event["ts"], "by": event["actor"],
                                      "result": payload["result"], "assessment": payload["assessment"]})
            net_flags.extend({**f, "event_id": event["id"]} for f in payload["assessment"].get("flags", []))
        elif kind == "seizure.created":
            view["seizures"].append(payload["seizure_id"])
        elif kind == "inspection.closed":
            view.update(status="closed", outcome=payload["outcome"], outcome_reason=payload.get("reason"),
                        flags_answered=payload.get("flags_answered", []),
                        closed_at=event["ts"], closed_acted_at=acted_at(event), closed_by=event["actor"])
    if view["weighings"]:  # a transaction's net is what the declaration is judged against, not one pass
        single_pass = {id(f) for f in later_flags if str(f.get("code", "")).startswith("weight_")}
        flags[:] = [f for f in flags if id(f) not in single_pass]
        later_flags = [f for f in later_flags if id(f) not in single_pass]
        flags.extend(net_flags)
        later_flags.extend(net_flags)
    flags.extend(radiation_flags(view["radiation"]))
    factors = [RiskFactor.from_json(f) for f in started["risk_factors"]] + flag_factors(later_flags)
    view["risk"] = score_risk(factors)
    return view
