"""Evidence bags and their chain of custody — pure rules.

A bag's id is derived from the id of the event that created it, so the
tablet can print the label (a QR code of the bag id) while offline and the
lane will agree with it. Custody is a sequence of hand-overs that must make
sense to a court: it starts with sealing the bag and ends, for good, when
the goods are released or destroyed.

As evidence handlers practise it (docs/evidence.md): sealing, release and
destruction are countersigned by a **witness**, a second officer who is not
the one acting; the sealed bag is weighed, and weighed again and its seal
read at every receipt. A receipt that finds the bag lighter or heavier than
the scales can explain, a broken seal or another seal number is still
recorded — evidence is never refused for being bad news — and carries a
**custody alarm**.

Sampling: a sample is taken from a bag into a **sub-bag** of its own (its
own id, label, seal, sealed weight and witness, like any bag). The parent's
custody records the step ``sampled`` — it was opened before a witness, the
sample taken, the parent sealed again with a new seal and reweighed — and
the sub-bag goes to a laboratory (``submitted_to_lab``) and comes back from
it (``returned_from_lab``), unless the analysis used it up: a sample
returned *consumed* has ended its custody as a destroyed bag has.
"""

from __future__ import annotations

from typing import Any

from common.clock import differing_claim
from common.roles import RECORD_WRITERS

SAMPLED, AT_LAB, BACK_FROM_LAB = "sampled", "submitted_to_lab", "returned_from_lab"
ACTIONS = ("sealed", "handed_over", "received", "stored", "released", "destroyed", SAMPLED, AT_LAB, BACK_FROM_LAB)
FIRST = "sealed"
CONSUMED = "consumed"
"""A return from the laboratory that used the sample up: the state its custody ends in."""
FINAL = ("released", "destroyed", CONSUMED)
NOT_SEALED = "unsealed"
WITNESSED = ("sealed", "released", "destroyed", SAMPLED)
"""The steps a second officer must countersign: the goods are shut away, given back, destroyed, or
a sealed bag is opened to take a sample."""
SEALING = ("sealed", SAMPLED)
"""The steps that put a seal on the bag (sampling reseals the parent) and weigh what it then holds."""
WITNESS_ROLES = RECORD_WRITERS
"""Who may witness: those who may record custody themselves."""
#: the custody alarms a step may carry (``alarms: [{"code", "message"}]``)
WEIGHT_DIFFERS, SEAL_BROKEN, SEAL_NUMBER_DIFFERS = "weight_differs", "seal_broken", "seal_number_differs"


def bag_id_for(event_id: str) -> str:
    """``"BAG-"`` and the first 8 hex digits of the creating event's id, upper case."""
    return "BAG-" + event_id.replace("-", "")[:8].upper()


def history_of(custody: list[dict[str, Any]]) -> list[str]:
    """The bag's custody as the states it went through: its actions, a return from the laboratory
    that used the sample up being ``consumed``."""
    return [CONSUMED if step["action"] == BACK_FROM_LAB and step.get("consumed") else step["action"]
            for step in custody]


def custody_refusal(history: list[str], action: str, sample: bool = False) -> str | None:
    """Why ``action`` cannot follow the bag's ``history`` (:func:`history_of`), or None; ``sample``:
    the bag is a sub-bag holding a sample. Only a sample goes to a laboratory, and while it is there
    nothing is recorded but its return; a sample is not sampled again."""
    last = history[-1] if history else None
    if last is None and action != FIRST:
        return f"a bag's custody starts with {FIRST}; this bag is not sealed yet"
    if last in FINAL:
        return f"the bag was {last.replace('_', ' ')}: its custody has ended"
    if action in (AT_LAB, BACK_FROM_LAB) and not sample:
        return "only a sample goes to a laboratory: take one into a sub-bag first"
    if action == SAMPLED and sample:
        return "a sample is not sampled again: take the sample from its parent bag"
    if last == AT_LAB and action != BACK_FROM_LAB:
        return "the sample is at the laboratory: record its return first"
    if action == BACK_FROM_LAB and last != AT_LAB:
        return "the sample was not submitted to a laboratory"
    return None



def witness_refusal(action: str, actor: str, witness: dict[str, str] | None) -> tuple[str, str] | None:
    """``(code, message)`` when ``witness`` (``{"username", "role"}`` of a live session, or None)
    cannot countersign ``action`` by ``actor``; None when it can, or none is needed."""
    if witness is None:
        if action in WITNESSED:
            return "witness_required", (f"a bag is {action} only before a witness: a second officer signs in "
                                        "on the tablet to countersign")
        return None
    if witness["role"] not in WITNESS_ROLES:
        return "witness_role", (f"{witness['username']} is a {witness['role']}: only an officer or a supervisor "
                                "witnesses")
    if witness["username"] == actor:
        return "witness_is_actor", f"{actor} cannot witness their own step: another officer must countersign"
    return None


def same_seal(a: str, b: str) -> bool:
    """Whether two seal numbers are the same seal, as read by eye: letters and digits, any case,
    spaces and dashes ignored (``GB 000123`` is ``gb-000123``)."""
    def key(text: str) -> str:
        return "".join(ch for ch in text.upper() if ch.isalnum())
    return key(a) == key(b)


def seal_alarms(sealed_with: str | None, intact: bool, read: str | None) -> list[dict[str, str]]:
    """The custody alarms of a receipt's seal check: a seal found broken, or a number read that is
    not the one the bag was sealed with."""
    alarms = []
    if not intact:
        alarms.append({"code": SEAL_BROKEN, "message": "the seal was found broken at receipt"})
    if read is not None and sealed_with is not None and not same_seal(read, sealed_with):
        alarms.append({"code": SEAL_NUMBER_DIFFERS,
                       "message": f"the seal reads {read}; the bag was sealed with {sealed_with}"})
    return alarms


def sealed_step(custody: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The bag's ``sealed`` step (its first) from its custody entries, or None."""
    return custody[0] if custody and custody[0]["action"] == FIRST else None


def last_sealing(custody: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The step whose seal the bag carries now: its sealing, or the last sampling that resealed it."""
    return next((step for step in reversed(custody) if step["action"] in SEALING), None)


def last_weighed(custody: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The bag's last step that weighed it: what it weighed before whatever comes next."""
    return next((step for step in reversed(custody) if step.get("weighed")), None)


def bag_state(history: list[str]) -> str:
    """The bag's last custody action, or ``unsealed`` before the first."""
    return history[-1] if history else NOT_SEALED


def custody_entry(event: dict[str, Any]) -> dict[str, Any]:
    """One step of a bag's custody as listed in the SEIZURE view and the report."""
    payload = event["payload"]
    return {"action": payload["action"], "by": event["actor"], "at": event["ts"],
            "acted_at": differing_claim(event["ts"], payload.get("acted_at")), "to": payload.get("to"),
            "location": payload.get("location"), "seal_number": payload.get("seal_number"),
            "witness": payload.get("witness"), "seal_intact": payload.get("seal_intact"),
            "weighed": payload.get("weighed"), "weight_not_taken": payload.get("weight_not_taken"),
            "weight_check": payload.get("weight_check"), "photos": payload.get("photos", []),
            "sample_bag_id": payload.get("sample_bag_id"), "sample_check": payload.get("sample_check"),
            "lab": payload.get("lab"), "lab_reference": payload.get("lab_reference"),
            "result_reference": payload.get("result_reference"), "consumed": payload.get("consumed"),
            "alarms": payload.get("alarms", []),
            "confirmation": payload["confirmation"], "event_id": event["id"], "hash": event["hash"]}
