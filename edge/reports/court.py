"""The reports for court: an inspection's, however it ended, and a seizure's
with its bags and their chain of custody."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from edge.reports.custody import custody_section
from edge.reports.document import FONT_DIR, Document, PhotoPath, local_day, money, number
from edge.reports.sections import (
    CALIBRATION_DUE_MARK,
    checklist_section,
    duty_section,
    evidence_sections,
    findings_section,
    inspection_fields,
    inspection_section,
    officers,
    photos_section,
    seizures_section,
    weights_section,
    what_the_lane_found,
)
from edge.reports.seizure_cen import cen_section


def _title(record: str, plate: str | None, at: str, lane: dict[str, Any]) -> str:
    """What a reader looks for first: the vehicle's plate and the day (``Inspection of
    AB12CDE, 29 Nov 2026``); the record's id follows in the fields below."""
    return f"{record} {plate}, {local_day(at, lane)}" if plate else f"{record} a vehicle, {local_day(at, lane)}"


def _item_weight(item: dict[str, Any]) -> str | None:
    """The item's weight, and for one weighed on the bench scale which scale and its standing then;
    a weight typed by hand says so."""
    if item.get("weight_kg") is None:
        return None
    weighed = item.get("weighed")
    if weighed is None:
        return f"{number(item['weight_kg'])} (typed)"
    standing = CALIBRATION_DUE_MARK if weighed["calibration_due"] else "in calibration"
    return f"{number(item['weight_kg'])} on {weighed['device_id']} ({standing})"


def inspection_report(*, lane: dict[str, Any], inspection: dict[str, Any], seizures: Sequence[dict[str, Any]],
                      events: Sequence[dict[str, Any]], chain: dict[str, Any], generated_at: str,
                      photo_path: PhotoPath, font_dir: Path | None = FONT_DIR) -> bytes:
    """The inspection report: the record of every inspection, however it ended (released,
    referred, seized or still open) — what was read, weighed, swabbed, found and ticked,
    the outcome, and every event it rests on with its hash and the chain's verification."""
    title = _title("Inspection of", inspection["plate"], inspection["started_at"], lane)
    doc = Document(title, lane, generated_at, font_dir)
    doc.fields([*inspection_fields(doc, inspection), ("Officers", officers(events))])
    what_the_lane_found(doc, inspection)
    weights_section(doc, inspection["weights"])
    findings_section(doc, inspection["findings"])
    photos_section(doc, inspection, photo_path)
    checklist_section(doc, inspection["checklist"])
    duty_section(doc, inspection["duty"])
    seizures_section(doc, inspection["seizures"], seizures)
    evidence_sections(doc, events, chain, "this inspection" + (" and its seizures" if inspection["seizures"] else ""))
    return doc.to_bytes()

def seizure_report(*, lane: dict[str, Any], seizure: dict[str, Any], inspection: dict[str, Any] | None,
                   events: Sequence[dict[str, Any]], chain: dict[str, Any], generated_at: str,
                   photo_path: PhotoPath, font_dir: Path | None = FONT_DIR) -> bytes:
    """The seizure report: what was seized, from whom, who held each bag when,
    and every event it rests on with its hash and the chain's verification."""
    doc = Document(_title("Seizure from", (inspection or {}).get("plate"),
                          seizure["created_at"], lane), lane, generated_at, font_dir)
    doc.fields([("Seizure", seizure["id"]), ("Legal basis", seizure["legal_basis"]),
                ("Recorded", f"{doc.when(seizure['created_at'])} by {seizure['created_by']}"),
                ("Officers", officers(events))])
    inspection_section(doc, inspection)

    doc.heading("Seized items")
    doc.grid(("#", "description", "HS code", "quantity", "weight kg", "value"),
             [(i, item["description"], item["hs_code"], f"{number(item['quantity'])} {item['unit']}",
               _item_weight(item), money(item["value"], item["currency"]))
              for i, item in enumerate(seizure["items"], start=1)], (8, 66, 18, 24, 38, 32), right=(5,))

    cen_section(doc, seizure.get("cen") or {})
    custody_section(doc, seizure["bags"])
    photos_section(doc, inspection, photo_path)
    evidence_sections(doc, events, chain, "this inspection and seizure")
    return doc.to_bytes()
