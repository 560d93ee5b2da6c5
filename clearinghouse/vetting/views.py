"""Pages for writing and vetting: the submission form, a contributor's submissions, the queue, the review page."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from .. import permissions, records
from ..errors import ValidationFailed
from ..schemas import GROUP_FIELDS, METRIC_FIELDS, RESOURCE_FIELDS
from ..taxonomy import COUNTIES, METRIC_UNITS, TOPICS
from . import chart, forms, reviewing, rubric, service
from . import queue as vetting_queue
from .diff import record_diff
from .workflow import EVENT_LABELS, RECOMMENDATIONS, STATE_LABELS


def submitted_lea(revision) -> dict:
    """The LEA context the contributor submitted (what reviewers approve), with the LEA's id for links."""
    return records.revision_lea(revision) | {"id": revision.practice.lea_id}


bp = Blueprint("vetting", __name__)

EXTRA_ROWS = {"add_metric": "metric_rows", "add_resource": "resource_rows"}
SAVED_NOT_SUBMITTED = "We saved your draft; fix these to submit"
# The new-practice form carries a key; a second post of the same form (reload, back button, double click)
# saves the draft the first one made instead of starting another. The session remembers the last few keys.
_DRAFT_KEYS = "new_draft_keys"


def _rows(name: str) -> int:
    value = request.values.get(name, "1")
    return min(int(value), 20) if value.isdigit() else 1


def _render_form(revision, record: dict, errors: dict | None = None, message: str | None = None, status: int = 200):
    return render_template(
        "vetting/edit.html", revision=revision, values=forms.form_values(record), errors=errors or {},
        message=message, metric_rows=_rows("metric_rows"), resource_rows=_rows("resource_rows"),
        lea=revision.practice.lea if revision else current_user.lea,
        lea_fields=forms.LEA_FORM_FIELDS, lea_list_fields=forms.LEA_LIST_FIELDS, metric_fields=METRIC_FIELDS,
        resource_fields=RESOURCE_FIELDS, group_fields=GROUP_FIELDS,
        unit_options=[(unit, unit.capitalize()) for unit in METRIC_UNITS],
        may_delete=bool(revision) and permissions.may_delete_draft(current_user, revision),
        draft_key=None if revision else secrets.token_urlsafe(12),
    ), status


@bp.get("/submit")
@login_required
def new():
    permissions.require(permissions.may_write(current_user), "Confirm your email address before you write.")
    return _render_form(None, {})


@bp.post("/submit")
@login_required
def create():
    permissions.require(permissions.may_write(current_user), "Confirm your email address before you write.")
    key = request.form.get("draft_key", "")
    known = dict(session.get(_DRAFT_KEYS) or {})
    if key in known:
        return save(known[key])
    revision, _ = service.start_draft(current_user, forms.record_from_form(request.form))
    if key:
        known[key] = revision.id
        session[_DRAFT_KEYS] = dict(list(known.items())[-5:])
    return _after_save(revision, request.form.get("action", "save"))


@bp.get("/my/submissions")
@login_required
def mine():
    return render_template("vetting/mine.html", revisions=service.my_submissions(current_user))


@bp.get("/submissions/<int:revision_id>")
@login_required
def submission(revision_id: int):
    revision = service.get_submission(current_user, revision_id)
    return render_template("vetting/submission.html", revision=revision, timeline=vetting_queue.timeline(revision),
                           may_edit=permissions.may_edit(current_user, revision),
                           may_delete=permissions.may_delete_draft(current_user, revision))


@bp.get("/submissions/<int:revision_id>/edit")
@login_required
def edit(revision_id: int):
    revision = service.get_submission(current_user, revision_id)
    permissions.require(permissions.may_edit(current_user, revision))
    if request.args.get("check"):  # after a failed first submit: the draft exists, show what to fix
        return _render_form(revision, service.draft_record(revision), forms.field_errors(service.open_errors(revision)),
                            SAVED_NOT_SUBMITTED)
    return _render_form(revision, service.draft_record(revision))


