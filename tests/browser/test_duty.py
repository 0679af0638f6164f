"""Duty: a CIF quote shown as a breakdown, recorded as an assessment, with
its receipt — figures worked out here from the reference data loaded."""

from __future__ import annotations

import re
import uuid
from decimal import ROUND_HALF_UP, Decimal

from playwright.sync_api import Page, expect

from tests.support.browser import shoot
from tests.support.lane_process import LaneRig

PENNY = Decimal("0.01")


def expected_breakdown(reference: dict, hs_code: str, currency: str, fob: str, freight: str, insurance: str) -> dict:
    """What docs/officer-api.md says the box must answer, redone by hand."""
    line = max((t for t in reference["tariff"] if hs_code.startswith(t["hs_prefix"])),
               key=lambda t: len(t["hs_prefix"]))
    cif = Decimal(fob) + Decimal(freight) + Decimal(insurance)
    local = (cif * Decimal(str(reference["exchange_rates"][currency]))).quantize(PENNY, ROUND_HALF_UP)
    duty = (local * Decimal(str(line["duty_rate"]))).quantize(PENNY, ROUND_HALF_UP)
    vat = ((local + duty) * Decimal(str(reference["vat_rate"]))).quantize(PENNY, ROUND_HALF_UP)
    return {"customs_value": cif.quantize(PENNY), "customs_value_local": local, "duty": duty,
            "vat_base": local + duty, "vat": vat, "total": duty + vat, "local_currency": reference["currency"]}


def shown(page: Page, row: str) -> str:
    """The amount in a breakdown row, as digits (thousands gaps removed)."""
    text = page.inner_text(f"#breakdown tr.{row} td.num")
    return text.replace("\u202f", "").split(" ")[0]


def test_duty_assessment_cif_with_known_figures(page: Page, lane: LaneRig, reference: dict) -> None:
    inspection_id = str(uuid.uuid4())
    started = lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "EK 48213", "containers": ["CSQU3054383"], "declaration_ref": "GB-DEC-0001",
        "inspection_type": "standard"})
    assert started.status_code == 201, started.text
    want = expected_breakdown(reference, "030489", "EUR", "10000", "500", "100")
    assert want["customs_value"] == Decimal("10600.00")

    page.click('a[data-nav="inspections"]')
    expect(page.locator(f'[data-inspection="{inspection_id}"]')).to_contain_text("EK48213")
    shoot(page, "15-inspection-list")
    page.click('a[data-nav="duty"]')
    expect(page.locator("#duty-inspection")).to_contain_text("EK48213")
    shoot(page, "42-duty-standalone")

    page.goto(f"/#/inspections/{inspection_id}")
    page.click("#step-duty >> text=Assess duty")
    expect(page.locator("#duty-form")).to_be_visible()

    # bad input: told next to the field, by the app and by the box (the declared figures cleared)
    page.fill('[data-field="hs_code"] input', "03")
    page.fill('[data-field="value"] input', "")
    page.click("#quote-button")
    expect(page.locator('[data-field="hs_code"] .field-error')).to_contain_text("4 to 10 digits")
    expect(page.locator('[data-field="value"] .field-error')).to_contain_text("amount")
    page.fill('[data-field="hs_code"] input', "999999")
    page.fill('[data-field="value"] input', "100")
    page.click("#quote-button")
    expect(page.locator('[data-field="hs_code"] .field-error')).to_contain_text("no tariff line covers HS code 999999")

    page.fill('[data-field="hs_code"] input', "030489")
    page.select_option('[data-field="currency"] select', "EUR")
    page.check('input[name="basis"][value="cif"]')
    page.fill('[data-field="fob"] input', "10,000")
    page.fill('[data-field="freight"] input', "500")
    page.fill('[data-field="insurance"] input', "100")
    page.click("#quote-button")
    expect(page.locator("#breakdown")).to_be_visible()
    expect(page.locator("#breakdown")).to_contain_text("Customs value (CIF)")
    expect(page.locator("#breakdown")).to_contain_text("1 EUR = 0.86 GBP")
    for row in ("customs-value-local", "duty", "vat-base", "vat", "total"):
        assert shown(page, row) == str(want[row.replace("-", "_")]), row
    shoot(page, "40-duty-quote", full_page=True)

    page.click("#assess-button")
    expect(page.locator("#assessment")).to_contain_text("Assessed and recorded")
    expect(page.locator("#assess-button")).to_be_disabled()  # recorded once: a second tap needs a new quote
    assert shown(page, "total") == str(want["total"])
    view = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()
    (assessed,) = view["duty"]
    assert assessed["basis"] == "CIF" and assessed["customs_value"] == "10600.00"
    assert Decimal(assessed["total"]) == want["total"] and Decimal(assessed["vat"]) == want["vat"]
    assert assessed["local_currency"] == want["local_currency"]

    page.context.on("page", lambda popup: popup.close())
    page.click("#receipt-button")
    expect(page.locator("#pdf-link")).to_have_attribute("href", re.compile("^blob:"))
    head = page.evaluate("async () => { const r = await fetch(document.querySelector('#pdf-link').href);"
                         " const b = new Uint8Array(await r.arrayBuffer());"
                         " return String.fromCharCode(...b.slice(0, 5)); }")
    assert head == "%PDF-"
    shoot(page, "41-duty-assessed", full_page=True)
