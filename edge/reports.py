"""Printable documents: the seizure report for court and the duty receipt.

A report is a reading of the event log that a person can check by hand:
every custody step and every event is listed with its hash, and the result
of verifying the whole chain is printed, so a copy on paper can be held
against the lane's store (``lanebox verify``) years later.

Names on a lorry's papers are not all Latin-1 (Łódź, İskenderun), so the
documents use the DejaVu fonts when the machine has them; without them
they fall back to the PDF core fonts with the text reduced to Latin-1
rather than fail. The functions are pure: data in, PDF bytes out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_UNICODE_FONTS = (("DejaVu", "", "DejaVuSans.ttf"), ("DejaVu", "B", "DejaVuSans-Bold.ttf"),
                  ("DejaVuMono", "", "DejaVuSansMono.ttf"))
_ASCII_FOR = {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
              "\u2026": "...", "\u2265": ">=", "\u2264": "<=", "\u2022": "*", "\u2192": "->",
              "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i"}
GREY = (110, 110, 110)


def latin1(text: str) -> str:
    """``text`` as the core fonts can print it: accents kept where Latin-1 has
    them, dropped where it has not (Ł → ?, ş → s), punctuation spelt out."""
    text = "".join(_ASCII_FOR.get(ch, ch) for ch in text)
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


class Document(FPDF):
    """A4, the title and lane on every page, page numbers and time below."""

    def __init__(self, title: str, lane: dict[str, Any], generated_at: str, font_dir: Path | None = FONT_DIR) -> None:
        super().__init__(format="A4")
        self.doc_title, self.generated_at = title, generated_at
        self.unicode = font_dir is not None and all((font_dir / file).is_file() for _, _, file in _UNICODE_FONTS)
        if self.unicode:
            for family, style, file in _UNICODE_FONTS:
                self.add_font(family, style, str(font_dir / file))
        self.sans, self.mono = ("DejaVu", "DejaVuMono") if self.unicode else ("Helvetica", "Courier")
        self.lane_line = self.t(f"Lane {lane['id']} - {lane['name']}")
        self.set_title(self.t(title))
        self.set_creator("lanebox")
        self.set_creation_date(datetime.fromisoformat(generated_at))
        self.set_auto_page_break(True, margin=18)
        self.set_margins(12, 12, 12)
        self.add_page()

    def t(self, value: Any) -> str:
        """Any value as printable text ("-" for nothing)."""
        text = "-" if value is None or value == "" else str(value)
        return text if self.unicode else latin1(text)

    def header(self) -> None:
        self.set_font(self.sans, "B", 14)
        self.cell(0, 7, self.t(self.doc_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.sans, "", 9)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.lane_line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(self.sans, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.t(f"Generated {self.generated_at} by lanebox from the lane's event log. "
                               f"Page {self.page_no()} of {{nb}}"), align="C")
        self.set_text_color(0)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(self.sans, "B", 11)
        self.cell(0, 7, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.sans, "", 9)

    def paragraph(self, text: str, mono: bool = False) -> None:
        self.set_font(self.mono if mono else self.sans, "", 8 if mono else 9)
        self.multi_cell(0, 4.5, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.sans, "", 9)

    def fields(self, pairs: Iterable[tuple[str, Any]]) -> None:
        """Label and value, one pair a line."""
        self.set_font(self.sans, "", 9)
        with self.table(col_widths=(45, 141), first_row_as_headings=False, borders_layout="NONE",
                        line_height=4.8, text_align="LEFT", padding=(0.6, 1)) as table:
            for label, value in pairs:
                row = table.row()
                row.cell(self.t(label), style=FontFace(emphasis="B"))
                row.cell(self.t(value))

    def grid(self, headings: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float],
             mono: Sequence[int] = (), right: Sequence[int] = ()) -> None:
        """A bordered table, its heading row repeated on each page; columns
        in ``mono`` are set in the monospaced font (hashes), ``right`` right-aligned (money)."""
        self.set_font(self.sans, "", 7.5)
        mono_face = FontFace(family=self.mono, size_pt=7)
        with self.table(col_widths=tuple(widths), line_height=4, text_align="LEFT", padding=(0.8, 1),
                        headings_style=FontFace(emphasis="B", fill_color=(232, 232, 232))) as table:
            table.row([self.t(h) for h in headings])
            for values in rows:
                row = table.row()
                for i, value in enumerate(values):
                    row.cell(self.t(value), style=mono_face if i in mono else None,
                             align="RIGHT" if i in right else None)
        self.set_font(self.sans, "", 9)
        self.ln(1)

    def event_table(self, events: Sequence[dict[str, Any]]) -> None:
        """Every event with its seq, type, time and actor, then its id and hash in full."""
        self.set_font(self.sans, "", 8)
        mono = FontFace(family=self.mono, size_pt=7)
        with self.table(col_widths=(14, 52, 62, 58), line_height=4, text_align="LEFT", padding=(0.6, 1),
                        headings_style=FontFace(emphasis="B", fill_color=(232, 232, 232))) as table:
            table.row([self.t(h) for h in ("seq", "type", "time (UTC)", "actor")])
            for event in events:
                table.row([self.t(event["seq"]), self.t(event["type"]), self.t(event["ts"]), self.t(event["actor"])])
                table.row().cell(self.t(f"id {event['id']}   hash {event['hash']}"), colspan=4, style=mono)
        self.set_font(self.sans, "", 9)

    def chain_result(self, chain: dict[str, Any]) -> None:
        if chain["ok"]:
            text = (f"Verified when this report was made: the hash chain is whole "
                    f"({chain['checked']} events checked, from seq 1).")
        else:
            text = (f"THE HASH CHAIN IS BROKEN at seq {chain['first_broken_seq']}: {chain['reason']} "
                    f"({chain['checked']} events checked). Events from that seq on cannot be relied on.")
        self.set_font(self.sans, "B", 9)
        self.multi_cell(0, 5, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.paragraph("Each event's hash covers its content and the hash of the event before it; "
                       "`lanebox verify` recomputes them from the lane's store.")

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def _money(value: Any, currency: str) -> str:
    return f"{value} {currency}"


def _inspection_section(doc: Document, inspection: dict[str, Any] | None) -> None:
    doc.heading("Inspection")
    if inspection is None:
        doc.paragraph("The inspection's events are not in this lane's store.")
        return
    outcome = inspection["outcome"] or "open"
    if inspection["outcome_reason"]:
        outcome += f" ({inspection['outcome_reason']})"
    risk = inspection["risk"]
    doc.fields([
        ("Inspection", inspection["id"]), ("Plate", inspection["plate"]),
        ("Containers", ", ".join(inspection["containers"]) or None),
        ("Declaration", inspection["declaration_ref"]), ("Type", inspection["inspection_type"]),
        ("Started", f"{inspection['started_at']} by {inspection['started_by']}"),
        ("Closed", inspection["closed_at"] and f"{inspection['closed_at']} by {inspection['closed_by']}"),
        ("Outcome", outcome), ("Risk", f"{risk['score']} ({risk['level']}): " + "; ".join(risk["reasons"])),
        ("Reference data", inspection["reference_version"]),
    ])
    if inspection["flags"]:
        doc.grid(("flag", "what was found"), [(f["code"], f["message"]) for f in inspection["flags"]], (40, 146))
    _readings_section(doc, inspection)


#: how a reading taken from a device out of calibration is marked wherever it is shown
CALIBRATION_DUE_MARK = "CALIBRATION DUE when read"


def _reading_text(kind: str, data: dict[str, Any]) -> str:
    """One attached reading in words, as the officer saw it on the tile."""
    if kind == "scale":
        return f"{data.get('weight')} {data.get('unit')}" + (" stable" if data.get("stable") else " moving")
    if kind == "trace":
        found = ", ".join(f"{s['name']} ({s['amplitude']})" for s in data.get("substances", []))
        return f"{data.get('result')}" + (f": {found}" if found else "") + f", sample {data.get('sample_id') or '-'}"
    mrz = data.get("mrz") or {}
    return (f"document {mrz.get('document_number')} ({mrz.get('nationality')}), "
            f"check digits {'valid' if mrz.get('valid') else 'INVALID'}")


def _readings_section(doc: Document, inspection: dict[str, Any]) -> None:
    """Every device reading attached to the inspection, each with the device's
    calibration standing when it was read (DESIGN.md decision 5)."""
    entries = [("scale", w) for w in inspection["weights"]] + [("trace", t) for t in inspection["traces"]]
    if inspection["document"]:
        entries.append(("document", inspection["document"]))
    doc.heading("Device readings attached")
    if not entries:
        doc.paragraph("No device readings were attached.")
        return
    entries.sort(key=lambda entry: entry[1]["at"])
    doc.grid(("attached (UTC)", "by", "device", "reading", "read at (UTC)", "calibration"),
             [(e["at"], e["by"], e["device_id"], _reading_text(kind, e["data"]), e["reading_ts"],
               CALIBRATION_DUE_MARK if e["calibration_due"] else "in calibration") for kind, e in entries],
             (40, 14, 18, 42, 40, 32))
    if any(e["calibration_due"] for _, e in entries):
        doc.paragraph(f"{CALIBRATION_DUE_MARK}: the device's calibration was overdue or had failed when the "
                      "reading was taken; the reading is kept as read, and marked.")


def _photos_section(doc: Document, inspection: dict[str, Any] | None) -> None:
    rows = [(photo, finding["category"], f"{finding['at']} {finding['by']}")
            for finding in (inspection or {}).get("findings", []) for photo in finding["photos"]]
    doc.heading("Photos (named by their SHA-256)")
    if not rows:
        doc.paragraph("No photos were attached to findings.")
        return
    doc.grid(("SHA-256", "finding", "attached"), rows, (100, 26, 60), mono=(0,))


def seizure_report(*, lane: dict[str, Any], seizure: dict[str, Any], inspection: dict[str, Any] | None,
                   events: Sequence[dict[str, Any]], chain: dict[str, Any], generated_at: str,
                   font_dir: Path | None = FONT_DIR) -> bytes:
    """The seizure report: what was seized, from whom, who held each bag when,
    and every event it rests on with its hash and the chain's verification."""
    doc = Document(f"Seizure report {seizure['id']}", lane, generated_at, font_dir)
    doc.fields([("Seizure", seizure["id"]), ("Legal basis", seizure["legal_basis"]),
                ("Recorded", f"{seizure['created_at']} by {seizure['created_by']}"),
                ("Officers", ", ".join(sorted({e["actor"] for e in events if e["actor"]})))])
    _inspection_section(doc, inspection)

    doc.heading("Seized items")
    doc.grid(("#", "description", "HS code", "quantity", "weight kg", "value"),
             [(i, item["description"], item["hs_code"], f"{item['quantity']} {item['unit']}",
               item.get("weight_kg"), _money(item["value"], item["currency"]))
              for i, item in enumerate(seizure["items"])], (8, 80, 20, 26, 20, 32), right=(4, 5))

    doc.heading("Evidence bags and chain of custody")
    if not seizure["bags"]:
        doc.paragraph("No bags were recorded.")
    for bag in seizure["bags"]:
        doc.set_font(doc.sans, "B", 9.5)
        doc.multi_cell(0, 5.5, doc.t(f"{bag['bag_id']}: {bag['description']} (items "
                                     f"{', '.join(str(i) for i in bag['items'])}), now {bag['state']}"),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.paragraph(f"Bagged {bag['created_at']} by {bag['created_by']}; event {bag['event_id']}")
        if bag["custody"]:
            doc.grid(("time (UTC)", "action", "by", "to / location", "seal", "confirmed", "event hash"),
                     [(step["at"], step["action"], step["by"],
                       " / ".join(x for x in (step["to"], step["location"]) if x) or None, step["seal_number"],
                       step["confirmation"], step["hash"][:16] + "...") for step in bag["custody"]],
                     (41, 20, 18, 36, 18, 18, 35), mono=(6,))
    _photos_section(doc, inspection)

    doc.heading(f"Evidence: the {len(events)} events of this inspection and seizure")
    doc.event_table(events)
    doc.heading("Hash chain")
    doc.chain_result(chain)
    return doc.to_bytes()


def duty_receipt(*, lane: dict[str, Any], event: dict[str, Any], inspection: dict[str, Any] | None,
                 generated_at: str, font_dir: Path | None = FONT_DIR) -> bytes:
    """A receipt for one duty assessment, every line as it was computed."""
    b = event["payload"]["assessment"]
    doc = Document("Duty assessment", lane, generated_at, font_dir)
    doc.fields([("Assessment", event["id"]), ("Assessed", f"{event['ts']} by {event['actor']}"),
                ("Inspection", event["payload"]["inspection_id"]),
                ("Plate", inspection and inspection["plate"]),
                ("Declaration", inspection and inspection["declaration_ref"]),
                ("Goods", f"HS {b['hs_code']}: tariff line {b['tariff']['hs_prefix']}, {b['tariff']['description']}"),
                ("Reference data", b["reference_version"])])
    doc.heading("Calculation")
    local = b["local_currency"]
    doc.grid(("line", "amount"), [
        (f"Customs value ({b['basis']})", _money(b["customs_value"], b["currency"])),
        (f"Exchange rate {b['currency']} to {local}", b["exchange_rate"]),
        (f"Customs value in {local}", _money(b["customs_value_local"], local)),
        (f"Duty at {b['duty_rate'] * 100:g} %", _money(b["duty"], local)),
        ("VAT base (customs value + duty)", _money(b["vat_base"], local)),
        (f"VAT at {b['vat_rate'] * 100:g} %", _money(b["vat"], local)),
        ("Total duty and VAT", _money(b["total"], local)),
    ], (136, 50), right=(1,))
    doc.paragraph("Amounts are rounded half-up to the penny where stated. This receipt records an "
                  "assessment, not a payment.")
    doc.heading("Evidence")
    doc.event_table([event])
    return doc.to_bytes()


def _verdict(passed: bool | None) -> str:
    return "PASS" if passed else ("not complete" if passed is None else "FAIL")


def _scale_sections(doc: Document, record: dict[str, Any]) -> None:
    ins = record["instrument"]
    unit = ins["unit"]
    doc.heading("Instrument")
    doc.fields([("Max", f"{ins['max']} {unit}"), ("Verification interval e", f"{ins['e']} {unit}"),
                ("Accuracy class", ins["accuracy_class"]), ("n = Max / e", ins["n"]), ("Min", f"{ins['min']} {unit}"),
                ("Limits", "in service (twice the initial MPE)" if record["in_service"]
                 else "initial verification (OIML R 76-1 table 6)")])
    doc.heading("Reference weights")
    doc.grid(("id", "nominal", "certificate", "certificate date"),
             [(w["id"], f"{w['nominal']} {unit}", w["certificate"], w["certificate_date"]) for w in record["weights"]],
             (50, 40, 60, 36))
    adjustment = record.get("adjustment")
    doc.heading("Adjustment before the tests")
    doc.paragraph("None was run." if not adjustment else
                  f"{_verdict(adjustment['passed'])}: {adjustment['detail']} ({adjustment['at']} by {adjustment['by']})")
    for step in record["steps"]:
        extra = f", spread {step['spread']} {unit} (limit {step['spread_limit']})" if "spread" in step else ""
        doc.heading(f"{step['step'].capitalize()}: {_verdict(step['passed'])}{extra}")
        doc.grid(("load", "indication", "error", "MPE +/-", "result", "read at (UTC)", "scale's line"),
                 [(p["load"], p["indication"], p["error"], p["mpe"], _verdict(p["passed"]),
                   p["reading"] and p["reading"]["ts"], p["reading"] and p["reading"]["raw"].strip())
                  for p in step["points"]], (20, 22, 18, 18, 16, 44, 48), mono=(6,), right=(0, 1, 2, 3))


def _check_sections(doc: Document, record: dict[str, Any]) -> None:
    doc.heading("Check")
    doc.fields([(name.replace("_", " ").capitalize(), value) for name, value in record["params"].items()])
    doc.grid(("step", "what was asked", "result", "what the device reported", "reading at (UTC)"),
             [(s["name"], s["prompt"], _verdict(s["passed"]), s["detail"], s["reading"] and s["reading"]["ts"])
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
                ("Started", f"{record['started_at']} by {record['started_by']}"),
                ("Recorded", f"{event['ts']} by {event['actor']}"),
                ("Valid until", payload.get("due_at") or "the device's calibration interval from the recording")])
    (_scale_sections if scale else _check_sections)(doc, record)
    doc.heading("Evidence")
    doc.event_table([event])
    doc.chain_result(chain)
    return doc.to_bytes()
