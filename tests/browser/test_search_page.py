"""The search page in a real browser: keyboard only, filters as chips, accessible results and empty states."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from .a11y import assert_no_axe_violations, assert_no_horizontal_scroll

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
PAGES = ["/search?q=english+learners", "/search?q=math&topic=math&grade_span=9_12", "/search?q=zyxwvut+quorble",
         "/search?q=reclasification"]


def _count(page) -> int:
    return int(re.search(r"(\d+) practice", page.get_by_role("status").first.inner_text()).group(1))


def test_a_keyboard_user_searches_filters_and_removes_a_filter(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("searchbox", name="Search practices").focus()
    page.keyboard.type("math")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=math"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("math")
    first_count = _count(page)

    box = page.get_by_role("checkbox", name=re.compile(r"^Grades 9 to 12"))
    box.focus()
    page.keyboard.press("Space")  # applies at once
    expect(page).to_have_url(re.compile(r"grade_span=9_12"))
    box = page.get_by_role("checkbox", name=re.compile(r"^Grades 9 to 12"))
    expect(box).to_be_checked()
    expect(box).to_be_focused()  # the keyboard user is where they were
    chip = page.get_by_role("link", name=re.compile(r"Grade span: Grades 9 to 12"))
    expect(chip).to_be_visible()
    assert _count(page) <= first_count

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


def test_a_typo_shows_the_corrected_search_and_offers_the_words_as_typed(page, live_server):
    page.goto(live_server + "/search?q=reclasification")
    expect(page.locator(".suggestion")).to_contain_text("Showing results for reclassification")
    expect(page.locator(".card").first).to_be_visible()  # the corrected query ran
    page.get_by_role("link", name="reclasification").click()
    expect(page).to_have_url(re.compile(r"q=reclasification.*exact=1|exact=1.*q=reclasification"))
    expect(page.locator(".suggestion")).to_have_count(0)


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violations_on_search_pages(page, live_server, path):
    page.goto(live_server + path)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", PAGES[:2])
def test_search_pages_fit_a_phone(page, live_server, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + path)
    assert_no_horizontal_scroll(page)


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    yield context.new_page()
    context.close()


def _first_result_top(page) -> float:
    return page.evaluate("document.querySelector('.card').getBoundingClientRect().top + window.scrollY")


# ----------------------------------------------------------------- a phone: the results come first

@pytest.mark.parametrize("path", PAGES[:2])
def test_on_a_phone_the_first_result_is_on_the_first_screen(page, no_js_page, live_server, path):
    page.set_viewport_size(PHONE)
    for p in (page, no_js_page):
        p.goto(live_server + path)
        expect(p.locator(".card").first).to_be_visible()
        assert _first_result_top(p) < 700
        expect(p.get_by_role("group", name="Topic")).to_be_hidden()  # behind "Filter results"


def test_the_filter_disclosure_shows_the_active_count_and_opens_by_keyboard(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/search?q=math&topic=math&grade_span=9_12")
    summary = page.locator("summary.facets-summary")
    expect(summary).to_have_text("Filter results (2 active)")
    topic = page.get_by_role("group", name="Topic")
    expect(topic).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(topic).to_be_visible()
    page.keyboard.press("Space")
    expect(topic).to_be_hidden()
    page.keyboard.press("Space")
    expect(topic).to_be_visible()
    expect(page.get_by_role("button", name="Apply filters").first).to_be_visible()

    page.goto(live_server + "/search?q=math")
    expect(page.locator("summary.facets-summary")).to_have_text("Filter results")


def test_on_a_wide_screen_the_filters_stand_beside_the_results(page, live_server):
    page.set_viewport_size(WIDE)
    page.goto(live_server + "/search?q=math")
    topic = page.get_by_role("group", name="Topic")
    expect(topic).to_be_visible()
    facets, results = page.locator(".facets-panel").bounding_box(), page.locator(".results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"] and abs(facets["y"] - results["y"]) < 50
    # the Apply button sits beside the heading, not below ten facet groups
    heading = page.get_by_role("heading", name="Narrow the results").bounding_box()
    apply = page.get_by_role("button", name="Apply filters").first.bounding_box()
    assert abs(apply["y"] - heading["y"]) < 80


# ----------------------------------------------------------------- keyboard and screen reader

def _tabs_to_first_result(page, follow: str | None = None, limit: int = 60) -> int | None:
    first = page.locator(".card a").first
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if first.evaluate("a => a === document.activeElement"):
            return n
        if follow and page.evaluate("(document.activeElement.textContent || '').trim()") == follow:
            page.keyboard.press("Enter")
    return None


def test_a_keyboard_user_reaches_the_first_result_in_a_few_tabs(no_js_page, live_server):
    no_js_page.goto(live_server + "/search?q=english+learners")
    presses = _tabs_to_first_result(no_js_page, follow="Skip to results")
    assert presses is not None and presses <= 10, presses  # the site's navigation links, then the skip link
    no_js_page.goto(live_server + "/search?q=english+learners")
    no_js_page.keyboard.press("Tab")
    expect(no_js_page.get_by_role("link", name="Skip to main content")).to_be_focused()
    no_js_page.keyboard.press("Enter")
    no_js_page.keyboard.press("Tab")
    skip = no_js_page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    no_js_page.keyboard.press("Enter")
    expect(no_js_page.locator("#results-heading")).to_be_focused()


def test_after_a_search_the_result_count_comes_first(page, live_server):
    page.goto(live_server + "/search?q=english+learners")
    heading = page.locator("#results-heading")
    expect(heading).to_be_focused()
    expect(heading).to_have_text(re.compile(r"^\d+ practices match “english learners”"))
    expect(heading.get_by_role("status")).to_have_count(1)
    assert page.evaluate("window.scrollY") == 0  # focus moved, the page did not jump
    assert _tabs_to_first_result(page) == 1

    page.goto(live_server + "/search")  # no search yet: focus is not taken
    assert page.evaluate("document.activeElement === document.body")


# ----------------------------------------------------------------- applying filters

def test_checking_a_filter_applies_it(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/search?q=english+learners")
    page.locator("summary.facets-summary").click()
    box = page.get_by_role("checkbox", name=re.compile(r"^Continuous improvement"))
    box.check()
    expect(page).to_have_url(re.compile(r"topic=continuous_improvement"))
    assert parse_qs(urlparse(page.url).query)["q"] == ["english learners"]
    # the reloaded page keeps the panel open, with focus back on the checkbox, and reads the new count
    expect(page.locator("details.facets-panel")).to_have_attribute("open", "")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Continuous improvement"))).to_be_focused()
    expect(page.locator("[data-announce]")).to_have_text(re.compile(r"^\d+ practices? match"))
    expect(page.locator("summary.facets-summary")).to_have_text("Filter results (1 active)")


def test_without_javascript_the_apply_button_works(no_js_page, live_server):
    page = no_js_page
    page.goto(live_server + "/search?q=english+learners")
    page.locator("summary.facets-summary").click()
    page.get_by_role("checkbox", name=re.compile(r"^Continuous improvement")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Data use")).check()
    expect(page).to_have_url(re.compile(r"q=english"))  # nothing happened on its own
    assert "topic=" not in page.url
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page).to_have_url(re.compile(r"topic=continuous_improvement"))
    query = parse_qs(urlparse(page.url).query)
    assert query["topic"] == ["continuous_improvement", "data_use"] and query["q"] == ["english learners"]
    expect(page.locator("summary.facets-summary")).to_have_text("Filter results (2 active)")


def test_a_long_facet_shows_its_top_values_and_the_rest_on_demand(page, live_server):
    page.set_viewport_size(WIDE)
    page.goto(live_server + "/search")
    topic = page.get_by_role("group", name="Topic")
    more = topic.locator("details.facet-more")
    show_all = more.locator("summary")
    expect(show_all).to_have_text(re.compile(r"^Show all \d+ topics$"), use_inner_text=True)
    total = int(re.search(r"\d+", show_all.inner_text()).group())
    expect(topic.get_by_role("checkbox").filter(visible=True)).to_have_count(6)
    show_all.focus()
    page.keyboard.press("Enter")
    expect(topic.get_by_role("checkbox").filter(visible=True)).to_have_count(total)
    expect(show_all).to_have_text(re.compile(r"^Show fewer topics$"), use_inner_text=True)
    # nothing scrolls inside the facet: every value shows at full height
    assert topic.evaluate("f => [...f.querySelectorAll('ul')].every(u => u.scrollHeight <= u.clientHeight + 1)")


# ----------------------------------------------------------------- fitting a phone, accessibility

def test_the_phone_layout_with_the_filters_open_fits_and_passes_axe(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/search?q=english+learners&topic=data_use")
    page.locator("summary.facets-summary").click()
    for more in page.locator("details.facet-more summary").all():
        more.click()
    expect(page.get_by_role("group", name="Topic")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)


def test_empty_results_on_a_phone_pass_axe(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/search?q=zyxwvut+quorble")
    expect(page.get_by_role("heading", name="What to try")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
