"""One distribution that ships whole: a wheel built from this checkout is all a
lane and a hub serve (docs/packaging.md).

The wheel is built once with the venv's pip and installed into a new venv
(dependencies from the registry, through pip's cache). Its ``lanebox demo``
runs from a folder outside the checkout, with no node or npm on PATH and no
PYTHONPATH, so nothing can come from the checkout or from npm at run time;
Chromium then loads the officer app and the board from it, as installable
apps whose service workers open them again with the network cut.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from tests.support.browser import BROWSER_ARGS, CHROMIUM, LANDSCAPE, shoot, wait_for_service_worker
from tests.support.run_wide import run_wide

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"common", "drivers", "edge", "lanebox", "pwa", "sync"}
VENDOR = "pwa/vendor/socket.io.min.js"
LANE_URL = re.compile(r"lane DEMO-IN-01\s+officer app (http://127\.0\.0\.1:\d+)/")
BOARD_URL = re.compile(r"control-room board (http://127\.0\.0\.1:\d+)/board/")
USER = re.compile(r"^\s+(\S+)\s+/\s+(\S+)\s+\((\w+)\)", re.M)
"""A demo user line: ``    officer  / blue-harbour-gate  (officer)``."""

# building and installing a wheel takes a minute on a busy machine, before any browser starts
pytestmark = pytest.mark.timeout(600)


def run(*command: str | Path, cwd: Path, timeout: float, env: dict[str, str] | None = None) -> str:
    """Run a command to completion; fail the test with its output if it fails."""
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from the checkout as a release would be (npm at build time): once per
    run, by the first worker to need it (two builds at once in one checkout trip over each other)."""
    with run_wide(tmp_path_factory, "wheel") as out:
        if not list(out.glob("lanebox-*.whl")):
            run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet", "-w", out, cwd=ROOT, timeout=180)
        (built,) = out.glob("lanebox-*.whl")
    return built


@dataclass(frozen=True)
class Box:
    """A new venv with only the wheel (and its dependencies) installed."""

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def environment(self) -> dict[str, str]:
        """What a box's shell has: this venv's commands only (no node, no
        npm), no PYTHONPATH, nothing of the test run's virtualenv."""
        env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONHOME")}
        env.update(PATH=str(self.bin), PYTHONPATH="", PYTHONUNBUFFERED="1")
        return env


@pytest.fixture(scope="session")
def box(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Box:
    """A new venv with the wheel installed: once per run, shared by the workers (each runs its own demo)."""
    with run_wide(tmp_path_factory, "box") as root:
        installed = Box(root / "venv")
        if not (installed.bin / "lanebox").exists():
            run(sys.executable, "-m", "venv", installed.root, cwd=root, timeout=60)
            run(installed.bin / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "-c", ROOT / "constraints.txt", wheel, cwd=root, timeout=300)
    return installed


@dataclass(frozen=True)
class Demo:
    """What ``lanebox demo`` printed: where its apps are, who may sign in."""

    lane: str
    board: str
    users: dict[str, tuple[str, str]]
    """role -> (username, password)"""


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, box: Box) -> Iterator[Demo]:
    """The installed ``lanebox demo``, run where a box would run it: outside
    any checkout, its own commands only on PATH."""
    workdir = tmp_path_factory.mktemp("demo-run")
    env = box.environment()
    assert shutil.which("node", path=env["PATH"]) is None and shutil.which("npm", path=env["PATH"]) is None
    process = subprocess.Popen([box.bin / "lanebox", "demo", "--port", "0", "--data-dir", workdir / "data"],
                               cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)  # its own process group, for Ctrl-C as a terminal sends it
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    output = ""
    try:
        while not (LANE_URL.search(output) and BOARD_URL.search(output)
                   and {"officer", "supervisor"} <= users(output).keys()):
            line = lines.get(timeout=90)
            if line is None:
                pytest.fail(f"the installed lanebox demo stopped before it served:\n{output}")
            output += line
        yield Demo(lane=LANE_URL.search(output).group(1), board=BOARD_URL.search(output).group(1),
                   users=users(output))
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def users(output: str) -> dict[str, tuple[str, str]]:
    """The demo users printed so far, by role."""
    return {role: (username, password) for username, password, role in USER.findall(output)}


