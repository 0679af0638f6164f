"""Accessibility checks with axe-core (npm, a dev dependency) in the real browser.

axe is put into the page through the DevTools protocol (``page.evaluate``),
which the page's Content-Security-Policy does not govern, so the apps are
checked exactly as they are served.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

_RUN = """async () => {
  const result = await window.axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}"""


def axe_violations(page: Page, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now, of the given impacts (serious and critical by default)."""
    if not AXE.is_file():
        raise RuntimeError(f"{AXE} is missing: run `npm ci` in the checkout (make test does)")
    page.evaluate(f"() => {{ {AXE.read_text(encoding='utf-8')}\n }}")
    return [v for v in page.evaluate(_RUN) if v["impact"] in impacts]
