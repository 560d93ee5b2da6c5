"""Outgoing mail over SMTP, sent only after the database commit that caused it (dropped on rollback)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

from flask import current_app

from .extensions import db
from .unit_of_work import after_commit

log = logging.getLogger(__name__)


def send_after_commit(recipients: Iterable[str], subject: str, body: str) -> None:
    """Queue one message per recipient; they go out when the current transaction commits."""
    recipients = sorted(set(recipients))
    if not recipients:
        return
    config = {k: v for k, v in current_app.config.items() if k.startswith("MAIL_")}

    def send() -> None:
        deliver(config, recipients, subject, body)

    after_commit(db.session, send)


def deliver(config: dict, recipients: list[str], subject: str, body: str) -> None:
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        for recipient in recipients:
            message = EmailMessage()
            message["From"] = config["MAIL_DEFAULT_SENDER"]
            message["To"] = recipient
            message["Subject"] = subject
            message.set_content(body)
            smtp.send_message(message)
    log.info("sent %r to %d recipient(s)", subject, len(recipients))
