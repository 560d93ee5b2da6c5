"""A visitor reading the clearinghouse in a real browser: pages load, keyboard works, axe is clean, phones fit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .a11y import assert_no_axe_violations, assert_no_horizontal_scroll

LEAD = "/practices/teacher-leaders-for-english-learners-the-lead-program"
PAGES = ["/", "/browse/student_group/english_learners", LEAD, "/practices/no-such-practice", "/browse"]


def test_home_page_loads_with_search_and_recent_practices(page, live_server):
    page.goto(live_server + "/")
    expect(page).to_have_title("Find practices that worked in California schools · Promising Practices Clearinghouse")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find practices that worked in California schools")
    expect(page.get_by_role("searchbox", name="Search practices")).to_be_visible()
    expect(page.locator(".card")).to_have_count(6)


def test_a_visitor_goes_from_home_to_a_practice_by_browsing(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("link", name="English learners", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("English learners")
    page.get_by_role("link", name="Teacher leaders for English learners: the LEAD program").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teacher leaders for English learners: the LEAD program")
    expect(page.get_by_role("table")).to_have_count(0)  # this practice reports no metric table
    expect(page.get_by_role("heading", name="Problem of practice")).to_be_visible()
    expect(page.get_by_text("About the LEA")).to_be_visible()


def test_keyboard_user_reaches_main_content_through_the_skip_link(page, live_server):
    page.goto(live_server + LEAD)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the main content, not the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag21_aa_violations(page, live_server, path):
    page.goto(live_server + path)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", PAGES)
def test_phone_width_has_no_horizontal_scrolling(page, live_server, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + path)
    assert_no_horizontal_scroll(page)


def test_printing_hides_navigation_and_keeps_the_story(page, live_server):
    page.goto(live_server + LEAD)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".toc")).to_be_hidden()
    expect(page.get_by_role("heading", name="The journey")).to_be_visible()
