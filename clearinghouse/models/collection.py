"""Collections: practices a network facilitator curates for a network, in order, each with a curator's note."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .practice import Practice, Revision
    from .user import User

# public: listed and searchable; unlisted: anyone with the link; private: its curators only.
VISIBILITIES = {
    "public": "Public: listed on the collections page",
    "unlisted": "Unlisted: anyone with the link can read it",
    "private": "Private: only its curators can see it",
}


class CollectionCurator(db.Model):
    """A facilitator who curates a collection (its creator is one too)."""

    __tablename__ = "collection_curators"

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    collection: Mapped[Collection] = relationship(back_populates="curator_rows")
    user: Mapped[User] = relationship()


class Collection(db.Model):
    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    network: Mapped[str] = mapped_column(String(200), default="")
    visibility: Mapped[str] = mapped_column(String(10), default="private", index=True)
    featured: Mapped[bool] = mapped_column(default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()
    items: Mapped[list[CollectionItem]] = relationship(
        back_populates="collection", order_by="CollectionItem.position", cascade="all, delete-orphan"
    )
    curator_rows: Mapped[list[CollectionCurator]] = relationship(
        back_populates="collection", order_by="CollectionCurator.added_at", cascade="all, delete-orphan"
    )

    @property
    def curators(self) -> list[User]:
        return [row.user for row in self.curator_rows]

    def item_for(self, practice_slug: str) -> CollectionItem | None:
        return next((item for item in self.items if item.practice.slug == practice_slug), None)

    def __repr__(self) -> str:
        return f"<Collection {self.slug}>"


class CollectionItem(db.Model):
    """A practice in a collection: the Practice itself (so it shows its current published version), never a copy."""

    __tablename__ = "collection_items"
    __table_args__ = (UniqueConstraint("collection_id", "practice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    collection: Mapped[Collection] = relationship(back_populates="items")
    practice: Mapped[Practice] = relationship()
    added_by: Mapped[User | None] = relationship()

    @property
    def revision(self) -> Revision | None:
        """What the collection shows: the practice's current published version, or its archived one."""
        published = self.practice.published_revision
        if published is not None:
            return published
        return next((r for r in reversed(self.practice.revisions) if r.state == "archived"), None)

    @property
    def archived(self) -> bool:
        return self.practice.published_revision is None
