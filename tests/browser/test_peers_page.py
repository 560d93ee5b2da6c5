"""LEAs like mine in a real browser: keyboard only, the URL is the state, and axe finds nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .a11y import assert_no_axe_violations


def test_a_keyboard_user_finds_leas_like_theirs(page, live_server):
    page.goto(live_server + "/peers")
    expect(page).to_have_title(re.compile(r"^LEAs like mine"))
    select = page.get_by_role("combobox", name="Choose your LEA")
    for _ in range(30):  # from the top of the page, Tab until the LEA select has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "p-lea":
            break
    expect(select).to_be_focused()
    page.keyboard.type("Borrego")  # type-ahead chooses the option in the focused select
    expect(select).to_have_value(re.compile(r"\d+"))
    page.keyboard.press("Tab")  # the button beside the select
    expect(page.get_by_role("button", name="Find LEAs like mine", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/peers\?lea=\d+"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("LEAs like Borrego Springs")
    expect(page.get_by_role("heading", name="LEAs like yours", exact=True)).to_be_visible()
    expect(page.locator(".peer-list li").first).to_contain_text("Dos Palos-Oro Loma")
    expect(page.locator(".peer-list li").first).to_contain_text("figures from 2015–16")
    expect(page.get_by_role("status").first).to_contain_text("Weak match")
    expect(page.get_by_role("combobox", name="Choose your LEA")).to_have_value(re.compile(r"\d+"))


@pytest.mark.parametrize("path", ["/peers", "/peers?lea=1", "/peers/help",
                                  "/peers?type=district&enrollment=-3&unduplicated_pct=120",
                                  "/peers?type=district&locale=rural&enrollment=2500&unduplicated_pct=85"
                                  "&grade_span=k_5&grade_span=9_12&indicator=suspension"])
def test_peers_pages_have_no_axe_violations(page, live_server, path):
    page.goto(live_server + path)
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)


def test_an_lea_profile_and_a_practice_page_with_similar_practices_pass_axe(page, live_server):
    page.goto(live_server + "/practices/teacher-leaders-for-english-learners-the-lead-program")
    page.get_by_role("link", name=re.compile("Anaheim Union High School District")).first.click()
    page.get_by_role("link", name="LEAs like this one").click()
    expect(page).to_have_url(re.compile(r"/peers\?lea=\d+"))
    assert_no_axe_violations(page)
