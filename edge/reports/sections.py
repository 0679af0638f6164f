"""The sections the inspection and seizure reports share: the vehicle, what
the lane's devices read, weights, findings, photos, checklist, duty,
seizures, and the evidence (every event with its hash, and the chain)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.erasure import erasure_words
from edge.reports.document import Document, PhotoPath, money, number

#: how a reading taken from a device out of calibration is marked wherever it is shown
CALIBRATION_DUE_MARK = "CALIBRATION DUE when read"

def _calibration_mark(entry: dict[str, Any]) -> str:
    """The standing of the reading's device when it was read, as the reports print it."""
    return CALIBRATION_DUE_MARK if entry["calibration_due"] else "in calibration"

def officers(events: Sequence[dict[str, Any]]) -> str:
    """Everyone who recorded one of the events, so a court knows whom to call."""
    return ", ".join(sorted({e["actor"] for e in events if e["actor"]}))

def _outcome_text(inspection: dict[str, Any]) -> str:
    """The outcome with the officer's reason; an open inspection says so rather than print a blank."""
    if inspection["outcome"] is None:
        return "none yet: the inspection is open"
    reason = inspection["outcome_reason"]
    return inspection["outcome"] + (f" (reason: {reason})" if reason else "")

def _risk_text(risk: dict[str, Any]) -> str:
    """The score, its level and the reasons for it; a score with no reasons is printed bare."""
    reasons = "; ".join(risk["reasons"])
    return f"{risk['score']} ({risk['level']})" + (f": {reasons}" if reasons else "")

def inspection_fields(doc: Document, inspection: dict[str, Any]) -> list[tuple[str, Any]]:
    """Who inspected which vehicle when, how it ended and how risky it was judged."""
    return [
        ("Inspection", inspection["id"]), ("Plate", inspection["plate"]),
        ("Containers", ", ".join(inspection["containers"]) or None),
        ("Declaration", inspection["declaration_ref"]), ("Type", inspection["inspection_type"]),
        ("Started", f"{doc.when(inspection['started_at'])} by {inspection['started_by']}"),
        ("Closed", inspection["closed_at"] and f"{doc.when(inspection['closed_at'])} by {inspection['closed_by']}"),
        ("Outcome", _outcome_text(inspection)),
        ("Risk", _risk_text(inspection["risk"])),
        ("Reference data", inspection["reference_version"]),
    ]

def inspection_section(doc: Document, inspection: dict[str, Any] | None) -> None:
    """The inspection a seizure came from, told as the inspection report tells it."""
    doc.heading("Inspection")
    if inspection is None:
        doc.paragraph("The inspection's events are not in this lane's store.")
        return
    doc.fields(inspection_fields(doc, inspection))
    what_the_lane_found(doc, inspection)

def what_the_lane_found(doc: Document, inspection: dict[str, Any]) -> None:
    """Flags, the travel document and every device reading: the parts both reports print alike."""
    if inspection["flags"]:
        doc.grid(("flag", "what was found"), [(f["code"], f["message"]) for f in inspection["flags"]], (40, 146))
    _document_section(doc, inspection["document"], inspection.get("erasure"))
    _readings_section(doc, inspection)

def _holder(mrz: dict[str, Any]) -> str:
    return ", ".join(part for part in (mrz.get("surname"), mrz.get("given_names")) if part) or "-"

