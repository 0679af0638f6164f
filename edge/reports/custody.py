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


def custody_section(doc: Document, bags: list[dict[str, Any]]) -> None:
    """Each bag: who bagged it, its custody timeline, then what each step found."""
    doc.heading("Evidence bags and chain of custody")
    if not bags:
        doc.paragraph("No bags were recorded.")
    for bag in bags:
        doc.subheading(f"{bag['bag_id']}: {bag['description']} (items "
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
    parts.append(_weight(step))
    if step.get("photos"):
        parts.append(f"{len(step['photos'])} photo(s): " + ", ".join(p[:16] + "..." for p in step["photos"]))
    text = "; ".join(p for p in parts if p) + "."
    return " ".join([text, *(f"CUSTODY ALARM: {alarm['message']}." for alarm in step.get("alarms", []))])


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
