"""Signing in and out, and the expired-session overlay that keeps the work."""

from __future__ import annotations

import requests
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import shoot, token_of
from tests.support.lane_process import LaneRig


def test_sign_in_shows_errors_next_to_the_fields_then_the_lane(context: BrowserContext, lane: LaneRig) -> None:
    page = context.new_page()
    page.goto("/")
    expect(page.locator("#signin")).to_be_visible()
    shoot(page, "01-sign-in")

    page.click("#signin-form button[type=submit]")
    expect(page.locator('[data-field="username"] .field-error')).to_contain_text("username")
    expect(page.locator('[data-field="password"] .field-error')).to_contain_text("password")

    page.fill("#signin-username", "olga")
    page.fill("#signin-password", "not-her-password")
    page.click("#signin-form button[type=submit]")
    expect(page.locator('[data-field="password"] .field-error')).to_have_text("Wrong username or password.")
    shoot(page, "02-sign-in-wrong-password")

    page.fill("#signin-password", "olga amber kettle")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin")).to_be_hidden()
    expect(page.locator("#user-button")).to_contain_text("olga")
    expect(page.locator("#tiles .tile")).to_have_count(4)
    assert requests.get(f"{lane.url}/api/v1/session", headers={"Authorization": f"Bearer {token_of(page)}"},
                        timeout=10).json()["username"] == "olga"


def test_a_badge_scan_stands_in_for_the_username_on_the_first_sign_in(context: BrowserContext,
                                                                        lane: LaneRig) -> None:
    page = context.new_page()
    page.goto("/")
    expect(page.locator("#signin")).to_be_visible()
    # the form offers the badge once its /badge channel is open: a scan before that would go unheard
    expect(page.locator("#signin-note")).to_contain_text("Scan your badge")
    lane.sims["barcode-1"].scan("CSQU3054383")  # not a badge: nothing happens
    lane.sims["barcode-1"].scan("BADGE:olga")
    # the box says a badge was scanned, not whose (anyone on the lane network hears /badge)
    expect(page.locator("#signin-note")).to_contain_text("Badge scanned")
    expect(page.locator("#signin-username")).to_have_attribute("placeholder", "Badge scanned")
    expect(page.locator("#signin-username")).to_have_value("")
    expect(page.locator("#signin-password")).to_be_focused()
    page.fill("#signin-password", "olga amber kettle")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin")).to_be_hidden()
    expect(page.locator("#user-button")).to_contain_text("olga")


def test_sign_out_ends_the_session(page: Page, lane: LaneRig) -> None:
    token = token_of(page)
    page.click("#user-button")
    expect(page.locator("#signin")).to_be_visible()
    assert page.evaluate("localStorage.getItem('lanebox.session')") is None
    answer = requests.get(f"{lane.url}/api/v1/session", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 401


def test_expired_session_overlay_keeps_the_form_and_a_badge_scan_signs_in_again(page: Page, lane: LaneRig) -> None:
    page.click("text=+ Start inspection")
    page.fill('[data-field="plate"] input', "AB12 CDE")
    page.fill('[data-field="containers.0"] input', "CSQU305438")  # unsaved, not yet complete

    # the box ends the session (as when its TTL runs out)
    requests.delete(f"{lane.url}/api/v1/session", headers={"Authorization": f"Bearer {token_of(page)}"}, timeout=10)
    page.fill('[data-field="declaration_ref"] input', "GB-DEC-0001")  # its lookup meets the 401
    expect(page.locator("#signin.is-expired")).to_be_visible()
    expect(page.locator("#signin-note")).to_contain_text("session has ended")
    expect(page.locator("#signin-note")).to_contain_text("Scan your badge")
    shoot(page, "03-session-expired")

    # the officer scans their badge on the lane reader: it stands in for the username
    page.fill("#signin-username", "")
    lane.sims["barcode-1"].scan("olga")
    expect(page.locator("#signin-username")).to_have_attribute("placeholder", "Badge scanned")
    page.fill("#signin-password", "olga amber kettle")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin")).to_be_hidden()

    # the work is still there, and goes on
    expect(page.locator('[data-field="plate"] input')).to_have_value("AB12 CDE")
    expect(page.locator('[data-field="containers.0"] input')).to_have_value("CSQU305438")
    page.fill('[data-field="containers.0"] input', "CSQU3054383")
    page.click("#start-form button[type=submit]")
    page.wait_for_url("**/#/inspections/*-*")
    inspection_id = page.url.rsplit("/", 1)[1]
    view = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()
    assert view["plate"] == "AB12CDE" and view["containers"] == ["CSQU3054383"]
    assert view["started_by"] == "olga"