def _document_section(doc: Document, entry: dict[str, Any] | None, erasure: dict[str, Any] | None) -> None:
    """The passport (or ID card) read from the machine-readable zone, with what the lane
    made of it then: check digits, expiry and the watchlist. Once the case's personal data
    was erased, the holder's fields say so and when; what the lane judged stays."""
    doc.heading("Travel document read")
    if entry is None:
        doc.paragraph("No travel document was read.")
        return
    if entry.get("erased"):
        doc.paragraph("The holder's personal data (name, document number, date of birth, nationality, sex and "
                      f"the raw frame) was {erasure_words(erasure) if erasure else 'erased'}. The events still "
                      "hold it encrypted, so the hash chain below verifies; its key no longer exists.")
    mrz = entry["data"].get("mrz") or {}
    assessment = entry.get("assessment") or {}
    failed = [name for name, passed in (mrz.get("checks") or {}).items() if not passed]
    hits = assessment.get("watchlist_hits") or []
    doc.fields([
        ("Holder", _holder(mrz)),
        ("Document", (f"{mrz.get('document_number') or '-'} ({mrz.get('format') or '-'}), "
                      f"nationality {mrz.get('nationality') or '-'}")),
        ("Born, sex", f"{mrz.get('birth_date') or '-'}, {mrz.get('sex') or '-'}"),
        ("Expires", f"{mrz.get('expiry_date') or '-'}" + (", EXPIRED when read" if assessment.get("expired") else "")),
        ("Check digits", "valid" if mrz.get("valid") else "INVALID" + (f": {', '.join(failed)}" if failed else "")),
        ("Watchlist", "; ".join(f"{h['severity']}: {h['reason']}" for h in hits) if hits else "no hit"),
        ("Read", (f"{doc.when(entry['reading_ts'])} on {entry['device_id']} ({_calibration_mark(entry)}), "
                  f"attached {doc.when(entry['at'])} by {entry['by']}")),
    ])

def _reading_text(kind: str, data: dict[str, Any]) -> str:
    """One attached reading in words, as the officer saw it on the tile."""
    if kind == "scale":
        return f"{number(data.get('weight'))} {data.get('unit')}" + (" stable" if data.get("stable") else " moving")
    if kind == "trace":
        found = ", ".join(f"{s['name']} ({s['amplitude']})" for s in data.get("substances", []))
        return f"{data.get('result')}" + (f": {found}" if found else "") + f", sample {data.get('sample_id') or '-'}"
    mrz = data.get("mrz") or {}
    if mrz.get("document_number") is None and mrz.get("format"):
        return f"document (personal data erased), check digits {'valid' if mrz.get('valid') else 'INVALID'}"
    return (f"document {mrz.get('document_number')} ({mrz.get('nationality')}), "
            f"check digits {'valid' if mrz.get('valid') else 'INVALID'}")

def _readings_section(doc: Document, inspection: dict[str, Any]) -> None:
    """Every device reading attached to the inspection, each with the device's
    calibration standing when it was read (docs/architecture.md, decision 5)."""
    entries = [("scale", w) for w in inspection["weights"]] + [("trace", t) for t in inspection["traces"]]
    if inspection["document"]:
        entries.append(("document", inspection["document"]))
    doc.heading("Device readings attached")
    if not entries:
        doc.paragraph("No device readings were attached.")
        return
    entries.sort(key=lambda entry: entry[1]["at"])
    doc.grid(("attached", "by", "device", "reading", "read at", "calibration"),
             [(doc.when(e["at"]), e["by"], e["device_id"], _reading_text(kind, e["data"]), doc.when(e["reading_ts"]),
               _calibration_mark(e)) for kind, e in entries],
             (39, 14, 18, 34, 39, 42))  # wide enough for a timestamp, and the mark, on one line
    if any(e["calibration_due"] for _, e in entries):
        doc.paragraph(f"{CALIBRATION_DUE_MARK}: the device's calibration was overdue or had failed when the "
                      "reading was taken; the reading is kept as read, and marked.")

def _weight_verdict(assessment: dict[str, Any]) -> str:
    """What the lane told the officer about the weight: within tolerance, a discrepancy, or why it could not say."""
    if any(f["code"] == "weight_discrepancy" for f in assessment.get("flags", [])):
        return "DISCREPANCY"
    if assessment.get("difference_pct") is not None:
        return "within tolerance"
    return assessment.get("note") or "not compared"

def weights_section(doc: Document, weights: Sequence[dict[str, Any]]) -> None:
    """Each stable weight against the declared gross weight, as judged when it was attached."""
    if not weights:
        return
    doc.heading("Weights against the declaration")
    rows = []
    for entry in weights:
        a = entry.get("assessment") or {}
        pct, tolerance = a.get("difference_pct"), a.get("tolerance_pct")
        rows.append((doc.when(entry["at"]), entry["device_id"], number(a.get("measured_kg")),
                     number(a.get("declared_kg")),
                     None if pct is None else f"{pct:+g} %", None if tolerance is None else f"{tolerance:g} %",
                     _weight_verdict(a)))
    doc.grid(("attached", "device", "weighed kg", "declared kg", "difference", "tolerance", "result"),
             rows, (40, 18, 22, 22, 22, 18, 44), right=(2, 3, 4, 5))

