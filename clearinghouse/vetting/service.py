"""The vetting workflow: drafts, submission, claims, reviews, rounds and archiving.

The one place that changes a revision's state: every change goes through `transition`, which follows
workflow.TRANSITIONS, asks permissions.py, writes the audit log, and bumps the revision's version so that
two people deciding at the same moment cannot both win. Each public function commits once; mail and
indexing run after the commit.
"""

from __future__ import annotations

import functools
import secrets
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import permissions
from ..errors import DomainError, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from ..extensions import db
from ..mail import send_after_commit
from ..models import LEA, AuditEvent, Practice, Review, Revision, Round, Tag, User
from ..models.types import utcnow
from ..practices import records
from ..signals import practice_changed
from . import rubric
from .workflow import RECOMMENDATIONS, STATE_LABELS, TRANSITIONS

CONFLICT = "Someone else changed this submission at the same moment. Reload the page to see where it stands now."


# ---------------------------------------------------------------- the state machine


def transition(revision: Revision, action: str, actor: User | None, comment: str = "") -> Revision:
    """Move `revision` by `action`, or raise and change nothing. The caller commits."""
    rule = check(revision, action, actor)
    source = revision.state
    revision.state = rule.target
    practice = revision.practice
    now = utcnow()
    revision.updated_at = now  # every transition updates the row, so the version check always applies
    if rule.target == "published":
        for other in practice.revisions:
            if other is not revision and other.state == "published":
                transition(other, "supersede", actor, f"replaced by revision {revision.number}")
        practice.published_at = practice.published_at or now
        practice.updated_at = now
    if rule.target == "archived":
        practice.updated_at = now
    if "published" in (source, rule.target):
        practice_changed.send(practice.slug)  # search updates its index after the commit
    _record(revision, actor, action, source, rule.target, comment, now)
    return revision


def check(revision: Revision, action: str, actor: User | None):
    """The rule for `action` if it may be taken now by `actor`; InvalidTransition or NotAllowed otherwise."""
    rule = TRANSITIONS[action]
    if revision.state not in rule.sources:
        raise InvalidTransition(
            f"This revision is {STATE_LABELS[revision.state].lower()}; it cannot be {rule.label} now."
        )
    if rule.who is not None and not getattr(permissions, rule.who)(actor, revision):
        raise NotAllowed(_refusal(rule.who, actor, revision))
    return rule


def _record(revision: Revision, actor, action: str, source: str | None, target: str, comment: str, now=None) -> None:
    db.session.add(AuditEvent(
        practice=revision.practice, revision=revision, actor=actor, action=action, from_state=source,
        to_state=target, comment=comment, created_at=now or utcnow(),
    ))


def _refusal(rule: str, actor, revision: Revision) -> str:
    if rule in ("may_claim", "may_review") and permissions.conflicted(actor, revision):
        return "Reviewers never vet a submission of their own or of their own LEA."
    if rule == "may_claim" and not permissions.is_reviewer(actor):
        return "Only reviewers can claim a submission."
    if rule in ("may_claim", "may_assign"):
        return (f"This round already has the {permissions.reviews_required()} reviewer(s) it needs, "
                "or you have already claimed it.")
    if rule == "may_review":
        return "Claim this submission before you review it."
    return "You may not do that to this submission."


def _commit() -> None:
    db.session.commit()


def atomic(service_call):
    """One service call, one transaction: a concurrent change of the same revision (the version check, at
    any flush or at the commit) rolls everything back and is refused as a conflict; so is any domain error."""

    @functools.wraps(service_call)
    def run(*args, **kwargs):
        try:
            return service_call(*args, **kwargs)
        except (StaleDataError, IntegrityError) as exc:
            db.session.rollback()
            raise InvalidTransition(CONFLICT) from exc
        except DomainError:
            db.session.rollback()  # refused: nothing of it stays (a draft saved before a refusal is committed)
            raise

    return run


# ---------------------------------------------------------------- finding submissions


def get_submission(actor, revision_id: int) -> Revision:
    """A revision the actor may see; anything else is not found."""
    revision = db.session.get(Revision, revision_id)
    if revision is None or not permissions.may_view_revision(actor, revision):
        raise NotFound("There is no submission at this address.")
    return revision


def get_for_review(actor, revision_id: int) -> Revision:
    revision = db.session.get(Revision, revision_id)
    if revision is None or not permissions.may_open_review_page(actor, revision):
        raise NotFound("There is no submission at this address.")
    return revision


