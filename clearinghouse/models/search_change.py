"""The search change log: one row per change that affects search, written in the transaction that makes it.

Every node applies the rows past the last one its own index applied (search/changes.py), so an index on any
server catches up with the one database, whichever server made the change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

CHANGE_KINDS = ("upsert", "delete", "rebuild")  # rebuild: every node rebuilds its index from the database


class SearchChange(db.Model):
    __tablename__ = "search_changes"

    # AUTOINCREMENT on SQLite too: an id is never reused after the newest rows are pruned.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    practice_id: Mapped[int | None] = mapped_column(Integer)  # None for a rebuild
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchChange {self.id} {self.kind} {self.practice_id}>"
