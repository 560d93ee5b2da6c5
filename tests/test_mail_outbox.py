"""The mail outbox: messages are rows written with the change, sent after the commit, kept while the server is down,
delivered once when it is back, and sanitized headers."""

from __future__ import annotations

import socket

from sqlalchemy import func, select

from clearinghouse.extensions import db
from clearinghouse.mail import send_after_commit
from clearinghouse.models import OutboxMessage

from .conftest import make_app


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens here once the socket is closed


def _pending(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        ).scalar_one()


def test_a_message_is_sent_after_the_commit_and_never_on_rollback(app, mailbox):
    mailbox.clear()
    with app.test_request_context():
        send_after_commit(["ana@example.org"], "Kept", "sent after the commit")
        db.session.rollback()
        send_after_commit(["ana@example.org"], "Published: a practice", "hello")
        assert mailbox.to("ana@example.org") == []  # nothing before the commit
        db.session.commit()
    assert mailbox.subjects("ana@example.org") == ["Published: a practice"]
    assert _pending(app) == 0


def test_with_the_mail_server_down_nothing_is_lost_and_it_goes_out_once_later(tmp_path, mailbox):
    down = make_app(tmp_path, MAIL_PORT=_closed_port(), MAIL_TIMEOUT=0.5)
    mailbox.clear()
    with down.test_request_context():
        send_after_commit(["bo@example.org", "cy@example.org"], "Changes requested: x", "please change")
        db.session.commit()  # the decision stands; the messages wait
    assert mailbox.messages == [] and _pending(down) == 2
    with down.app_context():
        message = db.session.execute(select(OutboxMessage)).scalars().first()
        assert message.attempts == 1 and "ConnectionRefusedError" in message.last_error
        db.session.execute(db.update(OutboxMessage).values(next_attempt_at=message.created_at))  # due again
        db.session.commit()
    down.config["MAIL_PORT"] = mailbox.port  # the server is back
    runner = down.test_cli_runner()
    first = runner.invoke(args=["mail", "send"])
    assert first.exit_code == 0 and "Sent 2 message(s)" in first.output
    second = runner.invoke(args=["mail", "send"])
    assert second.exit_code == 0 and "Sent 0 message(s)" in second.output
    assert sorted(m["To"] for m in mailbox.messages) == ["bo@example.org", "cy@example.org"]


def test_mail_send_reports_failure_when_the_server_is_still_down(tmp_path):
    down = make_app(tmp_path, MAIL_PORT=_closed_port(), MAIL_TIMEOUT=0.5, MAIL_SEND_AFTER_COMMIT=False)
    with down.test_request_context():
        send_after_commit(["di@example.org"], "Assigned to you", "a review")
        db.session.commit()
    result = down.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 1 and "stay queued" in result.output
    assert _pending(down) == 1


def test_header_values_cannot_carry_new_lines(app, mailbox):
    mailbox.clear()
    with app.test_request_context():
        send_after_commit(["ed@example.org"], "Published: Title\r\nBcc: victim@example.org", "body")
        db.session.commit()
    message = mailbox.last_to("ed@example.org")
    assert message["Bcc"] is None and str(message["Subject"]) == "Published: Title Bcc: victim@example.org"
