"""Usage counts in a real browser: a reader's views are counted (with the collection they came from), the
practice page shows them, and the statistics page shows them to an admin with no axe violations, on a phone too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .a11y import assert_no_axe_violations, assert_no_horizontal_scroll

PASSWORD = "a long statistics password"
ADMIN = "sam@clearinghouse.example.org"
CURATOR = "cass@valley-network.example.org"
LEAD = "teacher-leaders-for-english-learners-the-lead-program"
LEAD_TITLE = "Teacher leaders for English learners: the LEAD program"
# A person's browser: the headless one names itself HeadlessChrome, which the COUNTER robots list excludes.
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture(scope="module")
def collection_slug(live_app) -> str:
    from clearinghouse.accounts import service as accounts
    from clearinghouse.collections import service as collections

    with live_app.app_context():
        if accounts.find_user(ADMIN) is None:
            accounts.create_user(ADMIN, ["admin"], password=PASSWORD, name="Sam")
        curator = accounts.find_user(CURATOR) or accounts.create_user(
            CURATOR, ["facilitator"], password=PASSWORD, name="Cass")[0]
        found = collections.create_collection(curator, {"title": "Valley EL starter set", "visibility": "public"})
        collections.add_item(curator, found.slug, {"practice": LEAD})
        return found.slug


def test_views_are_counted_and_the_statistics_page_passes_axe(browser: Browser, live_server, collection_slug):
    reader = browser.new_context(user_agent=DESKTOP)
    page = reader.new_page()
    page.goto(f"{live_server}/collections/{collection_slug}")
    page.get_by_role("link", name=LEAD_TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LEAD_TITLE)
    expect(page.locator(".usage-counts")).to_contain_text("Viewed 1 time")
    page.reload()  # within 30 seconds: still once
    expect(page.locator(".usage-counts")).to_contain_text("Viewed 1 time")
    reader.close()

    admin = browser.new_context(user_agent=DESKTOP)
    page = admin.new_page()
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Usage statistics")
    expect(page.get_by_role("img", name="Practice views and downloads per month")).to_be_visible()
    viewed = page.get_by_role("table", name="The ten practices read most often")
    expect(viewed.get_by_role("row", name=LEAD_TITLE)).to_contain_text("1")
    sent = page.get_by_role("table", name="Practice pages opened from each collection's page, and downloads of the "
                                          "collection")
    expect(sent.get_by_role("row", name="Valley EL starter set")).to_contain_text("1")
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    admin.close()