def my_submissions(actor) -> list[Revision]:
    return list(db.session.execute(
        select(Revision).where(Revision.author_id == actor.id).order_by(Revision.updated_at.desc())
    ).scalars())


# ---------------------------------------------------------------- writing


def _with_lea(record: dict, lea: LEA) -> dict:
    """The practice's LEA is fixed by who writes it; the writer only describes its context."""
    record = dict(record or {})
    given = record.get("lea") if isinstance(record.get("lea"), dict) else {}
    record["lea"] = {**given, "name": lea.name, "type": lea.type, "county": lea.county}
    return record


def _store_draft(revision: Revision, record: dict) -> list[tuple[str, str]]:
    """Keep the record as typed, fill the revision with whatever of it is valid, and answer the errors."""
    record = _with_lea(record, revision.practice.lea)
    data, errors = records.load_lax(record)
    data["outcome_metrics"] = [m for m in data.get("outcome_metrics") or [] if m.get("label")]
    data["resources"] = [r for r in data.get("resources") or [] if r.get("title") and r.get("url")]
    records.fill_revision(revision, data)
    revision.draft = record
    return errors


@atomic
def start_draft(actor, record: dict) -> tuple[Revision, list[tuple[str, str]]]:
    """A new practice, as a draft of the actor's LEA, with whatever was filled in."""
    if not permissions.may_write(actor):
        raise NotAllowed("Confirm your email address before you write a practice.")
    if actor.lea is None:
        raise ValidationFailed("Your account has no LEA; ask an admin to set it.", {"lea": "is required"})
    practice = Practice(slug=f"draft-{secrets.token_hex(6)}", lea=actor.lea)
    db.session.add(practice)
    revision = records.new_revision(practice, actor)
    errors = _store_draft(revision, record)
    _record(revision, actor, "create", None, "draft", "")
    _commit()
    return revision, errors


@atomic
def revise(actor, slug: str) -> Revision:
    """A new draft revision of a published practice; the published one stays online meanwhile."""
    practice = db.session.execute(select(Practice).where(Practice.slug == slug)).scalar_one_or_none()
    if practice is None or practice.published_revision is None or not permissions.may_revise(actor, practice):
        raise NotFound("There is no practice at this address that you can edit.")
    pending = [r for r in practice.revisions if r.state not in ("published", "superseded", "archived", "rejected")]
    if pending:
        raise InvalidTransition("This practice already has a revision being written or vetted: "
                                f"revision {pending[0].number} is {STATE_LABELS[pending[0].state].lower()}.")
    revision = records.new_revision(practice, actor)
    _store_draft(revision, records.revision_to_record(practice.published_revision))
    _record(revision, actor, "create", None, "draft",
            f"revising the published revision {practice.published_revision.number}")
    _commit()
    return revision


@atomic
def save_draft(actor, revision_id: int, record: dict) -> tuple[Revision, list[tuple[str, str]]]:
    """Save whatever is filled in (lax); the errors are answered, not raised."""
    revision = get_submission(actor, revision_id)
    _require_editable(actor, revision)
    errors = _store_draft(revision, record)
    _commit()
    return revision, errors


def _require_editable(actor, revision: Revision) -> None:
    if revision.state not in permissions.WRITING_STATES:
        raise InvalidTransition(f"This revision is {STATE_LABELS[revision.state].lower()}; it cannot be edited now.")
    if not permissions.may_edit(actor, revision):
        raise NotAllowed("Only the author of this revision can edit it.")


def draft_record(revision: Revision) -> dict:
    """The record the writing form shows: as typed when there is a draft, else the stored content."""
    return revision.draft if revision.draft is not None else records.revision_to_record(revision)


def open_errors(revision: Revision) -> dict[str, str]:
    """What must still be fixed before the revision can be submitted, by field path (empty once it is vetted)."""
    if revision.state not in permissions.WRITING_STATES:
        return {}
    return dict(records.load_lax(_with_lea(draft_record(revision), revision.practice.lea))[1])


