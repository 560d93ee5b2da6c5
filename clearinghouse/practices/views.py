"""Pages for reading: home, browsing by vocabulary, a practice, an LEA."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from .. import permissions
from ..collections import service as collections
from ..schemas import MAX_PAGE
from ..taxonomy import BROWSE_ENTRY_POINTS, VOCABULARIES
from ..usage import service as usage
from . import queries

bp = Blueprint("practices", __name__)


def _page_arg() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 1 <= int(page) <= MAX_PAGE else 1


@bp.get("/")
def home():
    entry_points = {key: queries.vocabulary_counts(key) for key in BROWSE_ENTRY_POINTS}
    recent = queries.list_published(page=1, per_page=6).items
    return render_template(
        "practices/home.html", entry_points=entry_points, recent=recent, total=queries.count_published(),
        featured=collections.featured_collections(),
    )


@bp.get("/browse")
def browse_index():
    counts = {key: queries.vocabulary_counts(key) for key in VOCABULARIES}
    return render_template("practices/browse_index.html", counts=counts)


@bp.get("/browse/<vocabulary>/<path:code>")
def browse(vocabulary: str, code: str):
    vocab = VOCABULARIES.get(vocabulary)
    if vocab is None or code not in vocab:
        abort(404)
    page = queries.list_published(
        page=_page_arg(), per_page=current_app.config["PER_PAGE"], filters={vocabulary: [code]}
    )
    return render_template("practices/browse.html", vocab=vocab, code=code, page=page)


@bp.get("/practices/<slug>")
def practice(slug: str):
    revision = queries.get_published(slug)
    usage.record_view(request, revision.practice_id)
    return render_template("practices/practice.html", revision=revision, practice=revision.practice,
                           lea=revision.practice.lea, usage=usage.practice_usage(revision.practice_id),
                           may_revise=permissions.may_revise(current_user, revision.practice),
                           may_archive=permissions.may_archive(current_user, revision))


@bp.get("/leas/<int:lea_id>")
def lea(lea_id: int):
    lea = queries.get_lea(lea_id)
    practices = queries.list_published(per_page=100, filters={"lea": [lea.id]}).items
    return render_template("practices/lea.html", lea=lea, practices=practices)


# The pages about the site itself: who runs it and how vetting works, accessibility, privacy.
ABOUT_PAGES = {name: f"pages/{name}.html" for name in ("about", "accessibility", "privacy")}


@bp.get("/about", endpoint="about")
@bp.get("/accessibility", endpoint="accessibility")
@bp.get("/privacy", endpoint="privacy")
def about_page():
    return render_template(ABOUT_PAGES[request.endpoint.split(".")[-1]],
                           reviews_required=current_app.config["REVIEWS_REQUIRED"],
                           contact=current_app.config["CONTACT_EMAIL"])