def committed(folder: str) -> set[str]:
    """The files of ``folder`` in the checkout's git index."""
    return set(run("git", "ls-files", "--", folder, cwd=ROOT, timeout=30).split())


def test_the_wheel_holds_the_apps_the_socket_io_client_and_nothing_else(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")} == PACKAGES
    app_files = {name for name in committed("pwa") if not name.endswith(".py")}
    shipped = {name for name in names if name.startswith("pwa/") and not name.endswith(".py")}
    assert app_files - shipped == set(), "app files missing from the wheel (pyproject.toml's package-data)"
    assert VENDOR in shipped, "socket.io-client missing from the wheel (setup.py's build_vendor)"
    assert shipped - app_files - {VENDOR} == set(), "the wheel's pwa holds files that are not the apps'"
    assert {name for name in names if name.startswith("pwa/") and name.endswith(".py")} == {"pwa/__init__.py"}
    assert "lanebox/demo_reference.json" in names
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/socket.io-client"]["version"]
    assert f"Socket.IO v{version}\n" in zipfile.ZipFile(wheel).read(VENDOR).decode()[:200]


def test_the_installed_box_has_no_tests_and_no_node_modules(box: Box) -> None:
    probe = ("import importlib.util, json, sysconfig; from importlib.resources import files; "
             "print(json.dumps({'tests': importlib.util.find_spec('tests') is not None, "
             "'site': sysconfig.get_paths()['purelib'], 'pwa': str(files('pwa'))}))")
    found = json.loads(run(box.bin / "python", "-c", probe, cwd=box.root, env=box.environment(), timeout=60))
    assert found["tests"] is False
    assert Path(found["pwa"]) == Path(found["site"]) / "pwa"
    assert list(Path(found["site"]).rglob("node_modules")) == []
    assert (Path(found["pwa"]) / "vendor" / "socket.io.min.js").is_file()


@pytest.fixture
def profile(playwright: Playwright, tmp_path: Path) -> Iterator[BrowserContext]:
    """A browser with a real profile on disk, as a tablet or a control-room PC
    has: Chromium answers ``in-incognito`` to the installability check in the
    ``browser`` fixture's contexts. An uncaught error on its pages fails the test."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=BROWSER_ARGS, viewport=LANDSCAPE)
    errors: list[str] = []
    watch = partial(watch_errors, errors)
    context.on("page", watch)
    for page in context.pages:
        watch(page)
    yield context
    context.close()
    assert errors == [], "uncaught errors in the app's pages"


def watch_errors(errors: list[str], page: Page) -> None:
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))


def opens_installs_and_works_offline(context: BrowserContext, url: str, user: tuple[str, str],
                                     signed_in: str, offline: str) -> Page:
    """The app at ``url``: its scripts run (they show the sign-in form, and
    socket.io-client is there), ``user`` signs in and sees ``signed_in``, the
    app is installable, a service worker takes control, and a reload with the
    network cut shows the app again, saying it is offline with ``offline``."""
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url)
    expect(page.locator("#signin-form")).to_be_visible()
    assert page.evaluate("typeof window.io") == "function"
    page.fill("#signin-username", user[0])
    page.fill("#signin-password", user[1])
    page.click("#signin-form button[type=submit]")
    expect(page.locator(signed_in).first).to_be_visible()
    wait_for_service_worker(page)
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    expect(page.locator(offline)).to_be_visible()
    assert page.evaluate("typeof window.io") == "function"
    return page


def test_the_officer_app_from_the_wheel(profile: BrowserContext, demo: Demo) -> None:
    page = opens_installs_and_works_offline(profile, f"{demo.lane}/", demo.users["officer"], "#tiles .tile",
                                            "#outbox-mark:text-matches('^(offline|box unreachable) — ')")
    shoot(page, "wheel-officer-app-offline")


def test_the_board_from_the_wheel(profile: BrowserContext, demo: Demo) -> None:
    page = opens_installs_and_works_offline(profile, f"{demo.board}/board/", demo.users["supervisor"],
                                            "#lane-grid .lane-card", "#link:has-text('NO LINK TO HUB')")
    shoot(page, "wheel-board-offline")
