"""The one place that changes a revision's state: checks the transition, records it in the audit log."""

from __future__ import annotations

from ..errors import InvalidTransition
from ..extensions import db
from ..models import AuditEvent, Revision, User
from ..models.types import utcnow
from .workflow import STATE_LABELS, TRANSITIONS


def transition(revision: Revision, action: str, actor: User | None, comment: str = "") -> Revision:
    """Move `revision` by `action`, or raise InvalidTransition and change nothing. The caller commits."""
    rule = TRANSITIONS[action]
    if revision.state not in rule.sources:
        raise InvalidTransition(
            f"This revision is {STATE_LABELS[revision.state].lower()}; it cannot be {rule.label} now."
        )
    source = revision.state
    revision.state = rule.target
    practice = revision.practice
    now = utcnow()
    if rule.target == "published":
        for other in practice.revisions:
            if other is not revision and other.state == "published":
                transition(other, "supersede", actor, f"replaced by revision {revision.number}")
        practice.published_at = practice.published_at or now
        practice.updated_at = now
    if rule.target == "archived":
        practice.updated_at = now
    if "published" in (source, rule.target):
        from ..search.service import reindex_after_commit  # search imports the practice queries, so import late

        reindex_after_commit(practice.slug)
    db.session.add(
        AuditEvent(
            practice=practice,
            revision=revision,
            actor=actor,
            action=action,
            from_state=source,
            to_state=rule.target,
            comment=comment,
            created_at=now,
        )
    )
    return revision
