"""Helpers shared by the browser tests: axe with the WCAG 2.1 A and AA rules, and a phone-width check."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
_axe = Axe()


def assert_no_axe_violations(page) -> None:
    results = _axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_size['width']}px"
