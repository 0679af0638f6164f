"""Taking a sample at the tablet (issue #17), in Chromium on a touch tablet (1280×800) against a real
lane with a bench scale on a pty (bench-1, calibrated class III, e = 0.02 kg): from a sealed bag the
officer makes a sample bag, seals it (its weight, a witness), records the sampling on the parent
(resealed, reweighed, witnessed) and is told in words that the weights agree; the sample bag, shown
under its parent, goes to the laboratory and comes back used up."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.axe import axe_violations
from tests.support.bench_lane import bench_lane
from tests.support.browser import NewContext, shoot, signed_in
from tests.support.custody_bench import ITEM
from tests.support.lane_process import PASSWORDS, LaneRig
from tests.support.waiting import wait_for


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    with bench_lane(tmp_path_factory.mktemp("sampling-lane")) as rig:
        yield rig


def on_the_scale(lane: LaneRig, kg: float) -> int:
    """The bag put on bench-1, settled to a stable ``kg``; the reading's seq."""
    lane.sims["bench-1"].set_load(kg, settle=True)

    def shown() -> int | None:
        reading = lane.api("GET", "/devices/bench-1", user="olga").json()["last_reading"] or {}
        data = reading.get("data", {})
        return reading["seq"] if data.get("stable") and data.get("weight") == kg else None

    return wait_for(shown, message=f"{kg} kg stable on bench-1")


def sealed_bag_of_new_seizure(lane: LaneRig) -> tuple[str, str]:
    """A seizure with one bag sealed at 5 kg before sue (through the API, as another tablet did)."""
    inspection_id, seizure_id = str(uuid.uuid4()), str(uuid.uuid4())
    for path, body in (("/inspections", {"id": inspection_id, "plate": "EK 48213", "containers": [],
                                         "inspection_type": "standard"}),
                       ("/seizures", {"id": seizure_id, "inspection_id": inspection_id, "legal_basis": "s.139",
                                      "items": [ITEM, ITEM]})):
        response = lane.api("POST", path, user="olga", json=body)
        assert response.status_code == 201, response.text
    return seizure_id, sealed_bag(lane, seizure_id, item=0)


def sealed_bag(lane: LaneRig, seizure_id: str, item: int) -> str:
    """A bag of the seizure's ``item``, sealed at 5 kg before sue; its id."""
    bag_event, weighing = str(uuid.uuid4()), str(uuid.uuid4())
    for path, body in ((f"/seizures/{seizure_id}/bags",
                        {"id": bag_event, "description": "20 cartons", "items": [item]}),
                       ("/bench-weighings", {"id": weighing, "device_id": "bench-1",
                                             "reading_seq": on_the_scale(lane, 5.0)})):
        response = lane.api("POST", path, user="olga", json=body)
        assert response.status_code == 201, response.text
    bag_id = "BAG-" + bag_event.replace("-", "")[:8].upper()
    sealed = lane.api("POST", f"/bags/{bag_id}/custody", user="olga", headers={"X-Witness-Token": lane.token("sue")},
                      json={"id": str(uuid.uuid4()), "action": "sealed", "confirmation": "typed",
                            "seal_number": "GB 004711", "weighing_id": weighing})
    assert sealed.status_code == 201, sealed.text
    return bag_id


def own(bag: Locator, selector: str) -> Locator:
    """An element of this bag's card itself, not of a sample bag shown inside it."""
    return bag.locator(f":scope > {selector}")


def witnessed_by_sue(form: Locator) -> None:
    form.locator('[data-field="witness_username"] input').fill("sue")
    form.locator('[data-field="witness_password"] input').fill(PASSWORDS["sue"][1])


