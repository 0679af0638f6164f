"""The receipt of a duty assessment, every line as it was computed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edge.reports.document import FONT_DIR, Document, money, number


def duty_receipt(*, lane: dict[str, Any], event: dict[str, Any], inspection: dict[str, Any] | None,
                 generated_at: str, font_dir: Path | None = FONT_DIR) -> bytes:
    """A receipt for one duty assessment, every line as it was computed."""
    b = event["payload"]["assessment"]
    doc = Document("Duty assessment", lane, generated_at, font_dir)
    doc.fields([("Assessment", event["id"]), ("Assessed", f"{doc.when(event['ts'])} by {event['actor']}"),
                ("Inspection", event["payload"]["inspection_id"]),
                ("Plate", inspection and inspection["plate"]),
                ("Declaration", inspection and inspection["declaration_ref"]),
                ("Goods", f"HS {b['hs_code']}: tariff line {b['tariff']['hs_prefix']}, {b['tariff']['description']}"),
                ("Reference data", b["reference_version"])])
    doc.heading("Calculation")
    local = b["local_currency"]
    doc.grid(("line", "amount"), [
        (f"Customs value ({b['basis']})", money(b["customs_value"], b["currency"])),
        (f"Exchange rate {b['currency']} to {local}", number(b["exchange_rate"])),
        (f"Customs value in {local}", money(b["customs_value_local"], local)),
        (f"Duty at {b['duty_rate'] * 100:g} %", money(b["duty"], local)),
        ("VAT base (customs value + duty)", money(b["vat_base"], local)),
        (f"VAT at {b['vat_rate'] * 100:g} %", money(b["vat"], local)),
        ("Total duty and VAT", money(b["total"], local)),
    ], (136, 50), right=(1,))
    doc.paragraph("Amounts are rounded half-up to the penny where stated. This receipt records an "
                  "assessment, not a payment.")
    doc.heading("Evidence")
    doc.event_table([event])
    return doc.to_bytes()
