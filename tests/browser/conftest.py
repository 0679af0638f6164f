"""Shared fixtures for the browser tests: a real lane server with simulated
devices, Debian's Chromium driven by Playwright, and a page signed in as an
officer.

Screenshots of every screen, at the tablet's portrait (800×1280) and
landscape (1280×800) sizes, go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

# must be set before the browser starts: lets context.route and set_offline
# reach the service worker's own fetches (docs/testing.md)
os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright  # noqa: E402

from lanebox.demo import DEMO_REFERENCE  # noqa: E402
from tests.support.browser import BROWSER_ARGS, CHROMIUM, LANDSCAPE, NewContext, sign_in  # noqa: E402
from tests.support.lane_process import LaneRig, make_rig, run_cli  # noqa: E402

expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaneRig]:
    """A real ``lanebox serve`` with the four simulated devices, the test
    users and the demo reference data (declarations, watchlist, tariff)."""
    rig = make_rig(tmp_path_factory.mktemp("pwa-lane"))
    result = run_cli("reference", "load", "--config", str(rig.config_path), str(DEMO_REFERENCE), check=False)
    rig.reference_problem = None if result.returncode == 0 else (  # type: ignore[attr-defined]
        f"`lanebox reference load` failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    try:
        rig.start()
        yield rig
    finally:
        rig.close()


@pytest.fixture(scope="module")
def reference(lane: LaneRig) -> dict[str, Any]:
    """The reference data the lane has loaded (the demo set), as JSON."""
    problem = getattr(lane, "reference_problem", None)
    if problem:
        pytest.fail(problem)
    return json.loads(DEMO_REFERENCE.read_text())


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Makes browser contexts (tablets, control-room screens) for this test,
    closed after it. An uncaught error on any page of them fails the test,
    and so does anything the Content-Security-Policy blocked: an app that
    throws, or whose script or style the browser refused, is broken even
    when the assertions happen to pass."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def watch(page: Page) -> None:
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.on("console", lambda msg: errors.append(f"{page.url}: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text else None)

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**options)
        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert errors == [], "uncaught errors in the app's pages"


@pytest.fixture
def context(new_context: NewContext, lane: LaneRig) -> BrowserContext:
    """A fresh tablet: no storage, no service worker yet, landscape."""
    return new_context(base_url=lane.url, viewport=LANDSCAPE, service_workers="allow", device_scale_factor=1,
                       has_touch=True)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """The officer app, signed in as olga, on the lane screen."""
    page = context.new_page()
    page.on("console", lambda msg: print(f"[browser {msg.type}] {msg.text}")
            if msg.type in ("error", "warning") else None)
    page.goto("/")
    sign_in(page)
    expect(page.locator("#tiles .tile").first).to_be_visible()
    return page

