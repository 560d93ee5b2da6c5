"""Who may do what: every permission decision of the site, asked by views, the API and services alike.

Each rule answers "may this user do this (to this object)". Anything a user may not see is reported as
not found, never as forbidden, so its existence does not leak.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, false, or_, true

from .errors import NotFound
from .models import Practice, Revision, User

WRITING_STATES = ("draft", "changes_requested")
QUEUE_STATES = ("submitted", "in_review")


def _user(actor: Any) -> User | None:
    """The signed-in user, or None for a visitor (Flask-Login's anonymous user included)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def has_role(actor: Any, role: str) -> bool:
    user = _user(actor)
    return user is not None and user.active and role in user.roles


def is_admin(actor: Any) -> bool:
    return has_role(actor, "admin")


def is_reviewer(actor: Any) -> bool:
    return has_role(actor, "reviewer")


def may_write(actor: Any) -> bool:
    """Contributors, reviewers, facilitators and admins may write drafts, once their email is confirmed."""
    user = _user(actor)
    return user is not None and user.active and user.confirmed_at is not None and bool(user.roles)


def conflicted(actor: Any, revision: Revision) -> bool:
    """A reviewer never vets their own submission or one from their own LEA."""
    user = _user(actor)
    if user is None:
        return True
    return revision.author_id == user.id or (user.lea_id is not None and user.lea_id == revision.practice.lea_id)


def may_view_revision(actor: Any, revision: Revision) -> bool:
    """Published revisions are public; drafts only their author's; the rest the author's, vetting staff's."""
    if revision.state == "published":
        return True
    user = _user(actor)
    if user is None:
        return False
    if revision.author_id == user.id:
        return True
    if revision.state == "draft":
        return False
    if is_admin(user):
        return True
    if is_reviewer(user) and not conflicted(user, revision):
        return True
    return _has_claim(user, revision)


def may_edit(actor: Any, revision: Revision) -> bool:
    """Only the author edits a revision, and only while it is theirs to work on."""
    user = _user(actor)
    return (
        user is not None and may_write(user) and revision.author_id == user.id and revision.state in WRITING_STATES
    )


may_submit = may_edit


def may_revise(actor: Any, practice: Practice) -> bool:
    """Staff of the practice's LEA, or an author of one of its revisions, may propose a new revision."""
    user = _user(actor)
    if user is None or not may_write(user):
        return False
    return user.lea_id == practice.lea_id or any(r.author_id == user.id for r in practice.revisions)


def may_see_queue(actor: Any) -> bool:
    return is_reviewer(actor) or is_admin(actor)


def reviews_required() -> int:
    return int(current_app.config["REVIEWS_REQUIRED"])


def _has_claim(user: User, revision: Revision) -> bool:
    return any(r.reviewer_id == user.id for rnd in revision.rounds for r in rnd.reviews)


def _open_claim(user: User, revision: Revision):
    current = revision.current_round
    if current is None:
        return None
    return next((r for r in current.open_claims if r.reviewer_id == user.id), None)


def may_claim(actor: Any, revision: Revision) -> bool:
    """A reviewer without a conflict, while the round still needs reviewers and they hold no claim in it."""
    user = _user(actor)
    if user is None or not is_reviewer(user) or conflicted(user, revision):
        return False
    return _round_has_room(revision) and not any(r.reviewer_id == user.id for r in revision.current_round.reviews)


def may_be_assigned(reviewer: Any, revision: Revision) -> bool:
    """Whom an admin may assign: the same rule as claiming, on the reviewer's behalf."""
    return may_claim(reviewer, revision)


def may_assign(actor: Any, revision: Revision) -> bool:
    return is_admin(actor) and _round_has_room(revision)


def _round_has_room(revision: Revision) -> bool:
    current = revision.current_round
    if revision.state not in QUEUE_STATES or current is None:
        return False
    taken = len(current.open_claims) + len(current.filed_reviews)
    return taken < reviews_required()


def may_review(actor: Any, revision: Revision) -> bool:
    """The reviewer holding an open claim on the current round, while it is in review."""
    user = _user(actor)
    if user is None or revision.state != "in_review" or conflicted(user, revision) or not is_reviewer(user):
        return False
    return _open_claim(user, revision) is not None


def may_archive(actor: Any, revision: Revision) -> bool:
    return is_admin(actor) and revision.state == "published"


def may_manage_users(actor: Any) -> bool:
    return is_admin(actor)


def may_read_audit(actor: Any) -> bool:
    return is_admin(actor)


def queue_filter(actor: Any) -> ColumnElement[bool]:
    """The SQL form of the queue's visibility: what `may_view_revision` allows among queued revisions."""
    user = _user(actor)
    if user is None or not may_see_queue(user):
        return false()
    if is_admin(user):
        return true()
    own_lea = Practice.lea_id == user.lea_id if user.lea_id is not None else false()
    return and_(or_(Revision.author_id.is_(None), Revision.author_id != user.id), ~own_lea)


def require(allowed: bool, what: str = "There is nothing at this address.") -> None:
    """Refuse as not found, so what a user may not see or touch stays hidden."""
    if not allowed:
        raise NotFound(what)


def may_open_review_page(actor: Any, revision: Revision) -> bool:
    """The review page: vetting staff without a conflict, for anything past the draft stage."""
    if revision.state == "draft":
        return False
    if is_admin(actor):
        return True
    return is_reviewer(actor) and not conflicted(actor, revision)
