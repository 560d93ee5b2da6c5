"""The search page in a real browser: keyboard only, filters as chips, accessible results and empty states."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .a11y import assert_no_axe_violations, assert_no_horizontal_scroll

PAGES = ["/search?q=english+learners", "/search?q=math&topic=math&grade_span=9_12", "/search?q=zyxwvut+quorble",
         "/search?q=reclasification"]


def test_a_keyboard_user_searches_filters_and_removes_a_filter(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("searchbox", name="Search practices").focus()
    page.keyboard.type("math")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=math"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("math")
    first_count = int(re.search(r"(\d+) practice", page.get_by_role("status").first.inner_text()).group(1))

    box = page.get_by_role("checkbox", name=re.compile(r"^Grades 9 to 12"))
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"grade_span=9_12"))
    chip = page.get_by_role("link", name=re.compile(r"Grade span: Grades 9 to 12"))
    expect(chip).to_be_visible()
    filtered = int(re.search(r"(\d+) practice", page.get_by_role("status").first.inner_text()).group(1))
    assert filtered <= first_count

    chip.focus()
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"grade_span"))
    expect(page.get_by_role("link", name=re.compile(r"Grade span:"))).to_have_count(0)


def test_a_shared_link_reproduces_the_page(page, live_server):
    url = live_server + "/search?q=english+learners&student_group=english_learners&sort=title"
    page.goto(url)
    expect(page.get_by_role("searchbox", name="Search in your own words")).to_have_value("english learners")
    expect(page.get_by_role("checkbox", name=re.compile(r"^English learners"))).to_be_checked()
    expect(page.get_by_role("combobox", name="Sort by")).to_have_value("title")
    titles = page.locator(".card-title").all_inner_texts()
    assert titles == sorted(titles, key=str.lower)


def test_did_you_mean_leads_to_the_corrected_search(page, live_server):
    page.goto(live_server + "/search?q=reclasification")
    page.get_by_role("link", name="reclassification").click()
    expect(page).to_have_url(re.compile(r"q=reclassification"))
    expect(page.locator(".card").first).to_be_visible()


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violations_on_search_pages(page, live_server, path):
    page.goto(live_server + path)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", PAGES[:2])
def test_search_pages_fit_a_phone(page, live_server, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + path)
    assert_no_horizontal_scroll(page)
