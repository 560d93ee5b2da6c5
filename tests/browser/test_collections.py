"""A facilitator curates a collection in a real browser, with the keyboard only: create it, add practices,
write a note, reorder; axe finds no WCAG 2.1 A/AA violations on the collection, the index and the edit page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .a11y import assert_no_axe_violations
from .keyboard import press, type_into

PASSWORD = "a long curating password"
EMAIL = "fia@central-valley.example.org"
LEAD = "teacher-leaders-for-english-learners-the-lead-program"
PBIS = "refocusing-a-rural-districts-improvement-work-on-pbis"
LEAD_TITLE = "Teacher leaders for English learners: the LEAD program"


@pytest.fixture(scope="module")
def facilitator(live_app):
    from clearinghouse.accounts import service

    with live_app.app_context():
        if service.find_user(EMAIL) is None:
            service.create_user(EMAIL, ["facilitator"], password=PASSWORD, name="Fia")
    return EMAIL




def order(page: Page) -> list[str]:
    return page.locator(".collection-items > li").evaluate_all("items => items.map(i => i.id)")


def test_a_facilitator_curates_a_collection_with_the_keyboard(page: Page, live_server, facilitator):
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(facilitator)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(live_server + "/collections")
    press(page, page.get_by_role("link", name="New collection"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New collection")
    type_into(page, page.get_by_label("Title"), "Reclassification: where to start")
    type_into(page, page.get_by_label("Network"), "Central Valley EL Coordinators Network")
    type_into(page, page.get_by_label("Description"), "Practices for **EL coordinators**.")
    public = page.get_by_label("Public: listed on the collections page")
    public.focus()
    page.keyboard.press("Space")
    expect(public).to_be_checked()
    press(page, page.get_by_role("button", name="Create the collection"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Reclassification: where to start”")

    for slug in (LEAD, PBIS):
        type_into(page, page.get_by_label("The practice’s address"), slug)
        press(page, page.get_by_role("button", name="Add to the collection"))
        expect(page.locator(".flash")).to_contain_text("Added")
    assert order(page) == [f"item-{LEAD}", f"item-{PBIS}"]
    assert_no_axe_violations(page)

    note = page.get_by_label(f"Curator’s note on “{LEAD_TITLE}”")
    type_into(page, note, "Start here if your reclassification rate is flat.")
    press(page, page.get_by_role("button", name=f"Save “{LEAD_TITLE}”"))
    expect(page.locator(".flash")).to_contain_text("Item saved.")
    expect(note).to_have_value("Start here if your reclassification rate is flat.")

    press(page, page.locator(f"#item-{PBIS}").get_by_role("button", name="Move up"))
    expect(page.locator(".collection-items > li").first).to_have_id(f"item-{PBIS}")
    # Or type the position and press Enter in the field.
    position = page.locator(f"#item-{LEAD}-position")
    type_into(page, position, "1")
    page.keyboard.press("Enter")
    expect(page.locator(".collection-items > li").first).to_have_id(f"item-{LEAD}")
    # With the script, a mouse user may drag an item onto another instead.
    page.locator(f"#item-{PBIS}-title").drag_to(page.locator(f"#item-{LEAD}-title"))
    expect(page.locator(".collection-items > li").first).to_have_id(f"item-{PBIS}")
    press(page, page.locator(f"#item-{LEAD}").get_by_role("button", name="Move up"))
    expect(page.locator(".collection-items > li").first).to_have_id(f"item-{LEAD}")

    press(page, page.get_by_role("link", name="Back to the collection"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reclassification: where to start")
    items = page.locator(".collection-items > li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(LEAD_TITLE)
    expect(items.first).to_contain_text("Start here if your reclassification rate is flat.")
    expect(items.first).to_contain_text("Orange")
    assert_no_axe_violations(page)

    page.goto(live_server + "/collections?q=central+valley")
    expect(page.get_by_role("link", name="Reclassification: where to start").first).to_be_visible()
    assert_no_axe_violations(page)
