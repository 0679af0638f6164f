"""Waiting for a JavaScript expression to hold in a page whose Content
Security Policy forbids ``eval`` (the apps' does, common/web/headers.py):
Playwright's ``wait_for_function`` evaluates its string inside the page and
is refused there, while ``page.evaluate`` goes through the debugging
protocol, which the policy does not govern."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.support.waiting import wait_for


def wait_in_page(page: Page, expression: str, timeout: float = 5.0) -> Any:
    """Poll ``expression`` in ``page`` until it is truthy; fail after ``timeout`` seconds."""
    return wait_for(lambda: page.evaluate(expression), timeout=timeout, interval=0.05, message=expression)