@bp.post("/submissions/<int:revision_id>/edit")
@login_required
def save(revision_id: int):
    record = forms.record_from_form(request.form)
    action = request.form.get("action", "save")
    if action == "submit":
        try:
            service.submit(current_user, revision_id, record)
        except ValidationFailed as exc:
            revision = service.get_submission(current_user, revision_id)
            return _render_form(revision, record, forms.field_errors(exc.fields), SAVED_NOT_SUBMITTED, 400)
        flash("Submitted for vetting. You will get an email when the reviewers decide.")
        return redirect(url_for("vetting.submission", revision_id=revision_id))
    revision, _ = service.save_draft(current_user, revision_id, record)
    return _after_save(revision, action)


def _after_save(revision, action: str):
    if action == "submit":
        try:
            service.submit(current_user, revision.id)
        except ValidationFailed:
            # The draft exists now: show its errors at its own address, so a reload cannot start another one.
            return redirect(url_for("vetting.edit", revision_id=revision.id, check=1, metric_rows=_rows("metric_rows"),
                                    resource_rows=_rows("resource_rows")))
        flash("Submitted for vetting. You will get an email when the reviewers decide.")
        return redirect(url_for("vetting.submission", revision_id=revision.id))
    if action == "preview":
        return redirect(url_for("vetting.preview", revision_id=revision.id))
    args = {"revision_id": revision.id, "metric_rows": _rows("metric_rows"), "resource_rows": _rows("resource_rows")}
    anchor = None
    if action in EXTRA_ROWS:
        args[EXTRA_ROWS[action]] += 1
        kind = "outcome_metrics" if action == "add_metric" else "resources"
        first = "label" if kind == "outcome_metrics" else "title"
        count = len(service.draft_record(revision).get(kind) or [])
        anchor = f"f-{kind}-{count + args[EXTRA_ROWS[action]] - 1}-{first}"
    else:
        flash("Draft saved.")
    return redirect(url_for("vetting.edit", **args, _anchor=anchor))


@bp.get("/submissions/<int:revision_id>/delete")
@login_required
def confirm_delete(revision_id: int):
    revision = service.get_submission(current_user, revision_id)
    permissions.require(permissions.may_delete_draft(current_user, revision))
    return render_template("vetting/delete.html", revision=revision)


@bp.post("/submissions/<int:revision_id>/delete")
@login_required
def delete(revision_id: int):
    title = service.delete_draft(current_user, revision_id)
    flash(f"The draft “{title}” is deleted.")
    return redirect(url_for("vetting.mine"))


@bp.get("/submissions/<int:revision_id>/preview")
@login_required
def preview(revision_id: int):
    revision = service.get_submission(current_user, revision_id)
    return render_template("vetting/preview.html", revision=revision, practice=revision.practice,
                           lea=submitted_lea(revision), may_edit=permissions.may_edit(current_user, revision))


@bp.post("/practices/<slug>/revise")
@login_required
def revise(slug: str):
    revision = service.revise(current_user, slug)
    flash("A new revision is ready to edit. The published version stays online until this one is approved.")
    return redirect(url_for("vetting.edit", revision_id=revision.id))


@bp.get("/rubric")
def public_rubric():
    return render_template("pages/rubric.html", rubric=rubric.RUBRIC, rubric_names=rubric.NAMES,
                           scores=rubric.SCORES, evidence_criterion=rubric.EVIDENCE_CRITERION,
                           required=permissions.reviews_required())


@bp.get("/review")
@login_required
def queue():
    permissions.require(permissions.may_see_queue(current_user))
    filters = {k: request.args.get(k, "").strip() for k in vetting_queue.QUEUE_FILTERS}
    result = vetting_queue.queue(current_user, filters)
    stats = vetting_queue.stats()
    return render_template("vetting/queue.html", queue=result, stats=stats, chart=chart.svg(stats),
                           topics=TOPICS, counties=COUNTIES, required=permissions.reviews_required())


