"""A bag's chain of custody on paper: who held it when, who witnessed, what it weighed and
whether its seal held — and, in capitals, every custody alarm a receipt raised.

The table is the timeline; under it each step's evidence in a sentence a
lawyer reads without the API: "Sealed by olga, witnessed by sue; gross 5 kg
on bench-1 (in calibration, may err by 0.02 kg)."
"""

from __future__ import annotations

from typing import Any

from edge.reports.document import Document, number
from edge.reports.sections import CALIBRATION_DUE_MARK
from edge.seizures.view import under_parents


def custody_section(doc: Document, bags: list[dict[str, Any]]) -> None:
    """Each bag: who bagged it, its custody timeline, then what each step found."""
    doc.heading("Evidence bags and chain of custody")
    if not bags:
        doc.paragraph("No bags were recorded.")
    for bag in under_parents(bags):
        sample_of = f"sample of {bag['parent_bag_id']}, " if bag.get("parent_bag_id") else ""
        doc.subheading(f"{bag['bag_id']}: {sample_of}{bag['description']} (items "
                       f"{', '.join(str(i + 1) for i in bag['items'])}), now {bag['state']}")
        doc.paragraph(f"Bagged {doc.when(bag['created_at'])} by {bag['created_by']}; event {bag['event_id']}")
        if not bag["custody"]:
            continue
        doc.grid(("time", "action", "by", "witness", "to / location", "seal", "confirmed", "event hash"),
                 [(doc.when(step["at"]), step["action"], step["by"], (step.get("witness") or {}).get("username"),
                   " / ".join(x for x in (step["to"], step["location"]) if x) or None, step["seal_number"],
                   step["confirmation"], step["hash"][:16] + "...") for step in bag["custody"]],
                 (36, 20, 16, 16, 32, 18, 16, 32), mono=(7,))
        for step in bag["custody"]:
            doc.paragraph(step_evidence(doc, step))
        if bag.get("alarms"):
            doc.paragraph(f"{len(bag['alarms'])} CUSTODY ALARM(S) on this bag: see the steps above.")


def step_evidence(doc: Document, step: dict[str, Any]) -> str:
    """One step's witness, weight, weight check and seal check, in a sentence or two."""
    parts = [f"{doc.when(step['at'])} {step['action'].replace('_', ' ')} by {step['by']}"
             + (f", witnessed by {step['witness']['username']} ({step['witness']['role']})" if step.get("witness")
                else "")]
    if step.get("seal_intact") is not None:
        seal = "seal intact" if step["seal_intact"] else "SEAL BROKEN"
        parts.append(f"{seal}{', it reads ' + step['seal_number'] if step.get('seal_number') else ''}")
    parts += [_weight(step), _sample(step), _laboratory(step)]
    if step.get("photos"):
        parts.append(f"{len(step['photos'])} photo(s): " + ", ".join(p[:16] + "..." for p in step["photos"]))
    text = "; ".join(p for p in parts if p) + "."
    return " ".join([text, *(f"CUSTODY ALARM: {alarm['message']}." for alarm in step.get("alarms", []))])


def _laboratory(step: dict[str, Any]) -> str | None:
    if step["action"] == "submitted_to_lab":
        return f"submitted to {step['lab']}, their reference {step['lab_reference']}"
    if step["action"] == "returned_from_lab":
        kept = "the sample was used up" if step["consumed"] else "the sample came back"
        return f"returned from the laboratory, result {step['result_reference']}; {kept}"
    return None


def _sample(step: dict[str, Any]) -> str | None:
    """A sampling: into which sub-bag, and the parent's weight against its weight before less the sample."""
    if not step.get("sample_bag_id"):
        return None
    said = f"sample taken into {step['sample_bag_id']}, the bag resealed with seal {step['seal_number']}"
    check = step.get("sample_check")
    if check is None:
        return f"{said}; the weights were not all taken, so the sampling is not judged by weight"
    figures = (f"{number(check['before_kg'])} kg before less the sample's {number(check['sample_kg'])} kg "
               f"makes {number(check['expected_kg'])} kg")
    if check["ok"] is None:
        return f"{said}; {figures}: NOT JUDGED, a scale's accuracy is unknown"
    verdict = "matches" if check["ok"] else "DIFFERS FROM"
    return (f"{said}; the bag now {verdict} {figures} (difference {number(check['difference_kg'])} kg, limit "
            f"{number(check['limit_kg'])} kg for the three weighings)")


def _weight(step: dict[str, Any]) -> str | None:
    weighed = step.get("weighed")
    if weighed is None:
        if step.get("weight_not_taken"):
            return f"the weight was not taken ({step['weight_not_taken']})"
        return "not reweighed" if step["action"] == "received" else None
    standing = CALIBRATION_DUE_MARK if weighed["calibration_due"] else "in calibration"
    limit = f", may err by {weighed['mpe_kg']} kg" if weighed.get("mpe_kg") else ", its accuracy class not on record"
    said = f"gross {number(weighed['weight_kg'])} kg on {weighed['device_id']} ({standing}{limit})"
    check = step.get("weight_check")
    if check is None:
        return said
    if check["ok"] is None:
        return f"{said}; against the sealed {number(check['sealed_kg'])} kg: NOT JUDGED, a scale's accuracy is unknown"
    verdict = "matches" if check["ok"] else "DIFFERS FROM"
    return (f"{said}; {verdict} the sealed weight {number(check['sealed_kg'])} kg (difference "
            f"{number(check['difference_kg'])} kg, limit {number(check['limit_kg'])} kg)")
