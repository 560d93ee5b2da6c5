"""Forms that speak plainly, in a real browser: after a failed submit the error summary has the focus (the new
practice form and the review form, whose summary sits far down the page); phones never scroll sideways on the
admin, account, practice and review pages; axe is clean on the public pages and the writing form with errors."""

from __future__ import annotations

import copy

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import SAMPLE

from .a11y import assert_no_axe_violations, assert_no_horizontal_scroll

PASSWORD = "a plain forms password"
WRITER, REVIEWER, ADMIN = ("wes@forms.example.org", "ria@forms-coe.example.org", "ada@forms.example.org")
PRACTICE = "/practices/teacher-leaders-for-english-learners-the-lead-program"


@pytest.fixture(scope="module")
def accounts(live_app):
    """A contributor with one submission, a reviewer who claimed it, and an admin; answers the revision's id."""
    from sqlalchemy import select

    from clearinghouse.accounts import service as accounts
    from clearinghouse.extensions import db
    from clearinghouse.models import LEA
    from clearinghouse.vetting import reviewing, service

    with live_app.test_request_context():  # submitting mails links to the reviewers
        lea = db.session.execute(select(LEA.name).order_by(LEA.id)).scalars().first()
        writer = accounts.create_user(WRITER, ["contributor"], lea_name=lea, password=PASSWORD, name="Wes")[0]
        reviewer = accounts.create_user(REVIEWER, ["reviewer"], password=PASSWORD, name="Ria")[0]
        accounts.create_user(ADMIN, ["admin"], password=PASSWORD, name="Ada")
        accounts.create_token(writer, "district data system")
        record = copy.deepcopy(SAMPLE) | {"title": "Plain forms: a practice to review"}
        revision, _ = service.start_draft(writer, record)
        service.submit(writer, revision.id)
        reviewing.claim(reviewer, revision.id)
        return revision.id


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def assert_summary_focused_and_in_view(page: Page) -> None:
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()


def test_a_failed_submit_of_a_new_practice_focuses_the_error_summary(browser, live_server, accounts):
    page = browser.new_page()
    sign_in(page, live_server, WRITER)
    page.goto(live_server + "/submit")
    page.get_by_role("textbox", name="Title (required to submit)").fill("Focus test")
    page.get_by_role("button", name="Submit for vetting").click()
    expect(page.get_by_role("heading", name="We saved your draft; fix these to submit")).to_be_visible()
    assert_summary_focused_and_in_view(page)
    assert_no_axe_violations(page)
    # a link of the summary takes the focus to its field
    page.get_by_role("link", name="Summary is required.").click()
    expect(page.locator("#f-summary")).to_be_focused()
    page.close()


def test_a_failed_review_focuses_the_error_summary_far_down_the_page(browser, live_server, accounts):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(page, live_server, REVIEWER)
    page.goto(f"{live_server}/review/{accounts}")
    page.get_by_role("link", name="Jump to the rubric").click()
    page.get_by_role("button", name="File the review").click()
    assert_summary_focused_and_in_view(page)
    assert page.evaluate("window.scrollY") > 1000  # the summary is far below the top, and it was brought into view
    expect(page.get_by_role("link", name="Choose a score from 1 to 4 for “Problem and data”.")).to_be_visible()
    page.close()


def test_on_a_wide_screen_the_rubric_sits_beside_the_write_up(browser, live_server, accounts):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server, REVIEWER)
    page.goto(f"{live_server}/review/{accounts}")
    rubric = page.locator("#rubric")
    expect(rubric).to_be_in_viewport()
    writeup, box = page.locator("#writeup").bounding_box(), rubric.bounding_box()
    assert box["x"] > writeup["x"] + writeup["width"] - 1
    expect(page.get_by_role("link", name="Jump to the rubric")).to_be_hidden()
    assert_no_axe_violations(page)
    page.close()


@pytest.mark.parametrize("who,path", [(ADMIN, "/admin/users"), (WRITER, "/account"), (None, PRACTICE),
                                      (REVIEWER, "/review/{id}"), (ADMIN, "/admin/audit")])
def test_phones_never_scroll_sideways(browser, live_server, accounts, who, path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    if who:
        sign_in(page, live_server, who)
    page.goto(live_server + path.format(id=accounts))
    assert_no_horizontal_scroll(page)
    page.close()


def test_the_account_page_clears_the_token_name_and_copies_the_token(browser, live_server, accounts):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    sign_in(page, live_server, WRITER)
    page.goto(live_server + "/account")
    page.get_by_label("Token name").fill("nightly export")
    page.get_by_role("button", name="Create a token").click()
    token = page.locator("#new-token").inner_text()
    expect(page.get_by_label("Token name")).to_have_value("")
    page.get_by_role("button", name="Copy the token").click()
    expect(page.locator("#new-token-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == token
    context.close()


@pytest.mark.parametrize("path", ["/about", "/rubric", "/accessibility", "/privacy"])
def test_the_public_pages_pass_axe_and_fit_a_phone(page, live_server, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + path)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)


def test_the_character_count_follows_typing(browser, live_server, accounts):
    page = browser.new_page()
    sign_in(page, live_server, WRITER)
    page.goto(live_server + "/submit")
    page.get_by_role("textbox", name="Summary (required to submit)").fill("x" * 590)
    expect(page.locator("#f-summary-count")).to_have_text("You have 10 of 600 characters left.")
    page.get_by_role("textbox", name="Summary (required to submit)").fill("x" * 605)
    expect(page.locator("#f-summary-count")).to_have_text("You have 5 characters too many (the limit is 600).")
    page.close()
