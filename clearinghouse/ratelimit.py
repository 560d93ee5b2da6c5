"""Rate limits every worker and every node shares, and what they are keyed by.

Flask-Limiter counts; this module gives it a storage in the app's own database (`RATELIMIT_STORAGE_URI =
"database://"`, the default), so a limit holds across gunicorn workers and servers. `redis://…` (or any storage
URI the `limits` library knows) is used instead when configured.

Sign-in is limited twice, separately: by the account tried (`LOGIN_ACCOUNT_RATE_LIMIT`, wrong tries only), so a
password cannot be guessed from many addresses, and by the address (`LOGIN_ADDRESS_RATE_LIMIT`, higher), so
one machine cannot try many accounts, while a district's shared address does not lock its colleagues out.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .models import RateLimitCounter

ACCOUNT_LIMITED = ("Too many wrong passwords for this account. Sign-in to it is paused for a minute: wait, "
                   "then try again, or reset the password.")
ADDRESS_LIMITED = "Too many sign-in attempts from your network. Please wait a minute, then try again."
MAIL_LIMITED = "Too many messages asked for this address. Please wait an hour, then try again."
API_LIMITED = "Too many requests. Please wait a minute, then try again (the answer's Retry-After says how long)."

COUNTERS = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    """A `limits` storage in the app's database: one row per key and fixed window, incremented atomically
    (INSERT … ON CONFLICT DO UPDATE) on its own connection, so the count is committed at once and a request's
    rollback never undoes it."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        engine = db.engine
        insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(COUNTERS).values(key=key, hits=amount, expires_at=now + expiry)
        live = COUNTERS.c.expires_at > now
        statement = statement.on_conflict_do_update(
            index_elements=[COUNTERS.c.key],
            set_={"hits": case((live, COUNTERS.c.hits + statement.excluded.hits), else_=statement.excluded.hits),
                  "expires_at": case((live, COUNTERS.c.expires_at), else_=statement.excluded.expires_at)},
        ).returning(COUNTERS.c.hits)
        with engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def _row(self, key: str):
        with db.engine.connect() as connection:
            return connection.execute(
                select(COUNTERS.c.hits, COUNTERS.c.expires_at)
                .where(COUNTERS.c.key == key, COUNTERS.c.expires_at > time.time())
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.hits) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(select(COUNTERS.c.key).limit(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(COUNTERS).where(COUNTERS.c.key == key))


def purge_expired() -> int:
    """Delete the windows that have ended (counters of the past); answers how many."""
    with db.engine.begin() as connection:
        return connection.execute(delete(COUNTERS).where(COUNTERS.c.expires_at <= time.time())).rowcount


# ---------------------------------------------------------------- the limits and their keys


def _setting(name: str):
    return lambda: current_app.config[name]


login_account_limit = _setting("LOGIN_ACCOUNT_RATE_LIMIT")
login_address_limit = _setting("LOGIN_ADDRESS_RATE_LIMIT")
mail_limit = _setting("MAIL_REQUEST_RATE_LIMIT")
api_limit = _setting("API_RATE_LIMIT")


def remote_address() -> str:
    return "address:" + (get_remote_address() or "unknown")


def email_tried() -> str:
    """The account a form names (sign-in, reset, register), however it was typed."""
    email = " ".join((request.form.get("email") or "").split()).lower()[:254]
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]  # no address is stored in clear


def anonymous_read() -> bool:
    """A GET without a token: the public, cacheable reads (search, practices, LEAs). They are left to the reverse
    proxy in front: counting each in the database would cost a write per search, on every page of every client."""
    return request.method in ("GET", "HEAD") and not request.headers.get("Authorization")


def token_or_address() -> str:
    """The API counts per personal access token when one is sent, else per address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return remote_address()


def wrong_password(response) -> bool:
    """Only failed sign-ins count against the account (a success or a page view does not)."""
    return response.status_code == 400
