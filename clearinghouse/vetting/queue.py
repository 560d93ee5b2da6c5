"""Reading the record of vetting: a submission's timeline, the queue, and the queue's monthly statistics."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import permissions, records
from ..chart import last_months
from ..extensions import db
from ..models import LEA, AuditEvent, Practice, Revision, Round, Tag


def timeline(revision: Revision) -> list[AuditEvent]:
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.revision_id == revision.id).order_by(AuditEvent.created_at,
                                                                                 AuditEvent.id)
    ).scalars())


def previous_record(revision: Revision) -> dict | None:
    """What the reviewers saw last time: the previous round, or the revision this one replaces."""
    rounds = revision.rounds
    if len(rounds) >= 2:
        return rounds[-2].record
    earlier = [r for r in revision.practice.revisions if r.number < revision.number and r.rounds]
    if earlier:
        return earlier[-1].rounds[-1].record
    before = [r for r in revision.practice.revisions if r.number < revision.number
              and r.state in ("published", "superseded")]
    return records.revision_to_record(before[-1]) if before else None


@dataclass
class QueueItem:
    revision: Revision
    round: Round
    age_days: int
    offered_first: bool
    may_claim: bool
    may_review: bool


@dataclass
class Queue:
    items: list[QueueItem]
    counts: dict[str, int]
    filters: dict[str, str]


QUEUE_FILTERS = ("state", "topic", "county", "mine")


def queue(actor, filters: dict[str, str]) -> Queue:
    """Submissions waiting for vetting that the actor may see: offered to them first, then oldest first."""
    base = (
        select(Revision)
        .join(Revision.practice)
        .join(Practice.lea)
        .where(Revision.state.in_(permissions.QUEUE_STATES), permissions.queue_filter(actor))
    )
    counts = _state_counts(base)
    query = base.options(selectinload(Revision.rounds).selectinload(Round.reviews),
                         selectinload(Revision.practice).selectinload(Practice.lea), selectinload(Revision.tags))
    if filters.get("state") in permissions.QUEUE_STATES:
        query = query.where(Revision.state == filters["state"])
    if filters.get("topic"):
        query = query.where(Revision.id.in_(select(Tag.revision_id).where(Tag.vocabulary == "topic",
                                                                          Tag.code == filters["topic"])))
    if filters.get("county"):
        query = query.where(LEA.county == filters["county"])
    now = datetime.now(UTC)
    items = []
    for revision in db.session.execute(query).scalars():
        current = revision.current_round
        if current is None:
            continue
        mine = any(r.reviewer_id == actor.id for r in current.reviews)
        if filters.get("mine") and not mine:
            continue
        earlier = any(r.reviewer_id == actor.id for rnd in revision.rounds[:-1] for r in rnd.filed_reviews)
        items.append(QueueItem(revision, current, (now - current.submitted_at).days, earlier and not mine,
                               permissions.may_claim(actor, revision), permissions.may_review(actor, revision)))
    items.sort(key=lambda i: (not i.offered_first, i.round.submitted_at))
    return Queue(items, counts, filters)


def _state_counts(base) -> dict[str, int]:
    sub = base.with_only_columns(Revision.state).subquery()
    return dict(db.session.execute(select(sub.c.state, func.count()).group_by(sub.c.state)).all())


@dataclass
class MonthStat:
    month: str  # "2026-03"
    received: int
    decided: int


@dataclass
class Stats:
    months: list[MonthStat]
    median_days: float | None


def stats(months: int = 12) -> Stats:
    """Submissions received and decided per month (the last `months`), and the median days to a decision."""
    now = datetime.now(UTC)
    keys = last_months(now.year, now.month, months)
    received = dict.fromkeys(keys, 0)
    decided = dict.fromkeys(keys, 0)
    durations = []
    for submitted_at, decided_at in db.session.execute(select(Round.submitted_at, Round.decided_at)).all():
        key = submitted_at.strftime("%Y-%m")
        if key in received:
            received[key] += 1
        if decided_at is not None:
            durations.append((decided_at - submitted_at).total_seconds() / 86400)
            key = decided_at.strftime("%Y-%m")
            if key in decided:
                decided[key] += 1
    median = round(statistics.median(durations), 1) if durations else None
    return Stats([MonthStat(k, received[k], decided[k]) for k in keys], median)
