"""Alerts: saved searches, followed collections, each user's digest choice, the ledger of what was sent, and the
lock that lets one `flask alerts send` run at a time."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .collection import Collection
    from .practice import Practice
    from .user import User

DIGESTS = {
    "daily": "Daily: one email a day when there is something new",
    "weekly": "Weekly: one email a week when there is something new",
    "off": "Off: no alert emails",
}
DEFAULT_DIGEST = "weekly"


class SavedSearch(db.Model):
    """A search (its query and filters, as the search page's URL holds them) kept under a name."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    query_string: Mapped[str] = mapped_column(Text)  # the search page's parameters, e.g. q=attendance&topic=mtss
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class CollectionFollow(db.Model):
    """A user following a collection: practices added to it after `created_at` come in their digest."""

    __tablename__ = "collection_follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    collection: Mapped[Collection] = relationship()


class AlertSettings(db.Model):
    """A user's digest choice, and when their digest was last due and handled (sent, or found empty)."""

    __tablename__ = "alert_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(10), default=DEFAULT_DIGEST)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the digest was last turned back on after "off": what happened while it was off is never sent.
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AlertDelivery(db.Model):
    """The ledger: practice P was listed in a digest to user U (once ever), written with the outbox message."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("user_id", "practice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("mail_outbox.id", ondelete="SET NULL"))
    matched: Mapped[list] = mapped_column(JSON, default=list)  # the subscriptions' names, as the email said
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    practice: Mapped[Practice] = relationship()


class JobLock(db.Model):
    """A named lock a command claims with one UPDATE … WHERE (free or stale), on SQLite and PostgreSQL alike."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
