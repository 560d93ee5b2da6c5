"""Claiming and reviewing: reviewers take a round, file their reviews, and the round's rules decide it."""

from __future__ import annotations

from flask import url_for

from .. import permissions, records
from ..errors import InvalidTransition, ValidationFailed
from ..extensions import db
from ..mail import send_after_commit
from ..models import Review, Revision, Round, User
from ..models.types import utcnow
from . import rubric
from .service import eligible_reviewers, get_for_review, get_submission
from .transitions import CONFLICT, atomic, check, transition
from .workflow import RECOMMENDATIONS, STATE_LABELS


@atomic
def claim(actor, revision_id: int) -> Review:
    revision = get_submission(actor, revision_id)
    transition(revision, "claim", actor)
    review = Review(round=revision.current_round, reviewer=actor, claimed_at=utcnow())
    db.session.add(review)
    db.session.commit()
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
    db.session.commit()
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
    db.session.commit()
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


def reviewers_for(revision: Revision) -> list[User]:
    """Reviewers an admin may assign this revision to."""
    return [u for u in eligible_reviewers(revision) if permissions.may_be_assigned(u, revision)]
