"""Side effects (indexing, mail) that run only after the database commit, and are dropped on rollback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Hashable

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .errors import DomainError
from .extensions import db

log = logging.getLogger(__name__)
_CALLBACKS = "after_commit_callbacks"
_BATCHES = "after_commit_batches"
_BEFORE = "before_commit_batches"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's current transaction commits; forget it if it rolls back.

    The session cannot emit SQL inside the commit hook: a callback that reads the database pushes a new
    app context, which gives it a fresh session.
    """
    session.info.setdefault(_CALLBACKS, []).append(callback)


def after_commit_batch(session: Session, name: str, item: Hashable, handler: Callable[[set], None]) -> None:
    """Collect `item` under `name`; after the commit, `handler` gets every item collected, once."""
    batches = session.info.setdefault(_BATCHES, {})
    if name not in batches:
        batches[name] = set()
        after_commit(session, lambda: handler(session.info.get(_BATCHES, {}).pop(name, set())))
    batches[name].add(item)


def before_commit_batch(session: Session, name: str, item: Hashable, handler: Callable[[set, Session], None]) -> None:
    """Collect `item` under `name`; just before the commit, `handler(items, session)` runs once inside the
    transaction (what it adds is committed with it, or rolled back with it)."""
    session.info.setdefault(_BEFORE, {}).setdefault(name, (handler, set()))[1].add(item)


@event.listens_for(Session, "before_commit")
def _run_before_commit(session: Session) -> None:
    batches = session.info.pop(_BEFORE, {})
    for handler, items in batches.values():
        handler(items, session)


@event.listens_for(Session, "after_commit")
def _run_callbacks(session: Session) -> None:
    callbacks = session.info.pop(_CALLBACKS, [])
    try:
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the commit stands; the failure is logged (and `flask index check` finds it)
                log.exception("after-commit side effect failed")
    finally:
        session.info.pop(_BATCHES, None)


@event.listens_for(Session, "after_rollback")
def _drop_callbacks(session: Session) -> None:
    session.info.pop(_BEFORE, None)
    session.info.pop(_CALLBACKS, None)
    session.info.pop(_BATCHES, None)


def atomic(conflict: Callable[[], Exception]):
    """Make a service call one transaction: a concurrent change (the version check or a unique constraint, at any
    flush or at the commit) rolls everything back and raises `conflict()`; a domain error rolls back and is
    re-raised, so nothing of a refused call stays."""
    def decorate(service_call):
        @functools.wraps(service_call)
        def run(*args, **kwargs):
            try:
                return service_call(*args, **kwargs)
            except (StaleDataError, IntegrityError) as exc:
                db.session.rollback()
                raise conflict() from exc
            except DomainError:
                db.session.rollback()
                raise

        return run

    return decorate
