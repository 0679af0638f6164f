"""Driving the apps in Debian's Chromium: signing in, screenshots at the
tablet's sizes, PDFs and photos as the officer would print and take them."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any, Callable

from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.lane_process import PASSWORDS
from tests.support.page_wait import wait_in_page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PORTRAIT = {"width": 800, "height": 1280}
LANDSCAPE = {"width": 1280, "height": 800}

NewContext = Callable[..., BrowserContext]
"""The ``new_context`` fixture: makes a browser context (a tablet, a control-room screen) for a test."""


def sign_in(page: Page, username: str = "olga") -> None:
    """Sign in through the overlay, as an officer at the tablet would."""
    expect(page.locator("#signin")).to_be_visible()
    page.fill("#signin-username", username)
    page.fill("#signin-password", PASSWORDS[username][1])
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin")).to_be_hidden()


def token_of(page: Page) -> str:
    """The bearer token the app holds."""
    return page.evaluate("JSON.parse(localStorage.getItem('lanebox.session')).token")


def wait_for_service_worker(page: Page) -> None:
    wait_in_page(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15)


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


def pdf_bytes_of_link(page: Page, selector: str) -> dict[str, Any]:
    """What the app's blob: link holds: its type and first bytes."""
    return page.evaluate("""async (sel) => {
        const a = document.querySelector(sel);
        const r = await fetch(a.href);
        const b = new Uint8Array(await r.arrayBuffer());
        return {href: a.href, type: a.dataset.type, head: String.fromCharCode(...b.slice(0, 5)), size: b.length};
    }""", selector)


def signed_in(context: BrowserContext, username: str) -> Page:
    page = context.new_page()
    page.goto("/")
    sign_in(page, username)
    return page
