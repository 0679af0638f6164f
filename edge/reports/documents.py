"""Printable documents: the inspection and seizure reports for court, the
duty receipt and the calibration certificate.

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

    def subheading(self, text: str) -> None:
        """A bold line that opens one record inside a section (a bag, a finding, a seizure)."""
        self.set_font(self.sans, "B", 9.5)
        self.multi_cell(0, 5.5, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
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


#: how a reading taken from a device out of calibration is marked wherever it is shown
CALIBRATION_DUE_MARK = "CALIBRATION DUE when read"


def _calibration_mark(entry: dict[str, Any]) -> str:
    """The standing of the reading's device when it was read, as the reports print it."""
    return CALIBRATION_DUE_MARK if entry["calibration_due"] else "in calibration"


def _officers(events: Sequence[dict[str, Any]]) -> str:
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


def _inspection_fields(inspection: dict[str, Any]) -> list[tuple[str, Any]]:
    """Who inspected which vehicle when, how it ended and how risky it was judged."""
    return [
        ("Inspection", inspection["id"]), ("Plate", inspection["plate"]),
        ("Containers", ", ".join(inspection["containers"]) or None),
        ("Declaration", inspection["declaration_ref"]), ("Type", inspection["inspection_type"]),
        ("Started", f"{inspection['started_at']} by {inspection['started_by']}"),
        ("Closed", inspection["closed_at"] and f"{inspection['closed_at']} by {inspection['closed_by']}"),
        ("Outcome", _outcome_text(inspection)),
        ("Risk", _risk_text(inspection["risk"])),
        ("Reference data", inspection["reference_version"]),
    ]


def _inspection_section(doc: Document, inspection: dict[str, Any] | None) -> None:
    """The inspection a seizure came from, told as the inspection report tells it."""
    doc.heading("Inspection")
    if inspection is None:
        doc.paragraph("The inspection's events are not in this lane's store.")
        return
    doc.fields(_inspection_fields(inspection))
    _what_the_lane_found(doc, inspection)


def _what_the_lane_found(doc: Document, inspection: dict[str, Any]) -> None:
    """Flags, the travel document and every device reading: the parts both reports print alike."""
    if inspection["flags"]:
        doc.grid(("flag", "what was found"), [(f["code"], f["message"]) for f in inspection["flags"]], (40, 146))
    _document_section(doc, inspection["document"])
    _readings_section(doc, inspection)


def _holder(mrz: dict[str, Any]) -> str:
    return ", ".join(part for part in (mrz.get("surname"), mrz.get("given_names")) if part) or "-"


def _document_section(doc: Document, entry: dict[str, Any] | None) -> None:
    """The passport (or ID card) read from the machine-readable zone, with what the lane
    made of it then: check digits, expiry and the watchlist."""
    doc.heading("Travel document read")
    if entry is None:
        doc.paragraph("No travel document was read.")
        return
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
        ("Read", (f"{entry['reading_ts']} on {entry['device_id']} ({_calibration_mark(entry)}), "
                  f"attached {entry['at']} by {entry['by']}")),
    ])


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


def _weights_section(doc: Document, weights: Sequence[dict[str, Any]]) -> None:
    """Each stable weight against the declared gross weight, as judged when it was attached."""
    if not weights:
        return
    doc.heading("Weights against the declaration")
    rows = []
    for entry in weights:
        a = entry.get("assessment") or {}
        pct, tolerance = a.get("difference_pct"), a.get("tolerance_pct")
        rows.append((entry["at"], entry["device_id"], a.get("measured_kg"), a.get("declared_kg"),
                     None if pct is None else f"{pct:+g} %", None if tolerance is None else f"{tolerance:g} %",
                     _weight_verdict(a)))
    doc.grid(("attached (UTC)", "device", "weighed kg", "declared kg", "difference", "tolerance", "result"),
             rows, (40, 18, 22, 22, 22, 18, 44), right=(2, 3, 4, 5))


def _findings_section(doc: Document, findings: Sequence[dict[str, Any]]) -> None:
    """Each finding's note in full (a note may run to pages, so it is a paragraph, not a table cell)."""
    doc.heading("Findings")
    if not findings:
        doc.paragraph("No findings were recorded.")
        return
    for finding in findings:
        photos = len(finding["photos"])
        doc.subheading(f"{finding['category']}: {finding['at']} by {finding['by']}"
                       + (f", {photos} photo{'s' if photos != 1 else ''}" if photos else ""))
        doc.paragraph(finding["note"])


def _photos_section(doc: Document, inspection: dict[str, Any] | None) -> None:
    rows = [(photo, finding["category"], f"{finding['at']} {finding['by']}")
            for finding in (inspection or {}).get("findings", []) for photo in finding["photos"]]
    doc.heading("Photos (named by their SHA-256)")
    if not rows:
        doc.paragraph("No photos were attached to findings.")
        return
    doc.grid(("SHA-256", "finding", "attached"), rows, (100, 26, 60), mono=(0,))


