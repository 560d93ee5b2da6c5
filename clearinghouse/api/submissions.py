"""The submissions API (/api/v1/submissions…): the vetting workflow for LEAs' own systems, over bearer tokens.

Thin handlers over the same vetting service as the pages, so the permissions, conflict-of-interest rules and
transitions are exactly the same: 401 without a valid token, 404 for what the owner may not see, 409 for a
transition not allowed now, 400 with field errors.
"""

from __future__ import annotations

from flask import g, jsonify, request, url_for
from marshmallow import ValidationError

from .. import permissions
from ..accounts import service as accounts
from ..errors import Unauthorized, ValidationFailed
from ..models import Revision
from ..schemas import ReviewInSchema, SubmissionSchema, SubmissionTimelineSchema, flatten_errors
from ..security import json_body
from ..vetting import queue, reviewing
from ..vetting import service as vetting
from ..vetting.workflow import STATE_LABELS
from .blueprint import bp


def token_user():
    """The user whose personal access token came with the request, or 401."""
    if "api_user" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = accounts.user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise Unauthorized("Send a valid personal access token: Authorization: Bearer <token>.")
        g.api_user = user
    return g.api_user


def _body() -> dict:
    data = json_body()
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", {"body": "must be a JSON object"})
    return data


def dump(revision: Revision, user) -> dict:
    """The submission as SubmissionSchema documents it, with what `user` may do to it now."""
    return SubmissionSchema().dump({
        "id": revision.id,
        "practice": revision.practice.slug,
        "number": revision.number,
        "state": revision.state,
        "state_label": STATE_LABELS[revision.state],
        "version": revision.version,
        "record": vetting.draft_record(revision),
        "errors": vetting.open_errors(revision),
        "rounds": [{"number": rnd.number, "submitted_at": rnd.submitted_at, "decided_at": rnd.decided_at,
                    "outcome": rnd.outcome, "reviews": rnd.filed_reviews} for rnd in revision.rounds],
        "permissions": {
            "edit": permissions.may_edit(user, revision),
            "submit": permissions.may_submit(user, revision),
            "claim": permissions.may_claim(user, revision),
            "review": permissions.may_review(user, revision),
        },
        "url": url_for("vetting.submission", revision_id=revision.id, _external=True),
    })


@bp.post("/submissions")
def submissions_create():
    user = token_user()
    revision, _ = vetting.start_draft(user, _body())
    return jsonify(dump(revision, user)), 201


@bp.get("/submissions/<int:revision_id>")
def submissions_get(revision_id: int):
    user = token_user()
    return jsonify(dump(vetting.get_submission(user, revision_id), user))


@bp.put("/submissions/<int:revision_id>")
def submissions_put(revision_id: int):
    user = token_user()
    revision, _ = vetting.save_draft(user, revision_id, _body())
    return jsonify(dump(revision, user))


@bp.post("/submissions/<int:revision_id>/submit")
def submissions_submit(revision_id: int):
    user = token_user()
    record = _body() if request.get_data() else None
    revision = vetting.submit(user, revision_id, record)
    return jsonify(dump(revision, user))


@bp.post("/submissions/<int:revision_id>/claim")
def submissions_claim(revision_id: int):
    user = token_user()
    reviewing.claim(user, revision_id)
    return jsonify(dump(vetting.get_submission(user, revision_id), user))


@bp.post("/submissions/<int:revision_id>/reviews")
def submissions_review(revision_id: int):
    user = token_user()
    try:
        answers = ReviewInSchema().load(_body())
    except ValidationError as exc:
        raise ValidationFailed("The review is not valid.", dict(flatten_errors(exc.messages))) from exc
    version = answers.pop("version")
    reviewing.file_review(user, revision_id, answers, version)
    return jsonify(dump(vetting.get_submission(user, revision_id), user)), 201


@bp.get("/submissions/<int:revision_id>/timeline")
def submissions_timeline(revision_id: int):
    user = token_user()
    revision = vetting.get_submission(user, revision_id)
    return jsonify(SubmissionTimelineSchema().dump({"events": queue.timeline(revision)}))
