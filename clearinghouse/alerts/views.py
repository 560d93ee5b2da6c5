"""Pages for alerts: saving a search, following a collection, the account's alerts page, and unsubscribing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import ValidationFailed
from ..extensions import csrf
from ..models import DIGESTS
from . import service
from .forms import ActionForm, DigestForm, RenameForm, SaveSearchForm

bp = Blueprint("alerts", __name__)


@bp.app_template_global()
def following_collection(collection) -> bool:
    """For the collection page: does the signed-in user follow it?"""
    return service.is_following(current_user, collection)


def _attach(form, exc: ValidationFailed) -> None:
    for name, message in exc.fields.items():
        if name in form:
            form[name].errors = [message]


def _manage_page(status: int = 200, renaming: tuple[int, RenameForm] | None = None, digest_form=None):
    searches = service.saved_searches(current_user)
    rename_forms = {s.id: RenameForm(prefix=f"s{s.id}", formdata=None, name=s.name) for s in searches}
    if renaming:
        rename_forms[renaming[0]] = renaming[1]
    digest_form = digest_form or DigestForm(formdata=None, digest=service.digest_of(current_user))
    return render_template("alerts/manage.html", searches=searches, rename_forms=rename_forms,
                           follows=service.followed(current_user), digest_form=digest_form, action=ActionForm(),
                           digests=DIGESTS), status


@bp.get("/account/alerts")
@login_required
def manage():
    return _manage_page()


@bp.post("/alerts/searches")
@login_required
def save_search():
    form = SaveSearchForm()
    if form.validate_on_submit():
        try:
            saved = service.save_search(current_user, form.name.data, form.search.data or "")
        except ValidationFailed as exc:
            _attach(form, exc)
            if "search" in exc.fields:
                form.name.errors = [*form.name.errors, exc.fields["search"]]
        else:
            flash(f"Search saved as “{saved.name}”. New practices it finds come in your alert emails.")
            return redirect(url_for("alerts.manage"))
    return render_template("alerts/save.html", form=form, query=form.search.data or ""), 400


@bp.post("/account/alerts/searches/<int:search_id>/rename")
@login_required
def rename_search(search_id: int):
    service.own_search(current_user, search_id)
    form = RenameForm(prefix=f"s{search_id}")
    if form.validate_on_submit():
        try:
            saved = service.rename_search(current_user, search_id, form.name.data)
        except ValidationFailed as exc:
            _attach(form, exc)
        else:
            flash(f"Renamed to “{saved.name}”.")
            return redirect(url_for("alerts.manage"))
    return _manage_page(400, renaming=(search_id, form))


@bp.post("/account/alerts/searches/<int:search_id>/delete")
@login_required
def delete_search(search_id: int):
    service.own_search(current_user, search_id)
    if ActionForm().validate_on_submit():
        service.delete_search(current_user, search_id)
        flash("The saved search is deleted.")
    return redirect(url_for("alerts.manage"))


@bp.post("/account/alerts/digest")
@login_required
def set_digest():
    form = DigestForm()
    if form.validate_on_submit():
        try:
            digest = service.set_digest(current_user, form.digest.data or "")
        except ValidationFailed as exc:
            _attach(form, exc)
        else:
            flash(f"Alert emails: {DIGESTS[digest].split(':')[0].lower()}.")
            return redirect(url_for("alerts.manage"))
    return _manage_page(400, digest_form=form)


@bp.post("/collections/<slug>/follow")
@login_required
def follow(slug: str):
    if ActionForm().validate_on_submit():
        collection = service.follow(current_user, slug)
        flash(f"You follow “{collection.title}”: practices added to it come in your alert emails.")
    return redirect(url_for("collections.collection", slug=slug))


@bp.post("/collections/<slug>/unfollow")
@login_required
def unfollow(slug: str):
    if ActionForm().validate_on_submit():
        collection = service.unfollow(current_user, slug)
        flash(f"You no longer follow “{collection.title}”.")
    back = request.form.get("back")
    return redirect(url_for("alerts.manage") if back == "alerts" else url_for("collections.collection", slug=slug))


@bp.get("/alerts/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """Mail scanners open links: a GET only shows what the link stops, with a button that does it."""
    return render_template("alerts/unsubscribe.html", found=service.read_unsubscribe(token), token=token)


@bp.post("/alerts/unsubscribe/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts without a session; the signed token is the credential
def unsubscribe(token: str):
    return render_template("alerts/unsubscribe.html", found=service.unsubscribe(token), token=token)