@bp.get("/review/<int:revision_id>")
@login_required
def review(revision_id: int):
    revision = service.get_for_review(current_user, revision_id)
    return _render_review(revision, {}, {})


def _render_review(revision, answers: dict, errors: dict, status: int = 200):
    previous = vetting_queue.previous_record(revision)
    diff = record_diff(previous, revision.current_round.record) if previous and revision.current_round else None
    return render_template(
        "vetting/review.html", revision=revision, practice=revision.practice, lea=submitted_lea(revision),
        rubric=rubric.RUBRIC, rubric_names=rubric.NAMES, evidence_criterion=rubric.EVIDENCE_CRITERION,
        scores=rubric.SCORES, recommendations=RECOMMENDATIONS, diff=diff,
        may_claim=permissions.may_claim(current_user, revision),
        may_review=permissions.may_review(current_user, revision),
        may_assign=permissions.may_assign(current_user, revision),
        reviewers=reviewing.reviewers_for(revision) if permissions.may_assign(current_user, revision) else [],
        answers=answers, errors=errors, required=permissions.reviews_required(), state_labels=STATE_LABELS,
    ), status


@bp.post("/review/<int:revision_id>/claim")
@login_required
def claim(revision_id: int):
    reviewing.claim(current_user, revision_id)
    flash("You claimed this submission. Score the rubric below when you have read it.")
    return redirect(url_for("vetting.review", revision_id=revision_id, _anchor="rubric"))


@bp.post("/review/<int:revision_id>/assign")
@login_required
def assign(revision_id: int):
    reviewer = request.form.get("reviewer", "")
    reviewing.assign(current_user, revision_id, int(reviewer) if reviewer.isdigit() else 0)
    flash("The reviewer is assigned.")
    return redirect(url_for("vetting.review", revision_id=revision_id))


@bp.post("/review/<int:revision_id>")
@login_required
def file_review(revision_id: int):
    answers = {
        "scores": {str(n): request.form.get(f"scores.{n}", "") for n, _ in rubric.RUBRIC},
        "comments": {str(n): request.form.get(f"comments.{n}", "") for n, _ in rubric.RUBRIC},
        "recommendation": request.form.get("recommendation"),
        "message": request.form.get("message", ""),
    }
    version = request.form.get("version", "")
    try:
        reviewing.file_review(current_user, revision_id, answers, int(version) if version.isdigit() else None)
    except ValidationFailed as exc:
        revision = service.get_for_review(current_user, revision_id)
        return _render_review(revision, answers, exc.fields, 400)
    flash("Your review is filed.")
    return redirect(url_for("vetting.queue"))


@bp.post("/admin/practices/<slug>/archive")
@login_required
def archive(slug: str):
    service.archive(current_user, slug, request.form.get("comment", "").strip())
    flash("The practice is archived: it is no longer published or searchable.")
    return redirect(url_for("practices.home"))


@bp.app_context_processor
def navigation_permissions() -> dict:
    """What the navigation may offer the current person (templates never test roles themselves)."""
    return {"nav": {
        "write": permissions.may_write(current_user),
        "review": permissions.may_see_queue(current_user),
        "admin": permissions.may_manage_users(current_user),
        "stats": permissions.may_see_usage(current_user),
        "reviews_required": current_app.config["REVIEWS_REQUIRED"],
    }}


@bp.app_template_global()
def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


@bp.app_template_global()
def action_label(action: str) -> str:
    return EVENT_LABELS.get(action, action).capitalize()


@bp.app_template_global()
def recommendation_label(value: str | None) -> str:
    return RECOMMENDATIONS.get(value, "—").split(":")[0]


@bp.app_template_global()
def practice_title(event) -> str:
    """How the audit log names an event's practice: its published title, else its latest draft's."""
    revision = event.practice.published_revision or event.practice.latest_revision
    return (revision.title if revision else "") or "Untitled draft"
