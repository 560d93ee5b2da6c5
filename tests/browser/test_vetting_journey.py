"""The whole journey in a real browser: register, confirm, write, save, submit with an error and fix it,
two reviews (one requesting changes), resubmit, two approvals, find it published and in search.
People use the keyboard where a person would; axe finds no violations on the form, the queue and the review page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.mailbox import mailbox

from .a11y import assert_no_axe_violations
from .keyboard import press

PASSWORD = "a long journey password"
EMAIL = "morgan@lakeview.example.org"
TITLE = "Morning check-ins that brought students back"


@pytest.fixture(scope="module")
def reviewers(live_app):
    from clearinghouse.accounts import service

    with live_app.app_context():
        for email in ("vera@north-coe.example.org", "quinn@south-coe.example.org"):
            if service.find_user(email) is None:
                service.create_user(email, ["reviewer"], password=PASSWORD, name=email.split("@")[0].title())
    return ["vera@north-coe.example.org", "quinn@south-coe.example.org"]



def tick(page: Page, locator) -> None:
    locator.focus()
    page.keyboard.press("Space")
    expect(locator).to_be_checked()


def sign_out(page: Page) -> None:
    press(page, page.get_by_role("button", name="Sign out"))
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def review(page: Page, base: str, email: str, recommendation: str, message: str, audit: bool = False) -> None:
    sign_in(page, base, email)
    press(page, page.get_by_role("link", name="Review", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vetting queue")
    if audit:
        assert_no_axe_violations(page)
    press(page, page.get_by_role("link", name=TITLE))
    press(page, page.get_by_role("button", name="Claim this submission"))
    expect(page.get_by_role("heading", name="Your review")).to_be_visible()
    if audit:
        assert_no_axe_violations(page)
    for number in range(1, 7):
        group = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
        tick(page, group.get_by_role("radio", name="4 — Fully" if recommendation == "approve" else "2 — Partly"))
        group.get_by_label(f"Comment on criterion {number}").fill(f"Criterion {number}: noted.")
    tick(page, page.get_by_role("radio", name=re.compile({"approve": "^Approve", "request_changes": "^Request"}
                                                         [recommendation])))
    page.get_by_label("Message to the contributor").fill(message)
    press(page, page.get_by_role("button", name="File the review"))
    expect(page.get_by_text("Your review is filed.")).to_be_visible()
    sign_out(page)


def test_from_registration_to_a_published_reviewed_practice(browser, live_server, live_app, reviewers):
    box = mailbox()
    writer = browser.new_page()
    base = live_server

    # Register with a new LEA, confirm from the mailed link, sign in.
    writer.goto(base + "/register")
    writer.get_by_label("Your name").fill("Morgan Writer")
    writer.get_by_label("Work email").fill(EMAIL)
    writer.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    writer.get_by_label("Your LEA").select_option("new")
    writer.get_by_label("New LEA's name").fill("Lakeview Unified")
    writer.get_by_label("New LEA's county").select_option("Lake")
    writer.get_by_label("New LEA's type").select_option("district")
    press(writer, writer.get_by_role("button", name="Register"))
    expect(writer.get_by_role("heading", level=1)).to_have_text("Check your email")
    writer.goto(base + box.link(EMAIL, "/confirm/"))
    expect(writer.get_by_text("your email is confirmed")).to_be_visible()
    writer.get_by_label("Password").fill(PASSWORD)
    writer.keyboard.press("Enter")

    # Write: the form is accessible; save a draft with part of it.
    press(writer, writer.get_by_role("link", name="Write a practice"))
    expect(writer.get_by_role("heading", level=1)).to_have_text("Write a practice")
    assert_no_axe_violations(writer)
    writer.get_by_role("textbox", name=re.compile(r"^Title \(")).fill(TITLE)
    writer.get_by_role("textbox", name=re.compile(r"^Summary")).fill(
        "A middle school greeted every student by name and cut chronic absence.")
    press(writer, writer.get_by_role("button", name="Save draft"))
    expect(writer.get_by_text("Draft saved.")).to_be_visible()
    expect(writer.get_by_role("textbox", name=re.compile(r"^Title \("))).to_have_value(TITLE)

    # Fill the rest, but forget the evidence level: the error is shown beside it and everything typed stays.
    for group, value in (("State priorities", "Pupil engagement"), ("Student groups", "All students"),
                         ("Grade spans", "Grades 6 to 8")):
        # the practice's own spans, not "Grade spans the LEA serves"
        tick(writer, writer.get_by_role("group", name=re.compile(rf"^{group} \(")).get_by_role("checkbox", name=value))
    writer.get_by_label(re.compile("^Problem of practice")).fill("One student in five was chronically absent.")
    writer.get_by_label(re.compile("^The journey")).fill("Advisory teachers started daily check-ins in 2021.")
    writer.get_by_label(re.compile("^Outcomes")).fill("Chronic absence fell from 20% to 14%.")
    writer.get_by_label("What was measured").first.fill("Chronic absenteeism rate")
    writer.get_by_label("Result", exact=True).first.fill("14")  # local outcome data needs a result
    press(writer, writer.get_by_role("button", name="Submit for vetting"))
    expect(writer.get_by_role("alert")).to_contain_text("We saved your draft; fix these to submit")
    expect(writer.locator("#f-evidence_level-error")).to_contain_text("is required")
    expect(writer.get_by_label(re.compile("^Outcomes"))).to_have_value("Chronic absence fell from 20% to 14%.")
    expect(writer.get_by_label("What was measured").first).to_have_value("Chronic absenteeism rate")
    assert_no_axe_violations(writer)
    tick(writer, writer.get_by_role("radio", name="Local outcome data"))
    press(writer, writer.get_by_role("button", name="Submit for vetting"))
    expect(writer.get_by_text("Submitted, waiting for a reviewer").first).to_be_visible()
    assert box.to(reviewers[0]) and box.to(reviewers[1])

    # Round 1: one reviewer approves, the other requests changes; the round ends and the writer is told.
    first = browser.new_page()
    review(first, base, reviewers[0], "approve", "Clear and well told.", audit=True)
    second = browser.new_page()
    review(second, base, reviewers[1], "request_changes", "Please add what did not work.")
    assert "Please add what did not work." in box.last_to(EMAIL).get_content()
    writer.goto(writer.url)
    expect(writer.get_by_text("Changes requested").first).to_be_visible()
    expect(writer.get_by_text("Please add what did not work.").first).to_be_visible()

    # Resubmit with the change.
    press(writer, writer.get_by_role("link", name="Make the changes"))
    writer.get_by_label(re.compile("^Outcomes")).fill(
        "Chronic absence fell from 20% to 14%. Phone calls alone did not work; check-ins did.")
    press(writer, writer.get_by_role("button", name="Resubmit for vetting"))
    expect(writer.get_by_text("Submitted, waiting for a reviewer").first).to_be_visible()

    # Round 2: both approve; the reviewer sees what changed.
    review(first, base, reviewers[0], "approve", "Thanks for the addition.")
    sign_in(second, base, reviewers[1])
    second.goto(base + "/review")
    press(second, second.get_by_role("link", name=TITLE))
    expect(second.get_by_role("heading", name="What changed since the last revision")).to_be_visible()
    expect(second.locator(".diff-lines ins").first).to_contain_text("Phone calls alone did not work")
    sign_out(second)
    review(second, base, reviewers[1], "approve", "Ready.")

    # Published: the writer sees it, reads the page, and finds it by searching.
    writer.goto(writer.url)
    expect(writer.get_by_text("Published").first).to_be_visible()
    press(writer, writer.get_by_role("link", name="Read the published practice"))
    expect(writer.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(writer.get_by_text("Phone calls alone did not work")).to_be_visible()
    writer.goto(base + "/search")
    writer.get_by_label("Search in your own words").fill("check-ins")
    writer.keyboard.press("Enter")
    expect(writer.get_by_role("link", name=TITLE)).to_be_visible()
