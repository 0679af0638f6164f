"""Duty and VAT, checked against sums done by hand, and over the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from common.reference import load_reference_file
from edge.inspections.duty import DutyError, money, quote
from lanebox.demo import DEMO_REFERENCE
from tests.support.officer_app import new_id


@pytest.fixture(scope="module")
def reference():
    return load_reference_file(DEMO_REFERENCE)


def test_cif_in_euro_by_hand(reference):
    # CIF 10,000 + 500 + 100 = 10,600 EUR; x 0.86 = 9,116.00 GBP
    # duty 8 % = 729.28; VAT base 9,845.28; VAT 20 % = 1,969.056 -> 1,969.06; total 2,698.34
    breakdown = quote({"hs_code": "030471", "currency": "EUR", "fob": 10000, "freight": 500, "insurance": 100},
                      reference)
    assert breakdown == {
        "hs_code": "030471", "tariff": {"hs_prefix": "0304", "description": "Fish fillets and other fish meat",
                                        "duty_rate": 0.08},
        "currency": "EUR", "customs_value": "10600.00", "basis": "CIF", "exchange_rate": 0.86,
        "local_currency": "GBP", "customs_value_local": "9116.00", "duty_rate": 0.08, "duty": "729.28",
        "vat_rate": 0.2, "vat_base": "9845.28", "vat": "1969.06", "total": "2698.34", "quantity": None,
        "reference_version": "demo-2026.1"}


def test_transaction_value_in_dollars_by_hand(reference):
    # 12,345.67 USD x 0.79 = 9,753.0793 -> 9,753.08; duty 4.5 % = 438.8886 -> 438.89
    # VAT base 10,191.97; VAT 20 % = 2,038.394 -> 2,038.39; total 2,477.28
    breakdown = quote({"hs_code": "401120", "currency": "USD", "value": 12345.67, "quantity": 640}, reference)
    assert (breakdown["basis"], breakdown["customs_value"], breakdown["customs_value_local"]) == \
        ("transaction", "12345.67", "9753.08")
    assert (breakdown["duty"], breakdown["vat_base"], breakdown["vat"], breakdown["total"]) == \
        ("438.89", "10191.97", "2038.39", "2477.28")
    assert breakdown["quantity"] == 640


def test_halves_round_up(reference):
    # 1.00 GBP at 4.5 % is 0.045: half-up gives 0.05 (banker's rounding would give 0.04)
    breakdown = quote({"hs_code": "4011", "currency": "GBP", "value": 1}, reference)
    assert (breakdown["duty"], breakdown["vat_base"], breakdown["vat"], breakdown["total"]) == \
        ("0.05", "1.05", "0.21", "0.26")
    assert money(Decimal("2.675")) == "2.68" and money(Decimal("-0.005")) == "-0.01"


@pytest.mark.parametrize("request_,code,field", [
    ({"hs_code": "999999", "currency": "EUR", "value": 1}, "unknown_hs_code", "hs_code"),
    ({"hs_code": "030471", "currency": "JPY", "value": 1}, "unknown_currency", "currency"),
    ({"hs_code": "030471", "currency": "EUR"}, "invalid_field", "value"),
    ({"hs_code": "030471", "currency": "EUR", "value": 1, "fob": 1}, "invalid_field", "value"),
    ({"hs_code": "030471", "currency": "EUR", "value": 1, "insurance": 1}, "invalid_field", "insurance"),
])
def test_quotes_that_cannot_be_made(reference, request_, code, field):
    with pytest.raises(DutyError) as caught:
        quote(request_, reference)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_quote_and_assess_over_the_api(officer_app):
    body = {"hs_code": "030471", "currency": "EUR", "fob": 10000, "freight": 500, "insurance": 100}
    count = officer_app.events()
    quoted = officer_app.ok("POST", "/duty/quote", body, status=200, user="vic")
    assert quoted["total"] == "2698.34" and officer_app.events() == count
    inspection_id = officer_app.inspection()
    event_id = new_id()
    assessed = officer_app.ok("POST", f"/inspections/{inspection_id}/duty", {"id": event_id, **body})
    assert assessed == {"assessment": quoted, "event_id": event_id}
    view = officer_app.ok("GET", f"/inspections/{inspection_id}", status=200)
    assert view["duty"][0]["total"] == "2698.34" and view["duty"][0]["event_id"] == event_id
    receipt = officer_app.call("GET", f"/duty/{event_id}/receipt.pdf", user="vic")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf" and receipt.data.startswith(b"%PDF")


@pytest.mark.parametrize("body,status,code", [
    ({"hs_code": "999999", "currency": "EUR", "value": 1}, 400, "unknown_hs_code"),
    ({"hs_code": "030471", "currency": "XYZ", "value": 1}, 400, "unknown_currency"),
    ({"hs_code": "030471", "currency": "EUR", "value": "1"}, 400, "invalid_field"),
    ({"hs_code": "03", "currency": "EUR", "value": 1}, 400, "invalid_field"),
    ({"hs_code": "030471", "currency": "EUR", "value": 1, "id": new_id()}, 400, "invalid_field"),
])
def test_bad_quotes_over_the_api(officer_app, body, status, code):
    count = officer_app.events()
    response = officer_app.call("POST", "/duty/quote", json=body)
    assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert officer_app.events() == count
