"""The state machine in action: the one place that changes a revision's state.

Every change goes through `transition`, which follows workflow.TRANSITIONS, asks permissions.py, writes the
audit log, and bumps the revision's version so that two people deciding at the same moment cannot both win.
`atomic` makes one service call one transaction.
"""

from __future__ import annotations

from .. import permissions
from ..errors import InvalidTransition, NotAllowed
from ..extensions import db
from ..models import AuditEvent, Revision, User
from ..models.types import utcnow
from ..signals import practice_changed
from ..unit_of_work import atomic as transaction
from .workflow import STATE_LABELS, TRANSITIONS

CONFLICT = "Someone else changed this submission at the same moment. Reload the page to see where it stands now."


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
    record_event(revision, actor, action, source, rule.target, comment, now)
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


def record_event(
    revision: Revision, actor, action: str, source: str | None, target: str, comment: str, now=None
) -> None:
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


# One service call, one transaction; a concurrent decision on the same revision is refused as a conflict.
atomic = transaction(lambda: InvalidTransition(CONFLICT))
