"""The calibration certificate of a scale (OIML R 76-1) and the record of a
device check: every reading with its error and limit, every verdict.

A scale's certificate states how the indication before rounding was read
(changeover points or an extended display) and, by changeover, the small
weights added at each point with what the scale showed after each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edge.reports.document import FONT_DIR, Document


def _verdict(passed: bool | None) -> str:
    return "PASS" if passed else ("not complete" if passed is None else "FAIL")

#: what a record made before the reading method was chosen was judged on
DISPLAYED = "the indication as displayed (recorded before the reading method was stated)"


def _scale_sections(doc: Document, record: dict[str, Any]) -> None:
    ins = record["instrument"]
    unit = ins["unit"]
    doc.heading("Instrument")
    doc.fields([("Max", f"{ins['max']} {unit}"), ("Verification interval e", f"{ins['e']} {unit}"),
                ("Accuracy class", ins["accuracy_class"]), ("n = Max / e", ins["n"]), ("Min", f"{ins['min']} {unit}"),
                ("Limits", "in service (twice the initial MPE)" if record["in_service"]
                 else "initial verification (OIML R 76-1 table 6)")])
    method = record.get("method")
    doc.heading("Method")
    doc.fields([("Indication read by", method["description"] if method else DISPLAYED),
                ("Errors", "E = P - L, P the indication before rounding; corrected for the zero error: "
                           "Ec = E - E0, compared with the MPE"),
                ("Zero error E0", f"{record['e0']} {unit}" if record.get("e0") is not None else "-")])
    doc.heading("Reference weights")
    doc.grid(("id", "nominal", "certificate", "certificate date"),
             [(w["id"], f"{w['nominal']} {unit}", w["certificate"], w["certificate_date"]) for w in record["weights"]],
             (50, 40, 60, 36))
    adjustment = record.get("adjustment")
    doc.heading("Adjustment before the tests")
    doc.paragraph("None was run." if not adjustment else
                  f"{_verdict(adjustment['passed'])}: {adjustment['detail']} "
                  f"({doc.when(adjustment['at'])} by {adjustment['by']})")
    for step in record["steps"]:
        extra = f", spread {step['spread']} {unit} (limit {step['spread_limit']})" if "spread" in step else ""
        doc.heading(f"{step['step'].capitalize()}: {_verdict(step['passed'])}{extra}")
        doc.grid(("load L", "shown I", "dL", "P", "E", "Ec", "MPE", "result", "read at", "scale's line"),
                 [(p["load"], p["indication"], p.get("added") or "", p.get("before_rounding") or p["indication"],
                   p["error"], p.get("corrected") or p["error"], p["mpe"], _verdict(p["passed"]),
                   p["reading"] and doc.when(p["reading"]["ts"]), p["reading"] and p["reading"]["raw"].strip())
                  for p in step["points"]], (16, 16, 10, 16, 12, 12, 13, 13, 42, 36), mono=(9,),
                 right=tuple(range(7)))
        _small_weights(doc, step["points"], unit)


def _small_weights(doc: Document, points: list[dict[str, Any]], unit: str) -> None:
    """By changeover: each small weight added at each point, and what the scale then showed."""
    rows = [(p["load"], f"+{w['added']}", w["indication"], doc.when(w["reading"]["ts"]), w["reading"]["raw"].strip())
            for p in points for w in p.get("small_weights") or ()]
    if rows:
        doc.subheading(f"Small weights added (in {unit}) and the indication after each")
        doc.grid(("load L", "added", "shown", "read at", "scale's line"), rows, (24, 20, 24, 60, 58),
                 mono=(4,), right=(0, 1, 2))

def _check_sections(doc: Document, record: dict[str, Any]) -> None:
    doc.heading("Check")
    doc.fields([(name.replace("_", " ").capitalize(), value) for name, value in record["params"].items()])
    doc.grid(("step", "what was asked", "result", "what the device reported", "reading at"),
             [(s["name"], s["prompt"], _verdict(s["passed"]), s["detail"],
               s["reading"] and doc.when(s["reading"]["ts"]))
              for s in record["steps"]], (16, 66, 16, 50, 38))


def calibration_certificate(*, lane: dict[str, Any], event: dict[str, Any], chain: dict[str, Any],
                            generated_at: str, font_dir: Path | None = FONT_DIR) -> bytes:
    """The certificate of one ``calibration.recorded`` event: the instrument,
    the reference weights, every reading with its error and limit, each
    step's verdict and the whole's — or, for a device check, each step."""
    payload = event["payload"]
    record = payload["record"]
    scale = payload["kind"] == "scale-r76"
    doc = Document("Calibration certificate" if scale else "Device check record", lane, generated_at, font_dir)
    doc.fields([("Device", payload["device_id"]), ("Kind", payload["kind"]),
                ("Result", _verdict(payload["passed"])),
                ("Started", f"{doc.when(record['started_at'])} by {record['started_by']}"),
                ("Recorded", f"{doc.when(event['ts'])} by {event['actor']}"),
                ("Valid until",
                 doc.when(payload.get("due_at")) or "the device's calibration interval from the recording")])
    (_scale_sections if scale else _check_sections)(doc, record)
    doc.heading("Evidence")
    doc.event_table([event])
    doc.chain_result(chain)
    return doc.to_bytes()
