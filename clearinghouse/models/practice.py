"""Practices and their revisions: the write-up as published, and the versions going through vetting."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .audit import AuditEvent
    from .lea import LEA
    from .review import Round
    from .user import User


class Practice(db.Model):
    """A practice as a stable identity (slug, LEA); its content lives in revisions."""

    __tablename__ = "practices"
    __table_args__ = (UniqueConstraint("slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120))
    lea_id: Mapped[int] = mapped_column(ForeignKey("leas.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lea: Mapped[LEA] = relationship(back_populates="practices")
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="practice", order_by="Revision.number", cascade="all, delete-orphan"
    )
    events: Mapped[list[AuditEvent]] = relationship(
        back_populates="practice", order_by="AuditEvent.id", cascade="all, delete-orphan"
    )

    @property
    def published_revision(self) -> Revision | None:
        return next((r for r in self.revisions if r.state == "published"), None)

    @property
    def latest_revision(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None

    def __repr__(self) -> str:
        return f"<Practice {self.slug}>"


class Revision(db.Model):
    """One version of a practice's write-up, in one state of the vetting workflow."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("practice_id", "number"),
        Index("ix_revisions_state_practice", "state", "practice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(30), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    evidence_level: Mapped[str | None] = mapped_column(String(20))
    problem: Mapped[str] = mapped_column(Text, default="")
    root_causes: Mapped[str] = mapped_column(Text, default="")
    journey: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    setbacks: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    investment_amount_usd: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    investment_notes: Mapped[str] = mapped_column(Text, default="")
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_title: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    # The LEA context the writer described (applied to the LEA only when the revision is published), so
    # reviewers and previews show what was submitted rather than the LEA's current profile.
    lea_context: Mapped[dict | None] = mapped_column(JSON)
    # The record as its writer typed it, valid or not (lax drafts); the columns hold what validated.
    draft: Mapped[dict | None] = mapped_column(JSON)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    practice: Mapped[Practice] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(
        back_populates="revision", cascade="all, delete-orphan", order_by="Tag.id"
    )
    outcome_metrics: Mapped[list[OutcomeMetric]] = relationship(
        cascade="all, delete-orphan", order_by="OutcomeMetric.position"
    )
    resources: Mapped[list[Resource]] = relationship(cascade="all, delete-orphan", order_by="Resource.position")
    rounds: Mapped[list[Round]] = relationship(
        back_populates="revision", order_by="Round.number", cascade="all, delete-orphan"
    )

    @property
    def current_round(self) -> Round | None:
        return self.rounds[-1] if self.rounds else None

    __mapper_args__ = {"version_id_col": version}

    def codes(self, vocabulary: str) -> list[str]:
        return [t.code for t in self.tags if t.vocabulary == vocabulary]

    def section(self, name: str) -> str:
        return getattr(self, name)


class Tag(db.Model):
    """One value of a multi-valued vocabulary on a revision; indexed for filtering and counting."""

    __tablename__ = "tags"
    __table_args__ = (
        UniqueConstraint("revision_id", "vocabulary", "code"),
        Index("ix_tags_vocabulary_code", "vocabulary", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    vocabulary: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))

    revision: Mapped[Revision] = relationship(back_populates="tags")


class OutcomeMetric(db.Model):
    __tablename__ = "outcome_metrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    indicator: Mapped[str | None] = mapped_column(String(40))
    student_group: Mapped[str | None] = mapped_column(String(40))
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_year: Mapped[str | None] = mapped_column(String(20))
    result: Mapped[float | None] = mapped_column(Float)
    result_year: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(40))


class Resource(db.Model):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    kind: Mapped[str | None] = mapped_column(String(20))
    publisher: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[str | None] = mapped_column(String(40))
