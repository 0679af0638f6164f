"""A seizure with its bags and their custody, folded from its own events.

Like the inspection view, it is only a reading of the log: every line of a
bag's custody names the event (id and hash) that recorded it, and a bag lists
the custody alarms its receipts raised (weight beyond what the scales explain,
a broken or another seal), each with the step that raised it.
"""

from __future__ import annotations

from typing import Any

from common.custody import bag_state, custody_entry, history_of
from common.personal_data import unreadable_to_none
from edge.inspections.view import acted_at, event_summary
from edge.seizures.cen import SECTIONS


def seizure_view(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The SEIZURE of docs/officer-api.md, or None without a ``seizure.created``."""
    created = next((e for e in events if e["type"] == "seizure.created"), None)
    if created is None:
        return None
    payload = created["payload"]
    bags: dict[str, dict[str, Any]] = {}
    for event in events:
        if event["type"] == "seizure.bag_added":
            bag = event["payload"]
            bags[bag["bag_id"]] = {"bag_id": bag["bag_id"], "parent_bag_id": bag.get("parent_bag_id"),
                                   "description": bag["description"],
                                   "items": bag["items"], "created_at": event["ts"],
                                   "created_acted_at": acted_at(event), "created_by": event["actor"],
                                   "event_id": event["id"], "custody": [], "state": bag_state([]), "alarms": []}
        elif event["type"] == "seizure.custody" and event["payload"]["bag_id"] in bags:
            bag = bags[event["payload"]["bag_id"]]
            step = custody_entry(event)
            bag["custody"].append(step)
            bag["alarms"] += [{**alarm, "action": step["action"], "at": step["at"], "event_id": step["event_id"]}
                              for alarm in step["alarms"]]
            bag["state"] = bag_state(history_of(bag["custody"]))
    return {"id": payload["seizure_id"], "inspection_id": payload["inspection_id"],
            "legal_basis": payload["legal_basis"], "items": payload["items"],
            "cen": unreadable_to_none({name: payload[name] for name in SECTIONS if name in payload})[0],
            "created_at": created["ts"], "created_acted_at": acted_at(created), "created_by": created["actor"],
            "bags": list(bags.values()), "events": [event_summary(e) for e in events]}


def under_parents(bags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bags in order, each sample's sub-bag right after its parent (and its own samples')."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    known = {bag["bag_id"] for bag in bags}
    for bag in bags:
        parent = bag.get("parent_bag_id")
        children.setdefault(parent if parent in known else None, []).append(bag)

    def walk(parent: str | None) -> list[dict[str, Any]]:
        return [x for bag in children.get(parent, []) for x in (bag, *walk(bag["bag_id"]))]
    return walk(None)
