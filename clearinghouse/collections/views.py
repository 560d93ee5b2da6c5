"""Pages for collections: the index, a collection, and the curators' forms (all of which work without JavaScript)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import permissions
from ..errors import Conflict, DomainError, ValidationFailed
from ..models import VISIBILITIES
from ..schemas import CollectionInSchema
from ..security import safe_next
from . import service

bp = Blueprint("collections", __name__)

DETAIL_FIELDS = tuple(CollectionInSchema().fields)
HINTS = {name: field.metadata.get("hint", "") for name, field in CollectionInSchema().fields.items()}


def _details(form) -> dict:
    return {name: form[name] for name in DETAIL_FIELDS if name in form}


def _back(default: str) -> str:
    """Where a form asked to return to (a path on this site only), else `default`."""
    target = request.form.get("next")
    return safe_next(target) if target else default


def _edit_url(slug: str, anchor: str | None = None) -> str:
    return url_for("collections.edit", slug=slug, _anchor=anchor)


@bp.get("/collections")
def index():
    q = request.args.get("q", "").strip()[:200]
    listing = service.list_public(q)
    return render_template("collections/index.html", q=q, listing=listing,
                           mine=service.curated_by(current_user),
                           may_create=permissions.may_create_collection(current_user))


@bp.get("/collections/new")
@login_required
def new():
    permissions.require(permissions.may_create_collection(current_user))
    return render_template("collections/form.html", collection=None, values={"visibility": "private"}, errors={},
                           visibilities=VISIBILITIES, hints=HINTS)


@bp.post("/collections")
@login_required
def create():
    try:
        collection = service.create_collection(current_user, _details(request.form))
    except ValidationFailed as exc:
        return render_template("collections/form.html", collection=None, values=request.form, errors=exc.fields,
                               message=exc.message, visibilities=VISIBILITIES, hints=HINTS), 400
    flash("Collection created. Add practices from their pages, from search results, or below.")
    return redirect(_edit_url(collection.slug))


@bp.get("/collections/<slug>")
def collection(slug: str):
    found = service.get_collection(current_user, slug)
    return render_template("collections/collection.html", collection=found,
                           may=service.permission_flags(current_user, found), visibilities=VISIBILITIES)


@bp.get("/collections/<slug>/edit")
@login_required
def edit(slug: str):
    found = service.get_for_curating(current_user, slug)
    return render_template("collections/edit.html", collection=found, values=found, errors={},
                           may=service.permission_flags(current_user, found), visibilities=VISIBILITIES,
                           hints=HINTS)


@bp.post("/collections/<slug>/edit")
@login_required
def save(slug: str):
    try:
        service.update_collection(current_user, slug, _details(request.form))
    except ValidationFailed as exc:
        found = service.get_for_curating(current_user, slug)
        return render_template("collections/edit.html", collection=found, values=request.form, errors=exc.fields,
                               message=exc.message, may=service.permission_flags(current_user, found),
                               visibilities=VISIBILITIES, hints=HINTS), 400
    flash("Collection saved.")
    return redirect(_edit_url(slug))


@bp.post("/collections/<slug>/delete")
@login_required
def delete(slug: str):
    service.delete_collection(current_user, slug)
    flash("The collection is deleted. The practices in it are still published.")
    return redirect(url_for("collections.index"))


@bp.post("/collections/<slug>/feature")
@login_required
def feature(slug: str):
    found = service.set_featured(current_user, slug, request.form.get("featured") == "1")
    flash("Featured on the home page." if found.featured else "No longer featured on the home page.")
    return redirect(url_for("collections.collection", slug=slug))


@bp.post("/collections/add")
@login_required
def add_item():
    """Add a practice to the collection chosen in the form (from a practice page, a search result or the edit page)."""
    slug = request.form.get("collection", "")
    # A practice's slug, or its whole address pasted from the browser.
    practice = request.form.get("practice", "").strip().rstrip("/").rsplit("/", 1)[-1]
    data = {"practice": practice, "note": request.form.get("note", "")}
    if request.form.get("position", "").strip():
        data["position"] = request.form["position"].strip()
    try:
        item = service.add_item(current_user, slug, data)
    except (ValidationFailed, Conflict, service.UnknownPractice) as exc:
        flash(_with_fields(exc))
        return redirect(_back(_edit_url(slug)))
    flash(f"Added “{item.revision.title}” to {item.collection.title}.")
    return redirect(_back(_edit_url(slug, f"item-{item.practice.slug}")))


def _with_fields(exc: DomainError) -> str:
    details = "; ".join(v for v in exc.fields.values() if v.endswith("."))
    return f"{exc.message} {details}".strip()


@bp.post("/collections/<slug>/items/<practice>")
@login_required
def update_item(slug: str, practice: str):
    """One item's form: save its note and position, or move it one place up or down."""
    action = request.form.get("action", "save")
    try:
        if action in ("up", "down"):
            service.move_item(current_user, slug, practice, -1 if action == "up" else 1)
        else:
            data = {"note": request.form.get("note", "")}
            if request.form.get("position", "").strip():
                data["position"] = request.form["position"].strip()
            service.update_item(current_user, slug, practice, data)
            flash("Item saved.")
    except ValidationFailed as exc:
        flash(_with_fields(exc))
    return redirect(_edit_url(slug, f"item-{practice}"))


@bp.post("/collections/<slug>/items/<practice>/remove")
@login_required
def remove_item(slug: str, practice: str):
    service.remove_item(current_user, slug, practice)
    flash("Removed from the collection. The practice itself is unchanged.")
    return redirect(_edit_url(slug, "items-heading"))


@bp.post("/collections/<slug>/curators")
@login_required
def add_curator(slug: str):
    try:
        added = service.add_curator(current_user, slug, request.form.get("email", ""))
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message)
        return redirect(_edit_url(slug, "curators-heading"))
    flash(f"{added.name} now curates this collection too.")
    return redirect(_edit_url(slug, "curators-heading"))


@bp.post("/collections/<slug>/curators/<int:user_id>/remove")
@login_required
def remove_curator(slug: str, user_id: int):
    service.remove_curator(current_user, slug, user_id)
    flash("Curator removed.")
    return redirect(_edit_url(slug, "curators-heading"))
