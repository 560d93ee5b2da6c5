"""The rules for accounts: registration, email confirmation, sign-in, password reset, API tokens, roles.

Passwords are hashed with werkzeug.security and never stored or logged in clear; confirmation and reset links
are signed and expire (itsdangerous); API tokens are shown once and stored as a SHA-256 hash.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import permissions
from ..errors import NotAllowed, NotFound, ValidationFailed
from ..extensions import db
from ..mail import send_after_commit
from ..models import LEA, ROLES, ApiToken, AuditEvent, Practice, User, UserRole
from ..models.types import DB_INT_MAX, utcnow
from ..taxonomy import COUNTIES, LEA_TYPES

MIN_PASSWORD = 12
CONFIRM_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 2 * 3600
LOGIN_FAILED = "That email and password do not match an account."
# Checked when no account has the email, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password, only for equal timing")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"clearinghouse-{purpose}")


def normalize_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed("Please check the email address.", {
            "email": f"“{email.strip()}” is not a valid email address: write it like name@district.org."
            if email.strip() else "Enter your email address."}) from exc


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed("Please choose a longer password.",
                               {"password": f"The password must be at least {MIN_PASSWORD} characters long "
                                            f"(it has {len(password or '')})."})


def find_user(email: str) -> User | None:
    return db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()


# ---------------------------------------------------------------- registration and confirmation


def register(name: str, email: str, password: str, lea_id: str | int | None,
             new_lea: dict | None = None) -> User | None:
    """A contributor account, unconfirmed until the emailed link is followed. Every field is checked at once, so
    one round of the form reports every problem.

    An email that already has an account is never reported (that would tell anyone who has an account): its
    owner is mailed instead, with a link to reset the password, and the answer is None where a new account
    would be returned; the person registering sees the same "check your email" page either way."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Enter your name."
    elif len(name.strip()) > 200:
        errors["name"] = "Your name must be at most 200 characters."
    try:
        email = normalize_email(email or "")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        _check_password(password)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    lea = None
    if lea_id == "new":
        new_lea = new_lea or {}
        for key, vocab in (("county", COUNTIES), ("type", LEA_TYPES)):  # the key is also the word people read
            if new_lea.get(key) not in vocab:
                errors[f"new_lea_{key}"] = f"Choose the new LEA's {key}."
        if not (new_lea.get("name") or "").strip():
            errors["new_lea_name"] = "Enter the new LEA's name."
        elif len(new_lea["name"].strip()) > 200:
            errors["new_lea_name"] = "The new LEA's name must be at most 200 characters."
    elif lea_id:
        lea = db.session.get(LEA, int(lea_id)) if str(lea_id).isdigit() else None
        if lea is None:
            errors["lea"] = "Choose your LEA from the list, or add a new one."
    else:
        errors["lea"] = "Choose your LEA, or add a new one."
    if errors:
        raise ValidationFailed("Please fix these and register again.", errors)
    existing = find_user(email)
    if existing is not None:
        hash_password(password)  # the same work as a new account, so the answer takes as long
        _tell_owner_of_attempt(existing)
        return None
    if lea is None:
        lea = LEA(name=new_lea["name"].strip(), county=new_lea["county"], type=new_lea["type"])
        db.session.add(lea)
    user = User(name=name.strip(), email=email, password_hash=hash_password(password), lea=lea,
                role_rows=[UserRole(role="contributor")])
    db.session.add(user)
    db.session.flush()
    token = _signer("confirm").dumps({"user": user.id, "email": user.email})
    send_after_commit(
        [user.email], "Confirm your email for the Promising Practices Clearinghouse",
        f"Hello {user.name},\n\nFollow this link to confirm your email address and start sharing practices:\n"
        f"{url_for('accounts.confirm', token=token, _external=True)}\n\n"
        "The link works for three days. If you did not register, ignore this message.\n",
    )
    db.session.commit()
    return user


def _tell_owner_of_attempt(user: User) -> None:
    send_after_commit(
        [user.email], "Someone tried to register with your email address",
        f"Hello {user.name},\n\nSomeone (perhaps you) tried to create a Promising Practices Clearinghouse "
        "account with this email address, which already has one. No new account was made.\n\n"
        "If it was you and you have forgotten your password, choose a new one here:\n"
        f"{url_for('accounts.forgot', _external=True)}\n\n"
        "If it was not you, you can ignore this message; your account is unchanged.\n",
    )
    db.session.commit()