@atomic
def submit(actor, revision_id: int, record: dict | None = None) -> Revision:
    """Validate strictly and send the revision to the reviewers (a new round); the typed draft is kept either way."""
    revision = get_submission(actor, revision_id)
    action = "resubmit" if revision.state == "changes_requested" else "submit"
    check(revision, action, actor)
    if record is not None:
        _store_draft(revision, record)
    errors = dict(records.load_lax(_with_lea(draft_record(revision), revision.practice.lea))[1])
    errors.update(_cds_code_conflict(revision))
    if errors:
        _commit()  # what was typed is kept
        raise ValidationFailed(records.NOT_READY, errors)
    data = records.load_strict(_with_lea(draft_record(revision), revision.practice.lea))
    records.fill_revision(revision, data)
    now = utcnow()
    revision.submitted_at = now
    transition(revision, action, actor)
    db.session.add(Round(revision=revision, number=len(revision.rounds) + 1, record=records.canonical(data),
                         submitted_at=now))
    earlier = {r.reviewer.email for rnd in revision.rounds for r in rnd.filed_reviews if r.reviewer}
    recipients = earlier if action == "resubmit" and earlier else {u.email for u in eligible_reviewers(revision)}
    link = url_for("vetting.review", revision_id=revision.id, _external=True)
    send_after_commit(
        recipients,
        f"{'Resubmitted' if action == 'resubmit' else 'New submission'} for vetting: {revision.title}",
        f"{revision.practice.lea.name} {'resubmitted' if action == 'resubmit' else 'submitted'} "
        f"“{revision.title}” for vetting.\n\n"
        + ("You reviewed an earlier round, so it is offered to you first.\n\n" if action == "resubmit" else "")
        + f"Read it and claim it in the queue: {link}\n",
    )
    _commit()
    return revision


def _cds_code_conflict(revision: Revision) -> dict[str, str]:
    code = ((draft_record(revision).get("lea") or {}).get("cds_code") or "").strip()
    if not code:
        return {}
    other = db.session.execute(select(LEA.id).where(LEA.cds_code == code, LEA.id != revision.practice.lea_id)).first()
    return {"lea.cds_code": "belongs to another LEA"} if other else {}


def eligible_reviewers(revision: Revision) -> list[User]:
    """Reviewers who may vet this revision (permissions.is_reviewer, without a conflict), by name."""
    users = db.session.execute(
        select(User).where(permissions.reviewer_accounts()).order_by(User.name)
    ).scalars()
    return [u for u in users if not permissions.conflicted(u, revision)]


# ---------------------------------------------------------------- claiming and reviewing


@atomic
def claim(actor, revision_id: int) -> Review:
    revision = get_submission(actor, revision_id)
    transition(revision, "claim", actor)
    review = Review(round=revision.current_round, reviewer=actor, claimed_at=utcnow())
    db.session.add(review)
    _commit()
    return review


@atomic
def assign(actor, revision_id: int, reviewer_id: int) -> Review:
    """An admin gives the submission to a reviewer, under the same rules as claiming it."""
    revision = get_submission(actor, revision_id)
    check(revision, "assign", actor)
    reviewer = db.session.get(User, reviewer_id)
    if reviewer is None or not permissions.may_be_assigned(reviewer, revision):
        raise ValidationFailed("That reviewer cannot take this submission.",
                               {"reviewer": "is not a reviewer without a conflict who still can claim this round"})
    transition(revision, "assign", actor, f"assigned to {reviewer.name}")
    review = Review(round=revision.current_round, reviewer=reviewer, assigned_by=actor, claimed_at=utcnow())
    db.session.add(review)
    send_after_commit([reviewer.email], f"Assigned to you for review: {revision.title}",
                      f"{actor.name} assigned “{revision.title}” to you for review.\n\n"
                      f"{url_for('vetting.review', revision_id=revision.id, _external=True)}\n")
    _commit()
    return review


def validate_review(form: dict) -> dict:
    """Scores 1–4 and a comment for every criterion, a recommendation, and a message when it is not approval."""
    scores, comments, errors = {}, {}, {}
    raw_scores = form.get("scores") or {}
    raw_comments = form.get("comments") or {}
    for number, _ in rubric.RUBRIC:
        key = str(number)
        try:
            score = int(raw_scores.get(key, raw_scores.get(number)))
        except (TypeError, ValueError):
            score = None
        if score not in rubric.SCORES:
            errors[f"scores.{key}"] = "choose a score from 1 to 4"
        else:
            scores[key] = score
        comment = str(raw_comments.get(key, raw_comments.get(number)) or "").strip()
        if not comment:
            errors[f"comments.{key}"] = "is required: say why you gave this score"
        comments[key] = comment
    recommendation = form.get("recommendation")
    if recommendation not in RECOMMENDATIONS:
        errors["recommendation"] = "choose approve, request changes or reject"
    message = str(form.get("message") or "").strip()
    if recommendation in ("request_changes", "reject") and not message:
        errors["message"] = "is required: tell the contributor what to change or why"
    if errors:
        raise ValidationFailed("The review is not complete: please fix the fields marked below.", errors)
    return {"scores": scores, "comments": comments, "recommendation": recommendation, "message": message}


