"""/admin/mail in a real browser: axe finds nothing, a phone never scrolls sideways, and Retry now works by
keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .a11y import assert_no_axe_violations, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser
PASSWORD = "an admin mail password"
ADMIN = "mia@mail-admin.example.org"


@pytest.fixture(scope="module")
def undelivered(live_app):
    from clearinghouse.accounts import service as accounts
    from clearinghouse.extensions import db
    from clearinghouse.mail import MAX_ATTEMPTS
    from clearinghouse.models import OutboxMessage
    from clearinghouse.models.types import utcnow

    with live_app.app_context():
        accounts.create_user(ADMIN, ["admin"], password=PASSWORD)
        db.session.add_all([
            OutboxMessage(recipient="a-very-long-recipient-address@some-district.example.org",
                          subject="Changes requested: Attendance teams that call home on day two", body="x",
                          attempts=2, last_error="ConnectionRefusedError: [Errno 111] Connection refused"),
            OutboxMessage(recipient="eli@example.org", subject="Published: Reading buddies", body="y",
                          attempts=MAX_ATTEMPTS, last_error="SMTPRecipientsRefused: mailbox full", failed_at=utcnow()),
        ])
        db.session.commit()


def test_the_undelivered_mail_page_passes_axe_fits_a_phone_and_retries(browser, live_server, undelivered):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(live_server + "/admin/mail")
    expect(page.get_by_role("heading", level=1)).to_have_text("Undelivered mail")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Retry now").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("still not delivered").or_(page.get_by_text("messages sent"))).to_be_visible()
    page.close()
