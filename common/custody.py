"""Evidence bags and their chain of custody — pure rules.

A bag's id is derived from the id of the event that created it, so the
tablet can print the label (a QR code of the bag id) while offline and the
lane will agree with it. Custody is a sequence of hand-overs that must make
sense to a court: it starts with sealing the bag and ends, for good, when
the goods are released or destroyed.
"""

from __future__ import annotations

from typing import Any

from common.clock import differing_claim

ACTIONS = ("sealed", "handed_over", "received", "stored", "released", "destroyed")
FIRST = "sealed"
FINAL = ("released", "destroyed")
NOT_SEALED = "unsealed"


def bag_id_for(event_id: str) -> str:
    """``"BAG-"`` and the first 8 hex digits of the creating event's id, upper case."""
    return "BAG-" + event_id.replace("-", "")[:8].upper()


def custody_refusal(history: list[str], action: str) -> str | None:
    """Why ``action`` cannot follow the bag's ``history`` of actions, or None."""
    if not history and action != FIRST:
        return f"a bag's custody starts with {FIRST}; this bag is not sealed yet"
    if history and history[-1] in FINAL:
        return f"the bag was {history[-1]}: its custody has ended"
    return None


def bag_state(history: list[str]) -> str:
    """The bag's last custody action, or ``unsealed`` before the first."""
    return history[-1] if history else NOT_SEALED


def custody_entry(event: dict[str, Any]) -> dict[str, Any]:
    """One step of a bag's custody as listed in the SEIZURE view and the report."""
    payload = event["payload"]
    return {"action": payload["action"], "by": event["actor"], "at": event["ts"],
            "acted_at": differing_claim(event["ts"], payload.get("acted_at")), "to": payload.get("to"),
            "location": payload.get("location"), "seal_number": payload.get("seal_number"),
            "confirmation": payload["confirmation"], "event_id": event["id"], "hash": event["hash"]}
