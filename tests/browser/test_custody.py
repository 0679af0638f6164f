"""Custody at the tablet, in Chromium against a real lane with a bench scale on a pty (bench-1,
calibrated class III, e = 0.02 kg): the officer seals a bag — seal number, "Weigh the sealed bag",
the witness signing in with their own password — and, at the receipt, says the seal is intact,
reads its number and reweighs the bag; the tablet says in words that the weight matches, and the
box recorded the witness, both weighings and the check."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, expect

from tests.support.browser import NewContext, shoot, signed_in
from tests.support.custody_bench import ITEM, calibrate_bench_scale
from tests.support.lane_process import PASSWORDS, LaneRig, make_rig
from tests.support.waiting import wait_for


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    rig = make_rig(tmp_path_factory.mktemp("custody-lane"), bench_scale=True, history=calibrate_bench_scale)
    try:
        rig.start()
        yield rig
    finally:
        rig.close()


def bag_of_new_seizure(lane: LaneRig) -> tuple[str, str]:
    inspection_id, seizure_id, bag_event = (str(uuid.uuid4()) for _ in range(3))
    for path, body in (("/inspections", {"id": inspection_id, "plate": "EK 48213", "containers": [],
                                         "inspection_type": "standard"}),
                       ("/seizures", {"id": seizure_id, "inspection_id": inspection_id, "legal_basis": "s.139",
                                      "items": [ITEM]}),
                       (f"/seizures/{seizure_id}/bags", {"id": bag_event, "description": "20 cartons", "items": [0]})):
        response = lane.api("POST", path, user="olga", json=body)
        assert response.status_code == 201, response.text
    return seizure_id, "BAG-" + bag_event.replace("-", "")[:8].upper()


def on_the_scale(lane: LaneRig, kg: float) -> None:
    """The bag put on bench-1, which settles to a stable ``kg``."""
    lane.sims["bench-1"].set_load(kg, settle=True)

    def shown() -> bool:
        data = (lane.api("GET", "/devices/bench-1", user="olga").json()["last_reading"] or {}).get("data", {})
        return bool(data.get("stable")) and data.get("weight") == kg

    wait_for(shown, message=f"{kg} kg stable on bench-1")


def test_seal_before_a_witness_then_receive_and_reweigh(new_context: NewContext, lane: LaneRig) -> None:
    seizure_id, bag_id = bag_of_new_seizure(lane)
    tablet = new_context(base_url=lane.url, viewport={"width": 1280, "height": 800}, has_touch=True)
    page = signed_in(tablet, "olga")
    on_the_scale(lane, 5.0)  # the sealed bag is put on the bench scale first, as at the bench
    page.goto(f"/#/seizures/{seizure_id}")
    bag = page.locator(f'.bag[data-bag="{bag_id}"]')

    # ----- seal: number, weight on the bench scale, the witness signs in -----
    bag.locator('[data-action="sealed"]').tap()
    bag.locator('[data-field="seal_number"] input').fill("GB 004711")
    bag.locator('[data-field="scanned_text"] input').fill(bag_id)
    bag.locator("form.handover button[type=submit]").tap()
    def error(name: str) -> Locator:
        return bag.locator(f'[data-field="{name}"] .field-error')

    expect(error("weighing_id")).to_have_text("Weigh the sealed bag on bench-1 first.")
    expect(error("witness_username")).to_have_text("A second officer must witness this.")
    weigh = bag.locator('[data-weigh-bag="sealed"]')
    expect(weigh).to_have_text("Weigh the sealed bag on bench-1")
    assert weigh.bounding_box()["height"] >= 64
    weigh.tap()
    expect(bag.locator(".weighed-note")).to_have_text("Weighed on bench-1: 5.00 kg ✓")
    bag.locator('[data-field="witness_username"] input').fill("olga")  # herself: the box refuses
    bag.locator('[data-field="witness_password"] input').fill(PASSWORDS["olga"][1])
    bag.locator("form.handover button[type=submit]").tap()
    expect(bag.locator(".form-error, .field-error").filter(has_text="cannot witness their own step")).to_be_visible()
    bag.locator('[data-field="witness_username"] input').fill("sue")
    bag.locator('[data-field="witness_password"] input').fill(PASSWORDS["sue"][1])
    shoot(page, "custody-seal-witness", at=f'.bag[data-bag="{bag_id}"] form.handover')
    bag.locator("form.handover button[type=submit]").tap()
    expect(bag.locator(".timeline li").first).to_contain_text("witnessed by sue")
    expect(bag.locator(".timeline li").first).to_contain_text("5.00 kg on bench-1")

    # ----- receive: seal intact, its number read, reweighed -----
    on_the_scale(lane, 5.02)
    bag.locator('[data-action="received"]').tap()
    bag.locator('[data-field="to"] input').fill("DC Rivers, evidence store")
    bag.get_by_text("Yes, intact").tap()
    bag.locator('[data-field="seal_number"] input').fill("GB 004711")
    bag.locator('[data-weigh-bag="received"]').tap()
    expect(bag.locator(".weighed-note")).to_have_text("Weighed on bench-1: 5.02 kg ✓")
    bag.locator('[data-field="scanned_text"] input').fill(bag_id)
    bag.locator("form.handover button[type=submit]").tap()
    received = bag.locator(".timeline li").nth(1)
    expect(received).to_contain_text("seal intact")
    expect(received.locator(".weight-check")).to_have_text(
        "Weight matches the sealed weight (difference 0.02 kg, limit 0.04 kg)")
    expect(bag.locator(".custody-alarm")).to_have_count(0)
    shoot(page, "custody-received-reweighed", at=f'.bag[data-bag="{bag_id}"]')

    steps = lane.api("GET", f"/seizures/{seizure_id}", user="olga").json()["bags"][0]["custody"]
    assert [(s["action"], (s["witness"] or {}).get("username")) for s in steps] == [("sealed", "sue"),
                                                                                    ("received", None)]
    assert steps[1]["weight_check"] == {"sealed_kg": 5.0, "now_kg": 5.02, "difference_kg": 0.02, "limit_kg": 0.04,
                                        "ok": True}
    assert steps[1]["seal_intact"] is True
