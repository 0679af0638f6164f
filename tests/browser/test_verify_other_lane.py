"""A bag sealed at ANOTHER lane of the port is checked on this lane's tablet with no box (issue #17): the
other lane registers its label key at a real hub with its status, this lane pulls the hub's signed
lane-keys document, the tablet keeps every key, and with the network gone the verify screen says
SIGNATURE VALID for the other lane's genuine label and FORGED OR ALTERED for a forged one."""

from __future__ import annotations

from typing import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import BrowserContext, Page, expect

from edge.labels.keys import LaneSigner
from sync.labels import sign_label
from tests.browser.test_verify_label import check
from tests.support.browser import shoot, wait_for_service_worker
from tests.support.hub_rig import InProcessHub
from tests.support.lane_process import LaneRig, make_rig
from tests.support.other_lane import OTHER, SEALED, register_other_lane
from tests.support.waiting import wait_for


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessHub]:
    running = InProcessHub(tmp_path_factory.mktemp("keys-hub"))
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def other_lane(tmp_path_factory: pytest.TempPathFactory, hub: InProcessHub) -> LaneSigner:
    return register_other_lane(hub, tmp_path_factory.mktemp("other-lane"))


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory, hub: InProcessHub, other_lane: LaneSigner) -> Iterator[LaneRig]:
    """Overrides the shared lane: this one is linked to the hub, which knows the other lane's key."""
    rig = make_rig(tmp_path_factory.mktemp("keys-lane"))
    rig.upstream = (hub.url, hub.store.add_lane(rig.lane_id))
    rig.hub_key = hub.hub_key
    rig.write_config()
    try:
        rig.start()
        yield rig
    finally:
        rig.close()


def test_a_label_sealed_at_another_lane_verifies_on_this_tablet_with_no_box(
        page: Page, context: BrowserContext, lane: LaneRig, other_lane: LaneSigner) -> None:
    def port_keys() -> list[str]:
        served = lane.api("GET", "/lane/keys", user="olga").json()
        return [key["lane"] for key in served["keys"]] if served["port"] else []

    assert wait_for(lambda: OTHER in port_keys(), timeout=20, message="the lane to have the hub's signed keys")
    genuine = other_lane.sign(SEALED)
    forged = sign_label({**SEALED, "lane": OTHER}, Ed25519PrivateKey.generate())  # the same facts, not its key

    page.goto("/#/verify")
    expect(page.locator("#verify-keys")).to_contain_text(f"{lane.lane_id}, {OTHER}")  # kept on the tablet now
    wait_for_service_worker(page)

    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    page.reload()
    expect(page.locator("#verify-keys")).to_contain_text(OTHER)

    check(page, genuine)
    expect(page.locator("#verify-verdict")).to_have_text("SIGNATURE VALID")
    expect(page.locator("#verify-bag")).to_have_text(SEALED["bag"])
    expect(page.locator("#verify-seal")).to_have_text(SEALED["seal"])
    expect(page.locator("#verify-lane")).to_have_text(OTHER)
    shoot(page, "73-verify-label-other-lane")

    check(page, forged)
    expect(page.locator("#verify-verdict")).to_have_text("FORGED OR ALTERED — do not accept")
