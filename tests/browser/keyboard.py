"""Acting as a keyboard user does in the browser tests: reach a control with the focus, then press or type."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def press(page: Page, locator) -> None:
    """Reach a control with the keyboard's focus and activate it, as a keyboard user does."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press("Enter")


def type_into(page: Page, locator, text: str) -> None:
    page.wait_for_load_state()  # the page the last action led to has finished loading before the typing starts
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    expect(locator).to_have_value(text)
