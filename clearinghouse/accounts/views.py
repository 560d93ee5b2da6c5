"""Pages for accounts: register, confirm, sign in and out, reset a password, the account page, user admin."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import mail, permissions, ratelimit
from ..errors import NotAllowed, ValidationFailed
from ..extensions import db, limiter
from ..models import LEA, ROLES
from ..security import safe_next
from ..vetting.workflow import EVENT_LABELS
from . import service
from .forms import ActionForm, ForgotForm, LoginForm, RegisterForm, ResetForm, TokenForm

bp = Blueprint("accounts", __name__)


def _attach(form, exc: ValidationFailed) -> None:
    """Put a service's field errors beside the form's fields."""
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(ratelimit.login_address_limit, key_func=ratelimit.remote_address, methods=["POST"],
               error_message=ratelimit.ADDRESS_LIMITED)
@limiter.limit(ratelimit.mail_limit, key_func=ratelimit.email_tried, methods=["POST"],
               error_message=ratelimit.MAIL_LIMITED)
def register():
    form = RegisterForm()
    leas = db.session.execute(select(LEA).order_by(LEA.name)).scalars()
    form.lea.choices = [("", "Choose your LEA")] + [(str(lea.id), f"{lea.name} ({lea.county})") for lea in leas] + [
        ("new", "My LEA is not listed: add it")]
    if form.validate_on_submit():
        try:
            service.register(form.name.data, form.email.data, form.password.data, form.lea.data,
                             {"name": form.new_lea_name.data, "county": form.new_lea_county.data,
                              "type": form.new_lea_type.data})
        except ValidationFailed as exc:
            _attach(form, exc)
        else:  # the same page whether or not the address already had an account
            return render_template("accounts/check_mail.html", email=service.normalize_email(form.email.data),
                                   purpose="confirm")
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.get("/confirm/<token>")
def confirm(token: str):
    user = service.confirm(token)
    flash("Thank you: your email is confirmed. You can sign in now.")
    return redirect(url_for("accounts.login", email=user.email))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ratelimit.login_address_limit, key_func=ratelimit.remote_address, methods=["POST"],
               error_message=ratelimit.ADDRESS_LIMITED)
@limiter.limit(ratelimit.login_account_limit, key_func=ratelimit.email_tried, methods=["POST"],
               deduct_when=ratelimit.wrong_password, error_message=ratelimit.ACCOUNT_LIMITED)
def login():
    form = LoginForm(next=request.args.get("next", ""), email=request.args.get("email", ""))
    message = None
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data)
        except NotAllowed as exc:
            message = exc.message
        else:
            login_user(user)
            return redirect(safe_next(form.next.data))
    return render_template("accounts/login.html", form=form, message=message), 400 if message else 200


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        if current_user.is_authenticated:
            service.sign_out(current_user)  # every copy of the session cookie stops working
        logout_user()
    return redirect(url_for("practices.home"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(ratelimit.login_address_limit, key_func=ratelimit.remote_address, methods=["POST"],
               error_message=ratelimit.ADDRESS_LIMITED)
@limiter.limit(ratelimit.mail_limit, key_func=ratelimit.email_tried, methods=["POST"],
               error_message=ratelimit.MAIL_LIMITED)
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        service.request_reset(form.email.data)
        return render_template("accounts/check_mail.html", email=form.email.data, purpose="reset")
    return render_template("accounts/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    service.check_reset_token(token)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            service.reset_password(token, form.password.data)
        except ValidationFailed as exc:
            _attach(form, exc)
        else:
            flash("Your password is changed. Sign in with the new one.")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


@bp.get("/account")
@login_required
def account():
    return render_template("accounts/account.html", form=TokenForm(), action=ActionForm(), new_token=None)


@bp.post("/account/tokens")
@login_required
def create_token():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            new_token = service.create_token(current_user, form.name.data)[1]
        except ValidationFailed as exc:
            _attach(form, exc)
        else:
            form = TokenForm(formdata=None)  # the next token gets a name of its own
    status = 400 if form.errors else 201
    return render_template("accounts/account.html", form=form, action=ActionForm(), new_token=new_token), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if ActionForm().validate_on_submit():
        service.revoke_token(current_user, token_id)
        flash("The token is revoked; it no longer opens the API.")
    return redirect(url_for("accounts.account"))


@bp.get("/admin/users")
@login_required
def admin_users():
    permissions.require(permissions.may_manage_users(current_user))
    return render_template("accounts/admin_users.html", users=service.list_users(), roles=ROLES, action=ActionForm())


@bp.post("/admin/users/<int:user_id>/roles")
@login_required
def admin_set_role(user_id: int):
    permissions.require(permissions.may_manage_users(current_user))
    if ActionForm().validate_on_submit():
        role, granted = request.form.get("role", ""), request.form.get("grant") == "1"
        user = service.set_role(current_user, user_id, role, granted)
        flash(f"{user.name} {'now has' if granted else 'no longer has'} the {role} role.")
    return redirect(url_for("accounts.admin_users"))


@bp.get("/admin/audit")
@login_required
def admin_audit():
    permissions.require(permissions.may_read_audit(current_user))
    filters = {k: request.args.get(k, "").strip() for k in service.AUDIT_FILTERS}
    error = None
    try:
        events = service.audit_log(current_user, filters)
    except ValidationFailed as exc:
        events, error = [], exc
    actions = [(a, label.capitalize()) for a, label in EVENT_LABELS.items()]
    return render_template("accounts/admin_audit.html", events=events, filters=filters, actions=actions,
                           error=error), 400 if error else 200


@bp.get("/admin/mail")
@login_required
def admin_mail():
    permissions.require(permissions.may_manage_mail(current_user))
    return render_template("accounts/admin_mail.html", waiting=mail.waiting(), failures=mail.recent_failures(),
                           action=ActionForm())


@bp.post("/admin/mail/retry")
@login_required
def admin_mail_retry():
    permissions.require(permissions.may_manage_mail(current_user))
    if ActionForm().validate_on_submit():
        sent, failed = mail.retry_now()
        flash(f"{sent} message{'' if sent == 1 else 's'} sent; {failed} still not delivered." if sent or failed
              else "There was no undelivered mail to send.")
    return redirect(url_for("accounts.admin_mail"))
