"""Duty that fills itself (issue #13), in Chromium with touch: the HS code,
value and currency come from the inspection's declared goods and may be
changed; the screen says whether it records or only quotes, and that duty is
recorded before the outcome closes the inspection; a closed inspection takes
no duty."""

from __future__ import annotations

import uuid
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.support.axe import axe_violations
from tests.support.browser import PORTRAIT, shoot
from tests.support.lane_process import LaneRig


def declared(reference: dict, ref: str) -> dict:
    """The one line of goods declaration ``ref`` declares, as the reference data has it."""
    (goods,) = next(d for d in reference["declarations"] if d["ref"] == ref)["goods"]
    return goods


def start(lane: LaneRig, plate: str, declaration: str) -> str:
    inspection_id = str(uuid.uuid4())
    response = lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": plate, "containers": [], "declaration_ref": declaration,
        "inspection_type": "standard"})
    assert response.status_code == 201, response.text
    return inspection_id


def form_values(page: Page) -> tuple[str, Decimal, str]:
    return (page.input_value('[data-field="hs_code"] input'), Decimal(page.input_value('[data-field="value"] input')),
            page.input_value('[data-field="currency"] select'))


def test_duty_is_filled_from_the_declaration_and_recorded_before_the_outcome(page: Page, lane: LaneRig,
                                                                          reference: dict) -> None:
    goods = declared(reference, "GB-DEC-0002")
    inspection_id = start(lane, "WGM 4823K", "GB-DEC-0002")
    page.set_viewport_size(PORTRAIT)
    page.goto(f"/#/inspections/{inspection_id}")
    page.locator("#assess-duty").tap()
    expect(page.locator("#duty-mode")).to_contain_text("Records duty on WGM4823K's inspection")
    expect(page.locator("#duty-mode")).to_contain_text("before the outcome")
    expect(page.locator("#filled-from")).to_contain_text("GB-DEC-0002")
    assert form_values(page) == (goods["hs_code"], Decimal(str(goods["value"])), goods["currency"])
    shoot(page, "duty-prefilled")
    assert axe_violations(page) == []

    page.locator("#quote-button").tap()  # the declared figures, as they are: two taps to a record
    expect(page.locator("#breakdown")).to_contain_text(f"1 {goods['currency']} =")
    page.locator("#assess-button").tap()
    expect(page.locator("#assessment")).to_contain_text("Assessed and recorded")
    (assessed,) = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()["duty"]
    assert (assessed["hs_code"], Decimal(assessed["customs_value"]), assessed["currency"]) == (
        goods["hs_code"], Decimal(str(goods["value"])), goods["currency"])


def test_the_duty_tab_says_it_only_quotes_without_an_open_inspection(page: Page, lane: LaneRig,
                                                                     reference: dict) -> None:
    goods = declared(reference, "GB-DEC-0001")
    inspection_id = start(lane, "EK 48213", "GB-DEC-0001")
    page.locator('a[data-nav="duty"]').tap()
    expect(page.locator("#duty-mode")).to_contain_text("Quote only — nothing is recorded")
    expect(page.locator("#assess-button")).to_be_hidden()
    page.select_option("#duty-inspection", inspection_id)
    expect(page.locator("#duty-mode")).to_contain_text("Records duty on EK48213's inspection")
    expect(page.locator('[data-field="hs_code"] input')).to_have_value(goods["hs_code"])
    assert form_values(page) == (goods["hs_code"], Decimal(str(goods["value"])), goods["currency"])
    page.fill('[data-field="hs_code"] input', "030489")  # the officer may correct it
    expect(page.locator('[data-field="hs_code"] input')).to_have_value("030489")

    closed = lane.api("POST", f"/inspections/{inspection_id}/outcome", user="olga", json={
        "id": str(uuid.uuid4()), "outcome": "refer", "reason": "Sent to the shed"})
    assert closed.status_code in (200, 201), closed.text
    page.goto(f"/#/inspections/{inspection_id}/duty")
    expect(page.locator("#duty-mode")).to_contain_text("Quote only: EK48213's inspection is closed (REFER)")
    expect(page.locator("#assess-button")).to_be_hidden()
    page.locator("#quote-button").tap()  # a quote is still there to be had
    expect(page.locator("#duty-result")).to_contain_text("A quote only — nothing is recorded")
    shoot(page, "duty-closed-quote-only")