@atomic
def file_review(actor, revision_id: int, form: dict, expected_version: int | None = None) -> Review:
    """File the actor's review of the current round and apply the round's rules (DESIGN.md).

    Request changes ends the round at once. When REVIEWS_REQUIRED reviews are in, all approving publishes
    the revision; any rejection rejects it.
    """
    revision = get_for_review(actor, revision_id)
    if expected_version is not None and expected_version != revision.version:
        raise InvalidTransition(CONFLICT)
    current = revision.current_round
    if revision.state != "in_review":
        raise InvalidTransition(
            f"This revision is {STATE_LABELS[revision.state].lower()}; it cannot be reviewed now.")
    answers = validate_review(form)
    # Approvals and rejections are recorded as reviews; the round's verdict follows once all are in.
    action = "request_changes" if answers["recommendation"] == "request_changes" else "review"
    comment = f"{RECOMMENDATIONS[answers['recommendation']].split(':')[0]}: {answers['message']}".strip(": ")
    transition(revision, action, actor, comment)
    review = next(r for r in current.open_claims if r.reviewer_id == actor.id)
    review.rubric = rubric.frozen()
    review.filed_at = utcnow()
    for key, value in answers.items():
        setattr(review, key, value)
    if action == "request_changes":
        _close_round(current, "changes_requested")
        _notify_contributor(revision, "Changes requested", answers["message"])
    elif len(current.filed_reviews) >= permissions.reviews_required():
        _conclude(revision, current, actor)
    _commit()
    return review


def _conclude(revision: Revision, current: Round, actor) -> None:
    reviews = current.filed_reviews
    rejections = [r for r in reviews if r.recommendation == "reject"]
    if rejections:
        reasons = "\n\n".join(r.message for r in rejections)
        transition(revision, "reject", actor, reasons)
        _close_round(current, "rejected")
        _notify_contributor(revision, "Not accepted", reasons)
        return
    transition(revision, "approve", actor, f"approved by {len(reviews)} reviewer(s)")
    _close_round(current, "approved")
    practice = revision.practice
    if practice.published_at is None:
        practice.slug = records.unique_slug(revision.title)
    records.apply_lea_context(practice.lea, current.record.get("lea") or {})
    transition(revision, "publish", actor)
    _notify_contributor(revision, "Published", "\n\n".join(r.message for r in reviews if r.message))


def _close_round(current: Round, outcome: str) -> None:
    now = utcnow()
    current.decided_at, current.outcome = now, outcome
    for review in current.open_claims:
        review.withdrawn_at = now


def _notify_contributor(revision: Revision, verdict: str, message: str) -> None:
    if revision.author is None:
        return
    link = url_for("vetting.submission", revision_id=revision.id, _external=True)
    send_after_commit(
        [revision.author.email],
        f"{verdict}: {revision.title}",
        f"The reviewers have decided on “{revision.title}”: {verdict.lower()}.\n\n"
        + (f"Their message:\n{message}\n\n" if message else "")
        + f"See the reviews and the whole timeline: {link}\n",
    )


@atomic
def archive(actor, slug: str, comment: str = "") -> Revision:
    practice = db.session.execute(select(Practice).where(Practice.slug == slug)).scalar_one_or_none()
    revision = practice.published_revision if practice else None
    if revision is None or not permissions.may_archive(actor, revision):
        raise NotFound("There is no published practice at this address.")
    transition(revision, "archive", actor, comment)
    _commit()
    return revision


# ---------------------------------------------------------------- reading the record


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
    keys = []
    year, month = now.year, now.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
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


def reviewers_for(revision: Revision) -> list[User]:
    """Reviewers an admin may assign this revision to."""
    return [u for u in eligible_reviewers(revision) if permissions.may_be_assigned(u, revision)]
