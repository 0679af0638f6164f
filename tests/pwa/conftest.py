"""Shared fixtures for the officer app's browser tests: a real lane server
with simulated devices, Debian's Chromium driven by Playwright, and a page
signed in as an officer.

Screenshots of every screen, at the tablet's portrait (800×1280) and
landscape (1280×800) sizes, go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image

# must be set before the browser starts: lets context.route and set_offline
# reach the service worker's own fetches (see shared/RECIPES.md)
os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.edge.lane_process import PASSWORDS, LaneRig, make_rig, run_cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DEMO_REFERENCE = ROOT / "edge" / "demo_reference.json"
PORTRAIT = {"width": 800, "height": 1280}
LANDSCAPE = {"width": 1280, "height": 800}

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
def context(browser: Browser, lane: LaneRig) -> Iterator[BrowserContext]:
    """A fresh tablet: no storage, no service worker yet, landscape."""
    context = browser.new_context(base_url=lane.url, viewport=LANDSCAPE, service_workers="allow",
                                  device_scale_factor=1, has_touch=True)
    yield context
    context.close()


def sign_in(page: Page, username: str = "olga") -> None:
    """Sign in through the overlay, as an officer at the tablet would."""
    expect(page.locator("#signin")).to_be_visible()
    page.fill("#signin-username", username)
    page.fill("#signin-password", PASSWORDS[username][1])
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin")).to_be_hidden()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """The officer app, signed in as olga, on the lane screen."""
    page = context.new_page()
    page.on("console", lambda msg: print(f"[browser {msg.type}] {msg.text}")
            if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: print(f"[browser pageerror] {exc}"))
    page.goto("/")
    sign_in(page)
    expect(page.locator("#tiles .tile").first).to_be_visible()
    return page


def token_of(page: Page) -> str:
    """The bearer token the app holds."""
    return page.evaluate("JSON.parse(localStorage.getItem('lanebox.session')).token")


def wait_for_service_worker(page: Page) -> None:
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15_000)


def shoot(page: Page, name: str, full_page: bool = False, at: str | None = None) -> list[Path]:
    """Screenshots of what is on screen now, portrait then landscape, from
    the top of the page or with the element ``at`` scrolled into view; the
    page is left in landscape."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    # a sticky bar would be drawn mid-page in a full-page capture
    page.evaluate("(full) => { const bar = document.querySelector('.topbar');"
                  " if (bar) bar.style.position = full ? 'static' : ''; }", full_page)
    for size in (PORTRAIT, LANDSCAPE):
        page.set_viewport_size(size)
        if at:
            page.eval_on_selector(at, "el => el.scrollIntoView({block: 'center'})")
        elif not full_page:
            page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(150)  # let the layout settle
        path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path), full_page=full_page)
        paths.append(path)
    page.evaluate("() => { const bar = document.querySelector('.topbar'); if (bar) bar.style.position = ''; }")
    return paths


def inspection_id_from(page: Page) -> str:
    page.wait_for_url("**/#/inspections/*-*")
    return page.url.rsplit("/", 1)[1]


def pdf_of_link(page: Page, selector: str = "#pdf-link") -> bytes:
    """The PDF the app opened (its blob: link), byte for byte, as the officer would print it."""
    encoded = page.evaluate("""async (sel) => {
        const blob = await (await fetch(document.querySelector(sel).href)).blob();
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let text = '';
        for (const b of bytes) text += String.fromCharCode(b);
        return btoa(text);
    }""", selector)
    return base64.b64decode(encoded)


def photo_bytes() -> bytes:
    """A real JPEG, as a tablet camera would make (small)."""
    image = Image.new("RGB", (320, 240), (180, 40, 40))
    for x in range(0, 320, 40):
        for y in range(0, 240, 40):
            if (x + y) // 40 % 2:
                image.paste((240, 220, 60), (x, y, x + 40, y + 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
