"""Vetting rounds and reviews: what was submitted each time, who claimed it, and how they scored it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .practice import Revision
    from .user import User


class Round(db.Model):
    """One submission of a revision for vetting, with the content exactly as it was submitted."""

    __tablename__ = "vetting_rounds"
    __table_args__ = (UniqueConstraint("revision_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict] = mapped_column(JSON)  # the interchange record as submitted (what reviewers read)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(String(30))  # approved, changes_requested, rejected

    revision: Mapped[Revision] = relationship(back_populates="rounds")
    reviews: Mapped[list[Review]] = relationship(
        back_populates="round", order_by="Review.id", cascade="all, delete-orphan"
    )

    @property
    def filed_reviews(self) -> list[Review]:
        return [r for r in self.reviews if r.filed_at is not None]

    @property
    def open_claims(self) -> list[Review]:
        return [r for r in self.reviews if r.filed_at is None and r.withdrawn_at is None]


class Review(db.Model):
    """A reviewer's claim on a round and, once filed, their scores, comments and recommendation.

    The rubric's wording is frozen into the review, so a later edit of the rubric never rewrites it.
    """

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("round_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vetting_rounds.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the round ended before it was filed
    rubric: Mapped[list] = mapped_column(JSON, default=list)  # [{"number": 1, "criterion": "…"}, …]
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # {"1": 4, …}
    comments: Mapped[dict] = mapped_column(JSON, default=dict)  # {"1": "…", …}
    recommendation: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="reviews")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
