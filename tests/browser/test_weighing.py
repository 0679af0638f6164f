"""A two-pass weighbridge transaction in Chromium: the officer weighs a lorry
loaded, then empty, from the scale's tile, and gets a ticket PDF with gross,
tare, net and the scale's calibration standing at each pass."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, expect

from tests.support.browser import pdf_bytes_of_link, shoot, signed_in
from tests.support.lane_process import LaneRig
from tests.support.pdf_text import pdf_text


def calibrate(lane: LaneRig) -> None:
    """The weighbridge's calibration on its extended display (SIH), so the lane knows its e and Min."""
    scale = lane.sims["scale-1"]
    scale.set_error(0)
    session = lane.api("POST", "/calibrations/scale", user="tom", json={
        "device_id": "scale-1", "instrument": {"max": 60000, "e": 20, "accuracy_class": "III"},
        "weights": [{"id": "M-1", "nominal": 1000, "certificate": "UKAS-01", "certificate_date": "2026-01-15"}],
        "method": "extended", "extended_resolution": 2}).json()["session"]
    while session["next"]:
        scale.set_load(float(session["next"]["load"]), settle=True)
        answer = lane.api("POST", f"/calibrations/sessions/{session['id']}/read", user="tom", json={})
        assert answer.status_code == 200, answer.text
        session = answer.json()["session"]
    assert session["passed"] is True


def test_a_two_pass_weighing_makes_a_ticket_with_gross_tare_net_and_calibration(context: BrowserContext,
                                                                                lane: LaneRig) -> None:
    calibrate(lane)
    scale = lane.sims["scale-1"]
    page = signed_in(context, "olga")
    page.click('[data-nav="weighing"]')
    page.fill('[name="plate"]', "EK 48213")
    scale.set_load(38460, settle=True)  # the lorry drives on loaded
    expect(page.locator("#first-weighing")).to_have_text(re.compile(r"First weighing: 38\D?460 kg"))
    shoot(page, "70-weighbridge-first")
    page.click("#first-weighing")
    expect(page.locator("#weighing-head")).to_have_attribute("data-status", "open")
    expect(page.locator('#passes tr[data-weight="38460"]')).to_contain_text("ok")

    scale.set_load(14220, settle=True)  # back empty
    expect(page.locator("#second-weighing")).to_have_text(re.compile(r"Second weighing: 14\D?220 kg"))
    page.click("#second-weighing")
    result = page.locator("#weighing-result")
    expect(result).to_have_attribute("data-net", "24240")
    expect(result).to_have_attribute("data-gross", "38460")
    expect(result).to_have_attribute("data-tare", "14220")
    expect(page.locator("#weighing-head")).to_have_attribute("data-status", "complete")
    shoot(page, "71-weighbridge-ticket", full_page=True)

    with page.context.expect_page() as popup:
        page.click("#ticket-button")
    popup.value.close()
    pdf = pdf_bytes_of_link(page, "#pdf-link")
    assert pdf["type"] == "application/pdf" and pdf["head"] == "%PDF-"
    transaction_id = page.url.rsplit("/", 1)[-1]
    ticket = lane.api("GET", f"/weighings/{transaction_id}/ticket.pdf", user="olga")
    text = " ".join(pdf_text(ticket.content).split())
    for expected in ("Weighbridge ticket", "EK48213", "Gross 38,460", "Tare 14,220", "Net 24,240",
                     "calibration ok", "e = 20 kg", "Min 400 kg"):
        assert expected in text, expected
    scale.set_load(0, settle=True)
