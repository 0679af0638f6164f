"""The control room's alarm board in real Chromium at 1920×1080 (issue #14),
against a hub served in this process with two lanes reporting and 25 alarms
of mixed kinds and severities raised as the projector raises them.

What a supervisor checks: every lane card above the fold with the lane that
has the critical alarm first and marked; the strip one line per lane with a
count per kind; acknowledge (with a note) and clear as separate steps by two
supervisors, each shown with who and when in the lane, the case and the
search; a shelved source hidden until its time runs out (the page's clock
moved on); a new critical alarm heard and notified unless muted; the wall
screen and the light theme; axe finds nothing serious on any of it.
Screenshots go to ``test-artifacts/screenshots/board-alarms-*``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from sync.hub.alarms import raise_alarm
from tests.support.axe import axe_violations
from tests.support.browser import SCREENSHOTS, NewContext
from tests.support.hub_rig import HUB_USERS, InProcessHub

CALM, BUSY = "PORT-IN-01", "PORT-IN-02"
SCREEN = {"width": 1920, "height": 1080}
SAM = ("sam", "sam quartz lantern")
CASE = "insp-trace-1"
SHOTS = [SCREENSHOTS, *([Path(os.environ["BOARD_SHOTS"])] if os.environ.get("BOARD_SHOTS") else [])]

# Web Audio and desktop notifications, counted: what a new critical alarm must set off
HEARD = """
window.__tones = 0; window.__notes = [];
class FakeAudioContext {
  constructor() { this.state = 'running'; this.currentTime = 0; this.destination = {}; }
  resume() { return Promise.resolve(); }
  createGain() { return { gain: {}, connect: (next) => next }; }
  createOscillator() {
    return { frequency: {}, connect: (next) => next, start: () => { window.__tones += 1; }, stop: () => {} };
  }
}
window.AudioContext = FakeAudioContext;
class FakeNotification { constructor(title, options) { window.__notes.push(title); } }
FakeNotification.permission = 'granted';
FakeNotification.requestPermission = () => Promise.resolve('granted');
window.Notification = FakeNotification;
"""


class Port:
    """A hub with two lanes reporting, three supervisors and a viewer."""

    def __init__(self, root: Path) -> None:
        self.hub = InProcessHub(root, offline_after_s=3600)
        self.tokens = {lane: self.hub.store.add_lane(lane) for lane in (CALM, BUSY)}
        for username in HUB_USERS:
            self.hub.user_token(username)
        self.hub.hub.users.add(*SAM[:1], "supervisor", SAM[1])
        self.hub.store.write(lambda conn: conn.execute(
            "INSERT INTO hub_cases (lane, id, kind, plate, status, started_at, updated_at, data) VALUES "
            "(?, ?, 'inspection', 'EK48213', 'open', '2026-03-02T10:00:00.000Z', "
            "'2026-03-02T10:00:00.000Z', '{}')", (BUSY, CASE)))
        self.seq = 0

    def report(self, lane: str, devices: list[dict[str, str]], inspections: list[dict[str, str]]) -> None:
        response = requests.post(f"{self.hub.url}/api/v1/sync/{lane}/status", timeout=5, json={
            "lane": lane, "ts": "2026-03-02T10:00:00.000Z", "devices": devices, "inspections": inspections},
            headers={"Authorization": f"Bearer {self.tokens[lane]}"})
        assert response.status_code == 200, response.text

    def raise_(self, lane: str, kind: str, message: str, case: str | None = None) -> dict[str, Any]:
        """An alarm as the projector raises it, pushed to every board."""
        self.seq += 1
        seq = self.seq
        alarm = self.hub.store.write(lambda conn: raise_alarm(
            conn, lane, kind, seq, {"message": message, "case_id": case}, f"2026-03-02T10:{seq % 60:02d}:00.000Z",
            f"seq:{seq}"))
        self.hub.hub.feed.alarms([alarm])
        return alarm

    def api(self, path: str, username: str = "vera") -> Any:
        token = self.hub.user_token(username)
        return requests.get(f"{self.hub.url}/api/v1{path}", timeout=5,
                            headers={"Authorization": f"Bearer {token}"}).json()


@pytest.fixture
def port(tmp_path: Path) -> Iterator[Port]:
    running = Port(tmp_path / "hub")
    try:
        yield running
    finally:
        running.hub.close()


def started_ago(minutes: int) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def a_busy_port(port: Port) -> None:
    """25 alarms on two lanes: the calm-named lane has only major and minor
    ones (15), the other one critical trace alarm among 10; a scale due for
    calibration at one, an inspection open 35 minutes at the other."""
    port.report(CALM, [{"id": "scale-1", "kind": "scale", "state": "calibration_due"},
                       {"id": "trace-1", "kind": "trace", "state": "connected"},
                       {"id": "bench-1", "kind": "scale", "state": "connected"}],
                [{"id": "i-1", "plate": "AB12CDE", "started_at": started_ago(5)}])
    port.report(BUSY, [{"id": "scale-1", "kind": "scale", "state": "connected"},
                       {"id": "trace-1", "kind": "trace", "state": "disconnected"}],
                [{"id": "i-2", "plate": "EK48213", "started_at": started_ago(35)},
                 {"id": "i-3", "plate": "LK70XYZ", "started_at": started_ago(3)}])
    for n in range(8):
        port.raise_(CALM, "weight_discrepancy", f"declared 12 t, weighed {13 + n} t")
    for n in range(7):
        port.raise_(CALM, "invalid_document", f"passport {n} expired")
    for n in range(4):
        port.raise_(BUSY, "weight_discrepancy", f"declared 20 t, weighed {22 + n} t")
    for n in range(5):
        port.raise_(BUSY, "invalid_document", f"document {n} unreadable")
    port.raise_(BUSY, "trace_alarm", "trace detector alarm: TNT", CASE)


def open_board(new_context: NewContext, port: Port, username: str, password: str | None = None,
               path: str = "/board/") -> Page:
    context = new_context(base_url=port.hub.url, viewport=SCREEN)
    context.add_init_script(HEARD)
    page = context.new_page()
    page.goto(path)
    page.fill("#signin-username", username)
    page.fill("#signin-password", password or HUB_USERS[username][1])
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin")).to_be_hidden()
    expect(page.locator("#link")).to_have_text("LIVE")
    return page


def shoot(page: Page, name: str) -> None:
    for folder in SHOTS:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"board-alarms-{name}.png"))


def assert_axe_clean(page: Page, where: str) -> None:
    found = axe_violations(page)
    assert found == [], f"{where}: {[(v['id'], v['impact'], v['nodes'][:2]) for v in found]}"


def test_25_alarms_leave_every_lane_above_the_fold_with_the_critical_lane_first(new_context: NewContext,
                                                                                 port: Port):
    a_busy_port(port)
    page = open_board(new_context, port, "carol")
    cards = page.locator(".lane-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_have_attribute("data-lane", BUSY)
    expect(cards.first).to_have_attribute("data-severity", "critical")
    expect(cards.first.locator(".lane-sev")).to_have_text("CRITICAL")
    expect(cards.nth(1)).to_have_attribute("data-severity", "major")
    for n in range(2):
        box = cards.nth(n).bounding_box()
        assert box is not None and box["y"] + box["height"] <= SCREEN["height"], f"card {n} below the fold: {box}"
    strip = page.locator("#alarms")
    expect(strip.locator(".alarms-title")).to_contain_text("25 ALARMS")
    expect(strip.locator(".strip-lane")).to_have_count(2)
    expect(strip.locator(".strip-lane").first).to_have_attribute("data-lane", BUSY)
    expect(strip.locator(f".strip-lane[data-lane='{CALM}'] .kind-chip[data-kind='weight_discrepancy']")
           ).to_have_attribute("data-count", "8")
    busy = cards.first
    expect(busy.locator(".inspection")).to_have_count(2)  # every open inspection, not only the first
    expect(busy.locator(".inspection.is-overdue")).to_contain_text("EK48213")
    expect(busy.locator(".chip.state-disconnected")).to_be_visible()  # device trouble beside the alarm
    expect(cards.nth(1).locator(".chip.state-calibration_due")).to_be_visible()
    # two scales at a lane: each named by its id, so the control room knows which one is due
    expect(cards.nth(1).locator(".chip.state-calibration_due")).to_have_text("scale scale-1 calibration due")
    expect(cards.nth(1).locator(".chip", has_text="bench-1")).to_have_text("scale bench-1 connected")
    expect(cards.nth(1).locator(".chip", has_text="trace")).to_have_text("trace connected")
    assert_axe_clean(page, "lanes")
    shoot(page, "lanes-1920x1080")

    page.click("#theme")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert_axe_clean(page, "lanes, light theme")
    shoot(page, "lanes-light-1920x1080")
    page.click("#wall")
    expect(page.locator("html")).to_have_class("is-wall")
    expect(page.locator("nav.tabs")).to_be_hidden()
    expect(page.locator("#mute")).to_be_visible()  # the mute stays on the wall screen
    for n in range(2):
        box = cards.nth(n).bounding_box()
        assert box is not None and box["y"] + box["height"] <= SCREEN["height"], f"wall: card {n} below the fold"
    shoot(page, "wall-light-1920x1080")
    page.click("#wall")
    page.click("#theme")
    for size, name in (({"width": 1280, "height": 800}, "1280x800"), ({"width": 800, "height": 1280}, "800x1280")):
        page.set_viewport_size(size)
        shoot(page, f"lanes-{name}")


def test_acknowledge_and_clear_are_separate_steps_by_two_supervisors_seen_in_case_and_search(
        new_context: NewContext, port: Port):
    a_busy_port(port)
    carol = open_board(new_context, port, "carol", path=f"/board/#/lane/{BUSY}")
    trace = carol.locator("#lane-alarms .alarm[data-kind='trace_alarm']")
    expect(trace).to_have_attribute("data-state", "unacknowledged")
    expect(trace.locator(".btn-clear")).to_have_count(0)  # no clearing before acknowledging
    assert_axe_clean(carol, "lane detail")
    trace.locator(".btn-ack").click()
    dialog = carol.locator("dialog.step-dialog")
    dialog.locator("textarea[name=note]").fill("officer Olga sent to bay 2")
    shoot(carol, "acknowledge-dialog")
    assert_axe_clean(carol, "acknowledge dialog")
    dialog.locator("button[type=submit]").click()
    expect(trace).to_have_attribute("data-state", "acknowledged")
    expect(trace.locator(".alarm-state")).to_contain_text("acknowledged by carol")

    sam = open_board(new_context, port, "sam", SAM[1], path=f"/board/#/lane/{BUSY}")
    sams = sam.locator("#lane-alarms .alarm[data-kind='trace_alarm']")
    expect(sams).to_have_attribute("data-state", "acknowledged")
    sams.locator(".btn-clear").click()
    sam.locator("dialog.step-dialog textarea[name=note]").fill("swab retested: clean")
    sam.locator("dialog.step-dialog button[type=submit]").click()
    expect(sam.locator("#lane-alarms .alarm[data-kind='trace_alarm']")).to_have_count(0)
    cleared = sam.locator(".alarm.is-cleared").first
    expect(cleared).to_contain_text("cleared by sam")
    expect(carol.locator("#lane-alarms .alarm[data-kind='trace_alarm']")).to_have_count(0)  # live at carol's too

    alarm = port.api(f"/hub/alarms?lane={BUSY}&state=cleared")["alarms"][0]
    assert [(e["action"], e["actor"]) for e in alarm["history"]] == [("acknowledged", "carol"), ("cleared", "sam")]

    sam.goto(f"/board/#/case/{BUSY}/{CASE}")
    sam.click("#justify-case_follow_up")  # a case names people: opened for a reason (the consultation log)
    steps = sam.locator("#case-alarms .history")
    expect(steps.locator("[data-action=acknowledged]")).to_contain_text("by carol")
    expect(steps.locator("[data-action=acknowledged]")).to_contain_text("officer Olga sent to bay 2")
    expect(steps.locator("[data-action=cleared]")).to_contain_text("by sam")
    assert_axe_clean(sam, "case")
    shoot(sam, "case")
    sam.goto(f"/board/#/search?q={CASE}")
    rows = sam.locator("#alarm-steps tr[data-action]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("sam")
    expect(rows.nth(1)).to_contain_text("carol")
    assert_axe_clean(sam, "search")
    shoot(sam, "search")


def test_a_shelved_source_is_hidden_until_its_time_runs_out(new_context: NewContext, port: Port):
    a_busy_port(port)
    context = new_context(base_url=port.hub.url, viewport=SCREEN)
    page = context.new_page()
    page.clock.install()
    page.goto(f"/board/#/lane/{CALM}")
    page.fill("#signin-username", "carol")
    page.fill("#signin-password", HUB_USERS["carol"][1])
    page.click("#signin-form button[type=submit]")
    chip = page.locator(f"#alarms .strip-lane[data-lane='{CALM}'] .kind-chip[data-kind='weight_discrepancy']")
    expect(chip).to_have_attribute("data-count", "8")
    page.click("#shelving [data-shelve='weight_discrepancy']")
    page.select_option("dialog.step-dialog select[name=minutes]", "15")
    page.fill("dialog.step-dialog textarea[name=reason]", "scale recalibration in progress")
    page.click("dialog.step-dialog button[type=submit]")
    expect(chip).to_have_count(0)
    expect(page.locator("#shelving [data-shelf]")).to_contain_text("scale recalibration in progress")
    expect(page.locator("#alarms .alarms-title")).to_contain_text("17 ALARMS")
    shoot(page, "shelved")
    page.clock.fast_forward("14:00")
    expect(page.locator("#alarms .alarms-title")).to_contain_text("17 ALARMS")
    page.clock.fast_forward("01:30")
    expect(chip).to_have_attribute("data-count", "8")
    expect(page.locator("#alarms .alarms-title")).to_contain_text("25 ALARMS")
    shelves = port.api("/hub/alarm-log?q=carol")["entries"]
    assert [(e["action"], e["detail"]["reason"]) for e in shelves] == [("shelved", "scale recalibration in progress")]


def test_a_new_critical_alarm_is_heard_and_notified_unless_muted(new_context: NewContext, port: Port):
    a_busy_port(port)
    page = open_board(new_context, port, "vera")
    title = page.locator("#alarms .alarms-title")
    expect(title).to_contain_text("25 ALARMS")
    assert page.evaluate("window.__tones") == 0  # what was there before the board opened is not news
    port.raise_(CALM, "weight_discrepancy", "declared 9 t, weighed 12 t")
    expect(title).to_contain_text("26 ALARMS")
    assert page.evaluate("window.__tones") == 0  # a major alarm is shown, not sounded
    port.raise_(CALM, "trace_alarm", "trace detector alarm: PETN")
    expect(title).to_contain_text("27 ALARMS")
    page.wait_for_function("window.__tones > 0")
    assert page.evaluate("window.__notes") == [f"CRITICAL: Trace alarm at {CALM}"]
    mute = page.locator("#mute")
    expect(mute).to_have_attribute("aria-pressed", "false")
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    expect(mute).to_have_text("Sound off")
    tones = page.evaluate("window.__tones")
    port.raise_(CALM, "trace_alarm", "trace detector alarm: RDX")
    expect(title).to_contain_text("28 ALARMS")
    assert page.evaluate("window.__tones") == tones
    assert len(page.evaluate("window.__notes")) == 1
    # both lanes critical now: the one with the overdue inspection first
    expect(page.locator(".lane-card").first).to_have_attribute("data-lane", BUSY)
    shoot(page, "muted")


def test_metrics_in_local_time_with_a_range_and_clearance_thresholds(new_context: NewContext, port: Port):
    """An inspection that took 45 minutes: past the hub's 20-minute threshold,
    marked on the clearance tiles; the hours are the screen's own."""
    now = dt.datetime.now(dt.UTC)
    started, closed = started_ago(50), (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    port.hub.store.write(lambda conn: conn.execute(
        "INSERT INTO hub_cases (lane, id, kind, plate, status, started_at, closed_at, updated_at, data) "
        "VALUES (?, 'slow-1', 'inspection', 'SL0W', 'closed', ?, ?, ?, '{}')", (CALM, started, closed, closed)))
    context = new_context(base_url=port.hub.url, viewport=SCREEN, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto("/board/#/metrics?hours=6")
    page.fill("#signin-username", "vera")
    page.fill("#signin-password", HUB_USERS["vera"][1])
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#m-hours")).to_have_value("6")
    expect(page.locator("[data-figure=p90]")).to_have_class("figure is-over")
    expect(page.locator("[data-figure=p90] .figure-threshold")).to_have_text("OVER threshold 20.0 min")
    expect(page.locator("h2", has_text="Inspections per hour")).to_contain_text("Asia/Tokyo")
    tokyo = dt.timezone(dt.timedelta(hours=9))
    hours = page.locator("svg.chart").first.locator(".bar-label")
    expect(hours).to_have_count(6)
    expect(hours.last).to_have_text(now.astimezone(tokyo).strftime("%H"))
    assert_axe_clean(page, "metrics")
    shoot(page, "metrics")
