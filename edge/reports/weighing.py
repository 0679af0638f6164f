"""The weighbridge ticket: both passes (or a pass and a stored tare), gross,
tare and net, the weighbridge's data, and the scale's calibration standing
at each pass, with the events that recorded them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edge.calibration.status import describe
from edge.reports.document import FONT_DIR, Document, number


def _standing(entry: dict[str, Any]) -> str:
    words = describe(entry["calibration"])
    return f"{words.upper()} at this pass" if entry["calibration_due"] else words


def weighing_ticket(*, lane: dict[str, Any], view: dict[str, Any], events: list[dict[str, Any]],
                    chain: dict[str, Any], generated_at: str, font_dir: Path | None = FONT_DIR) -> bytes:
    """The ticket of one transaction (``view`` from :func:`edge.weighing.view.transaction_view`)."""
    scale, result = view["scale"], view["result"]
    unit = scale["unit"]
    doc = Document("Weighbridge ticket", lane, generated_at, font_dir)
    doc.fields([("Ticket", view["id"]), ("Plate", view["plate"]), ("Inspection", view["inspection_id"] or "-"),
                ("Status", "complete" if result else "open: waiting for the second weighing"),
                ("Weighbridge", f"Max {scale['max']} {unit}, e = {scale['e']} {unit}, class {scale['accuracy_class']}, "
                                f"Min {scale['min']} {unit} (calibration record {scale['calibration_id']})")])
    if result:
        doc.heading("Result")
        doc.grid(("", f"weight ({unit})"), [("Gross", number(result["gross"])), ("Tare", number(result["tare"])),
                                            ("Net", number(result["net"]))], (60, 40), right=(1,))
    if view["calibration_due"]:
        doc.paragraph("CALIBRATION DUE: the weighbridge's calibration was overdue or had failed at a pass "
                      "of this ticket.")
    doc.heading("Weighings")
    passes = [(f"pass {n}", p) for n, p in enumerate(view["passes"], 1)]
    if view["stored_tare"]:
        passes.append(("stored tare", view["stored_tare"]))
    doc.grid(("", f"weight ({unit})", "weighed at", "by", "device", "calibration standing", "scale's line"),
             [(name, number(p["weight"]), doc.when(p["at"]), p["by"], p["device_id"], _standing(p), p["raw"].strip())
              for name, p in passes], (18, 20, 41, 14, 18, 42, 33), mono=(6,), right=(1,))
    assessment = view.get("assessment")
    if assessment:
        flags = "; ".join(f["message"] for f in assessment["flags"]) or "within tolerance"
        doc.heading("Against the declaration")
        doc.paragraph(assessment.get("note") or f"Net {assessment['measured_kg']:g} kg, declared "
                                                f"{assessment['declared_kg']:g} kg: {flags}.")
    doc.heading("Evidence")
    doc.event_table(events)
    doc.chain_result(chain)
    return doc.to_bytes()
