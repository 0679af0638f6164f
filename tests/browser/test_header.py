"""The top bar holds still (issue #13): the offline mark has a slot of its own,
so its coming and going moves neither the lane's name, nor the screens' tabs,
nor the sign-out button, nor the screen under the bar — on a landscape and a
portrait tablet, in Chromium with touch."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import LANDSCAPE, PORTRAIT, shoot

#: what an officer's eye and thumb rely on staying put, and the screen under the bar
STILL = {"lane name": "#lane-name", "tabs": "nav.tabs", "inspections tab": '[data-nav="inspections"]',
         "sign-out button": "#user-button", "screen": "#view"}


def boxes(page: Page) -> dict[str, dict[str, float]]:
    """Where each part is on screen now (zero boxes for a part this layout does not show)."""
    return {name: page.eval_on_selector(selector, "el => el.getBoundingClientRect().toJSON()")
            for name, selector in STILL.items()}


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_going_offline_and_back_moves_nothing_in_the_header(page: Page, context: BrowserContext,
                                                            size: dict[str, int]) -> None:
    page.set_viewport_size(size)
    mark = page.locator("#outbox-mark")
    expect(mark).to_be_hidden()
    expect(page.locator("#user-button")).to_contain_text("olga")
    before = boxes(page)
    if size == LANDSCAPE:
        assert before["lane name"]["width"] > 0  # shown, so its staying put means something

    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    expect(mark).to_have_text("offline — 0 waiting")
    expect(mark).to_be_visible()
    assert boxes(page) == before
    shoot(page, f"header-offline-{size['width']}")
    page.set_viewport_size(size)  # shoot leaves the page in landscape

    context.unroute("**/*")
    context.set_offline(False)
    expect(mark).to_be_hidden()
    assert boxes(page) == before