def test_a_sample_taken_sealed_recorded_and_sent_to_the_laboratory(new_context: NewContext, lane: LaneRig) -> None:
    seizure_id, parent_id = sealed_bag_of_new_seizure(lane)
    tablet = new_context(base_url=lane.url, viewport={"width": 1280, "height": 800}, has_touch=True)
    page: Page = signed_in(tablet, "olga")
    page.goto(f"/#/seizures/{seizure_id}")
    parent = page.locator(f'.bag[data-bag="{parent_id}"]')

    # ----- the sample bag: made here, shown under its parent, sealed like any bag -----
    own(parent, '.custody-actions [data-action="take-sample"]').tap()
    taking = own(parent, 'div > form[data-custody="take-sample"]')
    taking.locator('[data-field="description"] input').fill("2 cartons for analysis")
    taking.locator("button[type=submit]").tap()
    sample = parent.locator(".sub-bags .bag-sample")
    expect(sample).to_have_count(1)
    expect(sample.locator(".sample-of")).to_have_text(f"Sample of {parent_id}")
    sample_id = sample.get_attribute("data-bag")
    on_the_scale(lane, 0.5)
    own(sample, '.custody-actions [data-action="sealed"]').tap()
    seal_form = own(sample, "div > form.handover")
    seal_form.locator('[data-field="seal_number"] input').fill("GB S-001")
    seal_form.locator('[data-weigh-bag="sealed"]').tap()
    expect(seal_form.locator(".weighed-note")).to_have_text("Weighed on bench-1: 0.50 kg ✓")
    witnessed_by_sue(seal_form)
    seal_form.locator('[data-field="scanned_text"] input').fill(sample_id)
    seal_form.locator("button[type=submit]").tap()
    expect(own(sample, "ol.timeline > li").first).to_contain_text("witnessed by sue")

    # ----- the parent: opened before the witness, resealed, reweighed; the tablet says the weights agree -----
    record = own(parent, '.custody-actions [data-action="sampled"]')
    expect(record).to_have_text("Next: Record the sampling")
    record.tap()
    form = own(parent, "div > form.handover")
    expect(form.locator("#sampled-into")).to_contain_text(f"The sample is in {sample_id}")
    on_the_scale(lane, 4.52)
    form.locator('[data-field="seal_number"] input').fill("GB 004712")
    form.locator('[data-weigh-bag="sampled"]').tap()
    expect(form.locator(".weighed-note")).to_have_text("Weighed on bench-1: 4.52 kg ✓")
    witnessed_by_sue(form)
    form.locator('[data-field="scanned_text"] input').fill(parent_id)
    shoot(page, "sampling-record", at=f'.bag[data-bag="{parent_id}"] form.handover')
    form.locator("button[type=submit]").tap()
    step = own(parent, "ol.timeline > li").nth(1)
    expect(step.locator(".weight-check")).to_have_text(
        "Weight matches 5.00 kg less the sample's 0.50 kg (difference 0.02 kg, limit 0.06 kg)")
    expect(step).to_contain_text(f"sample in {sample_id}")

    # ----- the sample to the laboratory and back, used up -----
    sample = parent.locator(f'.bag-sample[data-bag="{sample_id}"]')
    own(sample, '.custody-actions [data-action="submitted_to_lab"]').tap()
    lab_form = own(sample, "div > form.handover")
    lab_form.locator('[data-field="lab"] input').fill("LGC Forensics, Teddington")
    lab_form.locator('[data-field="lab_reference"] input').fill("LGC-2026-4471")
    lab_form.locator('[data-field="scanned_text"] input').fill(sample_id)
    lab_form.locator("button[type=submit]").tap()
    expect(own(sample, "ol.timeline > li").nth(1)).to_contain_text("to LGC Forensics, Teddington")
    back = own(sample, '.custody-actions [data-action="returned_from_lab"]')
    expect(back).to_have_text("Next: Back from laboratory")
    expect(own(sample, '.custody-actions [data-action="stored"]')).to_have_count(0)  # only its return now
    back.tap()
    back_form = own(sample, "div > form.handover")
    back_form.locator('[data-field="result_reference"] input').fill("LGC-R-88123")
    back_form.get_by_text("Yes, used up").tap()
    back_form.locator('[data-field="scanned_text"] input').fill(sample_id)
    back_form.locator("button[type=submit]").tap()
    expect(own(sample, ".card-head .badge")).to_have_text("USED UP AT THE LABORATORY")
    expect(own(sample, ".custody-actions")).to_have_count(0)
    assert axe_violations(page) == []
    shoot(page, "sampling-sub-bag", at=f'.bag[data-bag="{parent_id}"] .sub-bags')

    bags = {b["bag_id"]: b for b in lane.api("GET", f"/seizures/{seizure_id}", user="olga").json()["bags"]}
    assert bags[sample_id]["parent_bag_id"] == parent_id and bags[sample_id]["state"] == "consumed"
    assert [s["action"] for s in bags[parent_id]["custody"]] == ["sealed", "sampled"]
    assert bags[parent_id]["custody"][1]["sample_check"]["ok"] is True
    assert bags[parent_id]["custody"][1]["witness"]["username"] == "sue"


def test_a_custody_form_being_filled_survives_a_waiting_step_being_sent(new_context: NewContext, lane: LaneRig) -> None:
    """A hand-over kept on the tablet while the box was out of reach is sent while the officer fills
    another bag's form: the form and what was typed stay; the screen catches up when it closes."""
    seizure_id, first = sealed_bag_of_new_seizure(lane)
    second = sealed_bag(lane, seizure_id, item=1)
    tablet = new_context(base_url=lane.url, viewport={"width": 1280, "height": 800}, has_touch=True)
    page: Page = signed_in(tablet, "olga")
    page.goto(f"/#/seizures/{seizure_id}")

    def hand_over(bag_id: str, to: str) -> Locator:
        bag = page.locator(f'.bag[data-bag="{bag_id}"]')
        own(bag, '.custody-actions [data-action="handed_over"]').tap()
        form = own(bag, "div > form.handover")
        form.locator('[data-field="to"] input').fill(to)
        form.locator('[data-field="scanned_text"] input').fill(bag_id)
        return form

    expect(page.locator(f'.bag[data-bag="{second}"] .custody-actions [data-action="handed_over"]')).to_be_visible()
    tablet.route("**/*", lambda route: route.abort("internetdisconnected"))
    tablet.set_offline(True)
    hand_over(second, "Evidence store").locator("button[type=submit]").tap()
    expect(page.locator(f'.bag[data-bag="{second}"] ol.timeline .is-waiting')).to_have_count(1)
    form = hand_over(first, "DS Patel")
    tablet.unroute("**/*")
    tablet.set_offline(False)
    expect(page.locator("#outbox-mark")).to_have_text("1 change sent ✓", timeout=15_000)
    wait_for(lambda: [s["action"] for s in custody_of(lane, seizure_id, second)] == ["sealed", "handed_over"],
             message="the waiting hand-over on the box")
    expect(form.locator('[data-field="to"] input')).to_have_value("DS Patel")
    form.locator("button[type=submit]").tap()
    for bag_id, to in ((first, "DS Patel"), (second, "Evidence store")):
        expect(page.locator(f'.bag[data-bag="{bag_id}"] ol.timeline > li').nth(1)).to_contain_text(f"→ {to}")
    assert [s["to"] for s in custody_of(lane, seizure_id, first)[1:]] == ["DS Patel"]


def custody_of(lane: LaneRig, seizure_id: str, bag_id: str) -> list[dict]:
    bags = lane.api("GET", f"/seizures/{seizure_id}", user="olga").json()["bags"]
    return next(b for b in bags if b["bag_id"] == bag_id)["custody"]
