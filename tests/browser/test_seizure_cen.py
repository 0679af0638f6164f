"""A seizure's CEN sections at the tablet (issue #17), in Chromium on a touch tablet (1280×800) against a
real lane with its passport reader and bench scale on ptys and the demo reference data: the form opens
with how the lorry was found ticked from its flags, the vehicle, the origin, the driver from the
passport read and the declaration's companies; the officer only ticks where the goods were hidden.
The taps are counted with and without that one tap (the rest of the seizure is the same as before);
the seizure screen says the sections in words and exports them for CEN after asking why."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from drivers.simulators.mrz_reader import made_up_specimens
from lanebox.demo import ensure_demo_reference
from tests.browser.test_right_record import Taps
from tests.support.axe import axe_violations
from tests.support.bench_lane import bench_lane
from tests.support.browser import NewContext, shoot, signed_in
from tests.support.custody_bench import calibrate_bench_scale
from tests.support.lane_process import LaneRig
from tests.support.waiting import wait_for

HALLORAN = made_up_specimens()[0]


def lane_past(store) -> None:  # type: ignore[no-untyped-def]
    calibrate_bench_scale(store)
    ensure_demo_reference(store)


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    with bench_lane(tmp_path_factory.mktemp("cen-lane"), history=lane_past) as rig:
        yield rig


def inspected_with_passport(lane: LaneRig) -> str:
    """KHN 512 (the demo's GB-DEC-0003, on its watchlist) inspected, HALLORAN's passport attached."""
    inspection_id = str(uuid.uuid4())
    started = lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "KHN 512", "containers": ["MAEU7362056"], "inspection_type": "standard"})
    assert started.status_code == 201, started.text
    lane.sims["document-1"].present(HALLORAN)

    def read() -> bool:
        reading = lane.api("GET", "/devices/document-1", user="olga").json()["last_reading"] or {}
        return ((reading.get("data") or {}).get("mrz") or {}).get("surname") == "HALLORAN"

    wait_for(read, message="the passport read")
    attached = lane.api("POST", "/attachments", user="olga", json={
        "id": str(uuid.uuid4()), "device_id": "document-1", "record_type": "inspection", "record_id": inspection_id})
    assert attached.status_code == 201, attached.text
    return inspection_id


def test_a_seizure_with_its_cen_sections_prefilled(new_context: NewContext, lane: LaneRig) -> None:
    inspection_id = inspected_with_passport(lane)
    tablet = new_context(base_url=lane.url, viewport={"width": 1280, "height": 800}, has_touch=True)
    page: Page = signed_in(tablet, "olga")
    page.goto(f"/#/inspections/{inspection_id}")
    count = Taps(page)
    count.tap('#outcome-form [data-outcome="seize"]')
    count.tap("#confirm-outcome")
    expect(page.locator("#seizure-form")).to_be_visible()
    count.tap("text=Copy the declared goods")
    count.type('[data-field="legal_basis"] input', "CEMA 1979 s.139 — goods liable to forfeiture")

    # ----- what the inspection already said, offered to confirm -----
    cen = page.locator("#cen-sections")
    expect(cen.locator('[data-detection="intelligence"] input')).to_be_checked()  # KHN 512 is on the watchlist
    expect(cen.locator('[data-detection="risk_profile"] input')).to_be_checked()
    expect(cen.locator('[data-detection="x_ray"] input')).not_to_be_checked()
    expect(cen.locator('[data-field="conveyance.plate"] input')).to_have_value("KHN512")
    expect(cen.locator('[data-field="conveyance.containers"] input')).to_have_value("MAEU7362056")
    expect(cen.locator('[data-field="route.origin_country"] input')).to_have_value("AE")
    expect(cen.locator(".cen-person h3")).to_contain_text("Driver — from the passport read")
    expect(cen.locator('[data-field="persons.0.surname"] input')).to_have_value("HALLORAN")
    expect(cen.locator('[data-field="persons.0.document_number"] input')).to_have_value("543219876")
    expect(cen.locator('[data-field="persons.0.nationality"] input')).to_have_value("GB")
    expect(cen.locator('[data-field="companies.0.name"] input')).to_have_value("Gulf Horizon General Trading FZE")
    expect(cen.locator('[data-field="companies.2.name"] input')).to_have_value("Žalgiris Transport UAB")
    chip = cen.locator('[data-concealment="false_compartment"]')
    assert chip.bounding_box()["height"] >= 64  # a gloved finger's target
    base = (count.taps + 1, count.fields)  # the seizure as before: these, and Record seizure
    count.tap('#cen-concealment [data-concealment="false_compartment"]')  # the one thing only the officer knows
    assert axe_violations(page) == []
    shoot(page, "seizure-cen-found-hidden", at="#cen-concealment")
    shoot(page, "seizure-cen-form", at="#cen-persons")
    count.tap("#seizure-form button[type=submit]")
    page.wait_for_url("**/#/seizures/*")
    seizure_id = page.url.rsplit("/", 1)[1]
    print(f"\nseizure: before the CEN sections {base[0]} taps, {base[1]} field(s); "
          f"with them {count.taps} taps, {count.fields} field(s)")
    assert (count.taps, count.fields) == (base[0] + 1, base[1])

    # ----- stored as confirmed -----
    seizure = lane.api("GET", f"/seizures/{seizure_id}", user="olga").json()
    assert seizure["cen"]["detection"] == {"methods": ["risk_profile", "intelligence"]}
    assert seizure["cen"]["concealment"] == {"methods": ["false_compartment"]}
    assert seizure["cen"]["conveyance"] == {"vehicle_type": "lorry", "containers": ["MAEU7362056"], "plate": "KHN512"}
    assert seizure["cen"]["persons"][0] == {"role": "driver", "surname": "HALLORAN", "given_names": "BRIDGET AOIFE",
                                            "nationality": "GB", "birth_date": "1987-03-14",
                                            "document_type": "passport", "document_number": "543219876",
                                            "document_country": "GB"}
    assert [c["role"] for c in seizure["cen"]["companies"]] == ["consignor", "consignee", "haulier"]

    # ----- the seizure screen says it in words, and exports it after asking why -----
    summary = page.locator("#seizure-cen")
    expect(summary).to_contain_text("Risk profile, Intelligence or watchlist")
    expect(summary).to_contain_text("False compartment")
    expect(summary).to_contain_text("Driver: BRIDGET AOIFE HALLORAN (United Kingdom)")
    expect(summary).to_contain_text("goods from United Arab Emirates")
    assert axe_violations(page) == []
    shoot(page, "seizure-cen-summary", at="#seizure-cen")
    page.locator("#export-button").tap()
    page.locator("#justify-court_request").tap()
    expect(page.locator("#export-link")).to_have_attribute("href", re.compile("^blob:"))
    exported = json.loads(page.evaluate(
        "async () => (await fetch(document.getElementById('export-link').href)).text()"))
    assert exported["format"] == "lanebox-cen-1" and exported["seizure"]["reference"] == seizure_id
    assert exported["concealment"]["methods"] == [{"code": "false_compartment", "words": "False compartment"}]
    logged = lane.api("GET", f"/consultations?record={seizure_id}", user="sue").json()["entries"]
    assert any(e["action"] == "export" and e["justification"]["code"] == "court_request" for e in logged)
