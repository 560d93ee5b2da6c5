"""Writing and submitting: drafts (lax), submission (strict), revising a published practice, archiving.

Each public function is one transaction (`atomic`) and commits once; mail and indexing run after the commit.
"""

from __future__ import annotations

import secrets

from flask import url_for
from sqlalchemy import select

from .. import permissions, records
from ..errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from ..extensions import db
from ..mail import send_after_commit
from ..models import LEA, Practice, Revision, Round, User
from ..models.types import utcnow
from .transitions import atomic, check, record_event, transition
from .workflow import STATE_LABELS

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
    record_event(revision, actor, "create", None, "draft", "")
    db.session.commit()
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
    record_event(revision, actor, "create", None, "draft",
            f"revising the published revision {practice.published_revision.number}")
    db.session.commit()
    return revision


@atomic
def save_draft(actor, revision_id: int, record: dict) -> tuple[Revision, list[tuple[str, str]]]:
    """Save whatever is filled in (lax); the errors are answered, not raised."""
    revision = get_submission(actor, revision_id)
    _require_editable(actor, revision)
    errors = _store_draft(revision, record)
    db.session.commit()
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
        db.session.commit()  # what was typed is kept
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
    db.session.commit()
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


@atomic
def archive(actor, slug: str, comment: str = "") -> Revision:
    practice = db.session.execute(select(Practice).where(Practice.slug == slug)).scalar_one_or_none()
    revision = practice.published_revision if practice else None
    if revision is None or not permissions.may_archive(actor, revision):
        raise NotFound("There is no published practice at this address.")
    transition(revision, "archive", actor, comment)
    db.session.commit()
    return revision
