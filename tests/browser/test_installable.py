"""The app installs as a PWA, a service worker controls it, and its app
shell lists every file the app needs (no build step computes it)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Iterator

import pytest
import requests
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Playwright

from tests.support.browser import BROWSER_ARGS, CHROMIUM, LANDSCAPE, sign_in, wait_for_service_worker
from tests.support.lane_process import LaneRig

PWA = Path(__file__).resolve().parents[2] / "pwa"


@pytest.fixture
def profile(playwright: Playwright, lane: LaneRig, tmp_path: Path) -> Iterator[BrowserContext]:
    """A browser with a real profile on disk: Chromium does not offer to
    install from an incognito-like context (Playwright's usual ones)."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=BROWSER_ARGS, base_url=lane.url,
        viewport=LANDSCAPE)
    yield context
    context.close()


def test_installable_with_no_errors_and_a_controlling_service_worker(profile: BrowserContext, lane: LaneRig) -> None:
    context = profile
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/")
    sign_in(page)
    wait_for_service_worker(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{lane.url}/sw.js"
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{lane.url}/app/manifest.webmanifest"
    assert manifest["errors"] == []
    data = json.loads(manifest["data"])
    assert data["start_url"] == "/" and data["display"] == "standalone"
    assert data["name"] and data["short_name"] and data["theme_color"] and data["background_color"]
    sizes = set()
    for icon in data["icons"]:
        answer = requests.get(lane.url + icon["src"], timeout=10)
        assert answer.status_code == 200, icon["src"]
        image = Image.open(io.BytesIO(answer.content))
        assert image.format == "PNG"
        assert f"{image.width}x{image.height}" == icon["sizes"], icon["src"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_everything_the_app_loads_comes_from_the_box(page: Page, lane: LaneRig) -> None:
    """No CDN: every script, style, image and font the page uses is the box's."""
    urls = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(lane.url) for u in urls), [u for u in urls if not u.startswith(lane.url)]


BOARD = PWA / "board"
SHELL_SUFFIXES = (".js", ".css", ".png", ".webmanifest")


def shell_urls(service_worker: Path) -> set[str]:
    text = service_worker.read_text()
    block = re.search(r"const SHELL = \[(.*?)\];", text, re.S).group(1)
    return set(re.findall(r"'([^']+)'", block))


def files_of(folder: Path, url_prefix: str, skip: tuple[Path, ...] = ()) -> set[str]:
    """The app's files in ``folder`` (not its service worker, nor the folders in
    ``skip``) as the URLs they are served at."""
    return {f"{url_prefix}{p.relative_to(folder).as_posix()}" for p in folder.rglob("*")
            if p.is_file() and p.suffix in SHELL_SUFFIXES and p.name != "sw.js"
            and not any(s in p.parents for s in skip)}


def exists(url: str) -> bool:
    """Whether a shell URL names a file in pwa/ (officer app at /app/, board at /board/)."""
    for prefix, folder in (("/board/", BOARD), ("/app/", PWA)):
        if url.startswith(prefix):
            return (folder / url.removeprefix(prefix)).is_file()
    return False


def test_the_app_shell_lists_every_file_of_the_app() -> None:
    """A file missing from pwa/sw.js's SHELL would be absent offline."""
    # the board is the hub's app, with its own worker; vendor scripts are served at /vendor/
    on_disk = files_of(PWA, "/app/", skip=(BOARD, PWA / "vendor"))
    listed = shell_urls(PWA / "sw.js")
    assert on_disk - listed == set(), "add these to SHELL in pwa/sw.js"
    assert {"/", "/vendor/socket.io.min.js"} <= listed
    assert listed - on_disk - {"/", "/vendor/socket.io.min.js"} == set(), "SHELL lists files that do not exist"


def test_the_boards_shell_lists_every_file_of_the_board() -> None:
    """The same for the control-room board's worker (pwa/board/sw.js): its own
    files, and every officer-app file (modules, icons) the board loads."""
    borrowed = {url for p in BOARD.rglob("*") if p.is_file() and p.suffix in (*SHELL_SUFFIXES, ".html")
                for url in re.findall(r"""["'](/app/[^"']+)["']""", p.read_text())}
    assert borrowed, "the board borrows api.js, ui.js, format.js and icons from the officer app"
    needed = files_of(BOARD, "/board/") | borrowed
    listed = shell_urls(BOARD / "sw.js")
    assert needed - listed == set(), "add these to SHELL in pwa/board/sw.js"
    assert {"/board/", "/vendor/socket.io.min.js"} <= listed
    missing = {url for url in listed - {"/board/", "/vendor/socket.io.min.js"} if not exists(url)}
    assert missing == set(), "pwa/board/sw.js's SHELL lists files that do not exist"