def _checklist_section(doc: Document, checklist: dict[str, Any]) -> None:
    """Every item of the checklist, ticked or not, by whom and when; notes follow as
    paragraphs because one may be longer than a table row can hold on a page."""
    doc.heading("Checklist")
    if not checklist["items"]:
        doc.paragraph("No checklist for this inspection type.")
        return
    done = checklist["done"]
    doc.grid(("item", "done", "by", "when (UTC)"),
             [(item, "yes" if done.get(item, {}).get("checked") else "NO", done.get(item, {}).get("by"),
               done.get(item, {}).get("at")) for item in checklist["items"]], (110, 12, 22, 42))
    for item in checklist["items"]:
        if done.get(item, {}).get("note"):
            doc.paragraph(f"Note on \"{item}\" ({done[item]['by']}): {done[item]['note']}")


def _duty_section(doc: Document, duty: Sequence[dict[str, Any]]) -> None:
    """Each duty assessment in the local currency; its receipt gives every line of the sum."""
    doc.heading("Duty assessed")
    if not duty:
        doc.paragraph("No duty was assessed.")
        return
    doc.grid(("assessed (UTC)", "by", "HS code", "customs value", "duty", "VAT", "total"),
             [(d["at"], d["by"], d["hs_code"], *(_money(d[k], d["local_currency"])
                                                 for k in ("customs_value_local", "duty", "vat", "total")))
              for d in duty], (40, 16, 20, 30, 26, 26, 28), right=(3, 4, 5, 6))


def _seizures_section(doc: Document, seizure_ids: Sequence[str], seizures: Sequence[dict[str, Any]]) -> None:
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
                       f"{seizure['created_at']} by {seizure['created_by']}; legal basis {seizure['legal_basis']}")
        if seizure["bags"]:
            doc.grid(("bag", "what", "state"), [(b["bag_id"], b["description"], b["state"]) for b in seizure["bags"]],
                     (30, 126, 30), mono=(0,))
        else:
            doc.paragraph("No evidence bags were recorded.")
    doc.paragraph("Each seizure's report gives its items and every bag's chain of custody.")


def _evidence_sections(doc: Document, events: Sequence[dict[str, Any]], chain: dict[str, Any], of: str) -> None:
    """Every event the report rests on with its hash, then whether the whole chain verified:
    what lets a paper copy be checked against the lane's store years later."""
    doc.heading(f"Evidence: the {len(events)} events of {of}")
    doc.event_table(events)
    doc.heading("Hash chain")
    doc.chain_result(chain)


def inspection_report(*, lane: dict[str, Any], inspection: dict[str, Any], seizures: Sequence[dict[str, Any]],
                      events: Sequence[dict[str, Any]], chain: dict[str, Any], generated_at: str,
                      font_dir: Path | None = FONT_DIR) -> bytes:
    """The inspection report: the record of every inspection, however it ended (released,
    referred, seized or still open) — what was read, weighed, swabbed, found and ticked,
    the outcome, and every event it rests on with its hash and the chain's verification."""
    doc = Document(f"Inspection report {inspection['id']}", lane, generated_at, font_dir)
    doc.fields([*_inspection_fields(inspection), ("Officers", _officers(events))])
    _what_the_lane_found(doc, inspection)
    _weights_section(doc, inspection["weights"])
    _findings_section(doc, inspection["findings"])
    _photos_section(doc, inspection)
    _checklist_section(doc, inspection["checklist"])
    _duty_section(doc, inspection["duty"])
    _seizures_section(doc, inspection["seizures"], seizures)
    _evidence_sections(doc, events, chain, "this inspection" + (" and its seizures" if inspection["seizures"] else ""))
    return doc.to_bytes()


def seizure_report(*, lane: dict[str, Any], seizure: dict[str, Any], inspection: dict[str, Any] | None,
                   events: Sequence[dict[str, Any]], chain: dict[str, Any], generated_at: str,
                   font_dir: Path | None = FONT_DIR) -> bytes:
    """The seizure report: what was seized, from whom, who held each bag when,
    and every event it rests on with its hash and the chain's verification."""
    doc = Document(f"Seizure report {seizure['id']}", lane, generated_at, font_dir)
    doc.fields([("Seizure", seizure["id"]), ("Legal basis", seizure["legal_basis"]),
                ("Recorded", f"{seizure['created_at']} by {seizure['created_by']}"),
                ("Officers", _officers(events))])
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
        doc.subheading(f"{bag['bag_id']}: {bag['description']} (items "
                       f"{', '.join(str(i) for i in bag['items'])}), now {bag['state']}")
        doc.paragraph(f"Bagged {bag['created_at']} by {bag['created_by']}; event {bag['event_id']}")
        if bag["custody"]:
            doc.grid(("time (UTC)", "action", "by", "to / location", "seal", "confirmed", "event hash"),
                     [(step["at"], step["action"], step["by"],
                       " / ".join(x for x in (step["to"], step["location"]) if x) or None, step["seal_number"],
                       step["confirmation"], step["hash"][:16] + "...") for step in bag["custody"]],
                     (41, 20, 18, 36, 18, 18, 35), mono=(6,))
    _photos_section(doc, inspection)
    _evidence_sections(doc, events, chain, "this inspection and seizure")
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