def _read_link(purpose: str, token: str, max_age: int, expired: str, invalid: str) -> dict:
    """The data signed into an emailed link, or a clear error for an expired or tampered one."""
    try:
        return _signer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ValidationFailed(expired) from exc
    except BadSignature as exc:
        raise NotFound(invalid) from exc


def confirm(token: str) -> User:
    data = _read_link("confirm", token, CONFIRM_MAX_AGE,
                      "This confirmation link has expired. Reset your password to confirm again.",
                      "This confirmation link is not valid.")
    user = db.session.get(User, data.get("user"))
    if user is None or user.email != data.get("email"):
        raise NotFound("This confirmation link is not valid.")
    user.confirmed_at = user.confirmed_at or utcnow()
    db.session.commit()
    return user


# ---------------------------------------------------------------- signing in and resetting


def authenticate(email: str, password: str) -> User:
    """The user with this email and password; the same refusal for a wrong email as for a wrong password."""
    user = find_user(email or "")
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise NotAllowed(LOGIN_FAILED)
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        raise NotAllowed(LOGIN_FAILED)
    if user.confirmed_at is None:
        raise NotAllowed("Please confirm your email first: follow the link we sent you "
                         "(or reset your password, which confirms it too).")
    return user


def user_for_session(session_id: str) -> User | None:
    """The user a session cookie names (`User.get_id`: "id:version"), or None once that version has ended."""
    user_id, _, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()) or int(user_id) > DB_INT_MAX:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version) else None


def end_sessions(user: User) -> None:
    """Sign out everywhere: every session cookie of this account, on any device, stops working."""
    user.session_version = (user.session_version or 1) + 1


def sign_out(user: User) -> None:
    end_sessions(user)
    db.session.commit()


def _reset_fingerprint(user: User) -> str:
    # Part of the current hash: once the password changes, every earlier reset link stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_reset(email: str) -> None:
    """Mail a reset link if an account has this email; answer the same either way."""
    user = find_user(email or "")
    if user is None or not user.active:
        return
    token = _signer("reset").dumps({"user": user.id, "fp": _reset_fingerprint(user)})
    send_after_commit(
        [user.email], "Reset your Promising Practices Clearinghouse password",
        f"Hello {user.name},\n\nFollow this link to choose a new password:\n"
        f"{url_for('accounts.reset', token=token, _external=True)}\n\n"
        "The link works for two hours, once. If you did not ask for it, ignore this message.\n",
    )
    db.session.commit()


def _user_for_reset(token: str) -> User:
    data = _read_link("reset", token, RESET_MAX_AGE, "This reset link has expired. Ask for a new one.",
                      "This reset link is not valid.")
    user = db.session.get(User, data.get("user"))
    if user is None or data.get("fp") != _reset_fingerprint(user):
        raise NotFound("This reset link is not valid, or has been used already.")
    return user


def check_reset_token(token: str) -> None:
    _user_for_reset(token)


def reset_password(token: str, password: str) -> User:
    user = _user_for_reset(token)
    _check_password(password)
    user.password_hash = hash_password(password)
    user.confirmed_at = user.confirmed_at or utcnow()  # the link proves the address
    end_sessions(user)
    db.session.commit()
    return user


# ---------------------------------------------------------------- personal access tokens


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the API; the clear token is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("Please name the token.", {"name": "is required (at most 100 characters)"})
    clear = "pp_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_hash_token(clear), hint=clear[:7])
    db.session.add(token)
    db.session.commit()
    return token, clear


def revoke_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("There is no such token.")
    token.revoked_at = token.revoked_at or utcnow()
    db.session.commit()


TOKEN_USE_RESOLUTION = timedelta(hours=1)  # "last used" is kept to the hour: reading never writes per request


def user_for_token(clear: str) -> User | None:
    """The active user owning an unrevoked token; notes its use when the last note is over an hour old."""
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _hash_token(clear or ""))
    ).scalar_one_or_none()
    if token is None or not token.active or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token.user


# ---------------------------------------------------------------- roles and users


def list_users() -> list[User]:
    return list(db.session.execute(select(User).order_by(User.name)).scalars())


