"""Outgoing mail through an outbox (DESIGN.md): a message is a row written in the same transaction as the change
that causes it, and sent after the commit by `deliver_pending`, with retries. Nothing is lost while the mail
server is down, a rollback sends nothing, and no request waits on the mail server for more than MAIL_TIMEOUT.

`flask mail send` runs the same sender (safe from cron: each message is sent once, rows are claimed with
SKIP LOCKED on PostgreSQL). With MAIL_SEND_AFTER_COMMIT (the default) the request that wrote the messages also
tries them right after its commit.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email import policy
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from .extensions import db
from .models import OutboxMessage
from .models.types import utcnow
from .unit_of_work import after_commit

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
RETRY_AFTER = (1, 5, 15, 60, 180, 360, 720)  # minutes before the 2nd, 3rd, … attempt
# Headers are folded only at RFC 5322's hard limit: folding a long List-Unsubscribe URL at 78 would turn it
# into encoded words, which mail clients do not read as a link.
POLICY = policy.default.clone(max_line_length=998)


def header_value(text: str) -> str:
    """A header value on one line: CR, LF and other control characters become spaces (no header injection)."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def send_after_commit(recipients: Iterable[str], subject: str, body: str,
                      headers: dict | None = None) -> list[OutboxMessage]:
    """Queue one message per recipient in the current transaction (answers their rows); they go out after it
    commits."""
    recipients = sorted({header_value(r) for r in recipients if r})
    if not recipients:
        return []
    subject = header_value(subject)[:300]
    rows = [OutboxMessage(recipient=r, subject=subject, body=body, headers=headers) for r in recipients]
    db.session.add_all(rows)
    if current_app.config["MAIL_SEND_AFTER_COMMIT"]:
        app = current_app._get_current_object()

        def send() -> None:
            with app.app_context():  # a fresh session: the committing one cannot emit SQL here
                deliver_pending()

        after_commit(db.session, send)
    return rows


def deliver_pending(ids: list[int] | None = None, limit: int = 500) -> tuple[int, int]:
    """Send the messages that are due (or just `ids`); answers (sent, failed this time). One commit per message."""
    now = utcnow()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    messages = list(db.session.execute(query).scalars())
    if not messages:
        db.session.commit()
        return 0, 0
    config = {k: v for k, v in current_app.config.items() if k.startswith("MAIL_")}
    sent = failed = 0
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as exc:
        for message in messages:
            _retry_later(message, exc)
        db.session.commit()
        log.warning("mail server %s:%s unreachable (%s); %d message(s) kept for later", config["MAIL_SERVER"],
                    config["MAIL_PORT"], exc, len(messages))
        return 0, len(messages)
    with smtp:
        for message in messages:
            try:
                smtp.send_message(_email(config, message))
                message.sent_at = utcnow()
                sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                _retry_later(message, exc)
                failed += 1
                log.warning("mail to %s (%r) not sent: %s", message.recipient, message.subject, exc)
            db.session.commit()
    return sent, failed


def _connect(config: dict) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _email(config: dict, message: OutboxMessage) -> EmailMessage:
    email = EmailMessage(policy=POLICY)
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    for name, value in (message.headers or {}).items():
        email[header_value(name)] = header_value(value)
    email.set_content(message.body)
    return email


def _retry_later(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = header_value(f"{type(error).__name__}: {error}")[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.failed_at = utcnow()
    else:
        minutes = RETRY_AFTER[min(message.attempts - 1, len(RETRY_AFTER) - 1)]
        message.next_attempt_at = utcnow() + timedelta(minutes=minutes)


def undelivered(limit: int = 200) -> list[OutboxMessage]:
    """Messages not sent yet (waiting for a retry, or given up), oldest first: for the admins."""
    return list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    ).scalars())


FAILURES_SHOWN = timedelta(days=30)


def waiting(limit: int = 200) -> list[OutboxMessage]:
    """Messages still to be sent (new, or waiting for a retry), oldest first."""
    return list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        .order_by(OutboxMessage.id).limit(limit)
    ).scalars())


def recent_failures(limit: int = 200) -> list[OutboxMessage]:
    """Messages given up on (after MAX_ATTEMPTS) in the last 30 days, newest first."""
    return list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_not(None),
                                    OutboxMessage.failed_at >= utcnow() - FAILURES_SHOWN)
        .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc()).limit(limit)
    ).scalars())


def retry_now() -> tuple[int, int]:
    """Send every undelivered message now (the waiting and the given-up ones): answers (sent, failed)."""
    ids = [m.id for m in undelivered(limit=500)]
    now = utcnow()
    for message in db.session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).scalars():
        message.next_attempt_at = now
        if message.failed_at is not None:  # a last try: a failure gives up again at once
            message.failed_at = None
            message.attempts = min(message.attempts, MAX_ATTEMPTS - 1)
    db.session.commit()
    return deliver_pending(ids) if ids else (0, 0)
