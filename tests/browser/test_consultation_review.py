"""Reviewing the consultation log (issue #17) in real headless Chromium, by touch.

At the lane: an officer opens a closed inspection's report, saying why; a
supervisor on the tablet's "Access" screen reads that view with its
reason, in words; an officer neither sees the screen in the nav nor is shown
the log when going there by its address (the box refuses, the screen says
so, and nothing is logged); a reason given is asked again after signing out
and in. At the board: a search asked why is listed on the board's
"Access" page with its reason, and the page says whether the log is whole,
and that it is broken once an entry is edited in the hub's database file.
Screenshots at 1280×800 and 800×1280 go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from typing import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.axe import axe_violations
from tests.support.browser import LANDSCAPE, NewContext, shoot, sign_in
from tests.support.hub_rig import HUB_USERS, HubProcess
from tests.support.lane_process import LaneRig

PLATE = "EK 48213"


def closed_inspection(lane: LaneRig) -> str:
    """An inspection olga started and her supervisor referred: olga prints its report only for a reason."""
    inspection_id = str(uuid.uuid4())
    started = lane.api("POST", "/inspections", "olga", json={
        "id": inspection_id, "plate": PLATE, "containers": [], "inspection_type": "standard"})
    assert started.status_code == 201, started.text
    closed = lane.api("POST", f"/inspections/{inspection_id}/outcome", "sue", json={
        "id": str(uuid.uuid4()), "outcome": "refer", "reason": "sent to the port's search team"})
    assert closed.status_code == 201, closed.text
    return inspection_id


def open_report(page: Page, inspection_id: str) -> None:
    """The officer taps the inspection's report button (the PDF tab it opens is closed)."""
    page.goto(f"/#/inspections/{inspection_id}")
    page.tap("#inspection-report")


def sign_out(page: Page) -> None:
    page.tap("#user-button")
    expect(page.locator("#signin")).to_be_visible()


def log_reviews_by(lane: LaneRig, username: str) -> list[dict]:
    """The lane's log entries of ``username`` reading the log (read by the supervisor over HTTP)."""
    entries = lane.api("GET", f"/consultations?user={username}&limit=200", "sue").json()["entries"]
    return [e for e in entries if e["what"] == "consultation_log"]


def test_a_supervisor_reads_an_officers_report_view_with_its_reason(context: BrowserContext, lane: LaneRig):
    inspection_id = closed_inspection(lane)
    context.on("page", lambda popup: popup.close() if popup.url.startswith("blob:") else None)
    page = context.new_page()
    page.goto("/")
    sign_in(page, "olga")
    expect(page.locator("[data-nav=consultations]")).to_be_hidden()  # an officer is not offered the log
    open_report(page, inspection_id)
    expect(page.locator("#justify")).to_contain_text("Why do you open this report?")
    page.fill("#justify-words", "CPS file 4471")
    page.tap("#justify-court_request")
    expect(page.locator("#inspection-report + #pdf-link")).to_have_attribute("href", re.compile("^blob:"))

    sign_out(page)
    sign_in(page, "sue")
    page.tap("[data-nav=consultations]")
    entry = page.locator("#consultation-list li[data-what='inspection report']").first
    expect(entry.locator(".consultation-what")).to_have_text("report of inspection EK48213 (a copy taken)")
    expect(entry.locator(".consultation-who")).to_have_text("olga (officer)")
    expect(entry.locator(".consultation-why")).to_contain_text("Court request: “CPS file 4471”")
    expect(entry.locator(".consultation-why")).to_contain_text("asked, chosen by the user")
    assert inspection_id not in page.locator("#consultation-list").inner_text()  # no ids on an officer's screen
    assert axe_violations(page) == []
    expect(page.locator("#toast")).to_be_hidden()  # "Signed in as sue" has gone: the screenshot shows the entry
    for path in shoot(page, "60-consultations"):
        assert path.stat().st_size > 0
    # the filters: only olga's, from today
    page.fill("#c-user", "olga")
    page.tap("#consultation-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"#/consultations\?user=olga$"))
    expect(page.locator("#consultation-list li").first).to_be_visible()
    assert set(page.locator("#consultation-list .consultation-who").all_inner_texts()) == {"olga (officer)"}

    sign_out(page)
    sign_in(page, "olga")
    open_report(page, inspection_id)
    # the reason olga gave before signing out is not sent for her again: she is asked afresh
    expect(page.locator("#justify")).to_contain_text("Why do you open this report?")
    page.tap("#justify-cancel")


def test_an_officer_going_to_the_log_by_its_address_is_told_no_and_nothing_is_logged(page: Page, lane: LaneRig):
    before = log_reviews_by(lane, "olga")
    expect(page.locator("[data-nav=consultations]")).to_be_hidden()
    page.goto("/#/consultations")
    expect(page.locator("#consultation-refused")).to_have_text(
        "Only a supervisor can read who looked at personal data. You are signed in as olga.")
    expect(page.locator("#consultation-list li")).to_have_count(0)
    shoot(page, "61-consultations-refused")
    assert log_reviews_by(lane, "olga") == before == []


# ----- the board ---------------------------------------------------------------

@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    running = HubProcess(tmp_path_factory.mktemp("consultation-hub") / "hub")
    running.start()
    try:
        for username in HUB_USERS:
            running.user_token(username)
        yield running
    finally:
        running.stop()


def open_board(new_context: NewContext, hub: HubProcess, username: str) -> Page:
    page = new_context(base_url=f"http://127.0.0.1:{hub.port}", viewport=LANDSCAPE, has_touch=True,
                       service_workers="allow").new_page()
    page.goto("/")
    page.fill("#signin-username", username)
    page.fill("#signin-password", HUB_USERS[username][1])
    page.tap("#signin-form button[type=submit]")
    expect(page.locator("#signin")).to_be_hidden()
    return page


def test_the_board_lists_a_search_with_its_reason_and_says_whether_the_log_is_whole(new_context: NewContext,
                                                                                    hub: HubProcess):
    viewer = open_board(new_context, hub, "vera")
    expect(viewer.locator("[data-nav=search]")).to_be_visible()
    expect(viewer.locator("[data-nav=consultations]")).to_be_hidden()
    viewer.context.close()

    page = open_board(new_context, hub, "carol")
    page.tap("[data-nav=search]")
    page.fill("#s-q", "csqu 305")
    page.tap("#search-form button[type=submit]")
    page.fill("#justify-words", "ref CF-2026/88")
    page.tap("#justify-case_follow_up")
    expect(page.locator("#no-results")).to_be_visible()
    page.tap("[data-nav=consultations]")
    row = page.locator(".consultations tr[data-what=search]").first
    expect(row).to_contain_text("search: “csqu 305”")
    expect(row).to_contain_text("Case follow-up: “ref CF-2026/88”")
    expect(row).to_contain_text("carol (supervisor)")
    expect(page.locator("#chain-state")).to_have_text(
        re.compile(r"^The log is whole: (1 entry|[2-9]\d* entries) checked\.$"))
    assert axe_violations(page) == []
    for path in shoot(page, "board-consultations"):
        assert path.stat().st_size > 0

    conn = sqlite3.connect(hub.store.path)  # what someone with the hub's file in hand can do
    conn.execute("DROP TRIGGER consultation_log_no_update")
    conn.execute("UPDATE consultation_log SET actor = 'nobody' WHERE seq = 1")
    conn.commit()
    conn.close()
    page.reload()
    expect(page.locator("#chain-state")).to_have_text(
        re.compile(r"^THE LOG IS BROKEN at entry 1: it was changed or removed after it was written"))
    shoot(page, "board-consultations-broken")
