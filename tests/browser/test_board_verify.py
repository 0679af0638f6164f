"""The control room checks a bag label too (issue #17): the board's "Check a label" opens the tablets'
own verify screen, served by the hub, with every lane's key as the hub has them — a label sealed at a
lane verifies, a forged one does not."""

from __future__ import annotations

from typing import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page, expect

from sync.labels import sign_label
from tests.browser.test_verify_label import check
from tests.support.browser import LANDSCAPE, NewContext, shoot
from tests.support.hub_rig import HUB_USERS, InProcessHub
from tests.support.other_lane import OTHER, SEALED, register_other_lane


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessHub]:
    running = InProcessHub(tmp_path_factory.mktemp("board-keys-hub"))
    try:
        yield running
    finally:
        running.close()


def open_board(new_context: NewContext, hub: InProcessHub) -> Page:
    hub.user_token("vera")  # adds the viewer
    page = new_context(base_url=hub.url, viewport=LANDSCAPE, service_workers="allow").new_page()
    page.goto("/board/")
    page.fill("#signin-username", "vera")
    page.fill("#signin-password", HUB_USERS["vera"][1])
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin")).to_be_hidden()
    return page


def test_the_board_checks_a_lanes_label_with_the_hubs_keys(new_context: NewContext, hub: InProcessHub,
                                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    signer = register_other_lane(hub, tmp_path_factory.mktemp("sealing-lane"))
    page = open_board(new_context, hub)
    page.click('nav a[data-nav="verify"]')
    expect(page.locator('nav a[data-nav="verify"]')).to_have_attribute("aria-current", "page")
    expect(page.locator("#verify-keys")).to_contain_text(f"Keys of {OTHER} kept here")

    check(page, signer.sign(SEALED))
    expect(page.locator("#verify-verdict")).to_have_text("SIGNATURE VALID")
    expect(page.locator("#verify-lane")).to_have_text(OTHER)
    expect(page.locator("#verify-seal")).to_have_text(SEALED["seal"])
    shoot(page, "board-verify-label")

    check(page, sign_label({**SEALED, "lane": OTHER}, Ed25519PrivateKey.generate()))
    expect(page.locator("#verify-verdict")).to_have_text("FORGED OR ALTERED — do not accept")
