"""The officer screens not covered by their own flows' checks are accessible too:
axe-core finds nothing serious or critical on the duty and weighbridge screens."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.axe import axe_violations


@pytest.mark.parametrize("screen,heading", [("#/duty", "Duty"), ("#/weighing", "Weighbridge")])
def test_the_screen_has_no_serious_accessibility_problem(page: Page, screen: str, heading: str) -> None:
    page.goto(f"/{screen}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert axe_violations(page) == []
