"""Seized goods are weighed on the bench scale, in the browser: the seizure form
offers the lane's bench scale by name (never the weighbridge, which holds the
lorry), records the weighing the moment it is tapped, and the seized item keeps
that reading; a lane without a bench scale asks for the weight to be typed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.browser import PORTRAIT, NewContext, shoot, signed_in
from tests.support.lane_process import LaneRig, make_rig, running


@pytest.fixture(scope="module")
def bench_lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    with running(make_rig(tmp_path_factory.mktemp("bench-scale-lane"), bench_scale=True)) as rig:
        yield rig


def start(lane: LaneRig) -> str:
    inspection_id = str(uuid.uuid4())
    response = lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "EK 48213", "containers": [], "inspection_type": "standard"})
    assert response.status_code == 201, response.text
    return inspection_id


def test_seized_goods_are_weighed_on_the_bench_scale(new_context: NewContext, bench_lane: LaneRig) -> None:
    tablet = new_context(base_url=bench_lane.url, viewport=PORTRAIT, device_scale_factor=1, has_touch=True)
    page = signed_in(tablet, "olga")
    bench_lane.sims["scale-1"].set_load(24_000, settle=True)  # the lorry is still on the weighbridge
    bench_lane.sims["bench-1"].set_load(12.46, settle=True)
    inspection_id = start(bench_lane)
    page.goto(f"/#/inspections/{inspection_id}/seize")
    weigh = page.locator('[data-from-scale="0"]')
    expect(weigh).to_have_text("From bench-1")
    weigh.tap()
    expect(page.locator('[data-field="items.0.weight_kg"] input')).to_have_value("12.46")
    expect(page.locator('[data-weighed="0"]')).to_have_text("Weighed on bench-1 ✓")
    page.fill('[data-field="items.0.description"] input', "Cigarettes, king size, 20 cartons")
    page.fill('[data-field="items.0.hs_code"] input', "240220")
    page.fill('[data-field="items.0.quantity"] input', "20")
    page.fill('[data-field="items.0.value"] input', "1200")
    page.fill('[data-field="legal_basis"] input', "CEMA 1979 s.139 — goods liable to forfeiture")
    shoot(page, "bench-scale-seizure", at='[data-field="items.0.weight_kg"]')  # portrait, then landscape
    page.locator("#seizure-form button[type=submit]").tap()
    page.wait_for_url("**/#/seizures/*")
    seizure_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("td.num").filter(has_text="on bench-1")).to_have_text("12.46 kg on bench-1")
    item = bench_lane.api("GET", f"/seizures/{seizure_id}", user="olga").json()["items"][0]
    assert item["weight_kg"] == 12.46 and item["weighed"]["device_id"] == "bench-1"

    # the inspection's weight step weighs the lorry on the weighbridge, though the bench scale is listed first
    other = start(bench_lane)
    page.goto(f"/#/inspections/{other}")
    expect(page.locator("#step-weight")).to_contain_text("Scale scale-1")
    expect(page.locator("#step-weight")).to_contain_text("24 000")


def test_without_a_bench_scale_the_weight_is_typed(page, lane: LaneRig) -> None:
    """The lane of the other browser tests has only its weighbridge: no button offers it."""
    inspection_id = start(lane)
    page.goto(f"/#/inspections/{inspection_id}/seize")
    expect(page.locator('[data-weighed="0"]')).to_have_text("No bench scale at this lane: type the weight.")
    expect(page.locator("[data-from-scale]")).to_have_count(0)
