"""Checking a bag's label on the tablet without the box (issue #17): the tablet keeps the lane's keys
once it has seen them, and with the network gone the verify screen says SIGNATURE VALID for the real
label (bag, seal, lane) and FORGED OR ALTERED for a forged and an altered one. The label sheet shows
a sealed bag's label as signed, an unsealed one's as not signed yet."""

from __future__ import annotations

import base64
import json
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import BrowserContext, Page, expect

from sync.labels import read_label, sign_label
from tests.support.browser import shoot, wait_for_service_worker
from tests.support.lane_process import LaneRig

SEAL = "GB 007731"


def sealed_and_unsealed(lane: LaneRig) -> tuple[str, str, str]:
    """A seizure with two bags, the first sealed before sue: (seizure id, sealed bag, unsealed bag)."""
    inspection_id, seizure_id = str(uuid.uuid4()), str(uuid.uuid4())
    bag_events = [str(uuid.uuid4()) for _ in range(2)]
    item = {"description": "Cigarettes", "hs_code": "240220", "quantity": 20, "unit": "cartons", "value": 900,
            "currency": "EUR"}
    posts = [("/inspections", {"id": inspection_id, "plate": "EK 48213", "containers": [],
                               "inspection_type": "standard"}),
             ("/seizures", {"id": seizure_id, "inspection_id": inspection_id, "legal_basis": "s.139",
                            "items": [item]}),
             *((f"/seizures/{seizure_id}/bags", {"id": e, "description": "20 cartons", "items": [0]})
               for e in bag_events)]
    for path, body in posts:
        assert lane.api("POST", path, user="olga", json=body).status_code == 201
    sealed, unsealed = ("BAG-" + e.replace("-", "")[:8].upper() for e in bag_events)
    response = lane.api("POST", f"/bags/{sealed}/custody", user="olga", headers={"X-Witness-Token": lane.token("sue")},
                        json={"id": str(uuid.uuid4()), "action": "sealed", "seal_number": SEAL,
                              "confirmation": "typed"})
    assert response.status_code == 201, response.text
    return seizure_id, sealed, unsealed


def check(page: Page, text: str) -> None:
    page.fill("#label-text", text)
    page.press("#label-text", "Enter")  # as a handheld scanner ends its line


def test_the_verify_screen_checks_labels_with_no_box(page: Page, context: BrowserContext, lane: LaneRig) -> None:
    seizure_id, sealed, unsealed = sealed_and_unsealed(lane)
    genuine = lane.api("GET", f"/bags/{sealed}/label", user="olga").json()["text"]

    page.goto(f"/#/seizures/{seizure_id}/labels")
    expect(page.locator(f'.label[data-bag="{sealed}"] .label-signed')).to_contain_text("Signed")
    expect(page.locator(f'.label[data-bag="{unsealed}"] .label-unsigned')).to_contain_text("Not signed yet")
    page.goto("/#/lane")
    page.click("#verify-link")
    expect(page.locator("#verify-keys")).to_contain_text(f"Keys of {lane.lane_id}")  # kept on the tablet now
    wait_for_service_worker(page)

    # the box is out of reach: every request fails; the app opens from its cache
    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    page.reload()
    expect(page.locator("#verify-keys")).to_contain_text(f"Keys of {lane.lane_id}")

    check(page, genuine)
    expect(page.locator("#verify-verdict")).to_have_text("SIGNATURE VALID")
    expect(page.locator("#verify-bag")).to_have_text(sealed)
    expect(page.locator("#verify-seal")).to_have_text(SEAL)
    expect(page.locator("#verify-weight")).to_have_text("not weighed at sealing")
    expect(page.locator("#verify-lane")).to_have_text(lane.lane_id)
    shoot(page, "70-verify-label-valid")

    # forged: the same facts signed by a key the lane never had; altered: the genuine label with its
    # seal number changed (its payload re-encoded, its key id and signature kept)
    forged = sign_label({k: v for k, v in read_label(genuine).items() if k != "kid"}, Ed25519PrivateKey.generate())
    prefix, _, signature = genuine.split(".")
    claims = json.dumps(read_label(genuine) | {"seal": "GB 007781"}).encode()
    altered = f"{prefix}.{base64.urlsafe_b64encode(claims).rstrip(b'=').decode()}.{signature}"
    for text in (forged, altered):
        check(page, text)
        expect(page.locator("#verify-verdict")).to_have_text("FORGED OR ALTERED — do not accept")
    shoot(page, "71-verify-label-forged")

    check(page, genuine)  # and the genuine one is still good afterwards
    expect(page.locator("#verify-verdict")).to_have_text("SIGNATURE VALID")
