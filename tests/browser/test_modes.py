"""Looks for the lane (issue #13), in Chromium with touch: Day, Outdoor (high
contrast) and Night follow the tablet's settings (a dark scheme, more
contrast) until the officer picks one in the top bar's Display switch, which
the tablet keeps across a reload; nothing glides when the tablet asks for
reduced motion; and axe finds nothing serious in any look, colour contrast
included."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.support.axe import axe_violations
from tests.support.browser import PORTRAIT, shoot
from tests.support.lane_process import LaneRig

#: each look's page colour and top bar colour, as app.css declares them
PAPER = {"day": "rgb(255, 255, 255)", "outdoor": "rgb(255, 255, 255)", "night": "rgb(13, 17, 23)"}
BAR = {"day": "rgb(11, 61, 145)", "outdoor": "rgb(0, 0, 0)", "night": "rgb(10, 31, 69)"}


def look(page: Page) -> tuple[str, str, str]:
    """The look in force, and the page's and top bar's computed colours."""
    return tuple(page.evaluate("""() => [document.documentElement.dataset.look,
        getComputedStyle(document.body).backgroundColor,
        getComputedStyle(document.querySelector('.topbar')).backgroundColor]"""))


def expected(name: str) -> tuple[str, str, str]:
    return name, PAPER[name], BAR[name]


def pick(page: Page, name: str) -> None:
    page.locator("#theme-button").tap()
    expect(page.locator("#theme-sheet")).to_be_visible()
    page.locator(f"#theme-{name}").tap()
    expect(page.locator("#theme-sheet")).to_have_count(0)


def test_the_look_follows_the_tablet_until_the_officer_picks_one(page: Page) -> None:
    assert look(page) == expected("day")
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html")).to_have_attribute("data-look", "night")
    assert look(page) == expected("night")
    page.emulate_media(color_scheme="dark", contrast="more")  # more contrast asked for wins
    expect(page.locator("html")).to_have_attribute("data-look", "outdoor")
    assert look(page) == expected("outdoor")
    page.emulate_media(color_scheme="light", contrast="no-preference")
    expect(page.locator("html")).to_have_attribute("data-look", "day")
    expect(page.locator("#theme-button")).to_have_accessible_name("Display: Auto (Day now)")

    pick(page, "night")  # the officer's pick overrides the tablet's settings...
    assert look(page) == expected("night")
    expect(page.locator("#theme-button")).to_contain_text("Night")
    page.reload()  # ...and stays on this tablet
    expect(page.locator("#tiles .tile").first).to_be_visible()
    assert look(page) == expected("night")
    page.emulate_media(contrast="more")
    assert look(page) == expected("night")
    pick(page, "outdoor")
    assert look(page) == expected("outdoor")
    pick(page, "auto")
    assert look(page) == expected("outdoor")  # Auto again: the tablet asks for more contrast
    page.emulate_media(contrast="no-preference")
    expect(page.locator("html")).to_have_attribute("data-look", "day")


def test_the_switch_is_a_gloved_target(page: Page) -> None:
    for size in (None, PORTRAIT):
        if size:
            page.set_viewport_size(size)
        box = page.locator("#theme-button").bounding_box()
        assert box and box["width"] >= 64 and box["height"] >= 64
    pick(page, "night")
    page.locator("#theme-button").tap()
    for name in ("auto", "day", "outdoor", "night"):
        box = page.locator(f"#theme-{name}").bounding_box()
        assert box and box["height"] >= 64, name
    expect(page.locator("#theme-night")).to_contain_text("✓ Night")  # the current one is marked
    page.locator("#theme-sheet-cancel").tap()


def transition_of_a_gliding_element(page: Page) -> str:
    """The computed transition time of an element that asks to glide (set through the CSSOM)."""
    return page.evaluate("""() => {
        const el = document.createElement('div');
        el.style.transition = 'opacity 2s';
        el.style.animation = 'none 3s';
        document.body.append(el);
        const value = getComputedStyle(el).transitionDuration;
        el.remove();
        return value;
    }""")


def test_nothing_glides_when_the_tablet_asks_for_reduced_motion(page: Page) -> None:
    assert transition_of_a_gliding_element(page) == "2s"
    page.emulate_media(reduced_motion="reduce")
    assert transition_of_a_gliding_element(page) == "0s"


@pytest.mark.parametrize("name", ["day", "outdoor", "night"])
def test_no_serious_accessibility_finding_in_any_look(page: Page, lane: LaneRig, name: str) -> None:
    pick(page, name)
    assert axe_violations(page) == [], "lane screen"
    inspection_id = str(uuid.uuid4())
    started = lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "EK 48213", "containers": ["CSQU3054383"], "declaration_ref": "GB-DEC-0001",
        "inspection_type": "standard"})
    assert started.status_code == 201, started.text
    page.goto(f"/#/inspections/{inspection_id}")
    expect(page.locator("#vehicle-plate")).to_have_text("EK48213")
    expect(page.locator("#declaration")).to_contain_text("GB-DEC-0001")
    assert axe_violations(page) == [], "inspection screen"
    shoot(page, f"look-{name}-inspection")
    page.locator("#assess-duty").tap()
    expect(page.locator("#duty-mode")).to_be_visible()
    assert axe_violations(page) == [], "duty screen"
    page.locator('a[data-nav="inspections"]').tap()
    expect(page.locator(f'[data-inspection="{inspection_id}"]')).to_be_visible()
    assert axe_violations(page) == [], "inspections list"
    page.locator("#theme-button").tap()
    expect(page.locator("#theme-sheet")).to_be_visible()
    assert axe_violations(page) == [], "display switch"
    shoot(page, f"look-{name}-switch")
