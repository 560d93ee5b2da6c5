"""/register never tells whether an email already has an account: the same answer for a new and a known address;
the known address's owner is mailed (through the outbox) with a link to /forgot."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from clearinghouse.extensions import db
from clearinghouse.models import LEA, User

from .conftest import PASSWORD, make_app

FORM = {"name": "Jo Writer", "password": "another long passphrase", "lea": "new",
        "new_lea_name": "Pine Ridge Elementary", "new_lea_county": "Shasta", "new_lea_type": "district"}


def page_without(text: str, email: str) -> str:
    text = text.replace(email, "EMAIL")
    return re.sub(r'name="csrf_token"[^>]*|<meta name="csrf-token"[^>]*>', "", text)


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.execute(select(func.count()).select_from(User)).scalar(),
                db.session.execute(select(func.count()).select_from(LEA)).scalar())


def test_a_new_and_a_known_email_get_the_same_answer(app, client, people, mailbox):
    known = people["contributor"].email
    before = counts(app)
    existing = client.post("/register", data={**FORM, "email": known.upper()})
    assert counts(app) == before  # no account, and no new LEA
    fresh = client.post("/register", data={**FORM, "email": "jo@pine-ridge.example.org"})
    assert existing.status_code == fresh.status_code == 200
    assert page_without(existing.text, known) == page_without(fresh.text, "jo@pine-ridge.example.org")
    assert "Check your email to confirm" in existing.text and "already has an account" not in existing.text
    # the owner of the known address hears of it, with a way back in; nobody else is told anything
    [message] = mailbox.to(known)
    assert message["Subject"] == "Someone tried to register with your email address"
    assert "/forgot" in message.get_content() and PASSWORD not in message.get_content()
    assert mailbox.subjects("jo@pine-ridge.example.org") == [
        "Confirm your email for the Promising Practices Clearinghouse"]
    with app.app_context():
        owner = db.session.get(User, people["contributor"].id)
        assert owner.name == "Contributor"  # the attempt changed nothing of the account


def test_the_same_answer_with_csrf_on(tmp_path, people):

    def answer(app, email):
        client = app.test_client()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/register").text).group(1)
        return client.post("/register", data={**FORM, "email": email, "csrf_token": token})

    app = make_app(tmp_path / "csrf")
    first, second = answer(app, "pat@a.example.org"), answer(app, "pat@a.example.org")  # second: now known
    assert first.status_code == second.status_code == 200
    assert page_without(first.text, "x") == page_without(second.text, "x")
    with app.app_context():
        db.engine.dispose()


def test_a_form_with_mistakes_shows_them_without_saying_the_address_is_known(client, people):
    page = client.post("/register", data={**FORM, "email": people["contributor"].email, "password": "short"})
    assert page.status_code == 400 and "at least 12 characters" in page.text
    assert "already has an account" not in page.text