def findings_section(doc: Document, findings: Sequence[dict[str, Any]]) -> None:
    """Each finding's note in full (a note may run to pages, so it is a paragraph, not a table cell)."""
    doc.heading("Findings")
    if not findings:
        doc.paragraph("No findings were recorded.")
        return
    for finding in findings:
        photos = len(finding["photos"])
        doc.subheading(f"{finding['category']}: {doc.when(finding['at'])} by {finding['by']}"
                       + (f", {photos} photo{'s' if photos != 1 else ''}" if photos else ""))
        doc.paragraph(finding["note"])

def photos_section(doc: Document, inspection: dict[str, Any] | None, photo_path: PhotoPath) -> None:
    """Every finding's photo, printed small beside the SHA-256 that names its file."""
    rows = [(photo, f"finding: {finding['category']}", f"{doc.when(finding['at'])} by {finding['by']}")
            for finding in (inspection or {}).get("findings", []) for photo in finding["photos"]]
    doc.heading("Photos (named by their SHA-256)")
    if not rows:
        doc.paragraph("No photos were attached to findings.")
        return
    doc.photo_grid(rows, photo_path)

def checklist_section(doc: Document, checklist: dict[str, Any]) -> None:
    """Every item of the checklist, ticked or not, by whom and when; notes follow as
    paragraphs because one may be longer than a table row can hold on a page."""
    doc.heading("Checklist")
    if not checklist["items"]:
        doc.paragraph("No checklist for this inspection type.")
        return
    done = checklist["done"]
    doc.grid(("item", "done", "by", "when"),
             [(item, "yes" if done.get(item, {}).get("checked") else "NO", done.get(item, {}).get("by"),
               doc.when(done.get(item, {}).get("at"))) for item in checklist["items"]], (110, 12, 22, 42))
    for item in checklist["items"]:
        if done.get(item, {}).get("note"):
            doc.paragraph(f"Note on \"{item}\" ({done[item]['by']}): {done[item]['note']}")

def duty_section(doc: Document, duty: Sequence[dict[str, Any]]) -> None:
    """Each duty assessment in the local currency; its receipt gives every line of the sum."""
    doc.heading("Duty assessed")
    if not duty:
        doc.paragraph("No duty was assessed.")
        return
    doc.grid(("assessed", "by", "HS code", "customs value", "duty", "VAT", "total"),
             [(doc.when(d["at"]), d["by"], d["hs_code"], *(money(d[k], d["local_currency"])
                                                 for k in ("customs_value_local", "duty", "vat", "total")))
              for d in duty], (40, 16, 20, 30, 26, 26, 28), right=(3, 4, 5, 6))

def seizures_section(doc: Document, seizure_ids: Sequence[str], seizures: Sequence[dict[str, Any]]) -> None:
    """The seizures made from the inspection and their evidence bags; the items and each
    bag's custody are in the seizure's own report."""
    doc.heading("Seizures")
    if not seizure_ids:
        doc.paragraph("Nothing was seized.")
        return
    by_id = {s["id"]: s for s in seizures}
    for seizure_id in seizure_ids:
        seizure = by_id.get(seizure_id)
        if seizure is None:
            doc.subheading(f"Seizure {seizure_id}: its events are not in this lane's store.")
            continue
        doc.subheading(f"Seizure {seizure_id}: {len(seizure['items'])} item(s), recorded "
                       f"{doc.when(seizure['created_at'])} by {seizure['created_by']}; "
                       f"legal basis {seizure['legal_basis']}")
        if seizure["bags"]:
            doc.grid(("bag", "what", "state"), [(b["bag_id"], b["description"], b["state"]) for b in seizure["bags"]],
                     (30, 126, 30), mono=(0,))
        else:
            doc.paragraph("No evidence bags were recorded.")
    doc.paragraph("Each seizure's report gives its items and every bag's chain of custody.")

def evidence_sections(doc: Document, events: Sequence[dict[str, Any]], chain: dict[str, Any], of: str) -> None:
    """Every event the report rests on with its hash, then whether the whole chain verified:
    what lets a paper copy be checked against the lane's store years later."""
    doc.heading(f"Evidence: the {len(events)} events of {of}")
    doc.event_table(events)
    doc.heading("Hash chain")
    doc.chain_result(chain)
