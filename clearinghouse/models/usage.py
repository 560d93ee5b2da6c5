"""Usage counts: each counted view or download (COUNTER's rules), and the salt of the day for visitor hashes.

An event never holds an IP address, a user agent or a user id: only a hash of them salted with the day's salt,
and the salt is deleted when its day is over, so yesterday's hashes cannot be linked to anyone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime

# What is counted: a practice page read, or a practice or collection downloaded (in a format: pdf, json, csv).
USAGE_KINDS = ("view", "download")
DOWNLOAD_FORMATS = {"pdf": "PDF", "json": "JSON", "csv": "CSV"}


class UsageEvent(db.Model):
    """One counted request: a view of a practice page, or a download of a practice or of a collection."""

    __tablename__ = "usage_events"
    __table_args__ = (
        Index("ix_usage_events_practice_kind", "practice_id", "kind"),
        Index("ix_usage_events_visitor_at", "visitor", "occurred_at"),  # the 30-second double-click check
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date, index=True)  # the UTC day, the unit of unique visitors
    kind: Mapped[str] = mapped_column(String(10))
    format: Mapped[str | None] = mapped_column(String(10))
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    # A download of a whole collection (practice_id is then empty).
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"),
                                                      index=True)
    # The collection page the reader came from, when they came from one.
    from_collection_id: Mapped[int | None] = mapped_column(ForeignKey("collections.id", ondelete="SET NULL"),
                                                           index=True)
    # sha256 of the day's salt, the IP address and the user agent: the same within a day, unlinkable after it.
    visitor: Mapped[str] = mapped_column(String(64))


class UsageSalt(db.Model):
    """The random salt of one UTC day; deleted once the day is over."""

    __tablename__ = "usage_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