def set_role(actor, user_id: int, role: str, granted: bool) -> User:
    if not permissions.may_manage_users(actor):
        raise NotFound("There is nothing at this address.")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    if role not in ROLES:
        raise ValidationFailed("Unknown role.", {"role": f"must be one of {', '.join(ROLES)}"})
    if not granted and role == "admin" and user.id == actor.id:
        raise ValidationFailed("You cannot remove your own admin role.", {"role": "keep at least your own admin"})
    rows = [r for r in user.role_rows if r.role == role]
    if granted and not rows:
        user.role_rows.append(UserRole(role=role))
    elif not granted:
        for row in rows:
            user.role_rows.remove(row)
    db.session.commit()
    return user


def create_user(email: str, roles: list[str], lea_name: str | None = None, password: str | None = None,
                name: str | None = None) -> tuple[User, str | None]:
    """A confirmed account with the given roles (for `flask users create`); a password is generated if none."""
    email = normalize_email(email)
    if find_user(email):
        raise ValidationFailed(f"{email} already has an account.", {"email": "already has an account"})
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise ValidationFailed(f"Unknown role: {', '.join(unknown) or 'none given'}; "
                               f"roles are {', '.join(ROLES)}.", {"role": "unknown"})
    lea = None
    if lea_name:
        lea = db.session.execute(select(LEA).where(func.lower(LEA.name) == lea_name.strip().lower())).scalars().first()
        if lea is None:
            raise ValidationFailed(f"No LEA is named {lea_name!r}.", {"lea": "unknown"})
    generated = None
    if password is None:
        password = generated = secrets.token_urlsafe(12)
    _check_password(password)
    user = User(email=email, name=name or email.split("@")[0], password_hash=hash_password(password),
                lea=lea, confirmed_at=utcnow(), role_rows=[UserRole(role=r) for r in dict.fromkeys(roles)])
    db.session.add(user)
    db.session.commit()
    return user, generated


def token_for(email: str, name: str) -> str:
    user = find_user(email)
    if user is None:
        raise NotFound(f"No account has the email {email}.")
    return create_token(user, name)[1]


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str
    lea: str | None


DEMO = (
    ("contributor", "Casey Contributor", 0),
    ("reviewer", "Riley Reviewer", 1),
    ("reviewer", "Rowan Reviewer", 2),
    ("facilitator", "Frankie Facilitator", 3),
    ("admin", "Alex Admin", None),
)


def demo_accounts() -> list[DemoLogin]:
    """One confirmed account per role (two reviewers, so a round can complete), for development only."""
    if current_app.config["APP_ENV"] != "development":
        raise NotAllowed("Demo accounts exist only in development (APP_ENV=development).")
    leas = list(db.session.execute(
        select(LEA).join(Practice, Practice.lea_id == LEA.id).group_by(LEA.id).order_by(LEA.name).limit(4)
    ).scalars())
    logins = []
    for role, name, lea_index in DEMO:
        local = name.split()[0].lower()
        email, password = f"{local}@demo.example.org", f"demo-{local}-password"
        lea = leas[lea_index] if lea_index is not None and lea_index < len(leas) else None
        if find_user(email) is None:
            db.session.add(User(email=email, name=name, password_hash=hash_password(password), lea=lea,
                                confirmed_at=utcnow(), role_rows=[UserRole(role=role)]))
        logins.append(DemoLogin(role, email, password, lea.name if lea else None))
    db.session.commit()
    return logins


# ---------------------------------------------------------------- the audit log


AUDIT_FILTERS = ("action", "actor", "practice", "since", "until")


def _day(value: str, field: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValidationFailed("Dates are written YYYY-MM-DD.", {field: "is not a date (YYYY-MM-DD)"}) from exc


def audit_log(actor, filters: dict[str, str], limit: int = 200) -> list[AuditEvent]:
    if not permissions.may_read_audit(actor):
        raise NotFound("There is nothing at this address.")
    query = select(AuditEvent).join(AuditEvent.practice).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if filters.get("action"):
        query = query.where(AuditEvent.action == filters["action"])
    if filters.get("actor"):
        query = query.join(AuditEvent.actor).where(func.lower(User.email).contains(filters["actor"].lower()))
    if filters.get("practice"):
        query = query.where(Practice.slug.contains(filters["practice"].lower()))
    if filters.get("since"):
        query = query.where(AuditEvent.created_at >= _day(filters["since"], "since"))
    if filters.get("until"):
        query = query.where(AuditEvent.created_at < _day(filters["until"], "until") + timedelta(days=1))
    return list(db.session.execute(query.limit(limit)).scalars())
