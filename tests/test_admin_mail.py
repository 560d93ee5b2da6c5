"""/admin/mail: admins see the mail not delivered yet and the messages given up on, and send them again."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

from sqlalchemy import select

from clearinghouse.extensions import db
from clearinghouse.mail import MAX_ATTEMPTS, send_after_commit
from clearinghouse.models import OutboxMessage
from clearinghouse.models.types import utcnow

from .conftest import PASSWORD, login, make_app


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def undelivered_mail(app, mailbox) -> None:
    """One message waiting for a retry (the server was down) and one given up on after every attempt."""
    port = app.config["MAIL_PORT"]
    app.config.update(MAIL_PORT=closed_port(), MAIL_TIMEOUT=0.5)
    with app.test_request_context():
        send_after_commit(["dana@example.org"], "Changes requested: Day-two calls", "please change")
        db.session.add(OutboxMessage(recipient="eli@example.org", subject="Published: Reading buddies", body="yes",
                                     attempts=MAX_ATTEMPTS, last_error="SMTPRecipientsRefused: mailbox full",
                                     failed_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    app.config["MAIL_PORT"] = port
    mailbox.clear()


def test_admins_see_undelivered_mail_and_send_it_again(app, client, people, mailbox):
    undelivered_mail(app, mailbox)
    login(client, people["admin"])
    page = client.get("/admin/mail")
    assert page.status_code == 200 and "<h1>Undelivered mail</h1>" in page.text
    waiting, given_up = page.text.split("Given up in the last 30 days")
    assert "dana@example.org" in waiting and "Changes requested: Day-two calls" in waiting
    assert "ConnectionRefusedError" in waiting
    assert "eli@example.org" in given_up and "mailbox full" in given_up and f"<td>{MAX_ATTEMPTS}</td>" in given_up
    done = client.post("/admin/mail/retry", follow_redirects=True)
    assert "2 messages sent; 0 still not delivered." in done.text
    assert "Nothing is waiting" in done.text and "No message has been given up on" in done.text
    assert sorted(m["To"] for m in mailbox.messages) == ["dana@example.org", "eli@example.org"]
    with app.app_context():
        assert all(m.sent_at for m in db.session.execute(select(OutboxMessage)).scalars())


def test_a_retry_that_fails_again_keeps_the_messages(app, client, people, mailbox):
    undelivered_mail(app, mailbox)
    login(client, people["admin"])
    app.config.update(MAIL_PORT=closed_port())
    done = client.post("/admin/mail/retry", follow_redirects=True)
    assert "0 messages sent; 2 still not delivered." in done.text
    assert "dana@example.org" in done.text and "eli@example.org" in done.text


def test_only_admins_see_the_page(app, people, mailbox):
    undelivered_mail(app, mailbox)
    for kind in (None, "contributor", "reviewer", "facilitator"):
        client = app.test_client()
        login(client, people.get(kind) if kind else None)
        assert client.get("/admin/mail").status_code == 404
        assert client.post("/admin/mail/retry").status_code == 404
    assert mailbox.messages == []


def test_retry_needs_the_csrf_token(tmp_path, mailbox):
    from clearinghouse.accounts import service

    app = make_app(tmp_path / "csrf")
    with app.app_context():
        service.create_user("root@example.org", ["admin"], password=PASSWORD)
    undelivered_mail(app, mailbox)
    client = app.test_client()
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    client.post("/login", data={"email": "root@example.org", "password": PASSWORD, "csrf_token": token})
    client.post("/admin/mail/retry")  # no token: nothing is sent
    assert mailbox.messages == []
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/admin/mail").text).group(1)
    client.post("/admin/mail/retry", data={"csrf_token": token})
    assert len(mailbox.messages) == 2
    with app.app_context():
        db.engine.dispose()
